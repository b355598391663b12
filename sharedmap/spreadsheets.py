"""Reading officers' spreadsheets (CSV in UTF-8, UTF-8 with BOM or Windows-1252, and XLSX) into header-mapped rows."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.cell.read_only import EMPTY_CELL
from rapidfuzz import fuzz, process

from sharedmap import config
from sharedmap.cellformat import shown_text
from sharedmap.errors import FileReadError

HEADER_SEARCH_ROWS = 10
MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # SHAREDMAP_MAX_UPLOAD_MB's default (MB of 2**20 bytes, as Streamlit counts)
MAX_XLSX_UNPACKED = 50 * 1024 * 1024  # a workbook unpacking to more is refused (a 2,000-row sheet needs ~3 MB)
MAX_SHEET_XML = 16 * 1024 * 1024  # openpyxl scans a sheet once to size it (~8 MB/s), so bound what it scans
_XML_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")


@dataclass(frozen=True)
class Limits:
    """What one file may hold (the SHAREDMAP_MAX_* settings), checked while reading, before any row is checked."""

    upload_bytes: int
    rows: int
    columns: int
    cell_chars: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            int(config.get_number("SHAREDMAP_MAX_UPLOAD_MB") * 1024 * 1024),
            int(config.get_number("SHAREDMAP_MAX_ROWS")),
            int(config.get_number("SHAREDMAP_MAX_COLUMNS")),
            int(config.get_number("SHAREDMAP_MAX_CELL_CHARS")),
        )


def max_upload_bytes() -> int:
    return Limits.from_settings().upload_bytes


def too_big(name: str, size: int, limit: int) -> FileReadError:
    return FileReadError(
        f"{name} is {size / 2**20:.1f} MB; the limit is {limit / 2**20:g} MB (SHAREDMAP_MAX_UPLOAD_MB)"
    )


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
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8"), "utf-8-sig"
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16"), "utf-16"
    except UnicodeDecodeError as exc:
        raise FileReadError(
            f"the file starts with a Unicode mark but byte {exc.start} is not in that encoding; "
            "save it again as CSV UTF-8"
        ) from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise FileReadError(f"cannot decode the file as UTF-8 or Windows-1252 (byte {exc.start})") from exc


def read_table(source: str | Path | bytes, filename: str | None = None, limits: Limits | None = None) -> Table:
    """Read a CSV or XLSX file (a path or its bytes) into a Table; FileReadError says why one cannot be read.
    Every limit is checked while reading, so an oversized file costs no more than reading up to the limit."""
    limits = limits or Limits.from_settings()
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
        grid, encoding = _read_xlsx(data, name, limits), "xlsx"
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileReadError(f"{name} is an old Excel .xls file; save it as .xlsx or CSV and try again")
    elif not data.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\x00" in data:
        at = data.index(b"\x00")
        kind = "looks like a binary file" if at < 4096 else f"has a NUL byte at byte {at}, which text never holds"
        raise FileReadError(f"{name} is not a spreadsheet (it {kind}); upload CSV or XLSX")
    else:
        try:
            text, encoding = decode_text(data)
        except FileReadError as exc:
            raise FileReadError(f"{name}: {exc}") from exc
        grid = _read_csv(text, name, limits)
    return _to_table(grid, name, encoding)


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
            _check_row(row, len(grid) + 1, name, limits)
            cells: list[object] = list(row)
            grid.append(cells)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise FileReadError(
                f"{name}: line {reader.line_num} holds a cell of more than 131,072 characters; the "
                f"limit is {limits.cell_chars:,} (SHAREDMAP_MAX_CELL_CHARS)"
            ) from exc
        raise FileReadError(f"{name}: line {reader.line_num} is not valid CSV ({exc})") from exc
    return grid


def _check_row(row: Sequence[object], number: int, name: str, limits: Limits) -> None:
    """One clear message at the first row past a limit, before the rest of the file is even read."""
    if number > limits.rows + HEADER_SEARCH_ROWS:
        raise too_many_rows(name, limits)
    width = len(row)
    while width and row[width - 1] in (None, ""):
        width -= 1
    if width > limits.columns:
        raise FileReadError(
            f"{name}: row {number} has {width} columns; the limit is {limits.columns} (SHAREDMAP_MAX_COLUMNS)"
        )
    for position, cell in enumerate(row[:width]):
        if isinstance(cell, str) and len(cell) > limits.cell_chars:
            raise FileReadError(
                f"{name}: row {number}, column {column_letter(position)} holds {len(cell):,} "
                f"characters; the limit is {limits.cell_chars:,} (SHAREDMAP_MAX_CELL_CHARS)"
            )


def column_letter(position: int) -> str:
    """0 → A, 26 → AA: how a spreadsheet names a column."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _read_xlsx(data: bytes, name: str, limits: Limits) -> list[list[object]]:
    """The first sheet with a header row, read row by row (openpyxl's read-only mode), stopping at the limits.
    A workbook is a zip of XML written by any program, so openpyxl may fail on a crafted one in many ways; each
    becomes one message naming the file."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        _check_parts(archive, name, limits)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        raise FileReadError(f"{name} is not a readable XLSX workbook ({exc})") from exc
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheets = sorted(book.worksheets, key=lambda ws: "partnership" not in ws.title.lower())
            for sheet in sheets:
                grid = _sheet_rows(sheet, name, limits)
                if _find_header(grid) is not None:
                    return grid
            return _sheet_rows(sheets[0], name, limits) if sheets else []
        finally:
            book.close()
    except FileReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure inside openpyxl on a crafted workbook is "unreadable"
        raise FileReadError(f"{name} is not a readable XLSX workbook ({type(exc).__name__}: {str(exc)[:120]})") from exc


def _check_parts(archive: zipfile.ZipFile, name: str, limits: Limits) -> None:
    """Refuse a zip bomb, and a sheet past the row limit by counting its rows in the unpacked stream (stopping at
    the limit), before openpyxl parses anything."""
    parts = archive.infolist()
    if sum(info.file_size for info in parts) > MAX_XLSX_UNPACKED:
        raise FileReadError(
            f"{name} unpacks to {sum(i.file_size for i in parts) / 1e6:,.0f} MB, far more than a "
            "partnerships workbook holds; save only the partnerships sheet and try again"
        )
    most = limits.rows + HEADER_SEARCH_ROWS
    for info in parts:
        if not info.filename.startswith("xl/worksheets/"):
            continue
        if info.file_size > MAX_SHEET_XML:
            raise FileReadError(
                f"{name}: a sheet unpacks to {info.file_size / 1e6:,.0f} MB, far more than "
                f"{limits.rows:,} rows of partnerships need; save only the partnerships and try again"
            )
        rows, tail = 0, b""
        with archive.open(info) as stream:
            while chunk := stream.read(1 << 16):
                rows += len(_XML_ROW.findall(tail + chunk))
                tail = chunk[-16:] if not _XML_ROW.search(chunk[-16:]) else b""
                if rows > most:
                    raise too_many_rows(name, limits)


def too_many_rows(name: str, limits: Limits) -> FileReadError:
    return FileReadError(
        f"{name} has more than {limits.rows:,} rows; the limit is {limits.rows:,} "
        "(SHAREDMAP_MAX_ROWS): split it into smaller files"
    )


def _sheet_rows(sheet, name: str, limits: Limits) -> list[list[object]]:
    grid: list[list[object]] = []
    # max_row stops openpyxl before the limit; without it, it scans the whole sheet for its size first
    for cells in sheet.iter_rows(max_col=limits.columns + 1, max_row=limits.rows + HEADER_SEARCH_ROWS + 1):
        row = [None if cell is EMPTY_CELL else _cell_value(cell) for cell in cells]
        _check_row(row, len(grid) + 1, name, limits)
        grid.append(row)
    return grid


def _cell_value(cell) -> object:
    """A cell as the officer sees it: a number whose format adds text ("£"0.0"m") is the text it shows."""
    value = cell.value
    if not isinstance(value, int | float) or isinstance(value, bool):
        return value  # only a number has a number format to read
    shown = shown_text(value, getattr(cell, "number_format", None))
    return value if shown is None else shown


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
        values = {f: (row[p] if p < len(row) else None) for f, p in positions.items()}
        table.rows.append((offset, values))
    if not table.rows:
        raise FileReadError(f"{name}: the header is there but no rows of data follow it")
    return table
