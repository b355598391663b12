"""The data package: schemas generated from the model's own definitions, the licences from the source manifest,
and a package (the Data page's zip) that frictionless validates, and refuses once a cell breaks its schema."""

from __future__ import annotations

import json
import zipfile
from io import BytesIO
from pathlib import Path

import frictionless
import pytest

from sharedmap import datapackage as dp
from sharedmap import exports
from sharedmap.freshness import Standing
from sharedmap.partnerships import SavingsKind, Status

LOG = Path(__file__).parents[1] / "data" / "research_log.csv"


def field(schema: dict, name: str) -> dict:
    return next(f for f in schema["fields"] if f["name"] == name)


def test_the_schema_describes_every_exported_column_from_the_models_vocabularies():
    schema = dp.partnerships_schema()
    assert [f["name"] for f in schema["fields"]] == list(exports.CSV_COLUMNS)
    assert field(schema, "status")["constraints"]["enum"] == [s.value for s in Status]
    assert field(schema, "standing")["constraints"]["enum"] == [s.value for s in Standing]
    assert field(schema, "headline_saving_kind")["constraints"]["enum"] == [k.value for k in SavingsKind]
    assert field(schema, "headline_saving_gbp")["type"] == "number" and schema["primaryKey"] == ["id"]
    assert all(field(schema, c)["constraints"]["required"] for c in ("id", "name", "council_ids", "status"))


def test_a_column_without_a_definition_is_an_error_not_a_silent_gap(monkeypatch):
    monkeypatch.setattr(dp, "CSV_COLUMNS", (*exports.CSV_COLUMNS, "new_column"))
    with pytest.raises(KeyError, match="new_column"):
        dp.partnerships_schema()


def test_the_licences_and_sources_come_from_the_manifest():
    assert {(lic["name"], lic["path"]) for lic in dp.licences()} == {
        ("OGL-UK-3.0", "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"),
        ("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/"),
    }
    assert any("mySociety" in s["title"] for s in dp.package_sources())


@pytest.fixture(scope="module")
def package_files(seed, register):
    from sharedmap.spatial.network import build_network, year_geometries

    network = build_network(seed, register, 2025, year_geometries(2025))
    return dp.view_files(seed, register, network, LOG, "shared-services-2025")


def test_the_data_pages_package_holds_the_views_files_and_the_log_when_there_is_one(package_files, tmp_path):
    assert [(f.name, f.path) for f in package_files] == [
        ("partnerships", "shared-services-2025.csv"),
        ("partnerships-geojson", "shared-services-2025.geojson"),
        ("research-log", "research_log.csv"),
    ]
    with zipfile.ZipFile(BytesIO(dp.package_zip(package_files[:2], "v1"))) as archive:
        assert sorted(archive.namelist()) == [
            "datapackage.json",
            "shared-services-2025.csv",
            "shared-services-2025.geojson",
        ]


def unzip(raw: bytes, folder: Path) -> Path:
    with zipfile.ZipFile(BytesIO(raw)) as archive:
        archive.extractall(folder)
    return folder / dp.DESCRIPTOR


def test_the_zip_is_a_package_frictionless_validates(package_files, tmp_path):
    descriptor = unzip(dp.package_zip(package_files, "v3-test"), tmp_path)
    report = frictionless.validate(str(descriptor))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert json.loads(descriptor.read_text(encoding="utf-8"))["version"] == "v3-test"


def test_a_cell_outside_its_enum_fails_validation(package_files, tmp_path):
    csv = package_files[0].data.decode("utf-8-sig").replace(",operational,", ",running-ish,", 1)
    broken = [dp.DataFile(dp.PARTNERSHIPS, "partnerships.csv", ("\ufeff" + csv).encode("utf-8"))]
    report = frictionless.validate(str(unzip(dp.package_zip(broken, "v3-bad"), tmp_path)))
    assert not report.valid
    assert [e.type for e in report.tasks[0].errors] == ["constraint-error"]
