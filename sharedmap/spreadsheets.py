"""Reading officers' spreadsheets (CSV in UTF-8, UTF-8 with BOM or Windows-1252, and XLSX) into header-mapped rows."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook
from rapidfuzz import fuzz, process

from sharedmap.errors import FileReadError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
HEADER_SEARCH_ROWS = 10

# Each field and the headers officers use for it; matched after lower-casing and dropping punctuation.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "ref", "reference", "partnership id", "partnership ref"),
    "name": ("name", "partnership", "partnership name", "name of partnership", "partnership title", "title",
              "arrangement", "shared service", "project"),
    "councils": ("councils", "councils involved", "member councils", "partner councils", "authorities",
                 "local authorities", "members", "councils sharing", "council partners", "partner authorities"),
    "council_ids": ("council ids", "council codes", "register ids"),
    "other_partners": ("other partners", "non council partners", "other organisations", "other bodies",
                       "external partners"),
    "services": ("services", "service", "service area", "service areas", "shared services", "service type",
                 "type of service", "services shared"),
    "status": ("status", "stage", "current status", "state"),
    "start": ("start", "start date", "started", "date started", "began", "commenced", "from", "start year",
              "go live", "go live date"),
    "end": ("end", "end date", "ended", "date ended", "until", "to", "end year"),
    "savings": ("savings", "saving", "savings gbp", "savings amount", "annual savings", "amount saved",
                "savings achieved", "savings made", "efficiency savings"),
    "savings_kind": ("savings kind", "savings type", "kind of saving", "type of saving", "type of savings"),
    "savings_period": ("savings period", "period"),
    "description": ("description", "details", "summary", "what is shared", "about"),
    "source_url": ("source", "source url", "source link", "sources", "link", "url", "web link",
                   "reference url", "more information"),
    "source_title": ("source title", "source name"),
    "source_date": ("source date", "date of source", "published"),
    "notes": ("notes", "comments", "savings note", "note"),
    "verified_on": ("verified on", "verified", "date verified", "last verified", "checked on", "last checked",
                    "date checked"),
    "evidence": ("evidence", "evidence note", "where in the source", "source evidence"),
}
REQUIRED_FIELDS = ("name", "councils", "services")


@dataclass
class Table:
    """A spreadsheet read into rows keyed by our field names, remembering each row's spreadsheet number."""

    file: str
    encoding: str
    columns: dict[str, str]  # original header → field
    ignored: list[str]
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)


def normalise_header(text: object) -> str:
    lowered = str(text or "").lower().replace("£", " gbp ").replace("&", " and ")
    lowered = re.sub(r"\((s|es)\)", "s", lowered)
    lowered = re.sub(r"[^a-z0-9]+", " ", lowered)
    return " ".join(lowered.split())


_ALIAS_TO_FIELD = {normalise_header(a): f for f, aliases in FIELD_ALIASES.items() for a in aliases}


def match_header(header: object) -> str | None:
    key = normalise_header(header)
    if not key:
        return None
    if key in _ALIAS_TO_FIELD:
        return _ALIAS_TO_FIELD[key]
    stripped = re.sub(r"\b(gbp|the|of|e g|optional|required)\b", " ", key)
    stripped = " ".join(stripped.split())
    if stripped in _ALIAS_TO_FIELD:
        return _ALIAS_TO_FIELD[stripped]
    best = process.extractOne(stripped, list(_ALIAS_TO_FIELD), scorer=fuzz.ratio)
    if best and best[1] >= 88:
        return _ALIAS_TO_FIELD[best[0]]
    return None


def decode_text(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was in: UTF-8 (with or without BOM), else Windows-1252 as Excel saves it."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise FileReadError(f"cannot decode the file as UTF-8 or Windows-1252 (byte {exc.start})") from exc


def read_table(source: str | Path | bytes, filename: str | None = None) -> Table:
    """Read a CSV or XLSX file (a path or its bytes) into a Table; FileReadError says why one cannot be read."""
    if isinstance(source, bytes):
        data = source
        name = filename or "upload"
    else:
        path = Path(source)
        name = filename or path.name
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise FileReadError(f"cannot open {path}: {exc.strerror or exc}") from exc
    if not data.strip():
        raise FileReadError(f"{name} is empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise FileReadError(f"{name} is {len(data) / 1e6:.1f} MB; the limit is {MAX_UPLOAD_BYTES / 1e6:.0f} MB")
    if data.startswith(b"PK"):
        grid = _read_xlsx(data, name)
        encoding = "xlsx"
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileReadError(f"{name} is an old Excel .xls file; save it as .xlsx or CSV and try again")
    elif b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileReadError(f"{name} is not a spreadsheet (it looks like a binary file); upload CSV or XLSX")
    else:
        text, encoding = decode_text(data)
        grid = _read_csv(text)
    return _to_table(grid, name, encoding)


def _read_csv(text: str) -> list[list[object]]:
    first = text.split("\n", 1)[0]
    delimiter = ","
    if "\t" in first and "," not in first:
        delimiter = "\t"
    elif ";" in first and "," not in first:
        delimiter = ";"
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _read_xlsx(data: bytes, name: str) -> list[list[object]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileReadError(f"{name} is not a readable XLSX workbook ({exc})") from exc
    sheets = sorted(book.worksheets, key=lambda ws: "partnership" not in ws.title.lower())
    for sheet in sheets:
        grid = [list(row) for row in sheet.iter_rows(values_only=True)]
        if _find_header(grid) is not None:
            return grid
    return [list(row) for row in sheets[0].iter_rows(values_only=True)] if sheets else []


def _find_header(grid: list[list[object]]) -> int | None:
    """Index of the header row: the first of the top rows that names at least two of our fields."""
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        fields = {match_header(cell) for cell in row if cell not in (None, "")}
        fields.discard(None)
        if len(fields) >= 2:
            return index
    return None


def _to_table(grid: list[list[object]], name: str, encoding: str) -> Table:
    header_index = _find_header(grid)
    if header_index is None:
        raise FileReadError(
            f"{name}: no header row found in the first {HEADER_SEARCH_ROWS} rows; expected columns such as "
            + ", ".join(REQUIRED_FIELDS)
        )
    headers = grid[header_index]
    columns: dict[str, str] = {}
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for position, header in enumerate(headers):
        field_name = match_header(header)
        label = str(header).strip() if header is not None else ""
        if field_name and field_name not in positions:
            positions[field_name] = position
            columns[label] = field_name
        elif label:
            ignored.append(label)
    missing = [f for f in REQUIRED_FIELDS if f not in positions]
    if missing:
        found = ", ".join(str(h) for h in headers if h not in (None, "")) or "none"
        raise FileReadError(f"{name}: missing required column(s): {', '.join(missing)} (found: {found})")
    table = Table(file=name, encoding=encoding, columns=columns, ignored=ignored)
    for offset, row in enumerate(grid[header_index + 1 :], start=header_index + 2):
        if all(cell in (None, "") or str(cell).strip() == "" for cell in row):
            continue
        values = {f: (row[p] if p < len(row) else None) for f, p in positions.items()}
        table.rows.append((offset, values))
    if not table.rows:
        raise FileReadError(f"{name}: the header is there but no rows of data follow it")
    return table
