"""The published versions in words, on both stores: newest first, each compared with the version before it (a
rollback reads as the changes it made), the seed as the first publication, and a council's own lines."""

from __future__ import annotations

from store_fixtures import write_csv

from sharedmap.publishing import workflow
from sharedmap.publishing.history import version_history

ELI, REVIEWER = "officer@eastlindsey.gov.uk", "reviewer@lga.gov.uk"


def publish_end_of_alliance(store, accounts, register, tmp_path, seed_rows):
    """East Lindsey's officer says the Boston and East Lindsey alliance ended in January 2022; a reviewer
    publishes it."""
    rows = [
        {**r, "status": "ended", "end": "2022-01"} if r["id"] == "SS001" else r
        for r in seed_rows
        if "ELI" in r["council_ids"]
    ]
    upload = workflow.read_upload(write_csv(tmp_path / "eli.csv", rows), register)
    submission = workflow.submit(store, accounts[ELI], upload, register)
    return workflow.approve(store, accounts[REVIEWER], submission.id)


def test_versions_newest_first_each_with_its_changes_in_words(store, accounts, register, tmp_path, seed_rows):
    published = publish_end_of_alliance(store, accounts, register, tmp_path, seed_rows)
    restored = workflow.rollback(store, accounts[REVIEWER], 1, "ended by mistake")
    history = version_history(store, names=register)
    assert [v.number for v in history] == [restored.number, published.number, 1]
    rollback, publish, seed = history
    assert "Boston and East Lindsey Strategic Alliance ended (January 2022)" in [line.text for line in publish.lines]
    assert publish.title == f"Version 2: {len(publish.lines)} change{'s' if len(publish.lines) != 1 else ''}"
    assert "Boston and East Lindsey Strategic Alliance now running" in " ".join(line.text for line in rollback.lines)
    assert rollback.title.startswith("Version 3: version 1 restored") and rollback.note == "ended by mistake"
    assert seed.lines == () and seed.title == f"Version 1: first published, {seed.partnerships} partnerships"
    assert publish.published_at.tzinfo is not None and publish.published_at <= rollback.published_at
    assert [line.partnership_id for line in publish.concerning({"BOT"})] == ["SS001"] * len(publish.concerning({"BOT"}))
    assert publish.concerning({"NO-SUCH"}) == []


def test_history_stops_at_the_version_asked_for_and_at_the_limit(store, accounts, register, tmp_path, seed_rows):
    publish_end_of_alliance(store, accounts, register, tmp_path, seed_rows)
    assert [v.number for v in version_history(store, upto=1)] == [1]
    assert [v.number for v in version_history(store, limit=1)] == [2]
    assert version_history(store, limit=1)[0].lines  # the newest is still compared with the one before it
