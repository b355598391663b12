"""A broken record forced into the store with SQL (an infinite saving, as 400 nines once became) in a real browser
against `streamlit run app.py`: the map, Data and Statistics pages draw everything else and say "1 partnership
could not be shown", never a traceback, and the event log names the record. A second record links to
`https://[evil.example/report` (an unclosed IPv6 bracket, which urlsplit refuses): it is shown without the link, and
the Data page, which counts sources by their host, still draws. Screenshots go to test-output/."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from browser_fixtures import OUTPUT, map_frame, streamlit_servers

from sharedmap.publishing.db import version_partnerships
from sharedmap.publishing.store import Store

pytestmark = pytest.mark.browser
pytest.importorskip("playwright.sync_api")

BROKEN = "SS004"
BAD_LINK = "SS001"  # Boston's alliance: shown, its source link left out


@pytest.fixture(scope="module")
def server(tmp_path_factory, seed):
    """A store holding the real seed with one record forced to an infinite saving past the store's own trigger."""
    folder = tmp_path_factory.mktemp("unshown")
    url = f"sqlite:///{folder / 'store.sqlite'}"
    store = Store.open(url)
    store.ensure_seeded(seed, "partnerships.csv", "0" * 64)
    with store.write() as conn:
        conn.exec_driver_sql("DROP TRIGGER ck_version_partnerships_update")  # as an old or hand-edited database
        record = conn.execute(
            sa.select(version_partnerships.c.record).where(version_partnerships.c.partnership_id == BROKEN)
        ).scalar_one()
        record["savings"][0]["amount_gbp"] = float("inf")
        conn.execute(
            version_partnerships.update().where(version_partnerships.c.partnership_id == BROKEN).values(record=record)
        )
        linked = conn.execute(
            sa.select(version_partnerships.c.record).where(version_partnerships.c.partnership_id == BAD_LINK)
        ).scalar_one()
        linked["source_urls"] = ["https://[evil.example/report", *linked["source_urls"]]
        conn.execute(
            version_partnerships.update().where(version_partnerships.c.partnership_id == BAD_LINK).values(record=linked)
        )
    store.close()
    log = folder / "events.jsonl"
    env = {"SHAREDMAP_DATABASE_URL": url, "SHAREDMAP_EVENT_LOG": str(log)}
    with streamlit_servers(folder, (env, ())) as (base,):
        yield base, log


@pytest.mark.parametrize(
    ("path", "heading", "shot"),
    [
        ("/", "Who shares services with whom", "unshown-map.png"),
        ("/data", "Data", "unshown-data.png"),
        ("/statistics", "Statistics", "unshown-statistics.png"),
    ],
)
def test_a_broken_record_is_left_out_and_counted_not_a_traceback(browser, server, path, heading, shot):
    base, log = server
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(45_000)
    page = context.new_page()
    page.goto(base + path)
    page.get_by_role("heading", name=heading, exact=True).wait_for()
    if path == "/":
        map_frame(page)
    page.get_by_text("1 partnership could not be shown").wait_for()
    page.wait_for_function("!document.querySelector('[data-testid=\"stSkeleton\"]')")  # the page finished
    page.wait_for_timeout(500)
    text = page.inner_text("body")
    assert "Traceback" not in text and "OverflowError" not in text and "£infbn" not in text
    assert page.locator("[data-testid='stException']").count() == 0
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / shot))
    context.close()
    logged = [json.loads(line) for line in log.read_text().splitlines()]
    assert any(e["event"] == "record_unshown" and e["partnership_id"] == BROKEN for e in logged)
