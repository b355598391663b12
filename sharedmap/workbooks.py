"""Reading an XLSX workbook as a person sees it, within a budget: every part of the zip checked before any parse,
then the visible sheets streamed row by row.

A workbook is a zip of XML written by any program, so nothing in it is trusted: the number of parts, each part's
unpacked size and compression ratio, and the whole are checked first (sheets, styles and shared strings alike);
shared strings and styles are streamed with limits; a sheet is streamed (``iterparse``, each row freed once read)
and the caller stops it at the row limit. Hidden sheets are never read; hidden rows are reported, so the caller can
refuse them; rows that are only formatting hold no values and are not rows; a formula with no saved value is named.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError, iterparse

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import from_excel

from sharedmap.cellformat import shown_text
from sharedmap.errors import FileReadError

MAX_PARTS = 500  # a workbook saved by Excel holds 10–30 parts
MAX_PART_BYTES = 16 * 1024 * 1024  # any one part unpacked (a 2,000-row sheet is ~3 MB)
MAX_UNPACKED = 50 * 1024 * 1024  # the whole workbook unpacked
MAX_RATIO = 100  # unpacked / packed for a part over RATIO_FLOOR: XML compresses ~5–30 times, a bomb thousands
RATIO_FLOOR = 1024 * 1024


@dataclass(frozen=True)
class Sheet:
    name: str
    path: str
    hidden: bool


@dataclass
class Row:
    number: int  # as the spreadsheet numbers it
    hidden: bool
    cells: list[object]
    formula_without_value: int | None = None  # column position of the first formula with no saved value
    widest: int = 0  # columns up to the last one holding a value, including those past the width read
    hidden_value_at: int | None = None  # column position of the first value in a hidden column


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def check_parts(archive: zipfile.ZipFile, name: str) -> None:
    """Refuse a workbook whose parts are too many, too big or compressed like a bomb, before any is parsed."""
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise FileReadError(
            f"{name} holds {len(parts):,} parts; a workbook holds a few dozen (the limit is {MAX_PARTS})"
        )
    total = sum(info.file_size for info in parts)
    if total > MAX_UNPACKED:
        raise FileReadError(
            f"{name} unpacks to {total / 1e6:,.0f} MB, far more than a partnerships workbook holds; save only the "
            "partnerships sheet and try again"
        )
    for info in parts:
        if info.file_size > MAX_PART_BYTES:
            raise FileReadError(
                f"{name}: its part {info.filename} unpacks to {info.file_size / 1e6:,.0f} MB, far more than a "
                "partnerships workbook needs; save only the partnerships and try again"
            )
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise FileReadError(
                f"{name}: its part {info.filename} is compressed {info.file_size // max(info.compress_size, 1):,} "
                f"times (a workbook's XML compresses less than {MAX_RATIO} times); save it again from your "
                "spreadsheet program"
            )


def _parse(archive: zipfile.ZipFile, path: str) -> Iterator:
    with archive.open(path) as stream:
        yield from iterparse(stream, events=("end",))


def _stream_rows(archive: zipfile.ZipFile, path: str) -> Iterator:
    """A sheet's column and row elements as each ends (the caller clears each row, so its cells are freed once
    read); the columns come first, so a hidden column is known before its values."""
    with archive.open(path) as stream:
        for _event, element in iterparse(stream, events=("end",)):
            tag = element.tag
            if tag in ("row", "col") or tag.endswith(("}row", "}col")):
                yield element


def sheets(archive: zipfile.ZipFile) -> list[Sheet]:
    """The workbook's sheets in order, each with its part and whether it is hidden."""
    targets = {}
    rels = "xl/_rels/workbook.xml.rels"
    if rels in archive.namelist():
        for _event, element in _parse(archive, rels):
            if _local(element.tag) == "Relationship":
                target = element.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
                targets[element.get("Id")] = path
    found = []
    for _event, element in _parse(archive, "xl/workbook.xml"):
        if _local(element.tag) == "sheet":
            rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            path = targets.get(rid, "")
            if path in archive.namelist():
                found.append(Sheet(element.get("name", ""), path, element.get("state", "visible") != "visible"))
    return found


def shared_strings(archive: zipfile.ZipFile, name: str, most: int) -> list[str]:
    """The shared strings, streamed; more than ``most`` (what the row and column limits could use) is refused."""
    path = "xl/sharedStrings.xml"
    if path not in archive.namelist():
        return []
    strings: list[str] = []
    for _event, element in _parse(archive, path):
        if _local(element.tag) == "si":
            strings.append("".join(t.text or "" for t in element.iter() if _local(t.tag) == "t"))
            element.clear()
            if len(strings) > most:
                raise FileReadError(
                    f"{name} holds more than {most:,} different texts, more than its rows and columns can use; "
                    "save only the partnerships sheet and try again"
                )
    return strings


@dataclass(frozen=True)
class Styles:
    """The cell styles (by index) that matter to reading a value: those whose number format shows a date, and the
    number format of every other style (what a number cell displays: ``cellformat.shown_text``)."""

    dates: frozenset[int] = frozenset()
    formats: dict[int, str] = field(default_factory=dict)


def date_styles(archive: zipfile.ZipFile) -> Styles:
    """The workbook's cell styles (``Styles``), read from xl/styles.xml as a stream."""
    path = "xl/styles.xml"
    if path not in archive.namelist():
        return Styles()
    formats = dict(BUILTIN_FORMATS)
    dates: set[int] = set()
    shown: dict[int, str] = {}
    in_xfs, index = False, 0
    with archive.open(path) as stream:
        for event, element in iterparse(stream, events=("start", "end")):
            tag = _local(element.tag)
            if tag == "numFmt" and event == "end":
                formats[int(element.get("numFmtId", "0"))] = element.get("formatCode", "")
            elif tag == "cellXfs":
                in_xfs = event == "start"
            elif tag == "xf" and in_xfs and event == "end":
                code = formats.get(int(element.get("numFmtId", "0")), "")
                if is_date_format(code):
                    dates.add(index)
                elif code and code.lower() != "general":
                    shown[index] = code
                index += 1
            if event == "end" and tag not in ("numFmts", "cellXfs"):
                element.clear()
    return Styles(frozenset(dates), shown)


_COLUMNS: dict[str, int] = {}  # column letters → position, filled as met


def column_position(reference: str) -> int | None:
    """ "BJ12" → 61; None for a reference that is not a cell's."""
    letters = reference.rstrip("0123456789")
    known = _COLUMNS.get(letters)
    if known is not None:
        return known if len(letters) < len(reference) else None
    if not (0 < len(letters) <= 3 and len(letters) < len(reference) and letters.isascii() and letters.isupper()):
        return None
    position = 0
    for letter in letters:
        if not "A" <= letter <= "Z":
            return None
        position = position * 26 + ord(letter) - 64
    if len(_COLUMNS) < 20_000:
        _COLUMNS[letters] = position - 1
    return position - 1


def _value(cell, strings: list[str], styles: Styles) -> tuple[object, bool]:
    """A cell's value as the spreadsheet shows it, and whether it is a formula with no saved value: a number whose
    format adds text ("£"0.0"m") is the text it shows (``cellformat.shown_text``)."""
    kind = cell.get("t", "n")
    raw = formula = None
    text_parts = []
    for child in cell:
        tag = _local(child.tag)
        if tag == "v":
            raw = child.text
        elif tag == "f":
            formula = True
        elif tag == "is":
            text_parts = [t.text or "" for t in child.iter() if _local(t.tag) == "t"]
    if kind == "inlineStr":
        return "".join(text_parts), False
    if raw is None:
        return None, bool(formula)
    if kind == "s":
        index = int(raw)
        return (strings[index] if 0 <= index < len(strings) else None), False
    if kind in ("str", "e"):
        return raw, False
    if kind == "b":
        return raw.strip() in ("1", "true"), False
    if kind == "d":
        return dt.datetime.fromisoformat(raw.strip()), False
    number: float | int = float(raw) if any(c in raw for c in ".eE") else int(raw)
    style = int(cell.get("s", "0"))
    if style in styles.dates:
        return from_excel(number), False
    shown = shown_text(number, styles.formats.get(style))
    return (number if shown is None else shown), False


def rows(
    archive: zipfile.ZipFile, sheet: Sheet, strings: list[str], dates: Styles, width: int, name: str
) -> Iterator[Row]:
    """The sheet's rows that hold a value (up to ``width`` columns), streamed; each row is freed once read."""
    number = 0
    hidden_columns: set[int] = set()
    try:
        for element in _stream_rows(archive, sheet.path):
            if _local(element.tag) == "col":
                if element.get("hidden", "0") in ("1", "true"):
                    first, last = int(element.get("min", "1")), int(element.get("max", "1"))
                    hidden_columns.update(range(first - 1, min(last, width + 1)))
                continue
            number = int(element.get("r") or number + 1)
            cells: list[object] = []
            formula_at = None
            hidden_at = None
            widest = 0
            cell_tag, position = element.tag[:-3] + "c", -1
            for cell in element:
                if cell.tag != cell_tag:
                    continue
                reference = cell.get("r")
                found = column_position(reference) if reference else None
                position = position + 1 if found is None else found
                if position >= width:
                    if len(cell) and any(_local(child.tag) in ("v", "is") for child in cell):
                        widest = max(widest, position + 1)
                    continue
                value, no_value = _value(cell, strings, dates)
                if no_value and formula_at is None:
                    formula_at = position
                if value is None or value == "":
                    continue
                if position in hidden_columns and hidden_at is None:
                    hidden_at = position
                cells.extend([None] * (position + 1 - len(cells)))
                cells[position] = value
            hidden = element.get("hidden", "0") in ("1", "true")
            element.clear()
            if cells or formula_at is not None or widest:
                yield Row(number, hidden, cells, formula_at, max(widest, len(cells)), hidden_value_at=hidden_at)
    except (ParseError, ValueError, IndexError, KeyError) as exc:
        raise FileReadError(
            f"{name} is not a readable XLSX workbook (its sheet {sheet.name!r} cannot be read after row "
            f"{number}: {exc})"
        ) from exc
