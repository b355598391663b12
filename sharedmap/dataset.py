"""The published partnerships: the seed table in data/ until the store holds a published version."""

from __future__ import annotations

from pathlib import Path

from sharedmap import config
from sharedmap.errors import ValidationError
from sharedmap.partnerships import Partnership
from sharedmap.register import Register, load_register
from sharedmap.validate import validate_file


def seed_path() -> Path:
    return Path(config.get("SHAREDMAP_PARTNERSHIPS"))


def load_seed(path: str | Path | None = None, register: Register | None = None) -> list[Partnership]:
    """Every partnership of the seed file; the seed must be fully valid, so one bad row is an error."""
    report = validate_file(path or seed_path(), register or load_register())
    for row in report.rows:
        if row.errors:
            first = row.errors[0]
            raise ValidationError(first.column, first.value, f"row {row.row} of the seed file: {first.message}")
    return report.partnerships


def load_published(register: Register | None = None) -> tuple[str, list[Partnership]]:
    """The version label and partnerships every view shows. Until the store exists this is the seed file;
    the store replaces this with its current published version (the label keys the app's caches)."""
    path = seed_path()
    return f"seed:{path.stat().st_mtime_ns}", load_seed(path, register)
