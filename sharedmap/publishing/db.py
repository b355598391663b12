"""The store's database: the engine (SQLite under var/ by default, PostgreSQL when configured), tables, migrations.

One SQL path for both: SQLAlchemy Core with bound parameters. Writers serialise on the single ``store_state`` row
(``SELECT ... FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), so two publishes never interleave.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import overload

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DataError, IntegrityError, OperationalError

from sharedmap import config
from sharedmap.errors import StoreError, StoreUnavailableError

DEFAULT_SQLITE_PATH = config.PROJECT_ROOT / "var" / "sharedmap.sqlite"
MIGRATIONS_DIR = config.PROJECT_ROOT / "migrations"
SQLITE_BUSY_TIMEOUT_S = 30
PG_CONNECT_TIMEOUT_S = 5  # a database that does not answer fails a visitor's request after this, not minutes
WRITE_OPTION = "sharedmap_write"  # execution option: this transaction writes (SQLite: BEGIN IMMEDIATE)

metadata = sa.MetaData(
    naming_convention={
        "pk": "pk_%(table_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)
Timestamp = sa.DateTime(timezone=True)

# One row (id 1): the published version every view shows; the row writers lock.
store_state = sa.Table(
    "store_state",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("current_version", sa.Integer, nullable=True),
    sa.Column("current_label", sa.String(40), nullable=True),
    sa.Column("updated_at", Timestamp, nullable=True),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(254), nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("council_id", sa.String(16), nullable=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("failed_sign_ins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", Timestamp, nullable=True),
    sa.Column("last_sign_in_at", Timestamp, nullable=True),
)

versions = sa.Table(
    "versions",
    metadata,
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("label", sa.String(40), nullable=False, unique=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("created_by", sa.String(254), nullable=True),
    sa.Column("action", sa.String(16), nullable=False),  # seed | publish | rollback
    sa.Column("submission_id", sa.Integer, nullable=True),
    sa.Column("restored_from", sa.Integer, nullable=True),
    sa.Column("partnership_count", sa.Integer, nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
)

version_partnerships = sa.Table(
    "version_partnerships",
    metadata,
    sa.Column("version", sa.Integer, sa.ForeignKey("versions.number", ondelete="CASCADE"), primary_key=True),
    sa.Column("partnership_id", sa.String, primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("record", sa.JSON, nullable=False),
)

submissions = sa.Table(
    "submissions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("submitted_by", sa.String(254), nullable=False),
    sa.Column("scope_council_id", sa.String(16), nullable=True),  # whose partnerships may be withdrawn; NULL = all
    sa.Column("withdraw_missing", sa.Boolean, nullable=False),
    sa.Column("base_version", sa.Integer, nullable=True),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("file_sha256", sa.String(64), nullable=False),
    sa.Column("file_rows", sa.Integer, nullable=False),
    sa.Column("fixes", sa.Integer, nullable=False, server_default="0"),
    sa.Column("comment", sa.Text, nullable=False, server_default=""),
    sa.Column("status", sa.String(16), nullable=False),  # pending | approved | rejected
    sa.Column("decided_by", sa.String(254), nullable=True),
    sa.Column("decided_at", Timestamp, nullable=True),
    sa.Column("decision_comment", sa.Text, nullable=False, server_default=""),
    sa.Column("published_version", sa.Integer, nullable=True),
)

submission_changes = sa.Table(
    "submission_changes",
    metadata,
    sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("partnership_id", sa.String, primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(12), nullable=False),  # new | changed | unchanged | withdrawn
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("row", sa.Integer, nullable=True),
    sa.Column("matched_by", sa.String(8), nullable=True),
    sa.Column("record", sa.JSON, nullable=True),
    sa.Column("base_record", sa.JSON, nullable=True),
    sa.Column("read_from", sa.JSON, nullable=True),  # the file's text of each figure (migration 0003)
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", Timestamp, nullable=False),
    sa.Column("actor", sa.String(254), nullable=True),
    sa.Column("action", sa.String(24), nullable=False),
    sa.Column("submission_id", sa.Integer, nullable=True),
    sa.Column("version", sa.Integer, nullable=True),
    sa.Column("file_name", sa.Text, nullable=True),
    sa.Column("file_sha256", sa.String(64), nullable=True),
    sa.Column("counts", sa.JSON, nullable=True),
    sa.Column("detail", sa.Text, nullable=False, server_default=""),
)
# Reports from the public (migration 0003): a suggestion waits for a reviewer; the reporter's email is deleted when
# it is closed. ``client_key`` is a keyed hash of the client's address, for the rate limit, never the address.
suggestions = sa.Table(
    "suggestions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("client_key", sa.String(64), nullable=False),
    sa.Column("about", sa.String(24), nullable=False),  # figure | status | other | missing
    sa.Column("council_id", sa.String(16), nullable=True),
    sa.Column("partnership_id", sa.String(80), nullable=True),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("source_url", sa.Text, nullable=False, server_default=""),
    sa.Column("email", sa.String(254), nullable=True),
    sa.Column("status", sa.String(16), nullable=False),  # open | accepted | dismissed
    sa.Column("decided_by", sa.String(254), nullable=True),
    sa.Column("decided_at", Timestamp, nullable=True),
    sa.Column("decision_comment", sa.Text, nullable=False, server_default=""),
    sa.Column("submission_id", sa.Integer, nullable=True),
)

# Reminders sent to a council's officers (migration 0003): at most one per council per interval.
reminders = sa.Table(
    "reminders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("council_id", sa.String(16), nullable=False),
    sa.Column("sent_at", Timestamp, nullable=False),
    sa.Column("recipients", sa.Text, nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
)
sa.Index("ix_audit_log_at", audit_log.c.at)
sa.Index("ix_suggestions_status", suggestions.c.status)
sa.Index("ix_suggestions_client_key", suggestions.c.client_key, suggestions.c.created_at)
sa.Index("ix_reminders_council_id", reminders.c.council_id, reminders.c.sent_at)
sa.Index("ix_submissions_status", submissions.c.status)


def utcnow() -> datetime:
    return datetime.now(UTC)


@overload
def as_utc(moment: datetime) -> datetime: ...
@overload
def as_utc(moment: None) -> None: ...
def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands timestamps back without a zone; every timestamp we write is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def database_url() -> str:
    return config.get("SHAREDMAP_DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"


def normalise_url(url: str | URL) -> URL:
    """Accept postgres:// and postgresql:// as hosting platforms write them; we talk to PostgreSQL via psycopg 3."""
    text = url.render_as_string(hide_password=False) if isinstance(url, URL) else url
    if text.startswith("postgres://"):
        text = "postgresql://" + text.removeprefix("postgres://")
    try:
        parsed = make_url(text)
    except ArgumentError as exc:
        raise StoreError(f"SHAREDMAP_DATABASE_URL is not a database URL: {exc}") from exc
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError(f"unsupported database {parsed.get_backend_name()!r}: use SQLite or PostgreSQL")
    return parsed


def create_store_engine(url: str | URL | None = None) -> Engine:
    """An engine for the store; creates the SQLite file's folder on first start."""
    parsed = normalise_url(url or database_url())
    if parsed.get_backend_name() == "postgresql":
        return sa.create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S})
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
    sa.event.listen(engine, "connect", _sqlite_on_connect)
    sa.event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    """WAL lets visitors read while a reviewer publishes; we issue BEGIN ourselves (see ``_sqlite_on_begin``)."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    _switch_to_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _switch_to_wal(cursor) -> None:
    """SQLite answers 'database is locked' at once, without waiting its busy timeout, when another process holds
    the file while this one switches it to WAL (replicas starting together on a new file); so wait here."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(0.02)


def _sqlite_on_begin(connection: Connection) -> None:
    """Writers take SQLite's write lock up front, so a read-then-write never fails half way with 'database locked'."""
    immediate = connection.get_execution_options().get(WRITE_OPTION)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def transaction(engine: Engine, write: bool = False) -> Iterator[Connection]:
    """One transaction: committed when the block ends, rolled back on any error (nothing half-written)."""
    try:
        with engine.connect() as connection:
            if write:
                connection = connection.execution_options(**{WRITE_OPTION: True})
            with connection.begin():
                yield connection
    except OperationalError as exc:
        raise unavailable(exc) from exc
    except (IntegrityError, DataError) as exc:
        raise refused(exc) from exc


def refused(exc: IntegrityError | DataError) -> StoreError:
    """A write the database's own constraints refused (migration 0002): the reason without the SQL or the row."""
    reason = str(exc.orig or exc).strip().splitlines()[0]
    reason = reason.split(" [SQL:")[0][:200]
    return StoreError(
        f"the store refused this change, so nothing was changed: a record breaks one of its rules "
        f"(ids up to 80 characters, names up to 300, no NUL characters, money from £0 to £100bn) "
        f"({reason})"
    )


@contextmanager
def autocommit(engine: Engine) -> Iterator[Connection]:
    """A connection for one read statement with no BEGIN/COMMIT round trips (PostgreSQL)."""
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            yield connection
    except OperationalError as exc:
        raise unavailable(exc) from exc


def unavailable(exc: OperationalError) -> StoreUnavailableError:
    """The driver's error in the words a person needs: the store is out of reach and nothing was changed."""
    reason = str(exc.orig or exc).strip().splitlines()[0]
    return StoreUnavailableError(
        f"the data store is not answering, so nothing was changed; try again in a minute ({reason})"
    )


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (Alembic ``upgrade head``); safe when replicas start together."""
    from alembic import command
    from alembic.config import Config

    alembic_config = Config()
    alembic_config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with transaction(engine, write=True) as connection:
        lock_for_migration(connection)
        alembic_config.attributes["connection"] = connection
        command.upgrade(alembic_config, "head")


def lock_for_migration(connection: Connection) -> None:
    """Replicas starting together take turns (SQLite: the BEGIN IMMEDIATE write lock already does this)."""
    if connection.dialect.name == "postgresql":
        connection.execute(
            sa.text("SELECT pg_advisory_xact_lock(hashtext('sharedmap-migrate:' || coalesce(current_schema(), '')))")
        )
