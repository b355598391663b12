"""What changed benchmark, run by hand: how long ``version_history`` takes to describe the newest 50 versions of
the real table (each version one partnership's status changed from the seed), on a temporary SQLite store.

    .venv/bin/python bench/history.py

This is what each site build after a publish, and the app's What changed page once per published version, pay.
Figures are medians of 3 runs.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sharedmap.partnerships import to_record  # noqa: E402
from sharedmap.publishing.dataset import load_seed  # noqa: E402
from sharedmap.publishing.history import HISTORY_VERSIONS, version_history  # noqa: E402
from sharedmap.publishing.store import Store  # noqa: E402
from sharedmap.register import load_register  # noqa: E402


def main() -> None:
    register = load_register()
    seed = load_seed(register=register)
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(f"sqlite:///{folder}/history.sqlite")
        store.ensure_seeded(seed)
        for i in range(HISTORY_VERSIONS):
            records = [to_record(p) for p in seed]
            records[i]["status"] = "ended" if records[i]["status"] != "ended" else "operational"
            with store.write() as connection:
                store.lock_current(connection)
                store.write_version(connection, records, actor=None, action="publish")
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            history = version_history(store, names=register)
            timings.append(time.perf_counter() - started)
        store.close()
    print(f"{len(seed)} partnerships, {len(history)} versions described: {statistics.median(timings):.2f} s")


if __name__ == "__main__":
    main()
