"""What a web link is (sharedmap.weblinks), one rule at upload and at render: a link a URL parser refuses is refused
by validate, and a record that holds one anyway (written into the store directly) leaves the Data page, the map's
panel and `health` working, with the link left out and said so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from store_fixtures import write_csv
from streamlit.testing.v1 import AppTest

import sharedmap.app.ui  # noqa: F401  (pandas before AppTest puts pages/ on sys.path, as in test_app)
from sharedmap import cli
from sharedmap.partnerships import to_record
from sharedmap.publishing.store import Store
from sharedmap.validate import validate_file
from sharedmap.weblinks import link_host, link_problem, web_link

ROOT = Path(__file__).resolve().parent.parent
EVIL = "https://[evil.example/report"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (EVIL, "bracket"),
        ("https://evil\uff03.example/x", "full-width"),
        ("https://\uff45vil.example/x", "full-width"),
        ("https://user:secret@example.org/x", "user name or password"),
        ("https://example.org:99999/", "Port"),
        ("https://exa mple.org/", "space"),
        ("https://example.org/\u200breport", "invisible"),
        ("javascript:alert(1)", "not a web link"),
        ("https:///path-only", "no host"),
        ("https://[::1/x", "bracket"),
        ("https://exam_ple.org/", "look up"),
    ],
)
def test_what_a_url_parser_refuses_is_not_a_link(text, why):
    assert why in link_problem(text)
    assert web_link(text) is None and link_host(text) == ""


@pytest.mark.parametrize(
    "text",
    ["https://www.gov.uk/x?a=1#b", "http://[2001:db8::1]:8080/r", "https://bücher.de/x", "HTTPS://EXAMPLE.ORG"],
)
def test_ordinary_links_are_links(text):
    assert link_problem(text) is None and web_link(f" {text} ") == text


def test_validate_refuses_a_link_no_browser_can_open(tmp_path, seed_rows, register):
    rows = [
        dict(seed_rows[0], source_url=EVIL),
        dict(seed_rows[1], status_source_url="https://x\uff03.example/", status_source_date="2024-01-01"),
    ]
    report = validate_file(
        write_csv(tmp_path / "links.csv", rows, [*seed_rows[0], "status_source_url", "status_source_date"]), register
    )
    messages = [(e.column, e.message) for r in report.rows for e in r.errors]
    assert (
        "source_url",
        "not a web link a browser can open: its host opens a bracket '[' that does not close "
        "(or holds one that is not an IPv6 address)",
    ) in messages
    assert any(c == "status_source_url" and "full-width" in m for c, m in messages)


@pytest.fixture
def bad_link_store(configured_store, seed):
    """The seed published as a new version in which Boston's first partnership links to EVIL: written straight
    into the store, past validation, as SQL or an old version could."""
    store = Store.open(configured_store)
    bad = next(p for p in seed if "BOT" in p.council_ids)
    records = [to_record(p.with_changes(source_urls=(EVIL, *p.source_urls)) if p.id == bad.id else p) for p in seed]
    with store.write() as conn:
        store.lock_current(conn)
        store.write_version(conn, records, actor=None, action="import")
    store.close()
    return bad


@pytest.mark.shared_data
def test_a_stored_bad_link_leaves_the_pages_working_and_shows_in_health(bad_link_store, capsys):
    data = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=120).run()
    assert not data.exception and not data.error
    panel = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    panel.query_params["council"] = "BOT"
    panel.run()
    assert not panel.exception, panel.exception
    captions = " ".join(c.value for c in panel.caption)
    assert "Left out: a source link that is not a web link" in captions
    assert cli.main(["health", "--format", "json"]) == 1
    checks = {c["name"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    assert not checks["published records"]["ok"]
    assert (
        f"{bad_link_store.id}: shown without a source link that is not a web link"
        in checks["published records"]["detail"]
    )
