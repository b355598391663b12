"""What changed between two versions of the partnerships, in words a reader follows: "East Hampshire and Havant
partnership ended (January 2022)", "Savings of Mid Kent Services: £1.2m annual 2024/25 added".

Pure functions on partnerships, so the site's feeds, its What changed page, the app's page and the command line
all say a change the same way. Each line names the councils it concerns, so a council's own feed can pick its
lines. Partnerships are matched by id (the store keeps one id for a partnership across versions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sharedmap.freshness import status_date
from sharedmap.partnerships import Partnership, Status, council_name, date_text, savings_text

if TYPE_CHECKING:
    from sharedmap.register import Register

# What each change is, so a page or feed can group or filter them.
ADDED, WITHDRAWN, STATUS, MEMBERS, SAVINGS, SERVICES, DATES, EVIDENCE, DETAILS = (
    "added",
    "withdrawn",
    "status",
    "members",
    "savings",
    "services",
    "dates",
    "evidence",
    "details",
)
# Fields a reader rarely follows one by one: said together in one line ("sources, description updated").
DETAIL_FIELDS = {
    "description": "description",
    "source_urls": "sources",
    "source_title": "source title",
    "source_date": "source date",
    "notes": "notes",
    "evidence": "evidence",
    "verified_on": "date checked against its sources",
    "other_partners": "other partners",
}
STATUS_WORDS = {
    Status.OPERATIONAL: "now running",
    Status.PLANNED: "now planned",
    Status.FUNDED: "now funding awarded, not known to have formed",
}


@dataclass(frozen=True)
class ChangeLine:
    """One change in words, the partnership it is about and the register ids of the councils it concerns (its
    members before and after)."""

    kind: str
    text: str
    partnership_id: str
    council_ids: tuple[str, ...]


def _names(ids: Sequence[str], names: Mapping[str, str] | Register | None) -> str:
    written = [council_name(c, names) for c in ids]
    return written[0] if len(written) == 1 else ", ".join(written[:-1]) + " and " + written[-1]


def _status_line(old: Partnership, new: Partnership) -> str | None:
    if new.status is old.status:
        return None
    if new.status is Status.ENDED:
        return f"{new.name} ended" + (f" ({date_text(new.end)})" if new.end else "")
    when = status_date(new)
    return f"{new.name} {STATUS_WORDS[new.status]}" + (f" (evidence of {date_text(when)})" if when else "")


def partnership_changes(
    old: Partnership, new: Partnership, names: Mapping[str, str] | Register | None = None
) -> list[ChangeLine]:
    """The changes of one partnership between two versions, most telling first."""
    councils = tuple(dict.fromkeys((*old.council_ids, *new.council_ids)))
    lines: list[ChangeLine] = []

    def say(kind: str, text: str, concerns: tuple[str, ...] = councils) -> None:
        lines.append(ChangeLine(kind, text, new.id, concerns))

    if old.name != new.name:
        say(DETAILS, f"{old.name} renamed {new.name}")
    if (text := _status_line(old, new)) is not None:
        say(STATUS, text)
    elif new.status is Status.ENDED and old.end != new.end:
        say(DATES, f"End of {new.name}: {date_text(new.end)} (was {date_text(old.end)})")
    joined = [c for c in new.council_ids if c not in old.council_ids]
    left = [c for c in old.council_ids if c not in new.council_ids]
    if joined:
        say(MEMBERS, f"{_names(joined, names)} joined {new.name}")
    if left:
        say(MEMBERS, f"{_names(left, names)} left {new.name}")
    added = [s for s in new.savings if s not in old.savings]
    removed = [s for s in old.savings if s not in new.savings]
    for s in added:
        say(SAVINGS, f"Savings of {new.name}: {savings_text(s, names)} added")
    for s in removed:
        say(SAVINGS, f"Savings of {new.name}: {savings_text(s, names)} removed")
    more = [s for s in new.services if s not in old.services]
    fewer = [s for s in old.services if s not in new.services]
    if more:
        say(SERVICES, f"Services of {new.name}: {', '.join(more)} added")
    if fewer:
        say(SERVICES, f"Services of {new.name}: {', '.join(fewer)} removed")
    if old.start != new.start:
        say(DATES, f"Start of {new.name}: {date_text(new.start)} (was {date_text(old.start)})")
    if new.status is not Status.ENDED and old.end != new.end:
        say(DATES, f"End of {new.name}: {date_text(new.end)} (was {date_text(old.end)})")
    evidenced = (new.status_source_date, new.status_source_url, new.status_evidence)
    if evidenced != (old.status_source_date, old.status_source_url, old.status_evidence) and new.status is old.status:
        when = status_date(new)
        say(EVIDENCE, f"Status of {new.name} evidenced again: {new.status.value} as at {date_text(when)}")
    details = [label for field, label in DETAIL_FIELDS.items() if getattr(old, field) != getattr(new, field)]
    if details:
        say(DETAILS, f"{new.name}: {', '.join(details)} updated")
    return lines


def describe_changes(
    old: Sequence[Partnership], new: Sequence[Partnership], names: Mapping[str, str] | Register | None = None
) -> list[ChangeLine]:
    """Every change from ``old`` to ``new`` in words: partnerships added, then changed, then withdrawn, each in
    the newer version's order. ``names`` (a register or a dict of id → name) names councils; without it, ids."""
    before = {p.id: p for p in old}
    after = {p.id: p for p in new}
    lines: list[ChangeLine] = []
    for p in new:
        if p.id not in before:
            lines.append(
                ChangeLine(
                    ADDED,
                    f"{p.name} added: {_names(p.council_ids, names)} sharing {', '.join(p.services) or 'services'}"
                    f" ({p.status.value})",
                    p.id,
                    p.council_ids,
                )
            )
    for p in new:
        if p.id in before:
            lines.extend(partnership_changes(before[p.id], p, names))
    for p in old:
        if p.id not in after:
            lines.append(ChangeLine(WITHDRAWN, f"{p.name} withdrawn from the map", p.id, p.council_ids))
    return lines
