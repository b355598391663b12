"""The database goes away while visitors browse, on a PostgreSQL server this test starts and stops itself (never the
machine's shared one): the public map keeps the last published version under a banner, a copy started during the
outage shows it from the snapshot file, officer actions fail with a clear message and write nothing, and when the
server is back everything resumes without a restart."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa
from pg_instance import TemporaryPostgres
from store_fixtures import PASSWORD, snapshot, write_csv

from sharedmap import events
from sharedmap.errors import StoreUnavailableError
from sharedmap.partnerships import to_record
from sharedmap.publishing import auth, dataset, workflow
from sharedmap.publishing.store import Store, close_open_stores

REVIEWER, REVIEWER2, OFFICER = "reviewer@lga.gov.uk", "second.reviewer@lga.gov.uk", "officer@eastlindsey.gov.uk"
RETRY_SECONDS = 0.3
APP = str(dataset.config.PROJECT_ROOT / "app.py")


@pytest.fixture(scope="module")
def own_postgres():
    try:
        server = TemporaryPostgres()
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot make a PostgreSQL server of our own: {exc}")
    server.start()
    yield server
    server.remove()


@pytest.fixture
def outage_setting(own_postgres, seed_file, tmp_path, monkeypatch):
    """The app's settings pointing at our own server, a snapshot file, a short retry; a fresh database each test."""
    name = f"t{int(time.time() * 1000) % 10**9}"
    admin = sa.create_engine(own_postgres.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = own_postgres.url.rsplit("/", 1)[0] + f"/{name}"
    snapshot_file = tmp_path / "published.json"
    for key, value in {
        "SHAREDMAP_DATABASE_URL": url,
        "SHAREDMAP_PARTNERSHIPS": str(seed_file),
        "SHAREDMAP_SNAPSHOT": str(snapshot_file),
        "SHAREDMAP_STORE_RETRY_SECONDS": str(RETRY_SECONDS),
    }.items():
        monkeypatch.setenv(key, value)
    dataset.reset_health()
    yield {"url": url, "snapshot": snapshot_file, "server": own_postgres}
    if not _reachable(own_postgres):
        own_postgres.start()
    close_open_stores()
    dataset.reset_health()


@pytest.fixture
def event_log(tmp_path):
    path = tmp_path / "events.jsonl"
    events.configure(str(path))
    yield lambda: [json.loads(line) for line in path.read_text().splitlines()]
    events.configure("off")


def _reachable(server: TemporaryPostgres) -> bool:
    engine = sa.create_engine(server.url, connect_args={"connect_timeout": 2})
    try:
        with engine.connect():
            return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


def _staged(store: Store, register, tmp_path, seed_rows) -> tuple[dict, int]:
    """Accounts, and an officer's pending submission (one partnership's description changed)."""
    for email, role, council in (
        (REVIEWER, "reviewer", None),
        (REVIEWER2, "reviewer", None),
        (OFFICER, "officer", "ELI"),
    ):
        auth.create_user(store, email, PASSWORD, role, council, register)
    users = {email: auth.authenticate(store, email, PASSWORD) for email in (REVIEWER, REVIEWER2, OFFICER)}
    rows = [dict(r) for r in seed_rows if r["id"] in ("SS001", "SS002")]
    rows[0]["description"] = "Joint chief executive and management team since 1 July 2020."
    upload = workflow.read_upload(write_csv(tmp_path / "upload.csv", rows), register)
    return users, workflow.submit(store, users[OFFICER], upload, register).id


def test_the_map_keeps_the_last_version_while_the_database_is_away(
    outage_setting, register, seed_partnerships, tmp_path, seed_rows, event_log, monkeypatch
):
    label, shown = dataset.load_published(register)
    assert [p.id for p in shown] == [p.id for p in seed_partnerships]
    store = dataset.seeded_store(register)
    users, submission_id = _staged(store, register, tmp_path, seed_rows)
    before = snapshot(store)

    outage_setting["server"].stop()
    with pytest.raises(StoreUnavailableError, match="not answering, so nothing was changed") as raised:
        dataset.load_published(register)
    good = raised.value.last_good
    assert (good.label, [to_record(p) for p in good.partnerships]) == (label, [to_record(p) for p in shown])
    assert good.published_at is not None and good.source == "memory"
    # Between tries, visitors get the last good version at once, without waiting on a dead connection.
    tries = []
    opener = dataset.open_store
    monkeypatch.setattr(dataset, "open_store", lambda: tries.append("connect") or opener())
    with pytest.raises(StoreUnavailableError) as again:
        dataset.load_published(register)
    assert again.value.last_good.label == label and tries == []  # no connection tried until the retry is due
    monkeypatch.setattr(dataset, "open_store", opener)

    # Officers' actions fail with the reason, and nothing is written.
    for action in (
        lambda: workflow.approve(store, users[REVIEWER], submission_id, "checked"),
        lambda: workflow.reject(store, users[REVIEWER], submission_id, "the source link is dead"),
        lambda: auth.authenticate(store, REVIEWER, PASSWORD),
    ):
        with pytest.raises(StoreUnavailableError, match="try again in a minute"):
            action()

    outage_setting["server"].start()
    time.sleep(RETRY_SECONDS)
    assert dataset.load_published(register)[0] == label  # resumed, no restart
    assert snapshot(store) == before  # the refused actions left no trace
    version = workflow.approve(store, users[REVIEWER], submission_id, "checked")
    assert dataset.load_published(register)[0] == version.label

    logged = [(e["event"], e["outcome"]) for e in event_log()]
    assert ("store_unavailable", "down") in logged and ("store_recovered", "success") in logged
    assert logged.count(("approve", "failure")) == 1 and ("approve", "success") in logged


def test_a_write_cut_off_by_the_outage_leaves_nothing(outage_setting, register, seed_partnerships):
    """The server is killed inside a publish's transaction, after the new version's rows were sent: the version
    never appears, and the published one is unchanged."""
    dataset.load_published(register)
    store = dataset.seeded_store(register)
    before = snapshot(store)
    with pytest.raises(StoreUnavailableError), store.write() as conn:
        store.lock_current(conn)
        store.write_version(conn, [to_record(p) for p in seed_partnerships[:2]], actor=REVIEWER, action="publish")
        outage_setting["server"].stop("immediate")
    outage_setting["server"].start()
    assert snapshot(store) == before


def test_the_page_says_what_it_shows_during_an_outage(outage_setting, register):
    from streamlit.testing.v1 import AppTest

    label, shown = dataset.load_published(register)
    outage_setting["server"].stop()
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    banner = " ".join(w.value for w in at.warning)
    assert "The live data store cannot be reached; showing the version published at" in banner
    assert label in banner and "officer actions are paused" in banner
    assert any(f"{len(shown)} partnerships between UK councils" in m.value for m in at.markdown)

    outage_setting["server"].start()
    time.sleep(RETRY_SECONDS)
    at.run()
    assert not at.exception and not [w for w in at.warning if "data store" in w.value]


def test_a_copy_started_during_the_outage_shows_the_snapshot(outage_setting, register):
    label, _ = dataset.load_published(register)
    assert json.loads(outage_setting["snapshot"].read_text())["label"] == label
    outage_setting["server"].stop()
    code = (
        "from sharedmap.publishing import dataset\nfrom sharedmap.errors import StoreUnavailableError\n"
        "try:\n    dataset.load_published()\nexcept StoreUnavailableError as exc:\n"
        "    print(exc.last_good.source, exc.last_good.label, len(exc.last_good.partnerships))\n"
    )
    fresh = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=dataset.config.PROJECT_ROOT
    )
    assert fresh.stdout.split() == ["snapshot", label, str(len(dataset.last_good().partnerships))], fresh.stderr
