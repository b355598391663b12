"""Which council areas share a boundary, and how far apart their centres are, in a given year.

Worked out from the boundaries themselves, never from a hand-written list. The shared TopoJSON is
super-generalised, so two neighbours' simplified edges may not meet exactly: areas count as touching when they
come within ``TOUCH_TOLERANCE_M`` of each other in British National Grid metres. An area lying inside another
(a district in its county) is nested, not a neighbour.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sharedmap.spatial.boundaries import load_councils
from sharedmap.spatial.network import new_codes

PROJECTED_CRS = "EPSG:27700"  # British National Grid: metres, so tolerances and distances mean what they say
TOUCH_TOLERANCE_M = 200.0
AREA_LAYERS = ("ltla", "utla", "cty")  # districts and unitaries, then counties: every council area of a year


def relate_areas(
    areas: gpd.GeoDataFrame, tolerance_m: float = TOUCH_TOLERANCE_M
) -> tuple[dict[str, frozenset[str]], dict[str, str]]:
    """Neighbours and nesting in one pass over the areas (``code`` and a geometry in any CRS, measured in British
    National Grid). Returns each area's neighbours (areas within ``tolerance_m`` that are not nested with it) and,
    for an area lying inside another (its point-on-surface in the larger one), the code of the one around it."""
    projected = areas.to_crs(PROJECTED_CRS) if areas.crs is not None else areas
    codes = projected["code"].to_numpy()
    geometries = projected.geometry.to_numpy()
    left, right = shapely.STRtree(geometries).query(geometries, predicate="dwithin", distance=tolerance_m)
    once = left < right
    left, right = left[once], right[once]
    sizes = shapely.area(geometries)
    left_smaller = sizes[left] <= sizes[right]
    smaller, larger = np.where(left_smaller, left, right), np.where(left_smaller, right, left)
    nested = shapely.contains(geometries[larger], shapely.point_on_surface(geometries)[smaller])
    found: dict[str, set[str]] = {code: set() for code in codes}
    for a, b in zip(codes[left[~nested]], codes[right[~nested]], strict=True):
        found[a].add(b)
        found[b].add(a)
    inside = dict(zip(codes[smaller[nested]], codes[larger[nested]], strict=True))
    return {code: frozenset(near) for code, near in found.items()}, inside


def find_neighbours(areas: gpd.GeoDataFrame, tolerance_m: float = TOUCH_TOLERANCE_M) -> dict[str, frozenset[str]]:
    """Each area's code → the codes of the areas that share a boundary with it (see ``relate_areas``)."""
    return relate_areas(areas, tolerance_m)[0]


@dataclass(frozen=True)
class YearAreas:
    """The council areas of one year: names, centres (BNG metres) and neighbours, keyed by the area's GSS code."""

    year: int
    names: dict[str, str]
    centres: dict[str, tuple[float, float]]
    neighbours: dict[str, frozenset[str]]
    county: dict[str, str]  # a district's area → the county area it lies in, that year
    renamed: dict[str, str]  # codes ONS replaced without a boundary change (old → new, e.g. Sheffield in 2025)
    shared_km: dict[tuple[str, str], float] = field(default_factory=dict)  # (a, b) sorted → common border, km

    def border_km(self, a: str, b: str) -> float:
        """Length of the border two neighbours share, in km (0 for areas that are not neighbours)."""
        return self.shared_km.get((a, b) if a < b else (b, a), 0.0)

    def __contains__(self, code: str) -> bool:
        return code in self.names

    def distance_km(self, a: str, b: str) -> float:
        """Straight-line distance between the two areas' centres, in kilometres."""
        (ax, ay), (bx, by) = self.centres[a], self.centres[b]
        return float(np.hypot(ax - bx, ay - by) / 1000)

    def code_for(self, codes: tuple[str, ...]) -> str | None:
        """The first of a council's GSS codes (current, then former) that names an area this year, following
        ONS's code-only changes; None when none does."""
        for code in codes:
            seen = {code}
            while code not in self.names and self.renamed.get(code) not in (None, *seen):
                code = self.renamed[code]
                seen.add(code)
            if code in self.names:
                return code
        return None


def shared_lengths(
    areas: gpd.GeoDataFrame, neighbours: dict[str, frozenset[str]], tolerance_m: float = TOUCH_TOLERANCE_M
) -> dict[tuple[str, str], float]:
    """For each pair of neighbours, the length (km) of one's outline lying within ``tolerance_m`` of the other:
    their common border, measured on the same generalised lines that decide they are neighbours."""
    pairs = sorted({(a, b) for a, near in neighbours.items() for b in near if a < b})
    if not pairs:
        return {}
    geometry = dict(zip(areas["code"], areas.geometry.to_numpy(), strict=True))
    left = np.array([geometry[a] for a, _ in pairs])
    right = np.array([geometry[b] for _, b in pairs])
    lengths = shapely.length(shapely.intersection(shapely.boundary(left), shapely.buffer(right, tolerance_m))) / 1000
    return {pair: round(float(km), 2) for pair, km in zip(pairs, lengths, strict=True)}


def areas_of_year(year: int) -> gpd.GeoDataFrame:
    """Every council area of ``year`` across the tiers, one row per GSS code, in British National Grid."""
    frames = [load_councils(year, layer) for layer in AREA_LAYERS]
    combined = pd.concat(frames, ignore_index=True).drop_duplicates("code").reset_index(drop=True)
    return gpd.GeoDataFrame(combined, geometry="geometry", crs=frames[0].crs).to_crs(PROJECTED_CRS)


@functools.lru_cache(maxsize=16)
def year_areas(year: int) -> YearAreas:
    """The areas, centres, neighbours and counties of ``year``; computed once per year and process (under a second)."""
    areas = areas_of_year(year)
    xs, ys = areas.geometry.centroid.x.tolist(), areas.geometry.centroid.y.tolist()
    neighbours, county = relate_areas(areas)
    return YearAreas(
        year=year,
        names=dict(zip(areas["code"], areas["name"], strict=True)),
        centres={code: (x, y) for code, x, y in zip(areas["code"], xs, ys, strict=True)},
        neighbours=neighbours,
        county=county,
        renamed=new_codes(),
        shared_km=shared_lengths(areas, neighbours),
    )
