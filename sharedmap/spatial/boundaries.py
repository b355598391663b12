"""Council boundaries: read any ONS-style boundary file into one normalised shape, and pick the councils of a year.

Every loader returns a GeoDataFrame with columns ``code``, ``name``, ``start``, ``end`` (nullable Int years) and
``geometry`` in EPSG:4326, whatever the source's format, column names or CRS, so the map and the joins never care
where the boundaries came from. ``gdf.attrs`` records the source, layer, the columns used and the source CRS.
"""

from __future__ import annotations

import functools
import re
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError
from pyproj import CRS
from pyproj.exceptions import CRSError

from sharedmap import sources
from sharedmap.errors import BoundaryDataError, SharedMapError

OUTPUT_CRS = "EPSG:4326"
NORMAL_COLUMNS = ["code", "name", "start", "end", "geometry"]
FIRST_YEAR = 2014  # the shared TopoJSON says nothing about councils before this year
LATEST_YEAR = 2025  # ... nor after this one
YEARS = tuple(range(FIRST_YEAR, LATEST_YEAR + 1))  # the years a map, a filter or a suggestion can be for
CHANGES_COLUMNS = ["oldcd", "oldnm", "newcd", "newnm", "type", "start"]
DATA_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".topojson")

# ONS codes and names: LAD24CD/LAD24NM, CTYUA23CD, UTLA22CD, RGN21NM ...; the digits (the vintage) are optional.
_ONS_CODE = re.compile(r"^(?P<prefix>[a-z]+\d*)cd$", re.IGNORECASE)
# Plain pairs that are not ONS-patterned, in order of preference.
_PLAIN_PAIRS = (("areacd", "areanm"), ("code", "name"))


@dataclass(frozen=True)
class DetectedColumns:
    """Which source columns became ``code``, ``name``, ``start`` and ``end`` (the last two may be absent)."""

    code: str
    name: str
    start: str | None = None
    end: str | None = None


def detect_columns(columns: list[str]) -> DetectedColumns:
    """Find the code and name columns under ONS naming, case-insensitively; English names before Welsh (``..NMW``)."""
    by_lower = {c.lower(): c for c in columns}
    start, end = by_lower.get("start"), by_lower.get("end")
    for code, name in _PLAIN_PAIRS:
        if code in by_lower and name in by_lower:
            return DetectedColumns(by_lower[code], by_lower[name], start, end)
    for column in columns:
        match = _ONS_CODE.match(column)
        if not match:
            continue
        prefix = match["prefix"].lower()
        for suffix in ("nm", "nmw"):  # English first; a Welsh-only file still gets names
            if prefix + suffix in by_lower:
                return DetectedColumns(column, by_lower[prefix + suffix], start, end)
    found = ", ".join(c for c in columns if c != "geometry") or "none"
    raise BoundaryDataError(
        f"No council code and name columns found (columns: {found}); expected an ONS pair such as "
        "LAD24CD/LAD24NM or CTYUA24CD/CTYUA24NM, areacd/areanm, or code/name"
    )


def dataset_path(path: str | Path, layer: str | None = None) -> tuple[str, str | None]:
    """The GDAL path to open and the layer within it; a zip (as ONS releases come) is opened via /vsizip/."""
    path = Path(path)
    if not path.is_file():
        raise BoundaryDataError(f"Boundary file not found: {path}")
    if path.suffix.lower() != ".zip":
        return str(path), layer
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if m.lower().endswith(DATA_SUFFIXES) and "__MACOSX" not in m]
    except zipfile.BadZipFile as exc:
        raise BoundaryDataError(f"{path.name} is not a readable zip file: {exc}") from exc
    if layer is not None:
        chosen = [m for m in members if Path(m).stem == layer]
        if chosen:
            return f"/vsizip/{path}/{chosen[0]}", None
    if len(members) == 1:
        return f"/vsizip/{path}/{members[0]}", layer
    listed = ", ".join(members) or "none"
    raise BoundaryDataError(
        f"{path.name}: expected one boundary file inside the zip (.shp, .gpkg, .geojson), found: {listed}"
        + ("; choose one with the layer option (its name without extension)" if members else "")
    )


def _layers_of(path: str | Path, dataset: str) -> list[str]:
    try:
        return [str(name) for name, _geometry_type in pyogrio.list_layers(dataset)]
    except (DataSourceError, DataLayerError) as exc:
        raise BoundaryDataError(f"{Path(path).name} cannot be read as a boundary file: {_first_line(exc)}") from exc


def list_layers(path: str | Path) -> list[str]:
    """Names of the layers in a boundary file (the shared TopoJSON has uk, ctry, rgn, cty, mcty, cauth, utla, ltla)."""
    return _layers_of(path, dataset_path(path)[0])


def _choose_layer(path: str | Path, dataset: str, layer: str | None) -> str:
    """The layer to read: the one asked for, or the only one; never a silent guess among several."""
    layers = _layers_of(path, dataset)
    if layer is None and len(layers) == 1:
        return layers[0]
    if layer is None:
        raise BoundaryDataError(f"{Path(path).name} has several layers ({', '.join(layers)}); choose one")
    if layer not in layers:
        raise BoundaryDataError(f"{Path(path).name} has no layer {layer!r}; its layers are: {', '.join(layers)}")
    return layer


def _first_line(exc: Exception) -> str:
    """GDAL's own reason, without its multi-line or driver-prefix advice."""
    text = str(exc).strip()
    return text.splitlines()[0].split("; It might help")[0] if text else type(exc).__name__


def _looks_lonlat(bounds) -> bool:
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    return -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90


def reading_crs(crs: CRS | None, bounds, where: str) -> CRS:
    """The CRS to read the coordinates in: the file's own, or lon/lat when it has none and its bounds fit.

    GeoJSON is lon/lat by definition, so a GeoJSON of British National Grid metres claims EPSG:4326; refuse that too.
    """
    shown = ", ".join(f"{b:.0f}" for b in bounds)
    if crs is not None:
        crs = CRS.from_user_input(crs)
        if crs.is_geographic and not _looks_lonlat(bounds):
            raise BoundaryDataError(
                f"{where} says its coordinates are longitude/latitude ({crs_label(crs)}) but they are not "
                f"(bounds {shown}); save it with its real CRS (ONS files use British National Grid, EPSG:27700)"
            )
        return crs
    if _looks_lonlat(bounds):
        return CRS.from_user_input(OUTPUT_CRS)
    raise BoundaryDataError(
        f"{where} has no coordinate reference system and its coordinates (bounds {shown}) are not longitude/latitude; "
        "add its .prj file or save it with a CRS (ONS files use British National Grid, EPSG:27700)"
    )


def crs_label(crs: CRS | None) -> str:
    """A short readable name for a file's CRS: ``EPSG:27700`` when it has one, else its name; says when none."""
    if crs is None:
        return f"none (read as {OUTPUT_CRS}: the coordinates are longitude/latitude)"
    authority = CRS.from_user_input(crs).to_authority()
    return ":".join(authority) if authority else CRS.from_user_input(crs).name


def _years(values: pd.Series, column: str) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    bad = values[numbers.isna() & values.notna() & (values.astype("string").str.strip() != "")]
    if len(bad) or (numbers.dropna() % 1 != 0).any():
        shown = ", ".join(map(repr, list(dict.fromkeys(bad.tolist() or numbers[numbers % 1 != 0].tolist()))[:5]))
        raise BoundaryDataError(f"Column {column!r} must hold whole years; found {shown}")
    return numbers.astype("Int64")


def normalise(raw: gpd.GeoDataFrame, columns: DetectedColumns, crs: CRS) -> gpd.GeoDataFrame:
    """Rename the detected columns to code/name/start/end and reproject to EPSG:4326; other columns are dropped."""
    codes = raw[columns.code].astype("string").str.strip()
    missing = int((codes.isna() | (codes == "")).sum())
    if missing:
        raise BoundaryDataError(f"{missing} feature(s) have no value in the code column {columns.code!r}")
    no_years = pd.Series(pd.NA, index=raw.index, dtype="Int64")
    frame = pd.DataFrame(
        {
            "code": codes.astype("str"),
            "name": raw[columns.name].astype("string").str.strip().astype("str"),
            "start": _years(raw[columns.start], columns.start) if columns.start else no_years,
            "end": _years(raw[columns.end], columns.end) if columns.end else no_years.copy(),
        },
        index=raw.index,
    )
    geometry = gpd.GeoSeries(raw.geometry.values, index=raw.index, crs=crs).to_crs(OUTPUT_CRS)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=OUTPUT_CRS).reset_index(drop=True)


def read_boundaries(path: str | Path, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read one layer of a TopoJSON, GeoJSON, shapefile (plain or zipped) or GeoPackage into the normal shape."""
    dataset, inner_layer = dataset_path(path, layer)
    # Listing layers parses a TopoJSON a second time, so only do it when no layer is named or the named one fails.
    chosen = inner_layer or _choose_layer(path, dataset, None)
    try:
        raw = gpd.read_file(dataset, layer=chosen, engine="pyogrio")
    except DataLayerError as exc:
        _choose_layer(path, dataset, chosen)  # names the layers there are
        raise BoundaryDataError(f"{Path(path).name}: layer {chosen!r} cannot be read: {_first_line(exc)}") from exc
    except (DataSourceError, CRSError) as exc:
        raise BoundaryDataError(f"{Path(path).name} cannot be read as a boundary file: {_first_line(exc)}") from exc
    if not isinstance(raw, gpd.GeoDataFrame) or raw.geometry.name not in raw.columns:
        raise BoundaryDataError(f"{Path(path).name}: layer {chosen!r} has no geometries (a table, not boundaries?)")
    if raw.empty:
        raise BoundaryDataError(f"{Path(path).name}: layer {chosen!r} has no features")
    columns = detect_columns([c for c in raw.columns if c != raw.geometry.name])
    crs = reading_crs(raw.crs, raw.total_bounds, f"{Path(path).name} (layer {chosen!r})")
    result = normalise(raw, columns, crs)
    result.attrs = {
        "source": str(path),
        "layer": chosen,
        "detected_columns": asdict(columns),
        "source_crs": crs_label(raw.crs),
    }
    return result


def councils_in_year(gdf: gpd.GeoDataFrame, year: int) -> gpd.GeoDataFrame:
    """The features that existed in ``year``: started by then (or always there) and not ended before it."""
    started = gdf["start"].isna() | (gdf["start"] <= year)
    not_ended = gdf["end"].isna() | (gdf["end"] >= year)
    chosen = gdf[(started & not_ended).fillna(False).astype(bool)].reset_index(drop=True)
    chosen.attrs = {**gdf.attrs, "year": year}
    return chosen


def current_councils(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The features that have not ended: today's councils."""
    chosen = gdf[gdf["end"].isna().astype(bool)].reset_index(drop=True)
    chosen.attrs = {**gdf.attrs, "year": None}
    return chosen


@functools.lru_cache(maxsize=32)
def _read_cached(path: str, layer: str, mtime_ns: int, size: int) -> gpd.GeoDataFrame:
    """Parsed layers kept in-process, keyed on the file's mtime and size so an edited file is read again."""
    return read_boundaries(path, layer)


def _copy(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    copied = gdf.copy(deep=True)
    copied.attrs = {key: (dict(value) if isinstance(value, dict) else value) for key, value in gdf.attrs.items()}
    return copied


def load_layer(path: str | Path, layer: str) -> gpd.GeoDataFrame:
    """``read_boundaries`` with an in-process cache; returns a fresh copy each call so callers can't corrupt it."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as exc:
        raise BoundaryDataError(f"Boundary file not found: {path}") from exc
    return _copy(_read_cached(str(path.resolve()), layer, stat.st_mtime_ns, stat.st_size))


def _shared_source(name: str) -> Path:
    """A manifest source's path, its absence reported as a boundary problem (with where we looked)."""
    try:
        return sources.source_path(name)
    except SharedMapError as exc:
        raise BoundaryDataError(str(exc)) from exc


def load_councils(year: int | None = None, tier: str = "ltla", path: str | Path | None = None) -> gpd.GeoDataFrame:
    """Councils of one tier (a layer: ltla, utla, cty, rgn ...) as they were in ``year``; None means today's."""
    if path is None:
        path = _shared_source("uk-topojson")
        if year is not None and year < FIRST_YEAR:
            raise BoundaryDataError(f"year {year} is before {FIRST_YEAR}, the first year the boundaries cover")
    gdf = load_layer(path, tier)
    return current_councils(gdf) if year is None else councils_in_year(gdf, int(year))


def load_changes(path: str | Path | None = None) -> pd.DataFrame:
    """ONS's list of local government changes 2018-2025 (old code → new code, type, year); the file has a BOM."""
    if path is None:
        path = _shared_source("boundary-changes")
    try:
        changes = pd.read_csv(path, encoding="utf-8-sig", dtype="str", keep_default_na=False, na_values=[""])
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise BoundaryDataError(f"{Path(path).name} cannot be read as the boundary changes table: {exc}") from exc
    missing = [c for c in CHANGES_COLUMNS if c not in changes.columns]
    if missing:
        raise BoundaryDataError(
            f"{Path(path).name} lacks column(s) {', '.join(missing)}; found: {', '.join(changes.columns)}"
        )
    changes["start"] = _years(changes["start"], "start")
    return changes[CHANGES_COLUMNS]


def _layer_info(path: Path, dataset: str, layer: str) -> dict:
    """Facts about one layer; geometries are read only to put a projected file's bounds in lon/lat."""
    try:
        meta = pyogrio.read_info(dataset, layer=layer, force_feature_count=True, force_total_bounds=True)
    except (DataSourceError, DataLayerError) as exc:
        raise BoundaryDataError(f"{path.name} cannot be read as a boundary file: {_first_line(exc)}") from exc
    fields = [str(f) for f in meta["fields"]]
    info: dict = {"name": layer, "features": int(meta["features"]), "columns": fields}
    crs = CRS.from_user_input(meta["crs"]) if meta["crs"] else None
    info["source_crs"] = crs_label(crs)
    try:
        info["detected_columns"] = asdict(detect_columns(fields))
        if not meta.get("geometry_type"):
            raise BoundaryDataError(f"{path.name} (layer {layer!r}) has no geometry: it is a table, not boundaries")
        bounds = meta["total_bounds"]
        if bounds is None:
            info["bounds_4326"] = None
        else:
            read_crs = reading_crs(crs, bounds, f"{path.name} (layer {layer!r})")
            if not read_crs.equals(OUTPUT_CRS, ignore_axis_order=True):
                # A projected box is not a lon/lat box: reproject the shapes (geometry only) for exact bounds.
                shapes = pyogrio.read_dataframe(dataset, layer=layer, columns=[], read_geometry=True)
                bounds = shapes.set_crs(read_crs, allow_override=True).to_crs(OUTPUT_CRS).total_bounds
            info["bounds_4326"] = [round(float(b), 6) for b in bounds]
        info["problem"] = None
    except BoundaryDataError as exc:
        if crs is None:
            info["source_crs"] = "none"
        info.setdefault("detected_columns", None)
        info.setdefault("bounds_4326", None)
        info["problem"] = str(exc)
    return info


def boundary_info(path: str | Path, layer: str | None = None) -> dict:
    """What a boundary file holds: its layers, feature counts, the columns we would use, CRS and bounds in 4326."""
    path = Path(path)
    dataset, inner_layer = dataset_path(path, layer)
    layers = [_choose_layer(path, dataset, inner_layer)] if inner_layer else _layers_of(path, dataset)
    return {"path": str(path), "layers": [_layer_info(path, dataset, name) for name in layers]}
