"""The store: published versions of the partnerships, officers' submissions and the audit log, on SQLite or PostgreSQL.

Every publish writes a complete new version (one row per partnership, its ``to_record`` JSON) and then moves the
``store_state`` pointer, all in one transaction; old versions are never changed, so any of them can be shown or
restored. Reading the current version label is one small query, cheap enough for every rerun of every replica.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from sharedmap.errors import StoreError
from sharedmap.partnerships import Partnership, to_record
from sharedmap.publishing import db
from sharedmap.publishing.db import (
    audit_log,
    store_state,
    submission_changes,
    submissions,
    version_partnerships,
    versions,
)
from sharedmap.publishing.preview import KINDS, Change
from sharedmap.renderable import Unshown, load_records


class SubmissionStatus(StrEnum):
    """Where a submission stands: waiting for a reviewer, published, or closed without publishing."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Version:
    number: int
    label: str
    created_at: datetime
    created_by: str | None
    action: str  # seed | publish | rollback
    submission_id: int | None
    restored_from: int | None
    partnership_count: int
    note: str


@dataclass(frozen=True)
class Submission:
    id: int
    created_at: datetime
    submitted_by: str
    scope_council_id: str | None
    withdraw_missing: bool
    base_version: int | None
    file_name: str
    file_sha256: str
    file_rows: int
    fixes: int
    comment: str
    status: SubmissionStatus
    decided_by: str | None
    decided_at: datetime | None
    decision_comment: str
    published_version: int | None
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str | None
    action: str
    submission_id: int | None
    version: int | None
    file_name: str | None
    file_sha256: str | None
    counts: dict | None
    detail: str


class Store:
    """One database holding the published versions; pass it, with a signed-in user, to ``publishing.workflow``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._published: tuple[str, tuple[Partnership, ...]] | None = None
        self._unshown: tuple[str, tuple[Unshown, ...]] = ("", ())

    @classmethod
    def open(cls, url: str | None = None, migrate: bool = True) -> Store:
        """The store at ``url`` (default: SHAREDMAP_DATABASE_URL, else the SQLite file under var/), migrated."""
        store = cls(db.create_store_engine(url))
        if migrate:
            db.migrate(store.engine)
        return store

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction: all or nothing; a killed process leaves the store as it was before."""
        with db.transaction(self.engine, write=True) as connection:
            yield connection

    @contextmanager
    def read(self, connection: Connection | None = None) -> Iterator[Connection]:
        """A read transaction (or the caller's own ``connection``, to read inside a write)."""
        if connection is not None:
            yield connection
            return
        with db.transaction(self.engine) as own:
            yield own

    # Versions ----------------------------------------------------------------------------------------------------

    def current(self, connection: Connection | None = None) -> tuple[int | None, str | None]:
        """(number, label) of the published version, (None, None) before the first publish: one small query."""
        query = sa.select(store_state.c.current_version, store_state.c.current_label).where(store_state.c.id == 1)
        if connection is not None:
            row = connection.execute(query).one_or_none()
        elif self.backend == "postgresql":  # one statement, one round trip: no BEGIN/COMMIT around it
            with db.autocommit(self.engine) as conn:
                row = conn.execute(query).one_or_none()
        else:  # SQLite is a local file: its BEGIN/COMMIT cost no round trip (and we issue BEGIN ourselves)
            with self.read() as conn:
                row = conn.execute(query).one_or_none()
        if row is None:
            raise StoreError("the store has no state row; was it created by `python -m sharedmap` migrations?")
        return row.current_version, row.current_label

    def current_label(self) -> str | None:
        return self.current()[1]

    def lock_current(self, connection: Connection) -> int | None:
        """Take the publish lock (the state row) for this transaction and return the current version number."""
        row = connection.execute(
            sa.select(store_state.c.current_version).where(store_state.c.id == 1).with_for_update()
        ).one()
        return row.current_version

    def versions(self) -> list[Version]:
        with self.read(None) as conn:
            rows = conn.execute(sa.select(versions).order_by(versions.c.number.desc())).all()
        return [_version(r) for r in rows]

    def version(self, number: int, connection: Connection | None = None) -> Version:
        with self.read(connection) as conn:
            row = conn.execute(sa.select(versions).where(versions.c.number == number)).one_or_none()
        if row is None:
            raise StoreError(f"there is no version {number}; `python -m sharedmap history` lists them")
        return _version(row)

    def records(self, number: int | None = None, connection: Connection | None = None) -> list[dict]:
        """The partnership records of a version (default: the published one), in published order."""
        with self.read(connection) as conn:
            if number is None:
                number = self.current(conn)[0]
                if number is None:
                    return []
            else:
                self.version(number, conn)
            rows = conn.execute(
                sa.select(version_partnerships.c.record)
                .where(version_partnerships.c.version == number)
                .order_by(version_partnerships.c.position)
            ).all()
        return [row.record for row in rows]

    def partnerships(self, number: int | None = None) -> list[Partnership]:
        """The version's partnerships; a record that cannot be read is left out (``readable`` says which)."""
        return self.readable(number)[0]

    def readable(self, number: int | None = None) -> tuple[list[Partnership], list[Unshown]]:
        """The version's partnerships, and the records left out because they cannot be read."""
        return load_records(self.records(number))

    def unshown(self, label: str) -> list[Unshown]:
        """Records of the published version ``label`` that ``published`` left out because they cannot be read."""
        return list(self._unshown[1]) if self._unshown[0] == label else []

    def published(self) -> tuple[str, list[Partnership]] | None:
        """(label, partnerships) of the published version, None before the first; the partnerships are read again
        only when the label changed, so an unchanged store costs one small query."""
        label = self.current_label()
        if label is None:
            return None
        cached = self._published
        if cached is None or cached[0] != label:
            with self.read() as conn:
                number, label = self.current(conn)
                if label is None:  # nothing ever unpublishes, so the label read just now cannot vanish
                    raise StoreError("the published version vanished while it was being read")
                loaded, unshown = load_records(self.records(number, conn))
                cached = (label, tuple(loaded))
            self._published, self._unshown = cached, (label, tuple(unshown))
        return cached[0], list(cached[1])

    def ensure_seeded(
        self, partnerships: Sequence[Partnership], file_name: str | None = None, file_sha256: str | None = None
    ) -> Version | None:
        """Publish the seed as version 1 unless something is published already (replicas may race here)."""
        with self.write() as conn:
            if self.lock_current(conn) is not None:
                return None
            version = self.write_version(
                conn,
                [to_record(p) for p in partnerships],
                actor=None,
                action="seed",
                note=f"seeded from {file_name}" if file_name else "seeded",
            )
            self.audit(
                conn,
                "seed",
                None,
                version=version.number,
                file_name=file_name,
                file_sha256=file_sha256,
                counts={"partnerships": version.partnership_count},
            )
        return version

    def write_version(
        self,
        connection: Connection,
        records: Sequence[dict],
        *,
        actor: str | None,
        action: str,
        submission_id: int | None = None,
        restored_from: int | None = None,
        note: str = "",
    ) -> Version:
        """Write a complete new version and make it the published one; call inside ``write()`` after
        ``lock_current``. The label changes with every version, so caches keyed by it refresh."""
        ids = [r["id"] for r in records]
        if len(set(ids)) != len(ids):
            raise StoreError("a version cannot hold the same partnership id twice")
        number = (connection.execute(sa.select(sa.func.max(versions.c.number))).scalar() or 0) + 1
        label = f"v{number}-{secrets.token_hex(4)}"
        now = db.utcnow()
        connection.execute(
            versions.insert().values(
                number=number,
                label=label,
                created_at=now,
                created_by=actor,
                action=action,
                submission_id=submission_id,
                restored_from=restored_from,
                partnership_count=len(records),
                note=note,
            )
        )
        if records:
            connection.execute(
                version_partnerships.insert(),
                [
                    {"version": number, "partnership_id": r["id"], "position": i, "name": r["name"], "record": r}
                    for i, r in enumerate(records)
                ],
            )
        connection.execute(
            store_state.update()
            .where(store_state.c.id == 1)
            .values(current_version=number, current_label=label, updated_at=now)
        )
        return self.version(number, connection)

    # Submissions -------------------------------------------------------------------------------------------------

    def add_submission(self, connection: Connection, changes: Sequence[Change], **values) -> int:
        """Stage a submission (status pending) with its changes; returns its id."""
        values = {"created_at": db.utcnow(), "status": SubmissionStatus.PENDING, **values}
        inserted = connection.execute(submissions.insert().values(**values)).inserted_primary_key
        if inserted is None:
            raise StoreError("the database did not return the new submission's id")
        submission_id = inserted[0]
        connection.execute(
            submission_changes.insert(),
            [
                {
                    "submission_id": submission_id,
                    "partnership_id": c.partnership_id,
                    "position": i,
                    "kind": c.kind,
                    "name": c.name,
                    "row": c.row,
                    "matched_by": c.matched_by,
                    "record": c.record,
                    "base_record": c.base_record,
                    "read_from": list(c.read_from) or None,
                }
                for i, c in enumerate(changes)
            ],
        )
        return submission_id

    def submissions(self, status: SubmissionStatus | None = None) -> list[Submission]:
        """Newest first, each with its counts of new/changed/unchanged/withdrawn partnerships."""
        query = sa.select(submissions).order_by(submissions.c.id.desc())
        if status:
            query = query.where(submissions.c.status == status)
        with self.read(None) as conn:
            rows = conn.execute(query).all()
            tallies = conn.execute(
                sa.select(
                    submission_changes.c.submission_id, submission_changes.c.kind, sa.func.count().label("n")
                ).group_by(submission_changes.c.submission_id, submission_changes.c.kind)
            ).all()
        counts: dict[int, dict[str, int]] = {}
        for tally in tallies:
            counts.setdefault(tally.submission_id, dict.fromkeys(KINDS, 0))[tally.kind] = tally.n
        return [_submission(r, counts.get(r.id, dict.fromkeys(KINDS, 0))) for r in rows]

    def submission(self, submission_id: int, connection: Connection | None = None, lock: bool = False) -> Submission:
        query = sa.select(submissions).where(submissions.c.id == submission_id)
        with self.read(connection) as conn:
            row = conn.execute(query.with_for_update() if lock else query).one_or_none()
            changes = self.changes(submission_id, conn) if row is not None else []
        if row is None:
            raise StoreError(f"there is no submission {submission_id}; `python -m sharedmap submissions` lists them")
        counts = dict.fromkeys(KINDS, 0)
        for c in changes:
            counts[c.kind] += 1
        return _submission(row, counts)

    def changes(self, submission_id: int, connection: Connection | None = None) -> list[Change]:
        """The submission's preview as it was made: what it adds, changes, keeps and withdraws."""
        with self.read(connection) as conn:
            rows = conn.execute(
                sa.select(submission_changes)
                .where(submission_changes.c.submission_id == submission_id)
                .order_by(submission_changes.c.position)
            ).all()
        return [
            Change(
                r.kind, r.partnership_id, r.name, r.record, r.base_record, r.row, r.matched_by, tuple(r.read_from or ())
            )
            for r in rows
        ]

    def decide(
        self,
        connection: Connection,
        submission_id: int,
        status: SubmissionStatus,
        by: str,
        comment: str,
        published_version: int | None = None,
    ) -> None:
        connection.execute(
            submissions.update()
            .where(submissions.c.id == submission_id)
            .values(
                status=status,
                decided_by=by,
                decided_at=db.utcnow(),
                decision_comment=comment,
                published_version=published_version,
            )
        )

    # Audit -------------------------------------------------------------------------------------------------------

    def audit(self, connection: Connection, action: str, actor: str | None, **values) -> None:
        """Record who did what; written in the same transaction as the change it describes."""
        connection.execute(audit_log.insert().values(at=db.utcnow(), actor=actor, action=action, **values))

    def audit_log(self, limit: int | None = None, submission_id: int | None = None) -> list[AuditEntry]:
        query = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if submission_id is not None:
            query = query.where(audit_log.c.submission_id == submission_id)
        with self.read(None) as conn:
            rows = conn.execute(query).all()
        return [
            AuditEntry(
                r.id,
                db.as_utc(r.at),
                r.actor,
                r.action,
                r.submission_id,
                r.version,
                r.file_name,
                r.file_sha256,
                r.counts,
                r.detail,
            )
            for r in rows
        ]


def _version(row) -> Version:
    return Version(
        row.number,
        row.label,
        db.as_utc(row.created_at),
        row.created_by,
        row.action,
        row.submission_id,
        row.restored_from,
        row.partnership_count,
        row.note,
    )


def _submission(row, counts: dict[str, int]) -> Submission:
    return Submission(
        row.id,
        db.as_utc(row.created_at),
        row.submitted_by,
        row.scope_council_id,
        bool(row.withdraw_missing),
        row.base_version,
        row.file_name,
        row.file_sha256,
        row.file_rows,
        row.fixes,
        row.comment,
        SubmissionStatus(row.status),
        row.decided_by,
        db.as_utc(row.decided_at),
        row.decision_comment,
        row.published_version,
        counts,
    )


_OPEN_STORES: dict[str, Store] = {}
_OPEN_LOCK = threading.Lock()


def open_store(url: str | None = None) -> Store:
    """The process's store for ``url`` (default: SHAREDMAP_DATABASE_URL): opened and migrated once, then reused."""
    key = db.normalise_url(url or db.database_url()).render_as_string(hide_password=False)
    with _OPEN_LOCK:
        if key not in _OPEN_STORES:
            _OPEN_STORES[key] = Store.open(key)
        return _OPEN_STORES[key]


def close_open_stores() -> None:
    """Dispose of every store ``open_store`` opened: for tests, and for a process that switches databases."""
    with _OPEN_LOCK:
        for store in _OPEN_STORES.values():
            store.close()
        _OPEN_STORES.clear()
