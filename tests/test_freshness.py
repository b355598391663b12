"""How current a row is: its status is as at its newest evidence; running or planned on old evidence is shown
as 'unconfirmed', never as if it were true today."""

import datetime as dt

import pytest

from sharedmap.errors import ValidationError
from sharedmap.filters import Filters, apply_filters
from sharedmap.freshness import Standing, freshness_text, is_stale, stale_after_years, standing, standing_text
from sharedmap.partnerships import PartialDate, Partnership, Status

TODAY = dt.date(2026, 6, 1)


def row(status=Status.OPERATIONAL, source_date=None, verified_on=None, status_source_date=None, end=None):
    return Partnership(
        "X",
        "Test",
        ("BOT", "ELI"),
        ("ICT",),
        status,
        end=end,
        source_date=source_date,
        verified_on=verified_on,
        status_source_url="https://example.org/minutes" if status_source_date else "",
        status_source_date=status_source_date,
    )


@pytest.mark.parametrize(
    ("p", "stale"),
    [
        (row(source_date=PartialDate(2024, 5)), False),
        (row(source_date=PartialDate(2023)), False),  # a year-only date counts from its last day: 31 December 2023
        (row(source_date=PartialDate(2022, 12, 31)), True),
        (row(Status.PLANNED, source_date=PartialDate(2012, 6)), True),
        (row(Status.ENDED, source_date=PartialDate(2012, 6)), False),  # an ending does not go out of date
        (row(Status.FUNDED, source_date=PartialDate(2012, 6)), False),  # a grant was never said to be running
        (row(), True),  # no dated source at all
        (row(verified_on=PartialDate(2026, 1, 10)), False),  # no source date: the check's date stands in
        (row(source_date=PartialDate(2015), verified_on=PartialDate(2026, 1, 10)), True),  # re-read: still old
        (row(source_date=PartialDate(2012), status_source_date=PartialDate(2025, 3)), False),  # newer evidence
    ],
)
def test_status_date_against_the_limit(p, stale):
    assert is_stale(p, TODAY, 3) is stale
    assert (standing(p, TODAY, 3) is Standing.UNCONFIRMED) is stale


@pytest.mark.parametrize(
    ("p", "text"),
    [
        (row(Status.PLANNED, source_date=PartialDate(2014, 6)), "planned in 2014 — outcome not found"),
        (row(source_date=PartialDate(2016)), "running in 2016 — not confirmed since"),
        (
            row(source_date=PartialDate(2012), status_source_date=PartialDate(2025, 3)),
            "running (evidence of March 2025)",
        ),
        (row(Status.ENDED, source_date=PartialDate(2022), end=PartialDate(2022, 1)), "ended (January 2022)"),
        (row(Status.FUNDED, source_date=PartialDate(2014)), "funding awarded, not known to have formed"),
    ],
)
def test_the_standing_says_what_is_true_today(p, text):
    assert standing_text(p, TODAY, 3).startswith(text)


def test_freshness_text_says_when_the_status_was_evidenced_and_by_whom():
    p = row(source_date=PartialDate(2012, 6), status_source_date=PartialDate(2025, 3), verified_on=PartialDate(2026, 1))
    assert freshness_text(p, TODAY, 3) == (
        "status as at March 2025 (a public source); checked against its sources on January 2026"
    )
    assert freshness_text(row(Status.PLANNED, source_date=PartialDate(2012, 6)), TODAY, 3) == (
        "status as at June 2012 (the row's source); not yet re-checked against its sources"
    )


def test_the_limit_is_a_setting(monkeypatch):
    monkeypatch.setenv("SHAREDMAP_STALE_AFTER_YEARS", "20")
    assert stale_after_years() == 20 and not is_stale(row(source_date=PartialDate(2012)), TODAY)
    monkeypatch.setenv("SHAREDMAP_STALE_AFTER_YEARS", "three")
    with pytest.raises(ValidationError, match="SHAREDMAP_STALE_AFTER_YEARS"):
        stale_after_years()


def test_the_filter_hides_rows_not_confirmed_recently(seed, register):
    shown = apply_filters(seed, Filters(hide_stale=True), register)
    assert 0 < len(shown) < len(seed)
    assert not any(standing(p) is Standing.UNCONFIRMED for p in shown)
    assert all(p.status is not Status.PLANNED or p.source_date.year >= dt.date.today().year - 4 for p in shown)
