import contextlib
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedmap.errors import ValidationError
from sharedmap.money import max_amount_gbp
from sharedmap.parsing import (
    count_council_pieces,
    date_before,
    parse_date,
    parse_money,
    parse_savings_entry,
    parse_services,
    parse_status,
    split_councils,
    split_date_range,
)
from sharedmap.partnerships import PartialDate, SavingsKind, Status, format_gbp


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("£600,000", 600_000),
        ("£1.2m", 1_200_000),
        ("£220k", 220_000),
        ("0.385m", 385_000),
        ("£15.4m over 10 years", 15_400_000),
        ("£1.34bn", 1_340_000_000),
        ("£2 million", 2_000_000),
        ("GBP 70,000", 70_000),
        ("over 10 years: £15.4m", 15_400_000),
        (385000, 385_000),
    ],
)
def test_money_as_officers_write_it(text, amount):
    assert parse_money(text) == pytest.approx(amount)


@pytest.mark.parametrize("text", ["n/a", "TBC", "lots"])
def test_money_without_a_figure_is_refused(text):
    with pytest.raises(ValidationError, match="no amount found"):
        parse_money(text)


@pytest.mark.parametrize(
    ("text", "kind", "period", "estimate"),
    [
        ("£15.4m target over 10 years", SavingsKind.TARGET, "over 10 years", True),
        ("£15.4m over 10 years", SavingsKind.TARGET, "over 10 years", True),
        ("£600,000 annual 2020/21", SavingsKind.ANNUAL, "2020/21", False),
        ("£1.2m annual expected in 2021/22", SavingsKind.ANNUAL, "expected in 2021/22", True),
        ("£6m cumulative since 2011", SavingsKind.CUMULATIVE, "since 2011", False),
        ("£750,000 one-off funding 2013/14", SavingsKind.ONE_OFF_FUNDING, "2013/14", False),
        ("£725m combined spend per year", SavingsKind.COMBINED_SPEND, "per year", False),
        ("£430,000 a year", SavingsKind.ANNUAL, "", False),
        ("c. £400k p.a.", SavingsKind.ANNUAL, "", True),
        ("£1.5m annually since 2019", SavingsKind.ANNUAL, "since 2019", False),
    ],
)
def test_savings_entry_kind_and_period(text, kind, period, estimate):
    saving, _ = parse_savings_entry(text)
    assert (saving.kind, saving.period, saving.estimate) == (kind, period, estimate)


def test_savings_kind_that_had_to_be_guessed_is_a_warning():
    saving, warnings = parse_savings_entry("£220k")
    assert saving.kind is SavingsKind.ANNUAL
    assert warnings and "not stated" in warnings[0]


def test_savings_share_names_its_council():
    saving, _ = parse_savings_entry("£70,000 annual (Hinckley and Bosworth)", resolve_council=lambda name: "HIN")
    assert (saving.amount_gbp, saving.council_id) == (70_000, "HIN")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("July 2020", PartialDate(2020, 7)),
        ("Feb 2011", PartialDate(2011, 2)),
        ("27/06/2012", PartialDate(2012, 6, 27)),
        ("2014/15", PartialDate(2014, 4)),
        ("2020", PartialDate(2020)),
        ("2020-07-01", PartialDate(2020, 7, 1)),
        ("1 July 2020", PartialDate(2020, 7, 1)),
        ("Sept 2019", PartialDate(2019, 9)),
        ("Febr 2011", PartialDate(2011, 2)),
        ("2020-07-01 13:45:00", PartialDate(2020, 7, 1)),
        (dt.datetime(2012, 6, 27), PartialDate(2012, 6, 27)),
        (2011, PartialDate(2011)),
        ("", None),
    ],
)
def test_dates_keep_their_precision(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "soon",
        "31/02/2012",
        "2014/16",
        "Smarch 2020",
        "Junk 2020",
        "Decided 2019",
        "Marching 2018",
        "2020-07-01 to 2023",
    ],
)
def test_bad_dates_name_the_column(text):
    """A word that merely starts like a month is not one ("Junk 2020" is not June); a range is not one date."""
    with pytest.raises(ValidationError, match="^end: not a date"):
        parse_date(text, "end")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-07-01 to 2023-03-31", ("2020-07-01", "2023-03-31")),
        ("2019 - 2021", ("2019", "2021")),
        ("2019–2021", ("2019", "2021")),
        ("May 2018 until March 2020", ("May 2018", "March 2020")),
        ("2014/15", None),
        ("2020-07-01", None),
        ("Junk to 2020", None),
    ],
)
def test_a_range_gives_its_start_and_end(text, expected):
    assert split_date_range(text) == expected


def test_services_map_to_the_vocabulary():
    services, errors = parse_services(
        "IT; Legal services, Revs and bens / HR; Environmental health; civil contingencies; record office; assessors"
    )
    assert services == (
        "ICT",
        "Legal",
        "Revenues and benefits",
        "HR",
        "Environmental health",
        "Emergency planning",
        "Archives and records",
        "Valuation",
    )
    assert errors == []


def test_unknown_service_is_an_error_with_suggestions():
    services, errors = parse_services("Managment team; Widgets")
    assert services == ("Management team",)
    assert [e.value for e in errors] == ["Widgets"]


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Operational", Status.OPERATIONAL),
        ("live", Status.OPERATIONAL),
        ("Proposed", Status.PLANNED),
        ("ended", Status.ENDED),
        ("Closed 2020", Status.ENDED),
    ],
)
def test_status_words(text, status):
    assert parse_status(text) is status


@pytest.mark.parametrize(
    ("amount", "text"),
    [(600_000, "£600,000"), (15_400_000, "£15.4m"), (1_340_000_000, "£1.34bn"), (42_000_000, "£42m")],
)
def test_money_is_written_the_way_councils_write_it(amount, text):
    assert format_gbp(amount) == text


def test_money_text_keeps_every_word_of_its_period():
    """Regression (SS076): "of" was stripped anywhere, turning "year five of a merger" into "year five a merger"."""
    saving, _ = parse_savings_entry("£4.6m target per year after year five of a merger")
    assert saving.period == "per year after year five of a merger"
    assert parse_savings_entry("£3m of savings annual")[0].period == "savings"


def test_an_only_that_names_no_council_is_a_warning():
    def nobody(text):
        from sharedmap.errors import CouncilNotFoundError

        raise CouncilNotFoundError(text, [], "unknown")

    saving, warnings = parse_savings_entry("£5,000 annual (Gotham only)", resolve_council=nobody)
    assert saving.scope.value == "whole partnership" and saving.period == "(Gotham only)"
    assert warnings and "names no council surely" in warnings[0]


@pytest.mark.parametrize(
    ("text", "scope"),
    [
        ("£10m annual for each council", "each council"),
        ("£300,000 a year per authority", "each council"),
        ("£5 annual per council tax band D", "whole partnership"),
        ("£600,000 annual for the whole partnership", "whole partnership"),
    ],
)
def test_scope_words(text, scope):
    assert parse_savings_entry(text)[0].scope.value == scope


# Properties: any text or number gives a value or the project's own error, never another exception.
CELLS = st.one_of(
    st.text(max_size=200),
    st.integers(),
    st.floats(),
    st.none(),
    st.from_regex(r"[£-]?[0-9,.eE+-]{1,30}(bn|m|k)?", fullmatch=True),
)


@settings(max_examples=300, deadline=None)
@given(CELLS)
def test_any_cell_is_an_amount_in_range_or_a_validation_error(cell):
    try:
        amount = parse_money(cell)
    except ValidationError as exc:
        assert exc.column == "savings"
    else:
        assert 0 <= amount <= max_amount_gbp()


@settings(max_examples=300, deadline=None)
@given(CELLS)
def test_any_cell_is_a_date_or_a_validation_error(cell):
    try:
        parse_date(cell)
    except ValidationError as exc:
        assert exc.column == "start"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_savings_text_is_an_entry_or_a_validation_error(text):
    with contextlib.suppress(ValidationError):
        parse_savings_entry(text)


DATES = st.builds(PartialDate, st.integers(1900, 2100), st.none() | st.integers(1, 12), st.none() | st.integers(1, 28))


@given(DATES, DATES)
def test_dates_of_any_precision_compare_without_error(a, b):
    assert not (date_before(a, b) and date_before(b, a))


def test_dates_compare_at_the_precision_written():
    assert not date_before(PartialDate(2018), PartialDate(2018, 10))
    assert not date_before(PartialDate(2018, 10), PartialDate(2018))
    assert date_before(PartialDate(2017, 12, 31), PartialDate(2018))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.sampled_from([*"abc ,;|\n", "Boston", "Council", "City of", "Hull", "Poole"]), max_size=120).map(
        "".join
    )
)
def test_any_councils_cell_splits_into_names(register, text):
    names = split_councils(text, lambda name: register.resolve(name, fuzzy=False))
    assert len(names) <= count_council_pieces(text)


def test_splitting_hundreds_of_comma_separated_names_takes_a_linear_number_of_lookups(register):
    calls = []

    def resolve(name):
        calls.append(name)
        return register.resolve(name, fuzzy=False)

    split_councils(", ".join(["Boston Borough Council"] * 400), resolve)
    assert len(calls) <= 400 * 3
