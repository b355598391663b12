"""Name normalisation: the pure functions behind council-name resolution, on real register names."""

from __future__ import annotations

import pytest

from sharedmap import names
from sharedmap.register import load_register


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Hinkley & Bosworth BC", ["hinkley and bosworth borough council"]),
        ("Worcestershire CC", ["worcestershire county council", "worcestershire city council"]),
        ("Blaby DC", ["blaby district council"]),
        ("Gateshead MBC", ["gateshead metropolitan borough council"]),
        ("Wakefield MDC", ["wakefield metropolitan district council"]),
        ("Caerphilly CBC", ["caerphilly county borough council"]),
        ("LB Richmond", ["london borough of richmond"]),
        ("RB Kensington and Chelsea", ["royal borough of kensington and chelsea"]),
        ("Kensington & Chelsea RB", ["kensington and chelsea royal borough"]),
        ("St. Helens", ["st helens"]),
        ("Saint Helens", ["st helens"]),
        ("  Stockton-on-Tees   Borough  Council ", ["stockton on tees borough council"]),
        ("King's Lynn and West Norfolk", ["kings lynn and west norfolk"]),
        ("Ynys Môn", ["ynys mon"]),
        ("E Lindsey", ["east lindsey"]),
        ("Bath & NE Somerset", ["bath and north east somerset"]),
        ("Herts CC", ["hertfordshire county council", "hertfordshire city council"]),
        ("Wigan Councl", ["wigan council"]),
        ("CC", ["cc"]),
    ],
)
def test_clean_variants(written, expected):
    assert names.clean_variants(written) == expected


@pytest.mark.parametrize(
    ("clean", "core", "kinds"),
    [
        ("london borough of richmond upon thames", "richmond upon thames", {"london", "borough"}),
        ("royal borough of kensington and chelsea", "kensington and chelsea", {"royal", "borough"}),
        ("city of york council", "york", {"city"}),
        ("dorset county council", "dorset", {"county"}),
        ("dorset council", "dorset", set()),
        ("the highland council", "highland", set()),
        ("kingston upon hull city of", "kingston upon hull", {"city"}),
        ("borough council of kings lynn and west norfolk", "kings lynn and west norfolk", {"borough"}),
        ("rochdale metropolitan borough council", "rochdale", {"metropolitan", "borough"}),
        ("county durham", "durham", {"county"}),
        ("city and county of swansea council", "swansea", {"city", "county"}),
        ("greater manchester combined authority", "greater manchester combined authority", set()),
        ("council", "council", set()),
    ],
)
def test_split_core(clean, core, kinds):
    assert names.split_core(clean) == (core, frozenset(kinds))


@pytest.mark.parametrize(
    ("token", "expected"),
    [("councl", "council"), ("boroug", "borough"), ("distric", "district"), ("cunty", "county"),
     ("metropoitan", "metropolitan"), ("wigan", "wigan"), ("brough", "borough"), ("city", "city"), ("ciy", "ciy")],
)  # fmt: skip
def test_spell_council_word(token, expected):
    assert names.spell_council_word(token) == expected


@pytest.mark.shared_data
def test_no_official_name_of_the_register_is_respelt():
    """Respelling council words must never change a real place name."""
    register = load_register()
    respelt = {
        token
        for council in register.councils.values()
        for name in (council.name, council.short_name)
        for token in names.clean_variants(name)[0].split()
        if names.spell_council_word(token) != token
    }
    assert respelt == set()


@pytest.mark.parametrize(
    ("written", "generic"),
    [("Council", True), ("London Borough", True), ("The Council", True), ("Combined Authority", True),
     ("Hull", False), ("City of London", True), ("Borough of Poole", False)],
)  # fmt: skip
def test_names_no_place(written, generic):
    assert names.names_no_place(written) is generic


ARMAGH = "Armagh City, Banbridge and Craigavon,armagh city, banbridge and craigavon,armagh, banbridge and craigavon"
RHONDDA = "Rhondda Cynon Taff,rhondda cynon taf,rhondda, cynon, taff,rhondda,cynon,taff"


@pytest.mark.parametrize(
    ("text", "known", "expected"),
    [
        (ARMAGH, set(), ["Armagh City, Banbridge and Craigavon", "armagh city, banbridge and craigavon",
                         "armagh, banbridge and craigavon"]),
        (RHONDDA, {"rhondda,cynon,taff"}, ["Rhondda Cynon Taff", "rhondda cynon taf", "rhondda, cynon, taff",
                                            "rhondda,cynon,taff"]),
        (RHONDDA, set(), ["Rhondda Cynon Taff", "rhondda cynon taf", "rhondda, cynon, taff", "rhondda", "cynon",
                          "taff"]),
        ("Newry, Mourne and Down ,newry, mourne and down", set(), ["Newry, Mourne and Down",
                                                                   "newry, mourne and down"]),
        ("", set(), []),
    ],
)  # fmt: skip
def test_split_alt_names(text, known, expected):
    assert names.split_alt_names(text, known) == expected


@pytest.mark.shared_data
def test_split_alt_names_of_the_real_register_rows():
    """Every alt-name the register lists for Rhondda Cynon Taf is kept whole once the lookup spellings are known."""
    council = load_register().get("RCT")
    assert "rhondda,cynon,taff" in council.alt_names
    assert not {"cynon", "taff"} & set(council.alt_names)


def test_distinct_names_ignores_case_and_spacing():
    spellings = ["Poole", "poole", "Poole  UA", "poole ua", "Borough of Poole"]
    assert names.distinct_names(spellings, exclude=["Borough of Poole"]) == ("Poole", "Poole  UA")


@pytest.mark.shared_data
def test_fuzzy_prefers_councils_whose_kind_agrees():
    index = load_register()._index
    ranked = index.fuzzy("LB Richmond")
    assert ranked[0][0] == "RIC"
    assert dict(ranked)["RIH"] == pytest.approx(ranked[0][1] * 0.9)
