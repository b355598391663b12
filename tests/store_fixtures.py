"""Fixtures for the store's tests: a fresh store on SQLite and on the real PostgreSQL, a small real seed, accounts.

Loaded for every test through ``pytest_plugins`` in conftest.py, which also keeps every test off the developer's
own var/ database: the whole session uses a throw-away SQLite file unless a test opens its own store.
"""

from __future__ import annotations

import csv
import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from sharedmap.publishing import auth
from sharedmap.publishing.dataset import load_seed
from sharedmap.publishing.store import Store, close_open_stores
from sharedmap.register import load_register

POSTGRES_USERS = ("postgres", "root")
# The behaviour tests' partnerships: the project's table as it stood at 95 real rows (tests/data/README.md), so the
# growing data/partnerships.csv does not move them; tests/test_partnerships_table.py checks the shipped table.
SEED_TABLE = Path(__file__).resolve().parent / "data" / "partnerships_fixture.csv"
SEED_IDS = ("SS001", "SS002", "SS004", "SS005", "SS011", "SS012")  # real rows of that table
PASSWORD = "correct horse battery"
ACCOUNTS = {  # email: (role, council id)
    "officer@eastlindsey.gov.uk": ("officer", "ELI"),
    "officer@boston.gov.uk": ("officer", "BOT"),
    "reviewer@lga.gov.uk": ("reviewer", None),
    "second.reviewer@lga.gov.uk": ("reviewer", None),
}


@pytest.fixture(scope="session", autouse=True)
def _store_environment(tmp_path_factory):
    """Tests never touch var/ or static/site: the default store is a session SQLite file; hashes use Argon2's
    cheapest profile."""
    folder = tmp_path_factory.mktemp("default_store")
    with pytest.MonkeyPatch.context() as patch:
        if not os.environ.get("SHAREDMAP_DATABASE_URL"):
            patch.setenv("SHAREDMAP_DATABASE_URL", f"sqlite:///{folder / 'sharedmap.sqlite'}")
        patch.setenv("SHAREDMAP_ARGON2_PROFILE", "CHEAPEST")
        patch.setenv("SHAREDMAP_SITE_DIR", "off")  # tests that publish do not rebuild the repository's site
        patch.setenv("SHAREDMAP_PARTNERSHIPS", str(SEED_TABLE))  # a fixed table: data/partnerships.csv grows
        yield


@pytest.fixture(scope="session")
def register():
    return load_register()


@pytest.fixture(scope="session")
def seed_rows() -> list[dict]:
    """A handful of real partnerships from the seed table, as CSV rows (the shape officers' files take)."""
    with open(SEED_TABLE, encoding="utf-8", newline="") as fh:
        rows = {row["id"]: row for row in csv.DictReader(fh)}
    missing = [i for i in SEED_IDS if i not in rows]
    assert not missing, f"{SEED_TABLE.name} no longer has {missing}; pick other rows for SEED_IDS"
    return [rows[i] for i in SEED_IDS]


def write_csv(path: Path, rows: list[dict], columns: list[str] | None = None) -> Path:
    columns = columns or list(rows[0])
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="session")
def seed_file(tmp_path_factory, seed_rows) -> Path:
    return write_csv(tmp_path_factory.mktemp("seed") / "seed.csv", seed_rows)


@pytest.fixture(scope="session")
def seed_partnerships(seed_file, register):
    return load_seed(seed_file, register)


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The URL of the PostgreSQL test database (trust auth; user postgres, else root), or skip saying why."""
    import psycopg

    reasons = []
    for user in POSTGRES_USERS:
        try:
            psycopg.connect(f"postgresql://{user}@127.0.0.1:5432/test", connect_timeout=3).close()
            return f"postgresql+psycopg://{user}@127.0.0.1:5432/test"
        except psycopg.Error as exc:
            reasons.append(f"{user}: {str(exc).strip().splitlines()[0]}")
    message = "PostgreSQL is unreachable at 127.0.0.1:5432, database test (" + "; ".join(reasons) + ")"
    if os.environ.get("CI"):  # CI machines have the server, so a skip there would hide a fault
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request, tmp_path) -> str:
    """A URL to an empty database: a new SQLite file, or a new PostgreSQL schema dropped after the test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    server = request.getfixturevalue("postgres_server")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{server}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def empty_store(store_url):
    store = Store.open(store_url)
    yield store
    store.close()


@pytest.fixture
def store(empty_store, seed_partnerships, seed_file):
    """A migrated store with the small seed published as version 1."""
    empty_store.ensure_seeded(seed_partnerships, seed_file.name, "0" * 64)
    return empty_store


@pytest.fixture
def configured_store(store_url, seed_file, monkeypatch):
    """SHAREDMAP_DATABASE_URL and the seed file set for code that opens the default store (the command line,
    ``load_published``); the URL, with that store's connections closed afterwards."""
    monkeypatch.setenv("SHAREDMAP_DATABASE_URL", store_url)
    monkeypatch.setenv("SHAREDMAP_PARTNERSHIPS", str(seed_file))
    yield store_url
    close_open_stores()


@pytest.fixture
def accounts(store, register) -> dict[str, auth.User]:
    """The four ACCOUNTS, signed in (by password, as the command line and page do)."""
    for email, (role, council) in ACCOUNTS.items():
        auth.create_user(store, email, PASSWORD, role, council, register)
    return {email: auth.authenticate(store, email, PASSWORD) for email in ACCOUNTS}


SIGN_IN_COLUMNS = ("failed_sign_ins", "locked_until", "last_sign_in_at")


def snapshot(store: Store) -> dict[str, list]:
    """Every row of every table, to show that a refused action changed nothing; sign-in bookkeeping (last sign-in,
    failure count) is left out, since signing in to attempt the action rightly updates it."""
    from sharedmap.publishing.db import metadata

    tables = {}
    with store.read() as conn:
        for name, table in metadata.tables.items():
            columns = [c for c in table.columns if c.name not in SIGN_IN_COLUMNS]
            query = sa.select(*columns).order_by(*table.primary_key.columns)
            tables[name] = [tuple(r) for r in conn.execute(query)]
    return tables
