"""The store on SQLite and PostgreSQL: migrations, seeding, versions, the published label, and the default store."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from store_fixtures import snapshot

from sharedmap.errors import StoreError
from sharedmap.partnerships import to_record
from sharedmap.publishing import db
from sharedmap.publishing.dataset import load_published
from sharedmap.publishing.store import Store


def test_migrations_build_exactly_the_tables_the_code_uses(empty_store):
    db.migrate(empty_store.engine)  # a second upgrade is a no-op
    with empty_store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), db.metadata) == []
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0004_reports_and_reminders"


def test_sqlite_store_is_created_on_first_start_in_wal_mode(tmp_path):
    path = tmp_path / "var" / "nested" / "sharedmap.sqlite"
    store = Store.open(f"sqlite:///{path}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert path.exists()
    store.close()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://app@db.example/sharedmap", "postgresql+psycopg://app@db.example/sharedmap"),
        (
            "postgresql://app:secret@db.example:5433/sharedmap",
            "postgresql+psycopg://app:secret@db.example:5433/sharedmap",
        ),
        ("postgresql+psycopg://app@db.example/sharedmap", "postgresql+psycopg://app@db.example/sharedmap"),
        ("sqlite:////srv/map/store.sqlite", "sqlite:////srv/map/store.sqlite"),
    ],
)
def test_database_urls_as_hosts_write_them(url, expected):
    assert db.normalise_url(url).render_as_string(hide_password=False) == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://app@db.example/sharedmap", "unsupported database 'mysql'"),
        ("not a url", "not a database URL"),
    ],
)
def test_unusable_database_urls_are_refused(url, message):
    with pytest.raises(StoreError, match=message):
        db.normalise_url(url)


def test_an_empty_store_publishes_nothing(empty_store):
    assert empty_store.current() == (None, None)
    assert empty_store.published() is None
    assert empty_store.records() == []


def test_seeding_publishes_version_one_once(empty_store, seed_partnerships, seed_file):
    version = empty_store.ensure_seeded(seed_partnerships, seed_file.name, "ab" * 32)
    assert (version.number, version.action, version.partnership_count) == (1, "seed", len(seed_partnerships))
    assert empty_store.ensure_seeded(seed_partnerships[:1]) is None
    assert empty_store.records() == [to_record(p) for p in seed_partnerships]
    [entry] = empty_store.audit_log()
    assert (entry.action, entry.version, entry.file_name, entry.file_sha256) == ("seed", 1, "seed.csv", "ab" * 32)


def test_every_version_is_kept_and_every_publish_changes_the_label(store, seed_partnerships):
    first_label = store.current_label()
    records = [to_record(p) for p in seed_partnerships]
    with store.write() as conn:
        store.lock_current(conn)
        second = store.write_version(conn, records[:2], actor="reviewer@lga.gov.uk", action="publish")
    with store.write() as conn:
        store.lock_current(conn)
        third = store.write_version(conn, records, actor="reviewer@lga.gov.uk", action="rollback", restored_from=1)
    assert [v.number for v in store.versions()] == [3, 2, 1]
    assert len({first_label, second.label, third.label}) == 3
    assert store.current() == (3, third.label)
    assert store.records(2) == records[:2]
    assert store.records(1) == store.records(3) == records
    with pytest.raises(StoreError, match="there is no version 9"):
        store.records(9)


def test_a_version_with_a_repeated_id_is_refused_and_nothing_changes(store, seed_partnerships):
    before = snapshot(store)
    record = to_record(seed_partnerships[0])
    with pytest.raises(StoreError, match="the same partnership id twice"), store.write() as conn:
        store.lock_current(conn)
        store.write_version(conn, [record, record], actor="x@y.gov.uk", action="publish")
    assert snapshot(store) == before


def test_published_is_read_again_only_when_another_replica_publishes(store_url, store, seed_partnerships):
    label, partnerships = store.published()
    assert partnerships == seed_partnerships
    assert store.published()[1] is not partnerships  # a copy each time: callers may not change the cache
    replica = Store.open(store_url)
    with replica.write() as conn:
        replica.lock_current(conn)
        replica.write_version(conn, [to_record(seed_partnerships[0])], actor="reviewer@lga.gov.uk", action="publish")
    new_label, now = store.published()
    assert new_label != label and [p.id for p in now] == [seed_partnerships[0].id]
    replica.close()


def test_an_unchanged_store_costs_one_small_query_per_rerun(store):
    store.published()
    statements = []
    sa.event.listen(
        store.engine, "before_cursor_execute", lambda conn, cursor, statement, *args: statements.append(statement)
    )
    for _ in range(3):
        store.published()
    assert [s for s in statements if s.strip().upper() != "BEGIN"] == [
        "SELECT store_state.current_version, store_state.current_label \nFROM store_state \n"
        "WHERE store_state.id = " + ("?" if store.backend == "sqlite" else "%(id_1)s::INTEGER")
    ] * 3


def test_load_published_seeds_the_configured_store_on_first_start(configured_store, seed_partnerships, register):
    label, partnerships = load_published(register)
    assert label.startswith("v1-") and partnerships == seed_partnerships
    assert load_published(register) == (label, partnerships)


def test_a_replica_waits_while_another_holds_a_new_sqlite_file(tmp_path):
    """SQLite refuses the switch to WAL at once while another process writes; opening waits instead of failing."""
    path = tmp_path / "store.sqlite"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE started (at TEXT)")
    other.execute("BEGIN IMMEDIATE")
    threading.Timer(0.5, other.execute, ["COMMIT"]).start()
    engine = db.create_store_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()
    other.close()


def test_replicas_starting_together_migrate_and_seed_once(store_url, seed_file):
    """Two real processes start on one empty database at the same moment: one version, one seed."""
    script = "from sharedmap.publishing.dataset import load_published; print(load_published()[0])"
    env = {"SHAREDMAP_DATABASE_URL": store_url, "SHAREDMAP_PARTNERSHIPS": str(seed_file)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script], env=_env(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=60) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    labels = {out.strip() for out, _ in outputs}
    assert len(labels) == 1 and labels.pop().startswith("v1-")
    store = Store.open(store_url)
    assert [v.number for v in store.versions()] == [1]
    assert [e.action for e in store.audit_log()] == ["seed"]
    store.close()


def _env(extra: dict[str, str]) -> dict[str, str]:
    return {**os.environ, **extra}
