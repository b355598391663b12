"""Site builds are ordered: one at a time across threads and processes (and replicas on PostgreSQL), never an
older version over a newer one, and publishing returns before the build (sharedmap.publishing.announce)."""

from __future__ import annotations

import subprocess
import sys
import threading

from store_fixtures import write_csv

from sharedmap.publishing import announce, workflow
from sharedmap.site import build, follow_publishing
from sharedmap.site.build import live_label, live_version

ELI, REVIEWER = "officer@eastlindsey.gov.uk", "reviewer@lga.gov.uk"
BUILDER = """
import sys
from sharedmap.publishing.store import Store
from sharedmap.site.build import rebuild_published
store = Store.open(sys.argv[1], migrate=False)
print(rebuild_published(store, newer_only=True) is not None)  # what a publish's listener runs, errors unhidden
"""


def publish_without_eli_alliance(store, accounts, register, seed_rows, tmp_path):
    rows = [r for r in seed_rows if "ELI" in r["council_ids"] and r["id"] != "SS001"]
    upload = workflow.read_upload(write_csv(tmp_path / "eli.csv", rows), register)
    return workflow.approve(
        store, accounts[REVIEWER], workflow.submit(store, accounts[ELI], upload, register, withdraw_missing=True).id
    )


def builds(output):
    return sorted(p.name for p in output.with_name(f"{output.name}-builds").iterdir() if not p.name.startswith("."))


def test_two_builder_processes_take_turns_and_build_once(
    store, store_url, accounts, register, seed_rows, tmp_path, monkeypatch
):
    """Two replicas told of the same publish at once: one builds it, the other finds it live and builds nothing."""
    output = tmp_path / "site"
    monkeypatch.setenv("SHAREDMAP_SITE_DIR", str(output))
    version = publish_without_eli_alliance(store, accounts, register, seed_rows, tmp_path)  # no listener: no build
    assert live_label(output) is None
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", BUILDER, store_url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err[-2000:] for _out, err in outputs]
    answers = sorted(out.strip() for out, _err in outputs)
    assert answers == ["False", "True"]  # one built, the other waited for the lock and found it done
    assert live_label(output) == version.label and len(builds(output)) == 1


def test_a_publish_and_a_rollback_close_together_end_with_the_newest_live(
    store, accounts, register, seed_rows, tmp_path, monkeypatch
):
    output = tmp_path / "site"
    monkeypatch.setenv("SHAREDMAP_SITE_DIR", str(output))
    follow_publishing()
    published = publish_without_eli_alliance(store, accounts, register, seed_rows, tmp_path)
    restored = workflow.rollback(store, accounts[REVIEWER], 1, "withdrawn by mistake")  # before the first build ends
    announce.wait()
    assert (live_label(output), live_version(output)) == (restored.label, restored.number)
    assert restored.number > published.number


def test_an_older_version_never_replaces_a_newer_one(store, accounts, register, seed_rows, tmp_path, monkeypatch):
    output = tmp_path / "site"
    monkeypatch.setenv("SHAREDMAP_SITE_DIR", str(output))
    newer = publish_without_eli_alliance(store, accounts, register, seed_rows, tmp_path)
    assert build.rebuild_published(store, register).label == newer.label
    assert build.rebuild_published(store, register, version=1, newer_only=True) is None  # a late builder of v1
    assert live_label(output) == newer.label


def test_builds_in_threads_of_one_process_never_collide(seed, register, tmp_path):
    """The temporary link and folders are unique per thread, and the lock orders the swaps."""
    output = tmp_path / "site"
    errors: list[Exception] = []

    def run(label: str) -> None:
        try:
            build.build_site(output, seed[:5], register, label)
        except Exception as exc:  # noqa: BLE001 (collected for the assertion)
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(f"v1-thread{i}",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and live_label(output) in {"v1-thread0", "v1-thread1", "v1-thread2"}
    assert len(builds(output)) == build.KEEP_BUILDS


def test_the_first_swap_over_a_real_folder_leaves_no_moment_without_a_site(seed, register, tmp_path):
    output = tmp_path / "site"
    output.mkdir()
    (output / "index.html").write_text("old", encoding="utf-8")
    seen_missing = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            if not (output / "index.html").exists():
                seen_missing.append(True)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        build.build_site(output, seed[:5], register, "v1-first")
    finally:
        stop.set()
        watcher.join()
    assert output.is_symlink() and live_label(output) == "v1-first" and not seen_missing
