"""The join: partnerships placed on a year's boundaries, as member points, links and per-council figures.

Joins are on GSS codes, never names. A council that no longer exists in the chosen year is drawn as the
successor that does ("now part of …"); one that cannot be placed is returned in ``unmatched`` with the reason.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
from typing import NamedTuple

import geopandas as gpd
import pandas as pd

from sharedmap.errors import ValidationError
from sharedmap.freshness import DRAWN, standing
from sharedmap.partnerships import Partnership, SavingsKind, SavingsScope, headline_saving, savings_labels
from sharedmap.register import Council, Register
from sharedmap.spatial.boundaries import load_changes, load_councils

HUB_THRESHOLD = 3  # partnerships with this many places or more meet at a hub: a triangle of pair lines reads as a blob
GEOMETRY_LAYERS = ("ltla", "cty", "utla")
SAVING_KINDS = (SavingsKind.ANNUAL, SavingsKind.CUMULATIVE, SavingsKind.TARGET)


@dataclass
class Placement:
    """Where a member council is drawn in a given year."""

    council_id: str
    drawn_gss: str | None
    drawn_name: str | None
    note: str = ""
    reason: str = ""


@dataclass
class Network:
    year: int
    members: pd.DataFrame  # one row per (partnership, member council), with where it is drawn
    links: pd.DataFrame  # one row per drawn link: a pair of members, or a hub's spoke
    figures: pd.DataFrame  # one row per drawn council: partnerships and savings attributed
    unmatched: pd.DataFrame  # members that could not be placed in this year, with the reason


def year_geometries(year: int) -> gpd.GeoDataFrame:
    """Every council area of ``year`` across tiers, one row per GSS code, with a point inside each."""
    frames = [load_councils(year, tier).assign(layer=tier) for tier in GEOMETRY_LAYERS]
    combined = pd.concat(frames, ignore_index=True).drop_duplicates("code")
    gdf = gpd.GeoDataFrame(combined, geometry="geometry", crs="EPSG:4326")
    points = gdf.geometry.representative_point()
    gdf["lon"], gdf["lat"] = points.x.round(5), points.y.round(5)
    return gdf.set_index("code", drop=False)


def place_council(
    council: Council,
    register: Register,
    codes: pd.Index,
    names: pd.Series,
    year: int,
    recoded: dict[str, str] | None = None,
) -> list[Placement]:
    """The council itself when it has an area in ``year``, else the successors that do (two for a split)."""
    recoded = recoded or {}
    for code in (council.gss, *council.former_gss):
        while code and code not in codes and code in recoded:
            code = recoded[code]  # the same area under a new code (Barnsley E08000016 → E08000038 in 2025)
        if code and code in codes:
            return [Placement(council.id, code, names[code])]
    placed: dict[str, Placement] = {}
    queue, seen = list(council.successor_ids), {council.id}
    while queue:
        successor = register.get(queue.pop(0))
        if successor.id in seen:
            continue
        seen.add(successor.id)
        if successor.gss in codes:
            placed[successor.gss] = Placement(
                council.id, successor.gss, names[successor.gss], note=f"now part of {successor.name}"
            )
        else:
            queue.extend(successor.successor_ids)
    if placed:
        return list(placed.values())
    started = council.start.year if council.start else None
    if started and started > year:
        return [Placement(council.id, None, None, reason=f"{council.name} did not exist yet in {year}")]
    return [Placement(council.id, None, None, reason=f"no boundary for {council.name} ({council.gss}) in {year}")]


def new_codes() -> dict[str, str]:
    """Old GSS code → new code for areas that were only re-coded, from the ONS list of changes (read once per
    process: every join and every selected council needs it)."""
    return dict(_new_codes())


@functools.cache
def _new_codes() -> dict[str, str]:
    changes = load_changes()
    recoded = changes[changes["type"] == "new_code"]
    return dict(zip(recoded["oldcd"], recoded["newcd"], strict=True))


class MemberRow(NamedTuple):
    """One member council of one partnership, where it is drawn: a plain tuple for speed, read by name."""

    partnership_id: str
    council_id: str
    council_name: str
    gss: str
    drawn_name: str
    note: str
    lon: float
    lat: float


MEMBER_COLUMNS = list(MemberRow._fields)
LINK_COLUMNS = [
    "partnership_id",
    "name",
    "services",
    "status",
    "savings",
    "headline_gbp",
    "kind",
    "from_gss",
    "to_gss",
    "from_lon",
    "from_lat",
    "to_lon",
    "to_lat",
]


def build_network(
    partnerships: list[Partnership], register: Register, year: int, areas: gpd.GeoDataFrame | None = None
) -> Network:
    """Place every member of every partnership on ``year``'s map (``areas``: that year's ``year_geometries``, when
    the caller has them cached). Built from plain tuples, not per-group pandas calls: 10,000 partnerships take about
    0.2 s instead of 9."""
    areas = year_geometries(year) if areas is None else areas
    codes, names = pd.Index(areas["code"]), areas["name"]
    positions = dict(zip(areas["code"], zip(areas["lon"], areas["lat"], strict=True), strict=True))
    recoded = new_codes()
    rows: list[MemberRow] = []
    unmatched_rows = []
    placements: dict[str, tuple[str, list[Placement]]] = {}
    for p in partnerships:
        for council_id in p.council_ids:
            if council_id not in placements:
                council = register.get(council_id)
                placements[council_id] = (council.name, place_council(council, register, codes, names, year, recoded))
            council_name, placed_list = placements[council_id]
            for placed in placed_list:
                if placed.drawn_gss is None:
                    unmatched_rows.append({"partnership_id": p.id, "council_id": council_id, "reason": placed.reason})
                    continue
                lon, lat = positions[placed.drawn_gss]
                rows.append(
                    MemberRow(
                        p.id, council_id, council_name, placed.drawn_gss, placed.drawn_name or "", placed.note, lon, lat
                    )
                )
    return Network(
        year=year,
        members=pd.DataFrame(rows or None, columns=MEMBER_COLUMNS),
        links=_links(partnerships, rows),
        figures=_figures(partnerships, rows),
        unmatched=pd.DataFrame(unmatched_rows, columns=["partnership_id", "council_id", "reason"]),
    )


def _links(partnerships: list[Partnership], members: list[MemberRow]) -> pd.DataFrame:
    """Pairs for small partnerships; a hub at the members' mean position with spokes for large ones."""
    places: dict[str, dict[str, MemberRow]] = {}  # partnership -> drawn place -> its first member row
    names: dict[str, str] = {}
    for row in members:
        places.setdefault(row.partnership_id, {}).setdefault(row.gss, row)
        names[row.council_id] = row.council_name
    rows: list[tuple] = []  # LINK_COLUMNS
    for p in partnerships:
        drawn = places.get(p.id)
        if drawn is None or len(drawn) < 2 or (shown := standing(p)) not in DRAWN:
            continue  # a grant that is not known to have formed a partnership is no line
        headline = headline_saving(p)
        headline_gbp = headline[0] if headline else None
        base = (p.id, p.name, "; ".join(p.services), shown.value, "; ".join(savings_labels(p, names)), headline_gbp)
        points = list(drawn.values())
        if len(points) >= HUB_THRESHOLD:
            hub_lon, hub_lat = _mean5([m.lon for m in points]), _mean5([m.lat for m in points])
            for m in points:
                rows.append((*base, "spoke", f"hub:{p.id}", m.gss, hub_lon, hub_lat, m.lon, m.lat))
        else:
            for a, b in combinations(points, 2):
                rows.append((*base, "pair", a.gss, b.gss, a.lon, a.lat, b.lon, b.lat))
    return pd.DataFrame(rows or None, columns=LINK_COLUMNS)


def _mean5(values: list[float]) -> float:
    """The mean rounded to 5 decimals (about 1 m), halves to even as numpy's ``round`` does."""
    return round(sum(values) / len(values) * 1e5) / 1e5


def attribute_savings(p: Partnership, member_ids: list[str]) -> dict[tuple[str, SavingsKind], tuple[float, bool]]:
    """Each member's part of each kind of saving, following the figure's scope: a council's own figure; the
    figure "for each council" in full; otherwise an equal split of what the partnership-wide figure leaves after
    the councils' own figures, marked as estimated. Kinds are never added together."""
    result: dict[tuple[str, SavingsKind], tuple[float, bool]] = {}
    for kind in SAVING_KINDS:
        entries = [s for s in p.savings if s.kind is kind]
        if not entries:
            continue
        shares: dict[str, float] = {}
        for s in entries:
            if s.scope is SavingsScope.COUNCIL:
                if s.council_id is None:  # Savings refuses a one-council figure without its council
                    raise ValidationError("savings", s.amount_gbp, f"{p.id}: a one-council figure has no council")
                shares.setdefault(s.council_id, s.amount_gbp)
        for council_id, amount in shares.items():
            result[(council_id, kind)] = (amount, False)
        rest = [c for c in member_ids if c not in shares]
        each = [s for s in entries if s.scope is SavingsScope.EACH]
        totals = [s for s in entries if s.scope is SavingsScope.PARTNERSHIP]
        if each and rest:
            for council_id in rest:
                result[(council_id, kind)] = (each[0].amount_gbp, False)
        elif totals and rest:
            remainder = totals[0].amount_gbp - sum(shares.values())
            if remainder > 0:
                estimated = len(member_ids) > 1
                for council_id in rest:
                    result[(council_id, kind)] = (remainder / len(rest), estimated)
    return result


FIGURE_COLUMNS = (
    ["gss", "partnerships", "partnership_ids"] + [f"savings_{k.name.lower()}" for k in SAVING_KINDS] + ["estimated"]
)


def _figures(partnerships: list[Partnership], members: list[MemberRow]) -> pd.DataFrame:
    """Per drawn council: how many partnerships, and savings attributed by kind (with an 'estimated' flag)."""
    if not members:
        return pd.DataFrame(columns=FIGURE_COLUMNS)
    grouped: dict[str, list[MemberRow]] = {}  # partnership -> its member rows, in order
    for row in members:
        grouped.setdefault(row.partnership_id, []).append(row)
    ids: dict[str, set[str]] = defaultdict(set)  # drawn council -> its partnerships, in first-seen order
    amounts: dict[tuple[str, SavingsKind], float] = defaultdict(float)
    estimated: set[str] = set()
    for p in partnerships:
        rows = grouped.get(p.id, [])
        for row in rows:
            ids[row.gss].add(p.id)
        if not p.savings:
            continue
        for (council_id, kind), (amount, guessed) in attribute_savings(p, list(p.council_ids)).items():
            places = [row.gss for row in rows if row.council_id == council_id]
            for gss in places:  # a council split between successors shares its figure between them
                amounts[(gss, kind)] += amount / len(places)
                if guessed or len(places) > 1:
                    estimated.add(gss)
    table = [
        (gss, len(found), sorted(found), *(amounts.get((gss, kind), 0.0) for kind in SAVING_KINDS), gss in estimated)
        for gss, found in ids.items()
    ]
    return pd.DataFrame(table, columns=FIGURE_COLUMNS)
