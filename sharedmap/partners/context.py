"""The councils, areas and partnerships of one year that find-a-partner ranks from, and who may pair with whom."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sharedmap.errors import CouncilNotFoundError, ValidationError
from sharedmap.partnerships import Partnership, Status
from sharedmap.register import Council, Register
from sharedmap.spatial.boundaries import FIRST_YEAR, LATEST_YEAR
from sharedmap.spatial.neighbours import YearAreas, year_areas

# Council types that deliver services (combined authorities and the GLA do not take part in sharing here).
COUNCIL_TYPES = frozenset({"NMD", "CTY", "UA", "MD", "LBO", "WPA", "SCO", "NID", "CC"})
# Services only upper-tier councils (counties and unitaries) provide: districts are never suggested for them.
UPPER_TIER_SERVICES = frozenset({"Children's services", "Adult social care", "Education"})


@dataclass
class PartnerContext:
    """Everything a recommendation needs for one year, built once: the councils with an area that year, the
    areas' neighbours and centres, and each partnership's members as the councils standing for them that year."""

    register: Register
    year: int
    areas: YearAreas
    places: dict[str, str]  # council id → area code, for every council of the year with an area
    members: dict[str, frozenset[str]]  # partnership id → council ids in the year
    by_council: dict[str, list[Partnership]]  # council id in the year → its partnerships
    partnerships: dict[str, Partnership] = field(default_factory=dict)  # id → partnership
    as_at: int | None = None  # read statuses as at this year (the backtest); None: as they are today

    def running(self, p: Partnership) -> bool:
        """Whether ``p`` was running at the context's date: today, unless ended; in a past year, unless it ended
        before that year (an ending without a date counts as before)."""
        if p.status is not Status.ENDED:
            return True
        return self.as_at is not None and p.end is not None and p.end.year >= self.as_at


def check_year(year: int) -> int:
    if not FIRST_YEAR <= year <= LATEST_YEAR:
        raise ValidationError("year", year, f"the boundaries cover {FIRST_YEAR} to {LATEST_YEAR}")
    return year


def place_councils(register: Register, areas: YearAreas) -> dict[str, str]:
    """Council id → its area code, for the councils with an area in the areas' year. Councils that existed on
    1 April of the year come first; an area still without one takes the council its code names, since the
    boundaries can show a council a little before the register's start date (Northern Ireland's 2015 councils)."""
    places: dict[str, str] = {}
    for council in register.in_year(areas.year):
        code = areas.code_for((council.gss, *council.former_gss))
        if code and council.type_code in COUNCIL_TYPES:
            places[council.id] = code
    unplaced = set(areas.names) - set(places.values())
    for council in register.councils.values():
        code = areas.code_for((council.gss, *council.former_gss))
        if code in unplaced and council.type_code in COUNCIL_TYPES and council.id not in places:
            places[council.id] = code
            unplaced.discard(code)
    return places


def councils_standing_for(register: Register, council_id: str, places: dict[str, str]) -> tuple[str, ...]:
    """The placed councils that stand for this one: itself, or its successors (two for a split); none when it
    did not exist yet."""
    found, queue, seen = [], [council_id], set()
    while queue:
        current = queue.pop(0)
        if current in seen:
            continue
        seen.add(current)
        if current in places:
            found.append(current)
        else:
            queue.extend(register.get(current).successor_ids)
    return tuple(found)


def build_context(
    partnerships: Iterable[Partnership], register: Register, year: int = LATEST_YEAR, as_at: int | None = None
) -> PartnerContext:
    areas = year_areas(check_year(year))
    places = place_councils(register, areas)
    members: dict[str, frozenset[str]] = {}
    by_council: dict[str, list[Partnership]] = {}
    known: dict[str, Partnership] = {}
    for p in partnerships:
        if p.status is Status.FUNDED:
            continue  # a grant not known to have formed a partnership is no evidence of partnering
        known[p.id] = p
        ids = {cid for member in p.council_ids for cid in councils_standing_for(register, member, places)}
        members[p.id] = frozenset(ids)
        for council_id in members[p.id]:
            by_council.setdefault(council_id, []).append(p)
    return PartnerContext(register, year, areas, places, members, by_council, known, as_at)


def council_for(context: PartnerContext, name: str) -> tuple[Council, str]:
    """The council of the context's year a written name stands for, with a note when it is a successor."""
    council = context.register.resolve(name).council
    standing = councils_standing_for(context.register, council.id, context.places)
    if len(standing) == 1:
        found = context.register.get(standing[0])
        note = "" if found.id == council.id else f"{council.name} is part of {found.name} in {context.year}"
        return found, note
    if not standing:
        raise CouncilNotFoundError(name, [], f"{council.name} has no area on the {context.year} boundaries")
    names = [context.register.get(cid).name for cid in standing]
    raise CouncilNotFoundError(name, names, f"{council.name} was split by {context.year}; choose one of its successors")


def compatible(context: PartnerContext, asker: Council, candidate: Council, service: str | None) -> bool:
    """Natural partners: a district pairs with districts, single-tier councils and its own county; a county with
    counties, single-tier councils and its own districts; a single-tier council with any council. Districts are
    never suggested for an upper-tier service (``UPPER_TIER_SERVICES``)."""
    if service in UPPER_TIER_SERVICES and candidate.type_code == "NMD":
        return False
    if {asker.type_code, candidate.type_code} == {"NMD", "CTY"}:
        own, other = context.places[asker.id], context.places[candidate.id]
        return context.areas.county.get(own) == other or context.areas.county.get(other) == own
    return True


def county_text(context: PartnerContext, asker: Council, candidate: Council) -> tuple[str, str] | None:
    """How the two relate through a county, from the year's boundaries (a district lies inside its county)."""
    own, other = context.places[asker.id], context.places[candidate.id]
    county, names = context.areas.county, context.areas.names
    if own in county and county[own] == county.get(other):
        return f"also in {names[county[own]]}", names[county[own]]
    if county.get(own) == other:
        return f"{asker.short_name}'s county council", names[other]
    if county.get(other) == own:
        return f"a district of {names[own]}", names[own]
    return None
