"""`python -m sharedmap serve` and `health`: Streamlit's production options; and two real app processes on
different ports sharing the PostgreSQL store, each showing a new publish on a visitor's next interaction.

The replicas are visited through Streamlit's own websocket protocol (sharedmap/app/visitor.py), not a browser.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import subprocess
import sys
import urllib.request
import uuid
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from browser_fixtures import free_port, stop, wait_until_healthy
from store_fixtures import PASSWORD, write_csv

from sharedmap import cli, config
from sharedmap.app.visitor import Visitor, run_sync
from sharedmap.cli import serve
from sharedmap.publishing import auth, workflow
from sharedmap.publishing.store import Store
from sharedmap.spreadsheets import MAX_UPLOAD_BYTES

pytestmark = pytest.mark.shared_data  # the full boundaries and register

ROOT = config.PROJECT_ROOT
REVIEWER, REVIEWER2 = "reviewer@lga.gov.uk", "second.reviewer@lga.gov.uk"


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ("server.headless", "true"),
        ("server.enableXsrfProtection", "true"),
        ("server.maxUploadSize", str(MAX_UPLOAD_BYTES // (1024 * 1024))),
        ("browser.gatherUsageStats", "false"),
        ("server.fileWatcherType", "none"),
        ("runner.postScriptGC", "false"),
        ("client.showErrorDetails", "none"),
        ("server.enableStaticServing", "true"),
        ("server.port", "8501"),
        ("server.address", "127.0.0.1"),
    ],
)
def test_production_options(option, expected, monkeypatch):
    monkeypatch.delenv("SHAREDMAP_PORT", raising=False)
    monkeypatch.delenv("SHAREDMAP_ADDRESS", raising=False)
    assert serve.production_options()[option] == expected
    assert f"--{option}={expected}" in serve.streamlit_command()


def test_port_and_address_come_from_arguments_then_settings(monkeypatch):
    monkeypatch.setenv("SHAREDMAP_PORT", "9100")
    monkeypatch.setenv("SHAREDMAP_ADDRESS", "0.0.0.0")
    assert serve.streamlit_command()[3:5] == ["run", str(ROOT / "app.py")]
    assert {"--server.port=9100", "--server.address=0.0.0.0"} <= set(serve.streamlit_command())
    assert {"--server.port=9200", "--server.address=10.0.0.5"} <= set(serve.streamlit_command(9200, "10.0.0.5"))


def test_serve_dry_run_checks_and_prints_the_command(capsys):
    assert cli.main(["serve", "--dry-run", "--port", "8999"]) == 0
    err = capsys.readouterr().err
    assert "ok   store:" in err and "ok   map assets:" in err
    assert "-m sharedmap.app.warm run" in err  # Streamlit, started once the caches are warm
    assert "--server.port=8999" in err and "--server.enableXsrfProtection=true" in err


def test_health_names_the_failing_part(monkeypatch, capsys):
    assert cli.main(["health", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and [c["name"] for c in report["checks"]] == [
        "store",
        "map assets",
        "source files",
        "published records",
    ]
    monkeypatch.setenv("SHAREDMAP_DATABASE_URL", "postgresql://nobody@127.0.0.1:9/nowhere")  # port 9: discard
    assert cli.main(["health", "--url", "http://127.0.0.1:9"]) == 1
    out = capsys.readouterr().out
    assert "FAIL store: the data store is not answering" in out and "FAIL server: http://127.0.0.1:9" in out


def test_health_does_not_seed_an_empty_store(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    monkeypatch.setenv("SHAREDMAP_DATABASE_URL", url)
    assert cli.main(["health"]) == 1
    assert "FAIL store: sqlite: nothing is published yet" in capsys.readouterr().out
    assert Store.open(url).current() == (None, None)


# Two replicas on one PostgreSQL ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def replicas(postgres_server, tmp_path_factory, seed_file, seed_partnerships):
    """Two `python -m sharedmap serve` processes on free ports, one store: a fresh schema of the test database."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_server)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = f"{postgres_server}?options=-csearch_path%3D{schema}"
    store = Store.open(url)
    store.ensure_seeded(seed_partnerships, seed_file.name, "0" * 64)
    env = {
        **os.environ,
        "SHAREDMAP_DATABASE_URL": url,
        "SHAREDMAP_PARTNERSHIPS": str(seed_file),
        "SHAREDMAP_EVENT_LOG": "off",
        "SHAREDMAP_ARGON2_PROFILE": "CHEAPEST",
        "PYTHONUNBUFFERED": "1",
    }
    folder = tmp_path_factory.mktemp("replicas")
    started = []
    try:
        for i in range(2):
            port, log = free_port(), folder / f"replica{i}.log"
            with open(log, "w") as out:
                process = subprocess.Popen(
                    [sys.executable, "-m", "sharedmap", "serve", "--port", str(port)],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            started.append((f"http://127.0.0.1:{port}", process, log))
        for base, process, log in started:
            wait_until_healthy(process, base, log, timeout=90)
        yield {"urls": [base for base, _, _ in started], "store": store}
    finally:
        for _, process, _ in started:
            stop(process)
        store.close()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def data_version(visitor: Visitor) -> str:
    footer = next(t for t in visitor.page.texts() if "Data version" in t)
    return footer.rsplit("Data version ", 1)[1].rstrip(".")


def publish_one_change(store: Store, register, seed_rows, tmp_path) -> str:
    """A reviewer's whole-map file without one partnership, approved by a second reviewer: a new version."""
    for email in (REVIEWER, REVIEWER2):
        auth.create_user(store, email, PASSWORD, "reviewer", None, register)
    first, second = (auth.authenticate(store, e, PASSWORD) for e in (REVIEWER, REVIEWER2))
    upload = workflow.read_upload(write_csv(tmp_path / "whole-map.csv", seed_rows[1:]), register)
    submission = workflow.submit(store, first, upload, register, withdraw_missing=True)
    return workflow.approve(store, second, submission.id, "one withdrawn").label


@pytest.mark.postgres
def test_every_replica_shows_a_new_publish_on_the_next_interaction(replicas, register, seed_rows, tmp_path):
    store = replicas["store"]
    before = store.current_label()

    async def visit() -> list[str]:
        tabs = [Visitor(url, timeout=90) for url in replicas["urls"]]
        for tab in tabs:
            await tab.__aenter__()
        try:
            for tab in tabs:
                await tab.run()
            shown = [data_version(tab) for tab in tabs]
            published = await asyncio.to_thread(publish_one_change, store, register, seed_rows, tmp_path)
            for tab in tabs:  # the visitor's next interaction: a filter change
                tab.set_multiselect("view_services", ["Management team"])
                await tab.run()
            return [*shown, published, *(data_version(tab) for tab in tabs)]
        finally:
            for tab in tabs:
                await tab.close()

    first_a, first_b, published, then_a, then_b = run_sync(visit())
    assert first_a == first_b == before
    assert published != before and then_a == then_b == published


@pytest.mark.postgres
def test_checking_the_published_version_is_one_cheap_query(replicas):
    """Every visitor's run asks which version is published: one statement, the same every time (its speed is
    measured in bench/load.py, not here)."""
    store = replicas["store"]
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", count)
    try:
        for _ in range(5):
            store.current()
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", count)
    assert len(statements) == 5 and len(set(statements)) == 1


@pytest.mark.postgres
def test_xsrf_and_the_upload_limit_are_in_force(replicas):
    base = replicas["urls"][0]
    with urllib.request.urlopen(base + serve.HEALTH_PATH) as answer:
        assert answer.read() == b"ok"
        cookie = answer.headers["set-cookie"].split(";")[0]
    assert cookie.startswith("_streamlit_xsrf=")

    def put(path: str, size: int, token: bool) -> int:
        """A browser's upload as far as its headers: the server answers from them before the body is read."""
        connection = http.client.HTTPConnection(urlsplit(base).netloc, timeout=30)
        try:
            connection.putrequest("PUT", path)
            connection.putheader("Cookie", cookie)
            if token:
                connection.putheader("X-Xsrftoken", cookie.split("=", 1)[1])
            connection.putheader("Content-Length", str(size))
            connection.endheaders()
            return connection.getresponse().status
        finally:
            connection.close()

    async def upload_answers() -> tuple[int, int]:
        """Uploads belong to a connected session (a browser tab): keep one open while trying them."""
        async with Visitor(base, timeout=90) as tab:
            await tab.run()
            path = f"/_stcore/upload_file/{tab.session_id}/bench-file"
            without_token = await asyncio.to_thread(put, path, 10, False)
            too_big = await asyncio.to_thread(put, path, MAX_UPLOAD_BYTES + 1, True)
            return without_token, too_big

    without_token, too_big = run_sync(upload_answers())
    assert without_token == 403  # no XSRF token: refused
    assert too_big == 413  # over the validator's 5 MB: refused from its headers, before the body is read
