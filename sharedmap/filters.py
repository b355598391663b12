"""Choosing which partnerships a view shows: by service, status, place, council type, year, savings and freshness."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sharedmap.freshness import Standing, standing
from sharedmap.partnerships import Partnership, Status, headline_saving
from sharedmap.register import Register


@dataclass(frozen=True)
class Filters:
    """A view's filters; empty means "all". Kept flat so they round-trip through a URL."""

    services: tuple[str, ...] = ()
    statuses: tuple[Standing, ...] = ()  # what the map says today (sharedmap.freshness.standing)
    nations: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    council_types: tuple[str, ...] = ()
    year: int | None = None
    min_savings: float = 0.0
    council_ids: tuple[str, ...] = field(default=())
    hide_stale: bool = False  # hide rows whose status is not confirmed recently (sharedmap.freshness)


def active_in(p: Partnership, year: int) -> bool:
    """Started by the end of ``year`` (or start unknown) and not ended before it."""
    if p.start and p.start.year > year:
        return False
    return not (p.end and p.status is Status.ENDED and p.end.year < year)


def _member_values(p: Partnership, register: Register, attribute: str) -> set[str]:
    values = set()
    for council_id in p.council_ids:
        council = register.get(council_id)
        values.add(getattr(council, attribute) or "")
    return values


def apply_filters(partnerships: Iterable[Partnership], filters: Filters, register: Register) -> list[Partnership]:
    kept = []
    for p in partnerships:
        if filters.services and not set(filters.services) & set(p.services):
            continue
        if not filters.statuses and p.status is Status.FUNDED:
            continue  # a grant not known to have formed a partnership shows only when asked for by status
        shown = standing(p) if filters.statuses or filters.hide_stale else None  # only when a filter reads it
        if filters.statuses and shown not in filters.statuses:
            continue
        if filters.hide_stale and shown is Standing.UNCONFIRMED:
            continue
        if filters.year is not None and not active_in(p, filters.year):
            continue
        if filters.min_savings and (headline_saving(p) or (0.0,))[0] < filters.min_savings:
            continue
        if filters.council_ids and not set(filters.council_ids) & set(p.council_ids):
            continue
        if filters.nations and not set(filters.nations) & _member_values(p, register, "nation"):
            continue
        if filters.regions and not set(filters.regions) & _member_values(p, register, "region"):
            continue
        if filters.council_types and not set(filters.council_types) & _member_values(p, register, "type"):
            continue
        kept.append(p)
    return kept
