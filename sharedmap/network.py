"""The join: partnerships placed on a year's boundaries, as member points, links and per-council figures.

Joins are on GSS codes, never names. A council that no longer exists in the chosen year is drawn as the
successor that does ("now part of …"); one that cannot be placed is returned in ``unmatched`` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import geopandas as gpd
import pandas as pd

from sharedmap.boundaries import load_changes, load_councils
from sharedmap.partnerships import Partnership, SavingsKind
from sharedmap.register import Council, Register

HUB_THRESHOLD = 4  # partnerships with this many places or more are drawn as a hub with spokes
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


def place_council(council: Council, register: Register, codes: pd.Index, names: pd.Series, year: int,
                  recoded: dict[str, str] | None = None) -> list[Placement]:
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
            placed[successor.gss] = Placement(council.id, successor.gss, names[successor.gss],
                                              note=f"now part of {successor.name}")
        else:
            queue.extend(successor.successor_ids)
    if placed:
        return list(placed.values())
    started = council.start.year if council.start else None
    if started and started > year:
        return [Placement(council.id, None, None, reason=f"{council.name} did not exist yet in {year}")]
    return [Placement(council.id, None, None, reason=f"no boundary for {council.name} ({council.gss}) in {year}")]


def new_codes() -> dict[str, str]:
    """Old GSS code → new code for areas that were only re-coded, from the ONS list of changes."""
    changes = load_changes()
    recoded = changes[changes["type"] == "new_code"]
    return dict(zip(recoded["oldcd"], recoded["newcd"], strict=True))


def build_network(partnerships: list[Partnership], register: Register, year: int) -> Network:
    areas = year_geometries(year)
    codes, names = pd.Index(areas["code"]), areas["name"]
    recoded = new_codes()
    member_rows, unmatched_rows = [], []
    placements: dict[str, list[Placement]] = {}
    for p in partnerships:
        for council_id in p.council_ids:
            if council_id not in placements:
                placements[council_id] = place_council(register.get(council_id), register, codes, names, year, recoded)
            for placed in placements[council_id]:
                if placed.drawn_gss is None:
                    unmatched_rows.append({"partnership_id": p.id, "council_id": council_id,
                                           "reason": placed.reason})
                    continue
                member_rows.append({
                    "partnership_id": p.id, "council_id": council_id,
                    "council_name": register.get(council_id).name,
                    "gss": placed.drawn_gss, "drawn_name": placed.drawn_name, "note": placed.note,
                    "lon": areas.at[placed.drawn_gss, "lon"], "lat": areas.at[placed.drawn_gss, "lat"],
                })
    members = pd.DataFrame(member_rows, columns=["partnership_id", "council_id", "council_name", "gss",
                                                 "drawn_name", "note", "lon", "lat"])
    return Network(
        year=year,
        members=members,
        links=build_links(partnerships, members),
        figures=council_figures(partnerships, members),
        unmatched=pd.DataFrame(unmatched_rows, columns=["partnership_id", "council_id", "reason"]),
    )


def build_links(partnerships: list[Partnership], members: pd.DataFrame) -> pd.DataFrame:
    """Pairs for small partnerships; a hub at the members' mean position with spokes for large ones."""
    rows = []
    by_partnership = {pid: group.drop_duplicates("gss") for pid, group in members.groupby("partnership_id")}
    names = dict(zip(members["council_id"], members["council_name"], strict=True))
    for p in partnerships:
        group = by_partnership.get(p.id)
        if group is None or len(group) < 2:
            continue
        base = {"partnership_id": p.id, "name": p.name, "services": "; ".join(p.services), "status": p.status.value,
                "savings": "; ".join(s.label(names.get(s.council_id or "")) for s in p.savings),
                "headline_gbp": headline_saving(p)}
        points = list(group[["gss", "lon", "lat"]].itertuples(index=False))
        if len(points) >= HUB_THRESHOLD:
            hub_lon, hub_lat = round(group["lon"].mean(), 5), round(group["lat"].mean(), 5)
            for gss, lon, lat in points:
                rows.append({**base, "kind": "spoke", "from_gss": f"hub:{p.id}", "to_gss": gss,
                             "from_lon": hub_lon, "from_lat": hub_lat, "to_lon": lon, "to_lat": lat})
        else:
            for (a, alon, alat), (b, blon, blat) in combinations(points, 2):
                rows.append({**base, "kind": "pair", "from_gss": a, "to_gss": b,
                             "from_lon": alon, "from_lat": alat, "to_lon": blon, "to_lat": blat})
    columns = ["partnership_id", "name", "services", "status", "savings", "headline_gbp", "kind", "from_gss",
               "to_gss", "from_lon", "from_lat", "to_lon", "to_lat"]
    return pd.DataFrame(rows, columns=columns)


def headline_saving(p: Partnership) -> float | None:
    """The first savings figure that is a saving (not funding or spend): what a link's weight shows."""
    for s in p.savings:
        if s.kind.is_saving and s.council_id is None:
            return s.amount_gbp
    shares = [s.amount_gbp for s in p.savings if s.kind.is_saving]
    return sum(shares) if shares else None


def attribute_savings(p: Partnership, member_ids: list[str]) -> dict[tuple[str, SavingsKind], tuple[float, bool]]:
    """Each member's part of each kind of saving: its own share where the source gives one, otherwise an equal
    split of the partnership's headline figure of that kind, marked as estimated."""
    result: dict[tuple[str, SavingsKind], tuple[float, bool]] = {}
    for kind in SAVING_KINDS:
        entries = [s for s in p.savings if s.kind is kind]
        if not entries:
            continue
        shares = {s.council_id: s.amount_gbp for s in entries if s.council_id}
        totals = [s for s in entries if s.council_id is None]
        for council_id, amount in shares.items():
            result[(council_id, kind)] = (amount, False)
        rest = [c for c in member_ids if c not in shares]
        if totals and rest:
            remainder = totals[0].amount_gbp - sum(shares.values())
            if remainder > 0:
                estimated = len(member_ids) > 1
                for council_id in rest:
                    result[(council_id, kind)] = (remainder / len(rest), estimated)
    return result


def council_figures(partnerships: list[Partnership], members: pd.DataFrame) -> pd.DataFrame:
    """Per drawn council: how many partnerships, and savings attributed by kind (with an 'estimated' flag)."""
    columns = ["gss", "partnerships", "partnership_ids"] + [f"savings_{k.name.lower()}" for k in SAVING_KINDS] + [
        "estimated"]
    if members.empty:
        return pd.DataFrame(columns=columns)
    drawn: dict[tuple[str, str], list[str]] = {}
    for pid, cid, gss in zip(members["partnership_id"], members["council_id"], members["gss"], strict=True):
        drawn.setdefault((pid, cid), []).append(gss)
    totals: dict[str, dict] = {}
    for p in partnerships:
        for council_id in p.council_ids:
            for gss in drawn.get((p.id, council_id), []):
                totals.setdefault(gss, {"ids": set(), "estimated": False})["ids"].add(p.id)
        for (council_id, kind), (amount, estimated) in attribute_savings(p, list(p.council_ids)).items():
            places = drawn.get((p.id, council_id), [])
            for gss in places:  # a council split between successors shares its figure between them
                entry = totals[gss]
                key = f"savings_{kind.name.lower()}"
                entry[key] = entry.get(key, 0.0) + amount / len(places)
                entry["estimated"] |= estimated or len(places) > 1
    rows = [{"gss": gss, "partnerships": len(v["ids"]), "partnership_ids": sorted(v["ids"]),
             **{c: v.get(c, 0.0) for c in columns[3:-1]}, "estimated": v["estimated"]} for gss, v in totals.items()]
    return pd.DataFrame(rows, columns=columns)
