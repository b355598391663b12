"""How current a partnership's facts are: its status is as at its source's date, and a row whose status date is
older than SHAREDMAP_STALE_AFTER_YEARS "may be out of date".

The rule (docs/data.md): the status date is the source's date, because that is when the status was true; a
person re-reading an old source (``verified_on``) confirms the row says what the source says, not that the status
still holds, so ``verified_on`` is used only when a row has no source date. Ended partnerships never go stale.
"""

from __future__ import annotations

import calendar
import datetime as dt

from sharedmap import config
from sharedmap.errors import ValidationError
from sharedmap.partnerships import PartialDate, Partnership, Status, date_text

STALE_NOTE = "may be out of date"


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
    """The date the row's status was true at: its source's date, else the date a person checked it."""
    return p.source_date or p.verified_on


def last_day(d: PartialDate) -> dt.date:
    """The latest day a partial date can mean ("2021" → 31 December 2021): a row is stale only when surely so."""
    month = d.month or 12
    return dt.date(d.year, month, d.day or calendar.monthrange(d.year, month)[1])


def is_stale(p: Partnership, today: dt.date | None = None, years: float | None = None) -> bool:
    """True when the status of a partnership still running (or planned) rests on a date older than the limit,
    or on no date at all."""
    if p.status is Status.ENDED:
        return False
    when = status_date(p)
    if when is None:
        return True
    today = today or dt.date.today()
    years = stale_after_years() if years is None else years
    return (today - last_day(when)).days > years * 365.25


def freshness_text(p: Partnership, today: dt.date | None = None, years: float | None = None) -> str:
    """'checked 3 March 2025; status as at 2021 — may be out of date', as the panel, tooltip and exports say it."""
    parts = [f"status as at {date_text(when)}" if (when := status_date(p)) else "status date unknown"]
    if p.verified_on:
        parts.insert(0, f"checked against its source on {date_text(p.verified_on)}")
    else:
        parts.insert(0, "not yet re-checked against its source")
    text = "; ".join(parts)
    return text + f" — {STALE_NOTE}" if is_stale(p, today, years) else text
