"""The downloads as a Frictionless Data Package: ``datapackage.json`` naming each file with its Table Schema
(types, required fields, enums), its size and hash, the licences and the sources; what data portals and
journalists' tools read.

The schemas are generated from the definitions the files are written from: the columns of the CSV export
(``exports.CSV_COLUMNS``), the vocabularies of ``partnerships`` (statuses, kinds of savings) and of ``freshness``
(standings), the research log's columns (``research.COLUMNS``), and the licences of ``geo/sources.json``.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from sharedmap import research, sources
from sharedmap.exports import CSV_COLUMNS, DATA_NOTE, LICENCE_SOURCES, partnerships_csv, partnerships_geojson
from sharedmap.freshness import Standing
from sharedmap.partnerships import SERVICES, Partnership, SavingsKind, Status
from sharedmap.register import Register

if TYPE_CHECKING:  # a type hint only: the core imports no other layer at run time
    from sharedmap.spatial.network import Network

PACKAGE_NAME = "uk-council-shared-services"
DESCRIPTOR = "datapackage.json"
PARTIAL_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"  # PartialDate.iso(): a year, a month or a day
SPDX = {  # licence address -> its SPDX identifier (what portals match on)
    "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/": "OGL-UK-3.0",
    "https://creativecommons.org/licenses/by/4.0/": "CC-BY-4.0",
}
PARTNERSHIPS, GEOJSON, RESEARCH_LOG = "partnerships", "partnerships-geojson", "research-log"


def _enum(values: type[StrEnum]) -> dict:
    return {"enum": [v.value for v in values]}


def _date(description: str) -> dict:
    return {"type": "string", "description": description, "constraints": {"pattern": PARTIAL_DATE}}


# Each column of the CSV export: its type, meaning and constraints. A column added to the export without a line
# here fails ``partnerships_schema`` (and its test), so the package never describes fewer columns than the file.
FIELDS: dict[str, dict] = {
    "id": {
        "type": "string",
        "description": "The partnership's id, kept across versions.",
        "constraints": {"required": True, "unique": True},
    },
    "name": {"type": "string", "description": "The partnership's name.", "constraints": {"required": True}},
    "councils": {"type": "string", "description": "Member councils' names, separated by '; '."},
    "council_ids": {
        "type": "string",
        "description": "Member councils' register ids (mySociety's local-authority-code), separated by '; '.",
        "constraints": {"required": True},
    },
    "other_partners": {"type": "string", "description": "Partners that are not councils, separated by '; '."},
    "services": {
        "type": "string",
        "description": "Services shared, separated by '; ', from: " + "; ".join(SERVICES) + ".",
        "constraints": {"required": True},
    },
    "status": {
        "type": "string",
        "description": "The status the sources give (its own claim, as at status_date).",
        "constraints": {"required": True, **_enum(Status)},
    },
    "start": _date("When it started: a year, month or day."),
    "end": _date("When it ended: a year, month or day."),
    "headline_saving_gbp": {
        "type": "number",
        "description": "The partnership's figure of the first-listed kind that is a saving, in pounds.",
        "constraints": {"minimum": 0},
    },
    "headline_saving_kind": {
        "type": "string",
        "description": "The kind of the headline saving.",
        "constraints": _enum(SavingsKind),
    },
    "savings": {"type": "string", "description": "Every money figure as text (kind, period, scope), '; '."},
    "description": {"type": "string", "description": "What is shared, in words."},
    "source_urls": {"type": "string", "description": "The public sources' addresses, separated by spaces."},
    "source_title": {"type": "string", "description": "The main source's title."},
    "source_date": _date("The date the figures are as at."),
    "notes": {"type": "string", "description": "Notes on the row."},
    "verified_on": _date("When a person last checked the row against its sources."),
    "evidence": {"type": "string", "description": "Where in the source the councils, figure and status are stated."},
    "status_source_url": {"type": "string", "description": "The newest public evidence of the status."},
    "status_source_date": _date("The date of the newest status evidence."),
    "status_evidence": {"type": "string", "description": "What the status evidence says."},
    "status_confirmed_by": {
        "type": "string",
        "description": "The member council (register id) whose own confirmation is the status evidence, if any.",
    },
    "status_date": _date("The date the status was true at: status_source_date, else source_date, else verified_on."),
    "standing": {
        "type": "string",
        "description": "What the map shows today: the status, or 'unconfirmed' when it rests on old evidence.",
        "constraints": {"required": True, **_enum(Standing)},
    },
}
RESEARCH_FIELDS: dict[str, dict] = {
    "council_id": {
        "type": "string",
        "description": "The council searched (register id).",
        "constraints": {"required": True},
    },
    "searched_on": {"type": "date", "description": "When it was searched.", "constraints": {"required": True}},
    "kinds_searched": {"type": "string", "description": "The kinds of arrangement searched for, '; '."},
    "found": {"type": "string", "description": f"Partnership ids found, '; ', or '{research.NONE_FOUND}'."},
    "queries": {"type": "string", "description": "The searches made, separated by '|'."},
}


def _schema(columns: tuple[str, ...], fields: Mapping[str, dict], key: str | None = None) -> dict:
    missing = [c for c in columns if c not in fields]
    if missing:
        raise KeyError(f"no Table Schema field defined for column(s) {', '.join(missing)}")
    schema: dict = {"fields": [{"name": c, **fields[c]} for c in columns], "missingValues": [""]}
    if key:
        schema["primaryKey"] = [key]
    return schema


def partnerships_schema() -> dict:
    """The Table Schema of the partnerships CSV, column by column in the export's order."""
    return _schema(CSV_COLUMNS, FIELDS, "id")


def research_log_schema() -> dict:
    return _schema(research.COLUMNS, RESEARCH_FIELDS)


def licences() -> list[dict]:
    """The licences of the sources the data rests on (geo/sources.json), once each."""
    found: dict[str, dict] = {}
    for source in sources.load_manifest():
        if source.name in LICENCE_SOURCES:
            found.setdefault(
                source.licence_url,
                {
                    "name": SPDX.get(source.licence_url, source.licence),
                    "path": source.licence_url,
                    "title": source.licence,
                },
            )
    return list(found.values())


def package_sources() -> list[dict]:
    """Where the data comes from: the boundary and council sources, and the partnerships' own public sources."""
    listed = [{"title": s.title, "path": s.url} for s in sources.load_manifest() if s.name in LICENCE_SOURCES]
    return [*listed, {"title": "Partnerships: the public sources named in each row (source_urls, status_source_url)"}]


@dataclass(frozen=True)
class DataFile:
    """One file of the package: its resource name, its path beside ``datapackage.json``, and its content."""

    name: str
    path: str
    data: bytes


def _resource(file: DataFile) -> dict:
    resource: dict = {
        "name": file.name,
        "path": file.path,
        "bytes": len(file.data),
        "hash": "sha256:" + hashlib.sha256(file.data).hexdigest(),
    }
    if file.name == GEOJSON:
        return {
            **resource,
            "title": "Partnerships (GeoJSON)",
            "description": "One feature per partnership: its member councils as points, the full record as properties.",
            "format": "geojson",
            "mediatype": "application/geo+json",
            "encoding": "utf-8",
        }
    table = {"type": "table", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8"}
    if file.name == PARTNERSHIPS:
        return {
            **resource,
            **table,
            "title": "Partnerships",
            "description": "One row per partnership, each with its public source. " + DATA_NOTE,
            "encoding": "utf-8-sig",  # a byte-order mark, so spreadsheets read £ correctly
            "schema": partnerships_schema(),
        }
    if file.name == RESEARCH_LOG:
        return {
            **resource,
            **table,
            "title": "Research log",
            "description": "Which councils were searched for partnerships, when, for what, and what was found: "
            "'none recorded' is news only for a council searched.",
            "schema": research_log_schema(),
        }
    raise KeyError(f"no resource is defined for {file.name!r}")


def view_files(
    partnerships: list[Partnership], register: Register, network: Network, log: Path | None, stem: str
) -> list[DataFile]:
    """The files of the Data page's package: the view's CSV and GeoJSON (the page's own downloads), and the
    research log when there is one (``log``)."""
    files = [
        DataFile(PARTNERSHIPS, f"{stem}.csv", partnerships_csv(partnerships, register)),
        DataFile(GEOJSON, f"{stem}.geojson", partnerships_geojson(partnerships, register, network)),
    ]
    if log is not None and log.is_file():
        files.append(DataFile(RESEARCH_LOG, "research_log.csv", log.read_bytes()))
    return files


def descriptor(files: list[DataFile], version: str) -> dict:
    """``datapackage.json`` for these files (paths relative to it), of the published version ``version``."""
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": PACKAGE_NAME,
        "title": "Shared services between UK councils",
        "description": "Which UK councils share services with which, and what the public sources say it saved. "
        + DATA_NOTE,
        "version": version,
        "licenses": licences(),
        "sources": package_sources(),
        "resources": [_resource(f) for f in files],
    }


def descriptor_json(files: list[DataFile], version: str) -> str:
    return json.dumps(descriptor(files, version), ensure_ascii=False, indent=1)


def package_zip(files: list[DataFile], version: str) -> bytes:
    """The package as one download: ``datapackage.json`` and its files in a zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(DESCRIPTOR, descriptor_json(files, version))
        for file in files:
            archive.writestr(file.path, file.data)
    return buffer.getvalue()
