"""A record the pages cannot draw is left out, logged by name, and counted for visitors ("1 partnership could not be
shown"): read from a store where it was forced in with SQL, on SQLite and PostgreSQL, and on every public page
through AppTest, never a traceback. The amounts that must never reach the store are refused by its constraints."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from sharedmap import events, renderable
from sharedmap.errors import StoreError
from sharedmap.partnerships import Savings, SavingsKind, to_record
from sharedmap.publishing.db import version_partnerships
from sharedmap.publishing.store import close_open_stores

ROOT = Path(__file__).resolve().parent.parent


def force(store, partnership_id: str, **changes) -> None:
    """Overwrite a published record with SQL, past every check in the code (as a bug or a hand edit would)."""
    with store.write() as conn:
        record = conn.execute(
            sa.select(version_partnerships.c.record).where(version_partnerships.c.partnership_id == partnership_id)
        ).scalar_one()
        conn.execute(
            version_partnerships.update()
            .where(version_partnerships.c.partnership_id == partnership_id)
            .values(record={**record, **changes})
        )
    store._published = None  # this process's cache of the published version


def test_a_record_that_cannot_be_read_is_left_out_and_named(store):
    force(store, "SS004", status="exploded")
    label, partnerships = store.published()
    assert "SS004" not in {p.id for p in partnerships} and len(partnerships) == 5
    [left_out] = store.unshown(label)
    assert left_out.id == "SS004" and "exploded" in left_out.reason


def test_a_record_that_cannot_be_drawn_is_left_out_and_logged_once(seed_partnerships, register, caplog):
    broken = seed_partnerships[0].with_changes(savings=(Savings(float("inf"), SavingsKind.ANNUAL),))
    unknown = seed_partnerships[1].with_changes(council_ids=("ZZZ", "BOT"))
    with caplog.at_level(logging.INFO, logger=events.LOGGER_NAME):
        shown, left_out = renderable.drawable([broken, unknown, *seed_partnerships[2:]], register, "v9-test")
        renderable.drawable([broken], register, "v9-test")
    assert [p.id for p in shown] == [p.id for p in seed_partnerships[2:]]
    assert [(u.id, u.reason.split(":")[0]) for u in left_out] == [
        (broken.id, "money figure out of range"),
        (unknown.id, "council id not in the register"),
    ]
    logged = [r for r in caplog.records if r.getMessage() == "record_unshown"]
    assert sorted(r.fields["partnership_id"] for r in logged) == sorted([broken.id, unknown.id])
    assert renderable.unshown_text(1) == "1 partnership could not be shown"
    assert renderable.unshown_text(2) == "2 partnerships could not be shown"


@pytest.mark.parametrize("amount", [float("inf"), float("nan"), -5.0, 1e308, "lots"])
def test_the_store_refuses_an_amount_that_must_never_be_published(store, seed_partnerships, amount):
    record = to_record(seed_partnerships[0])
    record["savings"] = [{"amount_gbp": amount, "kind": "annual", "period": "", "council_id": None, "estimate": False}]
    before = store.current()
    refusal = "the store refused this change, so nothing was changed"
    with pytest.raises(StoreError, match=refusal) as refused, store.write() as conn:
        store.lock_current(conn)
        store.write_version(conn, [record], actor=None, action="publish")
    assert "SELECT" not in str(refused.value) and "INSERT" not in str(refused.value)
    assert store.current() == before


@pytest.mark.parametrize("changes", [{"id": "x" * 5000}, {"name": "a\x00b"}, {"description": "a\x00b"}])
def test_the_store_refuses_nul_and_overlong_ids(store, seed_partnerships, changes):
    record = {**to_record(seed_partnerships[0]), **changes}
    with pytest.raises(StoreError, match="refused"), store.write() as conn:
        store.lock_current(conn)
        store.write_version(conn, [record], actor=None, action="publish")
    assert store.current()[0] == 1


@pytest.mark.parametrize("name", ["map", "statistics", "data", "find_partner"])
def test_every_public_page_shows_the_rest_when_a_record_is_broken(configured_store, store, name, monkeypatch):
    force(store, "SS004", status="exploded")
    force(store, "SS005", council_ids=["MEL", "ZZZ"])
    close_open_stores()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page(f"pages/{name}.py") if name != "map" else None
    at.run()
    assert not at.exception
    assert "2 partnerships could not be shown" in [w.value.split(":")[0] for w in at.warning]


def test_the_event_names_the_record(tmp_path):
    log = tmp_path / "events.jsonl"
    events.configure(str(log))
    try:
        renderable.log_unshown([renderable.Unshown("SS999", "unreadable record")], f"v1-{tmp_path.name}")
    finally:
        events.configure("off")
    line = json.loads(log.read_text().splitlines()[-1])
    assert line["event"] == "record_unshown" and line["partnership_id"] == "SS999"


def test_export_on_the_command_line_leaves_a_broken_record_out_and_says_so(configured_store, store, tmp_path, capsys):
    from sharedmap.cli.commands import main

    force(store, "SS004", status="exploded")
    close_open_stores()
    assert main(["export", "--format", "csv", "--output", str(tmp_path / "map.csv")]) == 0
    warning = capsys.readouterr().err
    assert "warning: partnership 'SS004' left out: unreadable record" in warning
    written = (tmp_path / "map.csv").read_text(encoding="utf-8")
    assert "SS001" in written and "SS004" not in written


def test_a_link_with_an_infinite_minimum_saving_is_ignored_with_a_note():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["min_savings"] = "1e309"
    at.run()
    assert not at.exception
    assert any("min_savings='1e309' must be an amount in pounds" in w.value for w in at.warning)
