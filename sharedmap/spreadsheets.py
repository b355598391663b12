"""Reading officers' spreadsheets (CSV in UTF-8, UTF-8 with BOM or Windows-1252, and XLSX) into header-mapped rows."""

from __future__ import annotations

import csv
import io
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

from sharedmap import config
from sharedmap.errors import FileReadError
from sharedmap.filelimits import (  # re-exported: the limits are read through this module elsewhere
    HEADER_SEARCH_ROWS,
    MAX_UPLOAD_BYTES,
    Limits,
    check_row,
    column_letter,
    max_upload_bytes,
    too_big,
    too_many_rows,
)
from sharedmap.workbook_reader import read_workbook

__all__ = [
    "FIELD_ALIASES",
    "HEADER_SEARCH_ROWS",
    "MAX_UPLOAD_BYTES",
    "REQUIRED_FIELDS",
    "Limits",
    "Table",
    "column_letter",
    "max_upload_bytes",
    "read_table",
    "too_big",
    "too_many_rows",
]

# Each field and the headers officers use for it; matched after lower-casing and dropping punctuation.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "ref", "reference", "partnership id", "partnership ref"),
    "name": (
        "name",
        "partnership",
        "partnership name",
        "name of partnership",
        "partnership title",
        "title",
        "arrangement",
        "shared service",
        "project",
    ),
    "councils": (
        "councils",
        "councils involved",
        "member councils",
        "partner councils",
        "authorities",
        "local authorities",
        "members",
        "councils sharing",
        "council partners",
        "partner authorities",
    ),
    "council_ids": ("council ids", "council codes", "register ids"),
    "other_partners": (
        "other partners",
        "non council partners",
        "other organisations",
        "other bodies",
        "external partners",
    ),
    "services": (
        "services",
        "service",
        "service area",
        "service areas",
        "shared services",
        "service type",
        "type of service",
        "services shared",
    ),
    "status": ("status", "stage", "current status", "state"),
    "start": (
        "start",
        "start date",
        "started",
        "date started",
        "began",
        "commenced",
        "from",
        "start year",
        "go live",
        "go live date",
    ),
    "end": ("end", "end date", "ended", "date ended", "until", "to", "end year"),
    "savings": (
        "savings",
        "saving",
        "savings gbp",
        "savings amount",
        "annual savings",
        "amount saved",
        "savings achieved",
        "savings made",
        "efficiency savings",
    ),
    "savings_kind": ("savings kind", "savings type", "kind of saving", "type of saving", "type of savings"),
    "savings_period": ("savings period", "period"),
    "description": ("description", "details", "summary", "what is shared", "about"),
    "source_url": (
        "source",
        "source url",
        "source link",
        "sources",
        "link",
        "url",
        "web link",
        "reference url",
        "more information",
    ),
    "source_title": ("source title", "source name"),
    "source_date": ("source date", "date of source", "published"),
    "notes": ("notes", "comments", "savings note", "note"),
    "verified_on": (
        "verified on",
        "verified",
        "date verified",
        "last verified",
        "checked on",
        "last checked",
        "date checked",
    ),
    "evidence": ("evidence", "evidence note", "where in the source", "source evidence"),
    "status_source_url": ("status source url", "status source", "status link", "status evidence link"),
    "status_source_date": ("status source date", "status evidence date"),
    "status_evidence": ("status evidence", "status evidence note", "where the status is stated"),
    "status_confirmed_by": ("status confirmed by", "confirmed by", "confirming council"),
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
    read_seconds: float = 0.0  # reading took this much of the file's time budget (SHAREDMAP_UPLOAD_SECONDS)


# A letter or sign written in UTF-8 (two or three bytes): Windows-1252 text almost never holds one, as it would
# have to pair an accented capital or 'â'-like letter with a symbol from 0x80-0xBF.
UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")


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


def wide_encoding(data: bytes) -> str | None:
    """UTF-32 or UTF-16 saved without its mark, told by where the zero bytes fall in the first characters."""
    head = data[:8]
    if len(head) < 8:
        return None
    nonzero: tuple[bool, ...] = tuple(byte != 0 for byte in head)
    wide: dict[tuple[bool, ...], str] = {
        (True, False, False, False) * 2: "utf-32-le",
        (False, False, False, True) * 2: "utf-32-be",
        (True, False) * 4: "utf-16-le",
        (False, True) * 4: "utf-16-be",
    }
    return wide.get(nonzero)


def decode_text(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was in: UTF-8 (with or without BOM), else Windows-1252 as Excel saves it."""
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8"), "utf-8-sig"
        if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
            return data.decode("utf-32"), "utf-32"
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16"), "utf-16"
    except UnicodeDecodeError as exc:
        raise FileReadError(
            f"the file starts with a Unicode mark but byte {exc.start} is not in that encoding; "
            "save it again as CSV UTF-8"
        ) from exc
    if wide := wide_encoding(data):
        try:
            return data.decode(wide), wide
        except UnicodeDecodeError as exc:
            raise FileReadError(
                f"the file looks like {wide.upper()} text but byte {exc.start} is not; save it again as CSV UTF-8"
            ) from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if UTF8_SEQUENCE.search(data):  # read as Windows-1252, its UTF-8 '£' would become 'Â£', silently
            raise FileReadError(
                f"the file is UTF-8 text but byte {exc.start} is not (it mixes two encodings, as a file pasted "
                "together from two programs can); save it again as CSV UTF-8"
            ) from exc
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise FileReadError(f"cannot decode the file as UTF-8 or Windows-1252 (byte {exc.start})") from exc


def read_table(source: str | Path | bytes, filename: str | None = None, limits: Limits | None = None) -> Table:
    """Read a CSV or XLSX file (a path or its bytes) into a Table; FileReadError says why one cannot be read.
    Every limit is checked while reading, so an oversized file costs no more than reading up to the limit."""
    limits = limits or Limits.from_settings()
    started = time.monotonic()
    deadline = started + config.get_number("SHAREDMAP_UPLOAD_SECONDS")
    if isinstance(source, bytes):
        data = source
        name = filename or "upload"
    else:
        path = Path(source)
        name = filename or path.name
        try:
            if path.stat().st_size > limits.upload_bytes:
                raise too_big(name, path.stat().st_size, limits.upload_bytes)
            data = path.read_bytes()
        except OSError as exc:
            raise FileReadError(f"cannot open {path}: {exc.strerror or exc}") from exc
    if not data.strip():
        raise FileReadError(f"{name} is empty")
    if len(data) > limits.upload_bytes:
        raise too_big(name, len(data), limits.upload_bytes)
    if data.startswith(b"PK"):
        grid, encoding = read_workbook(data, name, limits, deadline, _has_header), "xlsx"
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileReadError(f"{name} is an old Excel .xls file; save it as .xlsx or CSV and try again")
    elif (
        not data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff"))
        and b"\x00" in data
        and not wide_encoding(data)
    ):
        at = data.index(b"\x00")
        kind = "looks like a binary file" if at < 4096 else f"has a NUL byte at byte {at}, which text never holds"
        raise FileReadError(f"{name} is not a spreadsheet (it {kind}); upload CSV or XLSX")
    else:
        try:
            text, encoding = decode_text(data)
        except FileReadError as exc:
            raise FileReadError(f"{name}: {exc}") from exc
        grid = _read_csv(text, name, limits)
    table = _to_table(grid, name, encoding)
    table.read_seconds = time.monotonic() - started
    return table


def _read_csv(text: str, name: str, limits: Limits) -> list[list[object]]:
    first = text.split("\n", 1)[0]
    delimiter = ","
    if "\t" in first and "," not in first:
        delimiter = "\t"
    elif ";" in first and "," not in first:
        delimiter = ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    grid: list[list[object]] = []
    try:
        for row in reader:
            check_row(row, len(grid) + 1, name, limits)
            cells: list[object] = list(row)
            grid.append(cells)
        if text.count('"') % 2 and grid and any(isinstance(c, str) and (delimiter in c or "\n" in c) for c in grid[-1]):
            raise FileReadError(
                f"{name}: row {len(grid)} opens a quote that is never closed, so the rest of the file was read into "
                "one cell; close the quote (or remove it) and try again"
            )
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise FileReadError(
                f"{name}: line {reader.line_num} holds a cell of more than 131,072 characters; the "
                f"limit is {limits.cell_chars:,} (SHAREDMAP_MAX_CELL_CHARS)"
            ) from exc
        raise FileReadError(f"{name}: line {reader.line_num} is not valid CSV ({exc})") from exc
    return grid


def _has_header(grid: list[list[object]]) -> bool:
    return _find_header(grid) is not None


def _find_header(grid: list[list[object]]) -> int | None:
    """Index of the header row: the first of the top rows that names at least two of our fields."""
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        fields = {match_header(cell) for cell in row if cell not in (None, "")}
        fields.discard(None)
        if len(fields) >= 2:
            return index
    return None


def _refuse_swallowed_rows(row: list[object], number: int, headers: list[object], name: str) -> None:
    """A quote left open in a CSV cell swallows the rows after it into that cell; read on, they would be lost (and,
    missing from the file, withdrawn). A cell running over lines, one of which looks like a row of the file (half
    the header's separators or more), is refused instead."""
    enough = max(2, (len(headers) - 1) // 2)
    for position, cell in enumerate(row):
        if not isinstance(cell, str) or "\n" not in cell:
            continue
        lines = cell.replace("\r\n", "\n").split("\n")
        separators = max(line.count(sep) for sep in ",;\t" for line in lines[1:])
        if separators >= enough:
            label = str(headers[position]).strip() if position < len(headers) and headers[position] else "cell"
            commas = sum(cell.count(sep) for sep in ",;\t")
            raise FileReadError(
                f"{name}: row {number}'s {label} runs over {len(lines)} lines and contains {commas} commas: an "
                "unclosed quote? Close the quote (or remove it) and try again; nothing was read"
            )


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
        if field_name and field_name in positions:
            first = positions[field_name]
            raise FileReadError(
                f"{name}: columns {column_letter(first)} ({str(headers[first]).strip()!r}) and "
                f"{column_letter(position)} ({label!r}) are both read as {field_name}; keep one"
            )
        if field_name:
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
        if encoding != "xlsx":
            _refuse_swallowed_rows(row, offset, headers, name)
        values = {f: (row[p] if p < len(row) else None) for f, p in positions.items()}
        table.rows.append((offset, values))
    if not table.rows:
        raise FileReadError(f"{name}: the header is there but no rows of data follow it")
    return table
