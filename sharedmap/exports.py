"""Downloads of the partnerships a view shows: CSV that is safe to open in a spreadsheet, and GeoJSON that
carries its licence and attribution.

A cell starting with = + - @ (or a tab or carriage return) can run as a formula when a spreadsheet opens the
file (CSV injection); such text cells get a leading apostrophe, as OWASP advises. Numbers are left as numbers.
"""

from __future__ import annotations

import io
import json
import math
import re
from typing import TYPE_CHECKING

import pandas as pd
from openpyxl import Workbook

from sharedmap import sources
from sharedmap.freshness import standing, status_date
from sharedmap.partnerships import Partnership, headline_saving, savings_labels, to_record
from sharedmap.register import Register

if TYPE_CHECKING:  # a type hint only: the core imports no other layer at run time
    from sharedmap.spatial.network import Network

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LICENCE_SOURCES = ("uk-topojson", "council-register", "similarity-labels")  # names, codes, places, partner facts
DATA_NOTE = (
    "Partnerships compiled from the public sources named in each row. Savings are as the sources state "
    "them: kind (annual, cumulative, target, one-off funding), period and scope (whole partnership, each "
    "council or one named council) are given; estimates are marked. A row's status is its own claim, as at "
    "its newest evidence (status_source_url, status_source_date, status_evidence; status_confirmed_by names the "
    "council when the evidence is a member council's own confirmation; status_date falls back to the source's "
    "date). standing is what the map shows today: operational, planned, ended, funded (a grant, not "
    "known to have formed a partnership), or unconfirmed (running or planned on evidence older than the site's "
    "limit)."
)

# The columns of the CSV export (and the Data page), in order; datapackage.FIELDS describes each one.
CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "councils",
    "council_ids",
    "other_partners",
    "services",
    "status",
    "start",
    "end",
    "headline_saving_gbp",
    "headline_saving_kind",
    "savings",
    "description",
    "source_urls",
    "source_title",
    "source_date",
    "notes",
    "verified_on",
    "evidence",
    "status_source_url",
    "status_source_date",
    "status_evidence",
    "status_confirmed_by",
    "status_date",
    "standing",
)


# What XML 1.0 cannot hold (controls, surrogates, U+FFFE and U+FFFF): a workbook holding one will not open.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(value: object) -> object:
    """Text without the characters XML cannot hold, so the workbook opens (they are invisible to a reader)."""
    return NOT_XML.sub("", value) if isinstance(value, str) else value


def neutralise(value: object) -> object:
    """Text that a spreadsheet would read as a formula, made inert with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def attribution_lines() -> list[str]:
    """Licence and attribution of each source the exports (and the map) rest on, from the source manifest."""
    lines = []
    for source in sources.load_manifest():
        if source.name in LICENCE_SOURCES:
            lines.append(f"{source.title}: {source.attribution} Licence: {source.licence} ({source.licence_url})")
    return lines


def partnerships_frame(partnerships: list[Partnership], register: Register) -> pd.DataFrame:
    """One readable row per partnership: what the Data page shows and the CSV holds."""
    rows = []
    for p in partnerships:
        headline = headline_saving(p)
        rows.append(
            {
                "id": p.id,
                "name": p.name,
                "councils": "; ".join(register.get(c).name for c in p.council_ids),
                "council_ids": "; ".join(p.council_ids),
                "other_partners": "; ".join(p.other_partners),
                "services": "; ".join(p.services),
                "status": p.status.value,
                "start": p.start.iso() if p.start else "",
                "end": p.end.iso() if p.end else "",
                "headline_saving_gbp": round(headline[0]) if headline is not None else None,
                "headline_saving_kind": headline[1].value if headline is not None else "",
                "savings": "; ".join(savings_labels(p, register)),
                "description": p.description,
                "source_urls": " ".join(p.source_urls),
                "source_title": p.source_title,
                "source_date": p.source_date.iso() if p.source_date else "",
                "notes": p.notes,
                "verified_on": p.verified_on.iso() if p.verified_on else "",
                "evidence": p.evidence,
                "status_source_url": p.status_source_url,
                "status_source_date": p.status_source_date.iso() if p.status_source_date else "",
                "status_evidence": p.status_evidence,
                "status_confirmed_by": p.status_confirmed_by,
                "status_date": (when.iso() if (when := status_date(p)) else ""),
                "standing": standing(p).value,
            }
        )
    return pd.DataFrame(rows, columns=list(CSV_COLUMNS))


def partnerships_csv(partnerships: list[Partnership], register: Register) -> bytes:
    """UTF-8 with a byte-order mark (so Excel shows £ correctly), every text cell neutralised."""
    frame = partnerships_frame(partnerships, register)
    safe = frame.apply(lambda column: column.map(neutralise))
    buffer = io.StringIO()
    safe.to_csv(buffer, index=False)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def partnerships_xlsx(partnerships: list[Partnership], register: Register) -> bytes:
    """The CSV export's table as a workbook, every text cell neutralised, with the licence on a second sheet."""
    frame = partnerships_frame(partnerships, register)
    book = Workbook()
    sheet = book.active
    sheet.title = "Partnerships"
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append([None if isinstance(v, float) and math.isnan(v) else xml_safe(neutralise(v)) for v in row])
    licence = book.create_sheet("Licence")
    for line in [DATA_NOTE, *attribution_lines()]:
        licence.append([xml_safe(neutralise(line))])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def partnerships_geojson(partnerships: list[Partnership], register: Register, network: Network) -> bytes:
    """One feature per partnership: its members where the map draws them that year (a MultiPoint), with the full
    record as properties; the collection names its licence and attribution."""
    members = network.members
    features = []
    for p in partnerships:
        rows = members[members["partnership_id"] == p.id]
        points = [
            [round(float(lon), 5), round(float(lat), 5)] for lon, lat in zip(rows["lon"], rows["lat"], strict=True)
        ]
        record = to_record(p)
        record["councils"] = [{"id": c, "name": register.get(c).name} for c in p.council_ids]
        record["drawn_as"] = [
            {"council_id": r.council_id, "gss": r.gss, "name": r.drawn_name, "note": r.note} for r in rows.itertuples()
        ]
        record["savings_text"] = savings_labels(p, register)
        record["status_date"] = when.iso() if (when := status_date(p)) else None
        record["standing"] = standing(p).value
        features.append(
            {
                "type": "Feature",
                "id": p.id,
                "geometry": {"type": "MultiPoint", "coordinates": points} if points else None,
                "properties": record,
            }
        )
    collection = {
        "type": "FeatureCollection",
        "name": f"Shared services partnerships, councils as in {network.year}",
        "licence": DATA_NOTE,
        "attribution": attribution_lines(),
        "features": features,
    }
    return json.dumps(collection, ensure_ascii=False, indent=1).encode("utf-8")
