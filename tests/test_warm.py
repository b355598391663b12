"""`serve` starts Streamlit through sharedmap.app.warm, so the first visitor after a start finds the map already
opened once: the boundaries, register and opening view's payload loaded before Streamlit starts, then one real
session over Streamlit's websocket, and only then a healthy answer."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from browser_fixtures import free_port, stop

from sharedmap import config
from sharedmap.app import ui, warm
from sharedmap.app.visitor import Visitor, run_sync
from sharedmap.cli import serve
from sharedmap.maps import payload, viewstate
from sharedmap.maps.viewstate import View


def test_serve_starts_streamlit_through_the_warm_up():
    command = serve.streamlit_command()
    assert command[1:5] == ["-m", "sharedmap.app.warm", "run", str(serve.APP)]


def test_the_warmed_view_is_the_one_a_first_visitor_opens(register):
    opened, problems = viewstate.view_from_query({}, ui.options())
    assert opened == View() and not problems


def test_after_the_warm_up_the_opening_view_is_not_built_again(configured_store, monkeypatch):
    steps = warm.warm()
    assert {"register", "boundaries", "topology", "payload"} <= set(steps)
    built = []
    monkeypatch.setattr(payload, "build_view_payload", lambda *a, **k: built.append(a) or pytest.fail("rebuilt"))
    label, everything = ui.published()
    opening = View()
    assert ui.view_payload(label, opening.filters, opening.tier, opening.measure, everything).legend_title
    assert built == []


def test_the_first_session_clicks_the_council_with_the_most_partnerships(configured_store):
    code, lat, lon = warm.council_to_click()
    label, everything = ui.published()
    opening = View()
    table = ui.view_payload(label, opening.filters, opening.tier, opening.measure, everything).table
    assert table.set_index("code").loc[code, "partnerships"] == table["partnerships"].max()
    assert 49 < lat < 61 and -9 < lon < 2  # a point in the UK, where a click lands


def health(base: str) -> tuple[int | None, str]:
    """Streamlit's health answer: (status, body), or (None, "") while nothing listens."""
    try:
        with urllib.request.urlopen(base + serve.HEALTH_PATH, timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode()
    except OSError:
        return None, ""


@pytest.mark.shared_data
def test_serve_is_healthy_only_once_a_first_session_has_opened_every_public_page(tmp_path):
    port, log = free_port(), tmp_path / "serve.log"
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "SHAREDMAP_DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite'}",
        "SHAREDMAP_EVENT_LOG": "off",
        "PYTHONUNBUFFERED": "1",
    }
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "sharedmap", "serve", "--port", str(port)],
            cwd=config.PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    answers: list[tuple[int, str, str]] = []  # (status, body, the server's log when it answered)
    reported = None
    try:
        deadline = time.monotonic() + 180
        while not answers or answers[-1][0] != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"serve did not become healthy:\n{log.read_text()}")
            status, body = health(base)
            if status is not None:
                answers.append((status, body, log.read_text()))
            if status == 503 and reported is None:
                reported = serve.check_server(base)  # what `sharedmap health --url` says meanwhile
            time.sleep(0.05)

        async def open_about() -> Visitor:
            async with Visitor(base, timeout=60, page="about") as tab:
                await tab.run()
                return tab

        about = run_sync(open_about())
    finally:
        stop(process)
    *warming, (_status, body, log_when_healthy) = answers
    assert body == "ok"
    assert warming and {(status, text) for status, text, _ in warming} == {(503, warm.WARMING)}
    assert reported is not None and not reported.ok and f"HTTP 503 '{warm.WARMING}'" in reported.detail
    first_session = next(line for line in log_when_healthy.splitlines() if line.startswith("warm: first session"))
    opened = [step.split()[0] for step in first_session.removeprefix("warm: first session ").split(", ")]
    assert opened == ["map", "click", "find_partner", "statistics", "data", "what_changed", "about", "report"]
    assert about.page.has_text("About the Shared Services Map")  # a page is opened by its url path
