"""A saving's scope, its one written form, and totals that never multiply or mix kinds."""

import pytest

from sharedmap.parsing import parse_savings_entry
from sharedmap.partnerships import (
    Partnership,
    Savings,
    SavingsKind,
    SavingsScope,
    Status,
    from_record,
    headline_by_kind,
    headline_saving,
    kind_total,
    savings_labels,
    savings_text,
    to_record,
)
from sharedmap.validate import _confident_id


def by_id(seed, pid):
    return next(p for p in seed if p.id == pid)


@pytest.mark.parametrize(
    ("pid", "scope", "council", "text"),
    [
        ("SS021", SavingsScope.EACH, None, "£10m annual for each council (estimate)"),
        ("SS079", SavingsScope.EACH, None, "£895,000 target over three years for each council (estimate)"),
        ("SS056", SavingsScope.COUNCIL, "YOR", "£208,000 annual 2023/24 (City of York Council)"),
        ("SS068", SavingsScope.COUNCIL, "CHT", "£100,000 target per year (Cheltenham Borough Council) (estimate)"),
    ],
)
def test_the_seed_states_what_each_figure_covers(seed, register, pid, scope, council, text):
    saving = by_id(seed, pid).savings[0]
    assert (saving.scope, saving.council_id) == (scope, council)
    assert savings_text(saving, register) == text


def test_a_figure_for_each_council_counts_once_per_member(seed):
    richmond = by_id(seed, "SS021")  # two boroughs, £10m a year each
    assert kind_total(richmond, SavingsKind.ANNUAL) == (20_000_000, True)  # "up to £10m a year": an estimate


def test_one_councils_figure_is_that_councils_alone(seed):
    veritau = by_id(seed, "SS056")
    assert headline_by_kind(veritau) == {SavingsKind.ANNUAL: 208_000}


@pytest.mark.parametrize(
    "text",
    [
        "£10m annual for each council",
        "£208,000 annual 2023/24 (City of York Council)",
        "£600,000 annual 2020/21",
        "£895,000 target over three years for each council (estimate)",
        "£4.6m target after year five of a merger (estimate)",
    ],
)
def test_the_written_form_reads_back_the_same(register, text):
    saving, _ = parse_savings_entry(text, resolve_council=lambda t: _confident_id(register, t))
    assert savings_text(saving, register) == text
    assert (
        parse_savings_entry(
            savings_text(saving, register, explicit=True), resolve_council=lambda t: _confident_id(register, t)
        )[0]
        == saving
    )


def test_york_only_resolves_to_the_council(register):
    saving, _ = parse_savings_entry(
        "£208,000 annual 2023/24 (York only)", resolve_council=lambda t: _confident_id(register, t)
    )
    assert (saving.scope, saving.council_id, saving.period) == (SavingsScope.COUNCIL, "YOR", "2023/24")


def test_headline_never_adds_kinds():
    """Regression: with no partnership-wide figure, council shares of different kinds used to be summed."""
    p = Partnership(
        "X1",
        "Mixed",
        ("BOT", "ELI"),
        ("ICT",),
        Status.OPERATIONAL,
        savings=(
            Savings(100_000, SavingsKind.ANNUAL, council_id="BOT"),
            Savings(2_000_000, SavingsKind.CUMULATIVE, council_id="ELI"),
        ),
    )
    assert headline_saving(p) == (100_000, SavingsKind.ANNUAL)
    assert headline_by_kind(p) == {SavingsKind.ANNUAL: 100_000, SavingsKind.CUMULATIVE: 2_000_000}


def test_funding_is_no_headline_saving():
    p = Partnership(
        "X2",
        "Grant",
        ("BOT", "ELI"),
        ("ICT",),
        Status.OPERATIONAL,
        savings=(Savings(300_000, SavingsKind.ONE_OFF_FUNDING),),
    )
    assert headline_saving(p) is None


def test_scope_and_new_columns_survive_the_store_record(seed):
    from sharedmap.partnerships import PartialDate

    p = by_id(seed, "SS021").with_changes(verified_on=PartialDate(2025, 3, 14), evidence="press release, para 3")
    again = from_record(to_record(p))
    assert again == p and again.savings[0].scope is SavingsScope.EACH
    assert savings_labels(again) == ["£10m annual for each council (estimate)"]


def test_an_old_record_without_scope_reads_a_council_share_as_one_council():
    record = to_record(
        Partnership(
            "X3",
            "Old",
            ("BOT", "ELI"),
            ("ICT",),
            Status.OPERATIONAL,
            savings=(Savings(5, SavingsKind.ANNUAL, council_id="BOT"),),
        )
    )
    del record["savings"][0]["scope"], record["verified_on"], record["evidence"]
    assert from_record(record).savings[0].scope is SavingsScope.COUNCIL
