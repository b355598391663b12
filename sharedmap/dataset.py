"""The published partnerships: the store's current version, seeded from the table in data/ on first start."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sharedmap import config
from sharedmap.errors import ValidationError
from sharedmap.partnerships import Partnership
from sharedmap.register import Register, load_register
from sharedmap.store import Store, open_store
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


def seeded_store(register: Register | None = None) -> Store:
    """The process's store (SHAREDMAP_DATABASE_URL), migrated, and seeded from the seed file on first start."""
    store = open_store()
    if store.current_label() is None:
        _seed(store, register)
    return store


def load_published(register: Register | None = None) -> tuple[str, list[Partnership]]:
    """The version label and partnerships every view shows: the store's published version. The label changes
    with every publish, so caches keyed by it refresh; while it stays the same this costs one small query."""
    store = open_store()
    found = store.published()
    if found is None:
        _seed(store, register)
        found = store.published()
    return found


def _seed(store: Store, register: Register | None) -> None:
    path = seed_path()
    store.ensure_seeded(load_seed(path, register), path.name, hashlib.sha256(path.read_bytes()).hexdigest())
