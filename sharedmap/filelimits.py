"""What one officer's file may hold (the SHAREDMAP_MAX_* settings), and the messages for a file past a limit: shared
by the CSV reader (sharedmap.spreadsheets) and the workbook reader (sharedmap.workbook_reader)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sharedmap import config
from sharedmap.errors import FileReadError

HEADER_SEARCH_ROWS = 10
# SHAREDMAP_MAX_UPLOAD_MB's default in bytes (MB of 2**20 bytes, as Streamlit counts)
MAX_UPLOAD_BYTES = int(float(config.default("SHAREDMAP_MAX_UPLOAD_MB")) * 1024 * 1024)


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


def too_many_rows(name: str, limits: Limits) -> FileReadError:
    return FileReadError(
        f"{name} has more than {limits.rows:,} rows; the limit is {limits.rows:,} "
        "(SHAREDMAP_MAX_ROWS): split it into smaller files"
    )


def check_row(row: Sequence[object], number: int, name: str, limits: Limits) -> None:
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
