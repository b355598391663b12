"""Which published partnerships the public pages can draw: a record they cannot render is left out and named.

The reader and the store's constraints keep bad records out, but a record can still arrive broken (written with
SQL, by an older version, restored from a snapshot). One such record must not take the map down for everyone, so
the public pages, exports and the command line's export skip it, log a ``record_unshown`` event naming it, and say
"1 partnership could not be shown".
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass

from sharedmap import events
from sharedmap.partnerships import Partnership, SavingsKind, Status, from_record, savings_labels, to_record
from sharedmap.register import Register

MAX_AMOUNT_GBP = 100e9  # the store's own ceiling (migration 0002)
_logged: set[tuple[str, str]] = set()  # (version label, id) already logged: one event per record and version


@dataclass(frozen=True)
class Unshown:
    """A record left off the public pages: its id (or position) and why."""

    id: str
    reason: str


def load_records(records: Iterable[object]) -> tuple[list[Partnership], list[Unshown]]:
    """Partnerships from stored records, each record that cannot be read at all set aside with the reason."""
    loaded: list[Partnership] = []
    unshown: list[Unshown] = []
    for position, record in enumerate(records):
        try:
            loaded.append(from_record(record))  # type: ignore[arg-type]
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            ident = record.get("id") if isinstance(record, dict) else None
            unshown.append(
                Unshown(
                    str(ident or f"record {position + 1}")[:80],
                    f"unreadable record ({type(exc).__name__}: {str(exc)[:120]})",
                )
            )
    return loaded, unshown


def problem(p: Partnership, register: Register) -> str | None:
    """Why the pages could not draw this partnership, or None when they can."""
    if not isinstance(p.id, str) or not p.id or not isinstance(p.name, str) or not p.name:
        return "no id or name"
    if not isinstance(p.status, Status):
        return f"unknown status {p.status!r}"
    unknown = [c for c in p.council_ids if c not in register.councils]
    if unknown:
        return f"council id not in the register: {', '.join(map(str, unknown[:3]))}"
    for s in p.savings:
        amount = s.amount_gbp
        if not isinstance(amount, int | float) or not math.isfinite(amount) or not 0 <= amount <= MAX_AMOUNT_GBP:
            return f"money figure out of range: {amount!r}"
        if not isinstance(s.kind, SavingsKind):
            return f"unknown kind of saving {s.kind!r}"
    for date in (p.start, p.end, p.source_date):
        if date is not None and not 1900 <= date.year <= 2100:
            return f"date out of range: {date}"
    try:
        savings_labels(p, register)
        json.dumps(to_record(p), allow_nan=False)
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        return f"cannot be written out ({type(exc).__name__}: {str(exc)[:120]})"
    return None


def drawable(
    partnerships: Iterable[Partnership], register: Register, label: str = ""
) -> tuple[list[Partnership], list[Unshown]]:
    """The partnerships the pages can draw, and those left out; each left out is logged once per version."""
    shown: list[Partnership] = []
    unshown: list[Unshown] = []
    for p in partnerships:
        reason = problem(p, register)
        if reason is None:
            shown.append(p)
        else:
            unshown.append(Unshown(str(p.id)[:80], reason))
    log_unshown(unshown, label)
    return shown, unshown


def log_unshown(unshown: Iterable[Unshown], label: str = "") -> None:
    for item in unshown:
        if (label, item.id) not in _logged:
            _logged.add((label, item.id))
            events.record("record_unshown", "failure", partnership_id=item.id, version=label, reason=item.reason)


def unshown_text(count: int) -> str:
    """ "1 partnership could not be shown": what a visitor reads when records were left out."""
    return f"{count} partnership{'' if count == 1 else 's'} could not be shown"
