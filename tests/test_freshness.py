"""How current a row is: its status is as at its source's date; an old status date 'may be out of date'."""

import datetime as dt

import pytest

from sharedmap.errors import ValidationError
from sharedmap.filters import Filters, apply_filters
from sharedmap.freshness import freshness_text, is_stale, stale_after_years
from sharedmap.partnerships import PartialDate, Partnership, Status

TODAY = dt.date(2026, 6, 1)


def row(status=Status.OPERATIONAL, source_date=None, verified_on=None):
    return Partnership("X", "Test", ("BOT", "ELI"), ("ICT",), status, source_date=source_date, verified_on=verified_on)


@pytest.mark.parametrize(
    ("p", "stale"),
    [
        (row(source_date=PartialDate(2024, 5)), False),
        (row(source_date=PartialDate(2023)), False),  # a year-only date counts from its last day: 31 December 2023
        (row(source_date=PartialDate(2022, 12, 31)), True),
        (row(Status.PLANNED, source_date=PartialDate(2012, 6)), True),
        (row(Status.ENDED, source_date=PartialDate(2012, 6)), False),  # an ending does not go out of date
        (row(), True),  # no dated source at all
        (row(verified_on=PartialDate(2026, 1, 10)), False),  # no source date: the check's date stands in
        (
            row(source_date=PartialDate(2015), verified_on=PartialDate(2026, 1, 10)),
            True,
        ),  # re-read old source: still old
    ],
)
def test_status_date_against_the_limit(p, stale):
    assert is_stale(p, TODAY, 3) is stale


def test_freshness_text_says_when_checked_and_as_at():
    p = row(Status.PLANNED, source_date=PartialDate(2012, 6), verified_on=PartialDate(2025, 3, 14))
    assert freshness_text(p, TODAY, 3) == (
        "checked against its source on 14 March 2025; status as at June 2012 — may be out of date"
    )


def test_the_limit_is_a_setting(monkeypatch):
    monkeypatch.setenv("SHAREDMAP_STALE_AFTER_YEARS", "20")
    assert stale_after_years() == 20 and not is_stale(row(source_date=PartialDate(2012)), TODAY)
    monkeypatch.setenv("SHAREDMAP_STALE_AFTER_YEARS", "three")
    with pytest.raises(ValidationError, match="SHAREDMAP_STALE_AFTER_YEARS"):
        stale_after_years()


def test_the_filter_hides_rows_that_may_be_out_of_date(seed, register):
    shown = apply_filters(seed, Filters(hide_stale=True), register)
    assert 0 < len(shown) < len(seed)
    assert not any(is_stale(p) for p in shown)
    assert all(p.status is not Status.PLANNED or p.source_date.year >= dt.date.today().year - 4 for p in shown)
