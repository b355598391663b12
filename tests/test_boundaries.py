"""Boundaries: the shared TopoJSON, council vintages, and ONS-style files built from it in every format we accept."""

from __future__ import annotations

import hashlib
import json
import socket
import uuid
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import box

from sharedmap import sources
from sharedmap.cli.commands import main
from sharedmap.errors import BoundaryDataError
from sharedmap.spatial import boundaries
from sharedmap.spatial.boundaries import (
    NORMAL_COLUMNS,
    DetectedColumns,
    boundary_info,
    councils_in_year,
    detect_columns,
    load_changes,
    load_councils,
    read_boundaries,
)

pytestmark = pytest.mark.shared_data  # the full boundaries and register

# A handful of councils across the four nations, incl. a Welsh one (with a Welsh name) and a merged one.
SAMPLE_CODES = ["E06000058", "E06000059", "E07000112", "E09000001", "W06000015", "S12000036", "N09000003"]
WELSH_NAMES = {"W06000015": "Caerdydd"}
AREA_TOLERANCE = 0.005  # 0.5 %: two reprojections must not change a council's area


@pytest.fixture(scope="session")
def topo_path(shared_data) -> Path:
    return shared_data / "boundaries" / "uk_topo_2014_2025.json"


@pytest.fixture(scope="session")
def sample(topo_path) -> gpd.GeoDataFrame:
    """The sample councils exactly as the shared TopoJSON has them (WGS84 lon/lat)."""
    ltla = gpd.read_file(topo_path, layer="ltla")
    return ltla[ltla["areacd"].isin(SAMPLE_CODES)].reset_index(drop=True).set_crs("EPSG:4326")


def ons_release(sample: gpd.GeoDataFrame, prefix: str = "LAD24") -> gpd.GeoDataFrame:
    """The sample with the columns and CRS of an ONS Open Geography Portal release."""
    bng = sample.to_crs("EPSG:27700")
    points = bng.representative_point()
    lonlat = points.to_crs("EPSG:4326")
    return gpd.GeoDataFrame(
        {
            f"{prefix}CD": sample["areacd"],
            f"{prefix}NM": sample["areanm"],
            f"{prefix}NMW": [WELSH_NAMES.get(code, " ") for code in sample["areacd"]],
            "BNG_E": points.x.round().astype(int),
            "BNG_N": points.y.round().astype(int),
            "LONG": lonlat.x,
            "LAT": lonlat.y,
            "GlobalID": [str(uuid.uuid5(uuid.NAMESPACE_URL, code)) for code in sample["areacd"]],
        },
        geometry=bng.geometry,
        crs="EPSG:27700",
    )


def write_shapefile(gdf: gpd.GeoDataFrame, folder: Path, stem: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.shp"
    gdf.to_file(path, driver="ESRI Shapefile", engine="pyogrio")
    return path


def zip_like_ons(shp: Path, target: Path, extra: tuple[str, ...] = ()) -> Path:
    """Zip a shapefile's parts flat, as ONS releases do, with their metadata XML beside them."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in sorted(shp.parent.glob(shp.stem + ".*")):
            archive.write(part, part.name)
        archive.writestr(shp.stem + ".xml", "<metadata/>")
        for name in extra:
            archive.writestr(name, "")
    return target


def areas_in_bng(gdf: gpd.GeoDataFrame) -> pd.Series:
    return gdf.to_crs("EPSG:27700").set_index(gdf["code"] if "code" in gdf else gdf["areacd"]).area.sort_index()


def assert_same_councils(loaded: gpd.GeoDataFrame, sample: gpd.GeoDataFrame) -> None:
    assert list(loaded.columns) == NORMAL_COLUMNS
    assert loaded.crs.to_epsg() == 4326
    assert sorted(loaded["code"]) == sorted(sample["areacd"])
    assert dict(zip(loaded["code"], loaded["name"], strict=True)) == dict(
        zip(sample["areacd"], sample["areanm"], strict=True)
    )
    relative = (areas_in_bng(loaded) / areas_in_bng(sample) - 1).abs()
    assert relative.max() < AREA_TOLERANCE, relative.to_dict()


# --- the shared TopoJSON ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("layer", ["ltla", "utla", "cty", "rgn", "ctry", "uk", "cauth", "mcty"])
def test_every_shared_layer_loads_in_the_normal_shape(topo_path, layer):
    gdf = read_boundaries(topo_path, layer)
    assert list(gdf.columns) == NORMAL_COLUMNS
    assert gdf.crs.to_epsg() == 4326
    assert len(gdf) == pyogrio.read_info(topo_path, layer=layer)["features"]
    assert gdf["code"].is_unique and gdf["name"].notna().all()
    assert str(gdf["start"].dtype) == "Int64" and str(gdf["end"].dtype) == "Int64"
    assert gdf.attrs["detected_columns"]["code"] == "areacd"
    assert gdf.attrs["layer"] == layer
    assert gdf.attrs["source_crs"].startswith("none")
    minx, miny, maxx, maxy = gdf.total_bounds
    assert -9 < minx < maxx < 2 and 49 < miny < maxy < 61  # the UK in lon/lat


@pytest.mark.parametrize(
    "tier, year, code, present",
    [
        ("ltla", 2014, "E07000112", True),  # Shepway then; the file carries its current name, Folkestone and Hythe
        ("ltla", 2018, "E06000028", True),  # Bournemouth, up to and including 2018
        ("ltla", 2018, "E06000029", True),  # Poole
        ("ltla", 2018, "E06000058", False),  # Bournemouth, Christchurch and Poole did not exist yet
        ("ltla", 2019, "E06000058", True),
        ("ltla", 2019, "E06000028", False),
        ("ltla", 2025, "E06000058", True),
        ("ltla", 2025, "E06000029", False),
        ("ltla", 2017, "S12000015", True),  # Fife's old code ended in 2017 ...
        ("ltla", 2018, "S12000015", False),
        ("ltla", 2018, "S12000047", True),  # ... and its new one started in 2018
        ("ltla", 2024, "E08000019", True),  # Sheffield's old code, recoded in 2025
        ("ltla", 2025, "E08000019", False),
        ("ltla", 2025, "E08000039", True),
        ("utla", 2018, "E06000028", True),
        ("utla", 2025, "E06000058", True),
        ("cty", 2018, "E10000009", True),  # Dorset County Council, ended with the 2019 reorganisation
        ("cty", 2019, "E10000009", False),
        ("cty", 2022, "E10000027", True),  # Somerset County Council, replaced by the unitary in 2023
        ("cty", 2023, "E10000027", False),
    ],
)
def test_councils_of_a_year(tier, year, code, present):
    assert (code in set(load_councils(year, tier)["code"])) is present


@pytest.mark.parametrize(
    "year, codes",
    [(2014, ["always", "ends-2018"]), (2018, ["always", "ends-2018"]), (2019, ["always", "starts-2019"])],
)
def test_councils_in_year_reads_start_and_end_as_inclusive_years(year, codes):
    gdf = gpd.GeoDataFrame(
        {
            "code": ["always", "ends-2018", "starts-2019"],
            "name": ["A", "B", "C"],
            "start": pd.array([None, None, 2019], dtype="Int64"),
            "end": pd.array([None, 2018, None], dtype="Int64"),
        },
        geometry=[box(0, 0, 1, 1)] * 3,
        crs="EPSG:4326",
    )
    chosen = councils_in_year(gdf, year)
    assert list(chosen["code"]) == codes
    assert chosen.attrs["year"] == year


def test_current_councils_are_the_361_without_an_end():
    current = load_councils()
    assert len(current) == 361
    assert current["end"].isna().all()
    assert set(current["code"]) == set(load_councils(2025)["code"])


def test_load_councils_returns_copies_the_caller_cannot_corrupt():
    first = load_councils(2020)
    first["code"] = "changed"
    first.attrs["detected_columns"]["code"] = "changed"
    again = load_councils(2020)
    assert "changed" not in set(again["code"])
    assert again.attrs["detected_columns"]["code"] == "areacd"


def test_load_councils_takes_an_explicit_path(topo_path):
    assert set(load_councils(2018, "ltla", path=topo_path)["code"]) == set(load_councils(2018)["code"])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"tier": "parish"}, r"no layer 'parish'.*ltla"),
        ({"year": 2010}, r"2010 is before 2014"),
    ],
)
def test_load_councils_refusals(kwargs, message):
    with pytest.raises(BoundaryDataError, match=message):
        load_councils(**kwargs)


def test_load_changes_strips_the_byte_order_mark():
    changes = load_changes()
    assert list(changes.columns) == ["oldcd", "oldnm", "newcd", "newnm", "type", "start"]
    assert str(changes["start"].dtype) == "Int64"
    bournemouth = changes[changes["oldcd"] == "E06000028"].iloc[0]
    assert (bournemouth["newcd"], bournemouth["type"], bournemouth["start"]) == ("E06000058", "merger", 2019)


def test_load_changes_names_the_missing_columns(tmp_path):
    broken = tmp_path / "changes.csv"
    broken.write_text("\ufeffoldcd,newcd\nE06000028,E06000058\n", encoding="utf-8")
    with pytest.raises(BoundaryDataError, match=r"lacks column\(s\) oldnm, newnm, type, start; found: oldcd, newcd"):
        load_changes(broken)


# --- ONS-style files in every format ------------------------------------------------------------------------------


def test_zipped_ons_shapefile_in_british_national_grid(sample, tmp_path):
    shp = write_shapefile(ons_release(sample), tmp_path / "parts", "LAD_MAY_2024_UK_BFC")
    release = zip_like_ons(shp, tmp_path / "Local_Authority_Districts_May_2024_Boundaries_UK_BFC.zip")
    loaded = read_boundaries(release)
    assert_same_councils(loaded, sample)
    assert loaded.attrs["detected_columns"] == {"code": "LAD24CD", "name": "LAD24NM", "start": None, "end": None}
    assert loaded.attrs["source_crs"] == "EPSG:27700"
    assert loaded["start"].isna().all() and loaded["end"].isna().all()


def test_plain_shapefile(sample, tmp_path):
    shp = write_shapefile(ons_release(sample), tmp_path, "LAD_MAY_2024_UK_BFC")
    assert_same_councils(read_boundaries(shp), sample)


def test_geopackage_of_counties_and_unitaries(sample, tmp_path):
    gpkg = tmp_path / "CTYUA_MAY_2024_UK_BGC.gpkg"
    ons_release(sample, prefix="CTYUA24").to_file(gpkg, layer="CTYUA_MAY_2024_UK_BGC", driver="GPKG")
    loaded = read_boundaries(gpkg)
    assert_same_councils(loaded, sample)
    assert loaded.attrs["detected_columns"]["code"] == "CTYUA24CD"


def test_geojson_with_plain_code_and_name(sample, tmp_path):
    path = tmp_path / "councils.geojson"
    sample.rename(columns={"areacd": "Code", "areanm": "Name"})[["Code", "Name", "geometry"]].to_file(path)
    loaded = read_boundaries(path)
    assert_same_councils(loaded, sample)
    assert loaded.attrs["detected_columns"]["code"] == "Code"


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_shapefile_without_crs_in_lonlat_is_read_as_wgs84(sample, tmp_path):
    shp = write_shapefile(sample.set_crs(None, allow_override=True)[["areacd", "areanm", "geometry"]], tmp_path, "x")
    assert not shp.with_suffix(".prj").exists()
    assert_same_councils(read_boundaries(shp), sample)


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_shapefile_without_crs_in_metres_is_refused(sample, tmp_path):
    shp = write_shapefile(ons_release(sample).set_crs(None, allow_override=True), tmp_path, "no_prj")
    with pytest.raises(BoundaryDataError, match=r"no coordinate reference system .* not longitude/latitude.*27700"):
        read_boundaries(shp)


def test_geojson_of_grid_metres_claiming_lonlat_is_refused(sample, tmp_path):
    collection = json.loads(ons_release(sample).to_json())
    del collection["crs"]  # GeoJSON without a crs member is lon/lat by definition, whatever its numbers say
    path = tmp_path / "bng.geojson"
    path.write_text(json.dumps(collection), encoding="utf-8")
    with pytest.raises(BoundaryDataError, match=r"says its coordinates are longitude/latitude \(EPSG:4326\) but they"):
        read_boundaries(path)


def test_file_without_code_and_name_columns_names_what_it_found(sample, tmp_path):
    path = tmp_path / "odd.geojson"
    sample.rename(columns={"areacd": "ident", "areanm": "label"})[["ident", "label", "geometry"]].to_file(path)
    with pytest.raises(BoundaryDataError, match=r"No council code and name columns found \(columns: ident, label\)"):
        read_boundaries(path)


def test_year_columns_must_hold_whole_years(sample, tmp_path):
    path = tmp_path / "years.geojson"
    sample.assign(start=["soon"] + [None] * (len(sample) - 1)).to_file(path)
    with pytest.raises(BoundaryDataError, match=r"Column 'start' must hold whole years; found 'soon'"):
        read_boundaries(path)


def test_zip_with_two_shapefiles_asks_which(sample, tmp_path):
    shp = write_shapefile(ons_release(sample), tmp_path / "parts", "LAD_A")
    write_shapefile(ons_release(sample), tmp_path / "parts", "LAD_B")
    release = tmp_path / "two.zip"
    with zipfile.ZipFile(release, "w") as archive:
        for part in sorted(shp.parent.iterdir()):
            archive.write(part, part.name)
    with pytest.raises(BoundaryDataError, match=r"expected one boundary file inside the zip.*LAD_A.shp.*LAD_B.shp"):
        read_boundaries(release)
    assert_same_councils(read_boundaries(release, layer="LAD_B"), sample)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("missing.shp", None, r"Boundary file not found"),
        ("notes.txt", "just words", r"cannot be read as a boundary file"),
        ("broken.zip", "not a zip", r"not a readable zip file"),
        ("table.csv", "code,name\nE06000001,Hartlepool\n", r"has no geometries"),
    ],
)
def test_unreadable_files_are_refused_clearly(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    with pytest.raises(BoundaryDataError, match=message):
        read_boundaries(path)


@pytest.mark.parametrize(
    "columns, code, name",
    [
        (["FID", "LAD24CD", "LAD24NM", "LAD24NMW", "BNG_E", "BNG_N", "LONG", "LAT", "GlobalID"], "LAD24CD", "LAD24NM"),
        (["lad24nmw", "lad24cd", "lad24nm"], "lad24cd", "lad24nm"),
        (["LAD24CD", "LAD24NMW"], "LAD24CD", "LAD24NMW"),  # Welsh only: better than nothing
        (["CTYUA23CD", "CTYUA23NM"], "CTYUA23CD", "CTYUA23NM"),
        (["UTLA22CD", "UTLA22NM"], "UTLA22CD", "UTLA22NM"),
        (["CTY21CD", "CTY21NM"], "CTY21CD", "CTY21NM"),
        (["LTLA21CD", "LTLA21NM"], "LTLA21CD", "LTLA21NM"),
        (["RGN23CD", "RGN23NM"], "RGN23CD", "RGN23NM"),
        (["WD24CD", "WD24NM", "LAD24CD", "LAD24NM"], "WD24CD", "WD24NM"),  # the file's own features come first
        (["id", "areacd", "areanm", "start", "end"], "areacd", "areanm"),
        (["Code", "Name"], "Code", "Name"),
    ],
)
def test_detect_columns(columns, code, name):
    detected = detect_columns(columns)
    assert (detected.code, detected.name) == (code, name)


def test_detect_columns_keeps_year_columns():
    assert detect_columns(["areacd", "areanm", "Start", "END"]) == DetectedColumns("areacd", "areanm", "Start", "END")


@pytest.mark.parametrize("columns", [["LAD24CD", "BNG_E"], ["objectid", "descr"], []])
def test_detect_columns_refusal_names_the_columns(columns):
    with pytest.raises(BoundaryDataError, match="columns: " + (", ".join(columns) or "none")):
        detect_columns(columns)


# --- boundary_info and the command line ---------------------------------------------------------------------------


def test_boundary_info_of_the_shared_file(topo_path):
    info = boundary_info(topo_path)
    by_name = {layer["name"]: layer for layer in info["layers"]}
    assert set(by_name) == set(boundaries.list_layers(topo_path))
    for name, layer in by_name.items():
        assert layer["features"] == len(boundaries.load_layer(topo_path, name))
        assert layer["detected_columns"]["code"] == "areacd" and layer["problem"] is None
    assert by_name["ltla"]["bounds_4326"] == pytest.approx(list(boundaries.load_layer(topo_path, "ltla").total_bounds))


def test_boundary_info_of_an_ons_release_reports_bounds_in_lonlat(sample, tmp_path):
    shp = write_shapefile(ons_release(sample), tmp_path / "parts", "LAD_MAY_2024_UK_BFC")
    release = zip_like_ons(shp, tmp_path / "release.zip")
    (layer,) = boundary_info(release)["layers"]
    assert layer["source_crs"] == "EPSG:27700"
    assert layer["features"] == len(sample)
    assert layer["detected_columns"]["name"] == "LAD24NM"
    assert layer["bounds_4326"] == pytest.approx(list(sample.total_bounds), abs=0.02)


def test_cli_info_json(sample, tmp_path, capsys):
    shp = write_shapefile(ons_release(sample), tmp_path / "parts", "LAD_MAY_2024_UK_BFC")
    release = zip_like_ons(shp, tmp_path / "release.zip")
    assert main(["boundaries", "info", str(release), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["layers"][0]["detected_columns"]["code"] == "LAD24CD"
    assert report["layers"][0]["source_crs"] == "EPSG:27700"


def test_cli_info_text_names_layer_columns_and_crs(topo_path, capsys):
    assert main(["boundaries", "info", str(topo_path), "--layer", "utla"]) == 0
    out = capsys.readouterr().out
    assert f"utla: {pyogrio.read_info(topo_path, layer='utla')['features']} features" in out
    assert "code: areacd  name: areanm" in out and "CRS: none" in out


def test_cli_info_prints_the_problem_and_exits_1(sample, tmp_path, capsys):
    path = tmp_path / "odd.geojson"
    sample.rename(columns={"areacd": "ident", "areanm": "label"})[["ident", "label", "geometry"]].to_file(path)
    assert main(["boundaries", "info", str(path)]) == 1
    assert "problem: No council code and name columns found (columns: ident, label)" in capsys.readouterr().out


def test_cli_info_of_a_missing_file_is_one_line_exit_2(tmp_path, capsys):
    assert main(["boundaries", "info", str(tmp_path / "nope.gpkg")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: Boundary file not found") and err.count("\n") == 1


def test_cli_fetch_with_everything_present_says_so(capsys):
    assert main(["boundaries", "fetch"]) == 0
    out = capsys.readouterr().out
    assert "already present; nothing to fetch" in out
    assert out.count("found ") == len(sources.load_manifest())


def _manifest_with(tmp_path: Path, url: str, sha256: str) -> tuple[Path, str]:
    """A one-entry manifest for a file name that is nowhere on the search path."""
    source = sources.load_manifest()[0]
    entry = {**source.__dict__, "name": "test-boundaries", "file": f"missing-{uuid.uuid4().hex}.json"}
    entry.update(url=url, sha256=sha256)
    manifest = tmp_path / "sources.json"
    manifest.write_text(json.dumps({"sources": [entry]}), encoding="utf-8")
    return manifest, entry["file"]


def test_cli_fetch_downloads_a_missing_source_and_checks_its_hash(topo_path, tmp_path, capsys):
    digest = hashlib.sha256(topo_path.read_bytes()).hexdigest()
    manifest, filename = _manifest_with(tmp_path, topo_path.as_uri(), digest)
    cache = tmp_path / "cache"
    assert main(["boundaries", "fetch", "--manifest", str(manifest), "--dest", str(cache)]) == 0
    assert "fetched test-boundaries" in capsys.readouterr().out
    assert sources.sha256_of(cache / filename) == digest


def test_cli_fetch_keeps_nothing_when_the_hash_differs(topo_path, tmp_path, capsys):
    manifest, _ = _manifest_with(tmp_path, topo_path.as_uri(), "0" * 64)
    cache = tmp_path / "cache"
    assert main(["boundaries", "fetch", "--manifest", str(manifest), "--dest", str(cache)]) == 2
    err = capsys.readouterr().err
    assert "checksum mismatch" in err and err.count("\n") == 1
    assert list(cache.iterdir()) == []


def test_cli_fetch_from_an_unreachable_server_fails_in_one_line(tmp_path, capsys):
    with socket.socket() as probe:  # a port nobody listens on: the download fails as it would offline
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    manifest, source_file = _manifest_with(tmp_path, f"http://127.0.0.1:{port}/topo.json", "0" * 64)
    assert main(["boundaries", "fetch", "--manifest", str(manifest), "--dest", str(tmp_path / "cache")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "could not be downloaded" in err
    assert err.startswith(f"error: {source_file} is missing") and f"put it in {tmp_path / 'cache'}" in err


def test_cli_fetch_of_an_unknown_source_lists_the_known_ones(capsys):
    assert main(["boundaries", "fetch", "--name", "nope"]) == 2
    assert "no source named 'nope'" in capsys.readouterr().err
