"""How current a partnership's status is, and how it is shown today.

A row's status is its own claim, as at the date of its newest evidence (``status_source_date``; without newer
evidence, the source's date). A partnership said to be running or planned on evidence older than
SHAREDMAP_STALE_AFTER_YEARS is not shown as if that were true today: its *standing* is ``unconfirmed`` — "running
in 2016, not confirmed since", "planned in 2014, outcome not found" — drawn apart, left out of active counts and
filterable. The map, panel, council pages, statistics, downloads and find-a-partner all read the standing from here.

``verified_on`` (a person re-read the source) never refreshes the status: it stands in only for a row with no dated
source at all. Ended partnerships never go stale; funded-only rows were never running.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from enum import StrEnum

from sharedmap import config, partnerships
from sharedmap.errors import ValidationError
from sharedmap.partnerships import PartialDate, Partnership, Status, date_text


class Standing(StrEnum):
    """What the map says of a partnership today: its status, unless that rests on evidence too old to repeat."""

    OPERATIONAL = "operational"
    PLANNED = "planned"
    UNCONFIRMED = "unconfirmed"
    ENDED = "ended"
    FUNDED = "funded"

    @property
    def label(self) -> str:
        return STANDING_LABELS[self]


STANDING_LABELS = {
    Standing.OPERATIONAL: "running",
    Standing.PLANNED: "planned",
    Standing.UNCONFIRMED: "not confirmed recently",
    Standing.ENDED: "ended",
    Standing.FUNDED: "funding awarded, not known to have formed",
}
ACTIVE = frozenset({Standing.OPERATIONAL})  # what "active" counts count
DRAWN = frozenset({Standing.OPERATIONAL, Standing.PLANNED, Standing.UNCONFIRMED, Standing.ENDED})


def stale_after_years() -> float:
    """The setting, checked: a clear message instead of a traceback when it is not a number of years."""
    text = config.get("SHAREDMAP_STALE_AFTER_YEARS")
    try:
        years = float(text)
    except ValueError:
        years = -1.0
    if not 0 < years <= 100:
        raise ValidationError("SHAREDMAP_STALE_AFTER_YEARS", text, "must be a number of years between 0 and 100")
    return years


def status_date(p: Partnership) -> PartialDate | None:
    """The date the row's status was true at: its newest status evidence, else its source's, else its check's."""
    return p.status_source_date or p.source_date or p.verified_on


def status_by(p: Partnership, names: Mapping[str, str] | None = None) -> str:
    """Who evidenced the status: "confirmed by Boston Borough Council" when a member council confirmed it (its
    name from ``names``, else the register), else a public source of that date, else the row's own source."""
    if p.status_confirmed_by and p.status_source_date:
        return f"confirmed by {council_name(p.status_confirmed_by, names)}"
    if p.status_source_date and p.status_source_url:
        return "a public source"
    return "the row's source"


def council_name(council_id: str, names: Mapping[str, str] | None = None) -> str:
    """The council's name for a confirmation ("Boston Borough Council"); its id when the register lacks it."""
    if names is None:
        from sharedmap.register import load_register  # only for confirmed rows: the register is cached once read

        return partnerships.council_name(council_id, load_register())
    return partnerships.council_name(council_id, names)


def confirmation_text(council_id: str, on: dt.date, names: Mapping[str, str] | None = None) -> str:
    """The status evidence a council's confirmation writes: "confirmed by Boston Borough Council on 4 December
    2026"."""
    return f"confirmed by {council_name(council_id, names)} on {on.day} {calendar.month_name[on.month]} {on.year}"


def last_day(d: PartialDate) -> dt.date:
    """The latest day a partial date can mean ("2021" → 31 December 2021): a row is stale only when surely so."""
    month = d.month or 12
    return dt.date(d.year, month, d.day or calendar.monthrange(d.year, month)[1])


def is_stale(p: Partnership, today: dt.date | None = None, years: float | None = None) -> bool:
    """True when the status of a partnership said to be running or planned rests on a date older than the limit,
    or on no date at all."""
    if p.status not in (Status.OPERATIONAL, Status.PLANNED):
        return False
    when = status_date(p)
    if when is None:
        return True
    today = today or dt.date.today()
    years = stale_after_years() if years is None else years
    return (today - last_day(when)).days > years * 365.25


def years_since_evidence(p: Partnership, today: dt.date | None = None) -> float | None:
    """How many years ago the status was last evidenced (from the latest day its date can mean), None when
    undated: what the map's "years since newest status evidence" measure colours by."""
    when = status_date(p)
    if when is None:
        return None
    return max(0.0, ((today or dt.date.today()) - last_day(when)).days / 365.25)


def standing(p: Partnership, today: dt.date | None = None, years: float | None = None) -> Standing:
    if is_stale(p, today, years):
        return Standing.UNCONFIRMED
    return Standing(p.status.value)


def standing_text(p: Partnership, today: dt.date | None = None, years: float | None = None) -> str:
    """The status as a reader should take it: "running (evidence of March 2025)", "running in 2016 — not confirmed
    since", "planned in 2014 — outcome not found", "ended (January 2022)"."""
    when = status_date(p)
    shown = standing(p, today, years)
    if shown is Standing.UNCONFIRMED:
        if when is None:
            return f"{Standing(p.status.value).label}, on an undated source — not confirmed"
        if p.status is Status.PLANNED:
            return f"planned in {when.year} — outcome not found"
        return f"running in {when.year} — not confirmed since"
    if shown is Standing.ENDED:
        return "ended" + (f" ({date_text(p.end)})" if p.end else "")
    return shown.label + (f" (evidence of {date_text(when)})" if when else "")


def freshness_text(
    p: Partnership, today: dt.date | None = None, years: float | None = None, names: Mapping[str, str] | None = None
) -> str:
    """'status as at March 2025 (a public source); checked against its sources on 4 December 2026', or 'status
    confirmed by Boston Borough Council on 4 December 2026; …', as the panel, council pages and downloads say when
    the status was last evidenced and by whom."""
    when = status_date(p)
    if p.status_confirmed_by and p.status_source_date:
        parts = [f"status {status_by(p, names)} on {date_text(p.status_source_date)}"]
    else:
        parts = [f"status as at {date_text(when)} ({status_by(p, names)})" if when else "status date unknown"]
    if p.verified_on:
        parts.append(f"checked against its sources on {date_text(p.verified_on)}")
    else:
        parts.append("not yet re-checked against its sources")
    return "; ".join(parts)
