"""What the map sends to the browser, built compactly: a simplified TopoJSON of the year's councils, one line
feature per partnership, lean tooltips (lines of plain text), and the per-council table the map and its text
alternative share.

Pure data in, plain dicts and DataFrames out: no folium here, so sizes and contents are testable directly.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import topojson
from jinja2.utils import htmlsafe_json_dumps

from sharedmap.errors import BoundaryDataError
from sharedmap.freshness import stale_after_years, standing, standing_text, years_since_evidence
from sharedmap.maps import aggregate
from sharedmap.maps.style import (
    ARC_BEND,
    CHOROPLETH,
    COORD_DECIMALS,
    DASHES,
    NO_DATA_COLOUR,
    SERVICE_GROUPS,
    link_weight,
    service_group,
)
from sharedmap.partnerships import Partnership, Status, format_gbp, savings_labels
from sharedmap.register import Register
from sharedmap.spatial.boundaries import load_councils
from sharedmap.spatial.network import Network

TIERS = {"ltla": "Lower tier and unitary councils", "utla": "Upper tier (county) and unitary councils"}
SIMPLIFY_DEGREES = 0.005  # about 350-550 m: invisible at national zoom, keeps the payload small
QUANTIZE = 1e4  # grid steps across the UK's extent: about 100 m
MIN_PART_DEGREES2 = 2e-5  # islets under about 0.15 km² are left out (a council's largest part is always kept)


@dataclass(frozen=True)
class Measure:
    label: str
    column: str
    money: bool
    years: bool = False  # an age in years, in fixed classes around the staleness limit (``evidence_breaks``)
    none_label: str = "None recorded"


MEASURES: dict[str, Measure] = {
    "partnerships": Measure("Number of partnerships", "partnerships", False),
    "savings": Measure("Annual savings (£ a year)", "savings_annual", True),
    "per_resident": Measure("Annual savings per resident (£)", "per_resident", True),
    "evidence_age": Measure(
        "Years since its newest status evidence",
        "evidence_years",
        False,
        years=True,
        none_label="No running or planned partnership",
    ),
}


def script_json(payload: object) -> str:
    """Compact JSON that is safe inside a <script> (<, >, & and ' are \\u-escaped)."""
    return str(htmlsafe_json_dumps(payload, separators=(",", ":"), ensure_ascii=False))


def drop_small_parts(geometry, min_area: float = MIN_PART_DEGREES2):
    """Leave out islets too small to see at national zoom, always keeping the largest part."""
    parts = shapely.get_parts(geometry)
    if len(parts) <= 1:
        return geometry
    areas = shapely.area(parts)
    kept = parts[(areas >= min_area) | (areas == areas.max())]
    return kept[0] if len(kept) == 1 else shapely.multipolygons(kept)


def build_topology(areas: gpd.GeoDataFrame, simplify: float = SIMPLIFY_DEGREES, quantize: float = QUANTIZE) -> dict:
    """The areas as one TopoJSON object ``councils`` (shared borders stored once, delta-encoded integers),
    simplified along shared arcs so neighbours never gap; each geometry carries only its code."""
    frame = gpd.GeoDataFrame(
        {"c": areas["code"].to_numpy()}, geometry=[drop_small_parts(g) for g in areas.geometry], crs=areas.crs
    )
    topo = topojson.Topology(frame, prequantize=quantize, toposimplify=simplify, object_name="councils")
    result = topo.to_dict()
    for geometry in result["objects"]["councils"]["geometries"]:
        geometry.pop("id", None)
    return result


def breaks_for(values: pd.Series, money: bool, classes: int = len(CHOROPLETH)) -> list[float]:
    """Lower bounds of each colour class over the positive values: quantiles (rounded to two significant figures
    for money, whole numbers for counts). Few distinct values give one class each; duplicates collapse."""
    positive = values[values > 0].dropna()
    if positive.empty:
        return []
    if not money and positive.nunique() <= classes:
        return [float(v) for v in sorted(positive.unique())]
    quantiles = positive.quantile(np.linspace(0, 1, classes + 1)[:-1], interpolation="lower")
    if not money:
        return sorted({float(max(1, math.floor(q))) for q in quantiles})
    rounded = [round(float(q), 1 - int(math.floor(math.log10(q)))) for q in quantiles]
    rounded[0] = min(rounded[0], float(positive.min()))
    return sorted(set(rounded))


def tier_areas(areas: gpd.GeoDataFrame, year: int, tier: str) -> gpd.GeoDataFrame:
    """The year's areas drawn in one view: lower tier and unitary (``ltla``) or upper tier and unitary (``utla``)."""
    if tier not in TIERS:
        raise BoundaryDataError(f"tier must be one of {', '.join(TIERS)} (got {tier!r})")
    codes = set(load_councils(year, tier)["code"])
    return areas[areas["code"].isin(codes)]


def evidence_breaks() -> list[float]:
    """Fixed classes of the evidence-age measure: under a year, 1 to 2, 2 to the staleness limit (past which the
    map says "not confirmed recently"), to twice the limit, and older (or undated)."""
    limit = stale_after_years()
    return sorted({0.0, 1.0, 2.0, limit, 2 * limit})[: len(CHOROPLETH)]


def evidence_years(table: pd.DataFrame, partnerships: list[Partnership], today: dt.date | None = None) -> pd.Series:
    """Per council: years since the newest status evidence of its running or planned partnerships in the view
    (an undated one counts as the oldest class); NaN for a council with none."""
    oldest = 2 * stale_after_years()
    ages = {}
    for p in partnerships:
        if p.status in (Status.OPERATIONAL, Status.PLANNED):
            age = years_since_evidence(p, today)
            ages[p.id] = oldest if age is None else age
    return pd.Series(
        [min((ages[i] for i in ids if i in ages), default=np.nan) for ids in table["partnership_ids"]],
        index=table.index,
        dtype=float,
    )


def colour_for(value: float, breaks: list[float]) -> str:
    if value is None or pd.isna(value) or not breaks or (value <= 0 and breaks[0] > 0):
        return NO_DATA_COLOUR
    index = max(i for i, low in enumerate(breaks) if value >= low) if value >= breaks[0] else 0
    return CHOROPLETH[index]


def legend_classes(breaks: list[float], measure: Measure) -> list[tuple[str, str]]:
    """(colour, label) per class for the legend, e.g. ('#9ecae1', '£50,000 to £120,000')."""

    def show(v: float) -> str:
        return (format_gbp(v) if v >= 1 else f"£{v:.2f}") if measure.money else f"{v:,.0f}"

    rows = [(NO_DATA_COLOUR, measure.none_label)]
    if measure.years:
        return rows + [(CHOROPLETH[i], _years_label(breaks, i)) for i in range(len(breaks))]
    for i, low in enumerate(breaks):
        if i + 1 < len(breaks):
            high = breaks[i + 1]
            label = (
                f"{show(low)} to under {show(high)}"
                if measure.money
                else (show(low) if high - low == 1 else f"{show(low)} to {show(high - 1)}")
            )
        else:
            label = f"{show(low)} or more"
        rows.append((CHOROPLETH[i], label))
    return rows


def _years_label(breaks: list[float], i: int) -> str:
    """'under 1 year', '2 to under 3 years', '6 years or more, or undated'."""
    low = breaks[i]
    if i + 1 == len(breaks):
        return f"{low:g} years or more, or undated"
    high = breaks[i + 1]
    return f"under {high:g} year{'s' if high != 1 else ''}" if low == 0 else f"{low:g} to under {high:g} years"


def council_table(network: Network, drawn: gpd.GeoDataFrame, register: Register) -> pd.DataFrame:
    """One row per council the view shows: its areas (``drawn``, one tier) plus members drawn as points because
    their area belongs to the other tier. The map's colours and tooltips come from this table, and the page shows
    it as the map's text alternative."""
    areas = pd.DataFrame(
        {"code": drawn["code"], "name": drawn["name"], "drawn_as": "area", "lon": drawn["lon"], "lat": drawn["lat"]}
    )
    others = network.members[~network.members["gss"].isin(areas["code"])].drop_duplicates("gss")
    points = pd.DataFrame(
        {
            "code": others["gss"],
            "name": others["drawn_name"],
            "drawn_as": "point",
            "lon": others["lon"],
            "lat": others["lat"],
        }
    )
    table = pd.concat([areas, points], ignore_index=True)
    figures = network.figures.set_index("gss") if not network.figures.empty else network.figures
    for column in ("partnerships", "savings_annual", "savings_cumulative", "savings_target"):
        table[column] = table["code"].map(figures[column]).fillna(0) if len(figures) else 0.0
    table["partnerships"] = table["partnerships"].astype(int)
    table["estimated"] = table["code"].map(figures["estimated"]).fillna(False).astype(bool) if len(figures) else False
    table["partnership_ids"] = [
        list(figures["partnership_ids"].get(c, [])) if len(figures) else [] for c in table["code"]
    ]
    councils = [register.by_gss(code) for code in table["code"]]
    table["council_id"] = [c.id if c else "" for c in councils]
    table["council"] = [c.name if c else name for c, name in zip(councils, table["name"], strict=True)]
    table["type"] = [c.type if c else "" for c in councils]
    table["ended"] = [c.end.year if c and c.end else None for c in councils]
    population = pd.Series([c.population if c and c.population else np.nan for c in councils], index=table.index)
    table["population"] = population
    table["per_resident"] = (table["savings_annual"] / population).where(table["savings_annual"] > 0)
    return table


def council_savings_text(row) -> str:
    """A council's attributed savings by kind (kinds never added), as its tooltip says them."""
    parts = []
    for column, label in (
        ("savings_annual", "a year"),
        ("savings_cumulative", "to date"),
        ("savings_target", "target"),
    ):
        if row[column] > 0:
            parts.append(f"{format_gbp(row[column])} {label}")
    if not parts:
        return "no savings figure published"
    return "; ".join(parts) + (" (shares estimated)" if row["estimated"] else "")


def council_tooltip(row) -> list[str]:
    """The council's name, type, number of partnerships and savings: lines of plain text, the first the title (the
    browser sets them as text, so nothing in them is markup)."""
    kind = str(row["type"] or "council")
    if row["ended"] is not None and not pd.isna(row["ended"]):
        kind = f"former {kind}, abolished {int(row['ended'])}"
    count = int(row["partnerships"])
    lines = [str(row["council"]), kind]
    lines.append(f"{count} partnership{'s' if count != 1 else ''} shown" if count else "no partnership shown")
    if count:
        lines.append(council_savings_text(row))
    return lines


def councils_payload(topology: dict, table: pd.DataFrame, measure: Measure, breaks: list[float]) -> dict:
    """The topology with each area's fill colour (``f``) and tooltip (``t``) added; arcs shared, not copied."""
    rows = table[table["drawn_as"] == "area"].set_index("code")
    geometries = []
    for geometry in topology["objects"]["councils"]["geometries"]:
        code = geometry["properties"]["c"]
        row = rows.loc[code]
        properties = {"c": code, "f": colour_for(row[measure.column], breaks), "t": council_tooltip(row)}
        geometries.append({**geometry, "properties": properties})
    objects = {"councils": {**topology["objects"]["councils"], "geometries": geometries}}
    return {**topology, "objects": objects}


def points_payload(table: pd.DataFrame, measure: Measure, breaks: list[float]) -> dict:
    """Members whose area is in the other tier (a county in the lower-tier view), as clickable points."""
    features = []
    for _, row in table[table["drawn_as"] == "point"].iterrows():
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(float(row["lon"]), COORD_DECIMALS), round(float(row["lat"]), COORD_DECIMALS)],
                },
                "properties": {
                    "c": row["code"],
                    "f": colour_for(row[measure.column], breaks),
                    "t": council_tooltip(row),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def member_names(network: Network) -> dict[str, str]:
    return dict(zip(network.members["council_id"], network.members["council_name"], strict=True))


def link_tooltip(p: Partnership, names: dict[str, str] | None = None) -> list[str]:
    """The partnership, its services and status, each savings figure with kind, period, estimate (and the council,
    for a council's share: ``names`` maps register ids to names): lines of plain text, the first the title."""
    lines = [p.name, f"{', '.join(p.services)} · {standing_text(p)}"]
    lines += savings_labels(p, names or {}, explicit=True) or ["no savings figure published"]
    return lines


def curved(start: tuple[float, float], end: tuple[float, float], bend: float, steps: int = 8) -> list[list[float]]:
    """A gentle arc from start to end (a quadratic Bézier whose control point sits ``bend`` × the length off the
    middle), so partnerships joining the same two councils do not hide one another. The offset is measured as
    the map shows it (a degree of longitude is shorter than one of latitude), so north–south arcs part as widely
    as east–west ones."""
    (x0, y0), (x1, y1) = start, end
    squash = math.cos(math.radians((y0 + y1) / 2))
    cx = (x0 + x1) / 2 - (y1 - y0) * bend / squash
    cy = (y0 + y1) / 2 + (x1 - x0) * squash * bend
    points = []
    for i in range(steps + 1):
        t = i / steps
        x = (1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t**2 * x1
        y = (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t**2 * y1
        points.append([round(x, COORD_DECIMALS), round(y, COORD_DECIMALS)])
    return points


def link_features(network: Network, partnerships: list[Partnership]) -> dict:
    """One MultiLineString per partnership (its pairs, or its hub's spokes) plus a point for each hub. The second,
    third … partnership between the same two places is drawn as an arc, alternately either side."""
    by_id = {p.id: p for p in partnerships}
    names = member_names(network)
    features: list[dict] = []
    drawn_pairs: dict[tuple[str, ...], int] = {}  # two places → how many links between them are drawn so far
    for pid, group in network.links.groupby("partnership_id", sort=False):
        p = by_id[pid]
        lines = []
        for r in group.itertuples():
            start, end = (r.from_lon, r.from_lat), (r.to_lon, r.to_lat)
            pair = tuple(sorted((r.from_gss, r.to_gss)))
            seen = drawn_pairs.get(pair, 0)  # links between these two places drawn before this one
            drawn_pairs[pair] = seen + 1
            if seen == 0:
                lines.append([[round(v, COORD_DECIMALS) for v in start], [round(v, COORD_DECIMALS) for v in end]])
            else:
                side = 1 if seen % 2 else -1
                lines.append(curved(start, end, side * ARC_BEND * ((seen + 1) // 2)))
        properties = {
            "p": pid,
            "t": link_tooltip(p, names),
            "k": SERVICE_GROUPS[service_group(p.services)][0],
            "w": link_weight(group["headline_gbp"].iloc[0]),
            "d": DASHES.get(standing(p).value, ""),
        }
        features.append(
            {"type": "Feature", "geometry": {"type": "MultiLineString", "coordinates": lines}, "properties": properties}
        )
        if group["kind"].iloc[0] == "spoke":
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": lines[0][0]},
                    "properties": {"p": pid, "hub": 1},  # the rest is its line's (mapview.LinksLayer)
                }
            )
    return {"type": "FeatureCollection", "features": features}


def area_features(areas: gpd.GeoDataFrame, codes: Iterable[str]) -> dict:
    """A few areas as simplified GeoJSON with rounded coordinates: the highlight of a selection."""
    chosen = areas[areas["code"].isin(list(codes))]
    simplified = shapely.simplify(chosen.geometry.values, SIMPLIFY_DEGREES, preserve_topology=True)
    simplified = shapely.set_precision(simplified, 10**-COORD_DECIMALS, mode="pointwise")
    features = [
        {"type": "Feature", "geometry": shapely.geometry.mapping(geometry), "properties": {"c": code}}
        for code, geometry in zip(chosen["code"], simplified, strict=True)
        if not geometry.is_empty
    ]
    return {"type": "FeatureCollection", "features": features}


@dataclass(frozen=True)
class ViewPayload:
    """Everything the base map of one view needs, serialised once (and cached by the app)."""

    councils_json: str
    links_json: str
    points_json: str
    legend_title: str
    legend_classes: list[tuple[str, str]]
    table: pd.DataFrame
    links_aggregated: bool = False  # many partnerships: lines merged per pair of places (sharedmap.maps.aggregate)


def build_view_payload(
    network: Network,
    partnerships: list[Partnership],
    register: Register,
    drawn: gpd.GeoDataFrame,
    topology: dict,
    measure_key: str,
    aggregate_above: int | None = None,
) -> ViewPayload:
    """Join the view's figures onto its areas and serialise the three layers and the legend. A view of more than
    ``aggregate_above`` partnerships (default ``aggregate.AGGREGATE_ABOVE``) gets merged lines, not one each."""
    limit = aggregate.AGGREGATE_ABOVE if aggregate_above is None else aggregate_above
    merge = len(partnerships) > limit
    if measure_key not in MEASURES:
        raise BoundaryDataError(f"measure must be one of {', '.join(MEASURES)} (got {measure_key!r})")
    measure = MEASURES[measure_key]
    table = council_table(network, drawn, register)
    table["evidence_years"] = evidence_years(table, partnerships)
    breaks = evidence_breaks() if measure.years else breaks_for(table[measure.column], measure.money)
    return ViewPayload(
        councils_json=script_json(councils_payload(topology, table, measure, breaks)),
        links_json=script_json(
            aggregate.aggregated_link_features(network, partnerships, register)
            if merge
            else link_features(network, partnerships)
        ),
        points_json=script_json(points_payload(table, measure, breaks)),
        legend_title=measure.label,
        legend_classes=legend_classes(breaks, measure),
        table=table,
        links_aggregated=merge,
    )
