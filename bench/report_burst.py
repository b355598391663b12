"""Report-burst benchmark, run by hand: one client sends 1,000 reports as fast as it can, in several processes at
once (as app copies behind a load balancer would take them), while a reader keeps asking for the published map.
Prints the figures for docs/benchmarks.md: how many were stored (the limit), how each refusal read, refusal time,
the queue afterwards, and the map read's time before and during the burst.

    .venv/bin/python bench/report_burst.py                                 # SQLite, one process
    .venv/bin/python bench/report_burst.py --postgres postgresql://postgres@127.0.0.1:5432/test --processes 8

Target: no more than SHAREDMAP_REPORTS_PER_HOUR (5) stored, every other report refused with a message, and the
map's read (the published version's label, what every visitor's rerun asks the store) no slower than twice its
time at rest.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("SHAREDMAP_PARTNERSHIPS", str(ROOT / "tests" / "data" / "partnerships_fixture.csv"))

REPORTS = 1000
CLIENT = "203.0.113.66"


def burst(url: str, count: int, results) -> None:
    from sharedmap.errors import SharedMapError
    from sharedmap.publishing import reports
    from sharedmap.publishing.store import Store
    from sharedmap.register import load_register

    store, register = Store.open(url, migrate=False), load_register()
    times, outcomes = [], Counter()
    for i in range(count):
        started = time.perf_counter()
        try:
            reports.report(
                store,
                register,
                client=CLIENT,
                about="figure",
                message=f"The saving is wrong ({i}): it was £{i},000 a year",
                partnership="SS001",
                source_url="https://example.org/burst",
            )
            outcomes["stored"] += 1
        except SharedMapError as exc:
            outcomes[str(exc).split(";")[0]] += 1
        times.append(time.perf_counter() - started)
    store.close()
    results.put((times, dict(outcomes)))


def read_map(store, stop: threading.Event, samples: list[float]) -> None:
    """What a visitor's rerun asks of the store: the published label (the map itself is cached by it)."""
    while not stop.is_set():
        started = time.perf_counter()
        store.current_label()
        samples.append(time.perf_counter() - started)
        time.sleep(0.005)  # a steady stream of visitors, not a spin that competes with the burst for the CPU


def ms(values: list[float], q: float) -> str:
    values = sorted(values)
    return f"{values[min(len(values) - 1, int(q * len(values)))] * 1000:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a PostgreSQL URL to run on (a throw-away schema is made and dropped)")
    parser.add_argument("--processes", type=int, default=1, help="processes sharing the burst (app copies)")
    args = parser.parse_args()
    import sqlalchemy as sa

    from sharedmap.publishing import reports
    from sharedmap.publishing.dataset import load_seed
    from sharedmap.publishing.store import Store

    schema, admin = None, None
    if args.postgres:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(args.postgres)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = f"{args.postgres}?options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{tempfile.mkdtemp()}/burst.sqlite"
    try:
        store = Store.open(url)
        store.ensure_seeded(load_seed(), "partnerships_fixture.csv", "0" * 64)
        at_rest: list[float] = []
        stop = threading.Event()
        reader = threading.Thread(target=read_map, args=(store, stop, at_rest))
        reader.start()
        time.sleep(2)
        stop.set()
        reader.join()

        during: list[float] = []
        stop = threading.Event()
        reader = threading.Thread(target=read_map, args=(store, stop, during))
        results: multiprocessing.Queue = multiprocessing.Queue()
        share = [REPORTS // args.processes + (i < REPORTS % args.processes) for i in range(args.processes)]
        workers = [multiprocessing.Process(target=burst, args=(url, n, results)) for n in share]
        started = time.perf_counter()
        reader.start()
        for w in workers:
            w.start()
        gathered = [results.get() for _ in workers]
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - started
        stop.set()
        reader.join()

        times = [t for ts, _ in gathered for t in ts]
        outcomes: Counter = Counter()
        for _, o in gathered:
            outcomes.update(o)
        queue = reports.suggestions_list(store)
        print(f"backend: {store.backend}; {REPORTS} reports from one client in {args.processes} processes")
        print(f"burst took {elapsed:.2f} s; per report: median {ms(times, 0.5)} ms, p95 {ms(times, 0.95)} ms")
        for outcome, n in outcomes.most_common():
            print(f"  {n:>5} × {outcome}")
        print(f"open reports in the queue afterwards: {len(queue)}")
        print(
            "map read (the published label, every visitor's rerun) at rest:\n"
            f"  median {ms(at_rest, 0.5)} ms, p95 {ms(at_rest, 0.95)} ms "
            f"({len(at_rest)} reads); during the burst: median {ms(during, 0.5)} ms, p95 {ms(during, 0.95)} ms "
            f"({len(during)} reads); ratio of medians {statistics.median(during) / statistics.median(at_rest):.2f}"
        )
        store.close()
    finally:
        if admin is not None:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()
