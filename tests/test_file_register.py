"""Council look-ups for one file are bounded: each distinct name looked up once, over-long names refused unread,
and past the budgets only exact spellings resolve, so no file can make checking slow."""

from __future__ import annotations

import pytest

from sharedmap.errors import CouncilNotFoundError
from sharedmap.file_register import FileRegister


def test_each_distinct_name_is_looked_up_once(register):
    calls = []

    class Counting:
        def resolve(self, name, **options):
            calls.append(name)
            return register.resolve(name, **options)

    lookups = FileRegister(Counting())
    for _ in range(50):
        assert lookups.resolve("Boston Borough Council").council.id == "BOT"
        assert lookups.resolve("boston  borough council").council.id == "BOT"
    assert len(calls) == 1


def test_past_the_fuzzy_budget_a_misspelt_name_is_not_searched(register):
    lookups = FileRegister(register, fuzzy_budget=1)
    assert lookups.resolve("Bostn Borugh Council").council.id == "BOT"  # the one fuzzy search allowed
    with pytest.raises(CouncilNotFoundError, match="not looked up: too many names in this file"):
        lookups.resolve("East Lindsy District Councl")
    assert lookups.resolve("East Lindsey District Council").council.id == "ELI"  # exact names still resolve


def test_past_the_lookup_budget_only_known_spellings_resolve(register):
    lookups = FileRegister(register, lookup_budget=0)
    assert lookups.resolve("Boston Borough Council").council.id == "BOT"
    with pytest.raises(CouncilNotFoundError, match="not looked up"):
        lookups.resolve("BOSTON B.C.")


def test_a_name_longer_than_any_council_is_refused_unread(register):
    with pytest.raises(CouncilNotFoundError, match="longer than any council name"):
        FileRegister(register).resolve("Boston " * 100)
