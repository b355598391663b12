"""The published partnerships: the store's current version, seeded from the table in data/ on first start.

When the database goes away, visitors keep the last published version this process read (kept in memory, and in
the SHAREDMAP_SNAPSHOT file when set, so a copy restarted during the outage has it too): ``load_published`` then
raises ``StoreUnavailableError`` carrying it as ``last_good``, and the app shows it under a banner. While the
database stays away it is tried again every SHAREDMAP_STORE_RETRY_SECONDS, one request at a time, so visitors
never queue behind a dead connection; the first successful try resumes everything, with no restart.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sharedmap import config, events
from sharedmap.errors import StoreError, StoreUnavailableError, ValidationError
from sharedmap.partnerships import Partnership, to_record
from sharedmap.publishing.store import Store, open_store
from sharedmap.register import Register, load_register
from sharedmap.renderable import load_records
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


@dataclass(frozen=True)
class LastGood:
    """The last published version this process read from the store: what visitors see while it is unreachable."""

    label: str
    partnerships: tuple[Partnership, ...]
    published_at: datetime | None
    source: str  # "memory" or "snapshot" (the SHAREDMAP_SNAPSHOT file)


@dataclass
class _Health:
    last_good: LastGood | None = None
    down_since: datetime | None = None
    reason: str = ""
    next_try: float = 0.0  # time.monotonic() after which the store is tried again


_health = _Health()
_health_lock = threading.Lock()


def load_published(register: Register | None = None) -> tuple[str, list[Partnership]]:
    """The version label and partnerships every view shows: the store's published version. The label changes
    with every publish, so caches keyed by it refresh; while it stays the same this costs one small query.
    Raises StoreUnavailableError (with ``last_good`` when there is one) while the database cannot be reached."""
    with _health_lock:
        waiting = _health.down_since is not None and time.monotonic() < _health.next_try
        if not waiting and _health.down_since is not None:  # this request tries again; others keep the fallback
            _health.next_try = time.monotonic() + _retry_seconds()
        reason = _health.reason
    if waiting:
        raise StoreUnavailableError(reason, last_good())
    try:
        store = open_store()
        found = store.published()
        if found is None:
            _seed(store, register)
            found = store.published()
        if found is None:  # seeding publishes version 1 unless another replica published first
            raise StoreError("the store has no published version even after seeding it")
    except StoreUnavailableError as exc:
        _went_down(str(exc))
        raise StoreUnavailableError(str(exc), last_good()) from exc
    _answered(store, found)
    return found


def unshown(label: str) -> list:
    """Records of the published version ``label`` left out because they cannot be read (renderable.Unshown)."""
    return open_store().unshown(label)


def last_good() -> LastGood | None:
    """What this process would show without the store: the version in memory, else the snapshot file's."""
    with _health_lock:
        if _health.last_good is None:
            _health.last_good = _read_snapshot()
        return _health.last_good


def reset_health() -> None:
    """Forget the last good version and any outage: for tests, and for a process that switches databases."""
    global _health
    with _health_lock:
        _health = _Health()


def _retry_seconds() -> float:
    return float(config.get("SHAREDMAP_STORE_RETRY_SECONDS"))


def _went_down(reason: str) -> None:
    with _health_lock:
        first = _health.down_since is None
        if first:
            _health.down_since = datetime.now(UTC)
        _health.reason = reason
        _health.next_try = time.monotonic() + _retry_seconds()
    if first:
        events.record("store_unavailable", "down", reason=reason)


def _answered(store: Store, found: tuple[str, list[Partnership]]) -> None:
    """The store answered: end any outage, and keep a new version as the last good one (and in the snapshot)."""
    label, partnerships = found
    with _health_lock:
        since = _health.down_since  # when the outage that ends now began, if there was one
        _health.down_since = None
        _health.reason = ""
        known = _health.last_good
    if since is not None:
        events.record("store_recovered", "success", down_seconds=round((datetime.now(UTC) - since).total_seconds(), 1))
    if known is not None and known.label == label and known.source == "memory":
        return
    try:
        number, current = store.current()
        published_at = store.version(number).created_at if number is not None and current == label else None
    except StoreUnavailableError:  # gone again this instant: the time is only for the banner
        published_at = None
    good = LastGood(label, tuple(partnerships), published_at, "memory")
    with _health_lock:
        _health.last_good = good
    _write_snapshot(good)


def _snapshot_path() -> Path | None:
    configured = config.get("SHAREDMAP_SNAPSHOT").strip()
    return Path(configured) if configured else None


def _write_snapshot(good: LastGood) -> None:
    """Replace the snapshot file in one step (write aside, then rename), so a crash never leaves half a file."""
    path = _snapshot_path()
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "label": good.label,
        "published_at": good.published_at.isoformat() if good.published_at else None,
        "records": [to_record(p) for p in good.partnerships],
    }
    aside = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    aside.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    os.replace(aside, path)


def _read_snapshot() -> LastGood | None:
    path = _snapshot_path()
    if path is None or not path.exists():
        return None
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        published_at = datetime.fromisoformat(payload["published_at"]) if payload.get("published_at") else None
        loaded, _unreadable = load_records(payload["records"])
        return LastGood(payload["label"], tuple(loaded), published_at, "snapshot")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        events.record("snapshot_unreadable", "failure", path=str(path), reason=str(exc))
        return None


def _seed(store: Store, register: Register | None) -> None:
    path = seed_path()
    store.ensure_seeded(load_seed(path, register), path.name, hashlib.sha256(path.read_bytes()).hexdigest())
