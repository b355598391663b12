"""Load benchmark, run by hand: N concurrent visitors against the app on this machine.

    .venv/bin/python bench/load.py                      # levels 1, 10, 25, 50; a fresh server for each level
    .venv/bin/python bench/load.py --levels 1,10 --actions 4 --think 1-2
    .venv/bin/python bench/load.py --url http://127.0.0.1:8501 --server-pid 1234   # an app you started

Each visitor is a real Streamlit session over the websocket protocol (sharedmap/app/visitor.py: what the browser
sends, without a browser, so 50 visitors fit on 2 cores beside the server). It opens the map, then in turn clicks
a council (two in three actions) or changes the service filter, waiting a random "think time" between actions.
Measured per level: click → panel (the clicked council's name drawn in the side panel) and → run finished, filter →
map redrawn, page open, errors, the server's resident memory per session (after all N have opened, over the level's
baseline), and CPU (server and this load generator, in cores). Everything is bounded: a fixed number of actions per
visitor, a per-action timeout and a deadline for the whole level; it stops by itself. Loopback only.

By default each level gets its own server (`python -m sharedmap serve` on a free port, a throw-away SQLite store
seeded from data/partnerships.csv, or with --synthetic N made-up partnerships), warmed by one visitor first, so
memory figures do not carry sessions over from the previous level. With --replicas K, K servers share the store and
visitor i uses server i mod K, as behind a load balancer with sticky sessions (one Streamlit process runs Python
on one core at a time, so a 2-core machine serves best with 2).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sharedmap.app.visitor import Visitor, VisitorError, check_loopback  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
SERVICES = ("ICT", "Waste", "Revenues and benefits", "Management team", "Legal", "")  # "" clears the filter


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def council_targets() -> list[tuple[str, str, float, float]]:
    """(GSS code, the name the panel shows, lat, lon) of the councils in the seed's partnerships on the 2025 map."""
    from sharedmap.publishing.dataset import load_seed
    from sharedmap.register import load_register
    from sharedmap.spatial.network import build_network

    register = load_register()
    members = build_network(load_seed(register=register), register, 2025).members.drop_duplicates("gss")
    targets = []
    for gss, drawn_name, lat, lon in zip(
        members["gss"], members["drawn_name"], members["lat"], members["lon"], strict=True
    ):
        council = register.by_gss(gss)
        targets.append((gss, council.name if council else drawn_name, float(lat), float(lon)))
    return sorted(targets)


class Server:
    """`python -m sharedmap serve` on a free port with the given settings; stopped on exit."""

    def __init__(self, folder: Path, env: dict) -> None:
        self.folder, self.env = folder, env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(self.folder / f"server-{self.port}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sharedmap", "serve", "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise SystemExit(f"the server did not start: {Path(self.log.name).read_text()}") from None
                time.sleep(0.3)

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def start_replicas(count: int, synthetic: int = 0) -> list[Server]:
    """``count`` app processes sharing one throw-away SQLite store (WAL: readers never wait), as several copies
    of the app on one machine would run behind a proxy with sticky sessions."""
    folder = Path(tempfile.mkdtemp(prefix="sharedmap-load-"))
    env = {
        **os.environ,
        "SHAREDMAP_DATABASE_URL": f"sqlite:///{folder / 'store.sqlite'}",
        "SHAREDMAP_EVENT_LOG": "off",
        "PYTHONUNBUFFERED": "1",
    }
    if synthetic:
        from bench.synthetic import synthetic_partnerships
        from sharedmap.publishing.store import Store
        from sharedmap.register import load_register

        store = Store.open(env["SHAREDMAP_DATABASE_URL"])
        store.ensure_seeded(synthetic_partnerships(synthetic, load_register()), f"synthetic-{synthetic}")
        store.close()
    return [Server(folder, env) for _ in range(count)]


async def visitor(
    number: int,
    url: str,
    targets,
    actions: int,
    think: tuple[float, float],
    results: dict,
    opened: asyncio.Event,
    count: list[int],
    level: int,
    deadline: float,
) -> None:
    rng = random.Random(number)
    try:
        async with Visitor(url, timeout=60) as tab:
            timing = await tab.run()
            results["open"].append(timing["finished"])
            count[0] += 1
            if count[0] == level:
                opened.set()
            await opened.wait()
            for step in range(actions):
                await asyncio.sleep(rng.uniform(*think))
                if time.monotonic() > deadline:
                    results["cut_short"] += 1
                    return
                if step % 3 == 2:
                    tab.set_multiselect("view_services", [s for s in (rng.choice(SERVICES),) if s])
                    timing = await tab.run()
                    results["filter"].append(timing["finished"])
                    continue
                gss, name, lat, lon = rng.choice(targets)
                tab.click_feature({"c": gss}, lat, lon)
                timing = await tab.run(until=name)
                if "text" not in timing:
                    raise VisitorError(f"clicked {gss}, but the panel never showed {name!r}")
                results["panel"].append(timing["text"])
                results["click"].append(timing["finished"])
    except (VisitorError, OSError) as exc:
        results["errors"].append(f"visitor {number}: {exc}")
        if not opened.is_set():
            count[0] += 1
            if count[0] == level:
                opened.set()


async def run_level(
    urls: list[str], pids: list[int], level: int, actions: int, think: tuple[float, float], max_seconds: float, targets
) -> dict:
    """``level`` visitors at once, visitor i on replica i mod len(urls) (a sticky load balancer's job)."""
    results: dict = {"open": [], "panel": [], "click": [], "filter": [], "errors": [], "cut_short": 0}

    def rss() -> float:
        return sum(rss_mb(pid) for pid in pids)

    def cpu() -> float:
        return sum(cpu_seconds(pid) for pid in pids)

    baseline = rss() if pids else None
    cpu_before, client_before, started = (cpu() if pids else None), time.process_time(), time.monotonic()
    opened, count = asyncio.Event(), [0]
    peak = [baseline or 0.0]

    async def sample() -> None:
        while True:
            if pids:
                peak[0] = max(peak[0], rss())
            await asyncio.sleep(0.25)

    sampler = asyncio.create_task(sample())
    tasks = [
        asyncio.create_task(
            visitor(
                i, urls[i % len(urls)], targets, actions, think, results, opened, count, level, started + max_seconds
            )
        )
        for i in range(level)
    ]
    try:
        await asyncio.wait_for(opened.wait(), max_seconds)
    except TimeoutError:
        results["errors"].append("not every visitor could open the page before the deadline")
    await asyncio.sleep(1.0)  # the opening runs' garbage collected, sessions idle: what a session itself holds
    after_open = rss() if pids else None
    done, pending = await asyncio.wait(tasks, timeout=max(1.0, max_seconds - (time.monotonic() - started)) + 60)
    for task in pending:
        task.cancel()
        results["errors"].append("a visitor was stopped at the deadline")
    sampler.cancel()
    wall = time.monotonic() - started
    return {
        "visitors": level,
        "replicas": len(urls),
        **{f"{name}_p50_s": _quantile(results[name], 0.5) for name in ("open", "panel", "click", "filter")},
        **{f"{name}_p95_s": _quantile(results[name], 0.95) for name in ("open", "panel", "click", "filter")},
        "clicks": len(results["panel"]),
        "filter_changes": len(results["filter"]),
        "errors": len(results["errors"]),
        "error_samples": results["errors"][:5],
        "cut_short": results["cut_short"],
        "rss_baseline_mb": _round(baseline),
        "rss_after_open_mb": _round(after_open),
        "rss_peak_mb": _round(peak[0]),
        "mb_per_session": _round((after_open - baseline) / level) if pids else None,
        "peak_mb_per_session": _round((peak[0] - baseline) / level) if pids else None,
        "server_cpu_cores": _round((cpu() - cpu_before) / wall) if pids else None,
        "load_generator_cpu_cores": _round((time.process_time() - client_before) / wall),
        "wall_s": _round(wall),
    }


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 3)
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(q * 100) - 1], 3)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


async def warm_up(url: str, targets) -> None:
    """One visitor opens the map, clicks a council and changes a filter: a running service's caches are warm."""
    async with Visitor(url, timeout=120) as tab:
        await tab.run()
        gss, name, lat, lon = targets[0]
        tab.click_feature({"c": gss}, lat, lon)
        await tab.run(until=name)
        for service in SERVICES:
            tab.set_multiselect("view_services", [service] if service else [])
            await tab.run()


def print_table(rows: list[dict]) -> None:
    base = rows[0]
    print(
        "| visitors | click → panel p50 / p95 (s) | click → run done p95 | filter → map p50 / p95 | open p95 | "
        "errors | MB per session (idle / peak) | server CPU (cores) | load generator CPU | p95 panel vs 1 visitor |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        ratio = (row["panel_p95_s"] / base["panel_p95_s"]) if row["panel_p95_s"] and base["panel_p95_s"] else None
        print(
            f"| {row['visitors']} | {row['panel_p50_s']} / {row['panel_p95_s']} | {row['click_p95_s']} | "
            f"{row['filter_p50_s']} / {row['filter_p95_s']} | {row['open_p95_s']} | {row['errors']} | "
            f"{row['mb_per_session']} / {row['peak_mb_per_session']} | {row['server_cpu_cores']} | "
            f"{row['load_generator_cpu_cores']} | "
            f"{'' if ratio is None else f'{ratio:.1f}x'} |"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", default="1,10,25,50", help="numbers of concurrent visitors (default 1,10,25,50)")
    parser.add_argument("--actions", type=int, default=6, help="actions per visitor after opening (default 6)")
    parser.add_argument("--think", default="2-6", help="seconds between a visitor's actions, min-max (default 2-6)")
    parser.add_argument("--max-seconds", type=float, default=150, help="deadline per level (default 150)")
    parser.add_argument("--url", help="an app already running on this machine (default: start one per level)")
    parser.add_argument("--server-pid", type=int, help="with --url: its process id, for memory and CPU")
    parser.add_argument(
        "--replicas",
        type=int,
        default=1,
        help="app processes sharing one store, visitors spread over them as a sticky load balancer would (default 1)",
    )
    parser.add_argument("--synthetic", type=int, default=0, help="publish N synthetic partnerships instead of the seed")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    levels = [int(n) for n in args.levels.split(",")]
    if max(levels) > 200 or args.actions > 50:
        parser.error("bounded on purpose: at most 200 visitors and 50 actions each")
    low, high = (float(x) for x in args.think.split("-"))
    if args.url:
        check_loopback(args.url)
    targets = council_targets()
    rows = []
    for level in levels:
        servers = [] if args.url else start_replicas(args.replicas, args.synthetic)
        urls = [args.url] if args.url else [server.url for server in servers]
        pids = ([args.server_pid] if args.server_pid else []) if args.url else [server.pid for server in servers]
        try:
            for url in urls:
                asyncio.run(warm_up(url, targets))
            row = asyncio.run(run_level(urls, pids, level, args.actions, (low, high), args.max_seconds, targets))
        finally:
            for server in servers:
                server.stop()
        rows.append(row)
        print(json.dumps(row), flush=True)
    print()
    print(
        f"{os.cpu_count()} CPU cores; {len(urls)} app process(es); think time {args.think} s; "
        f"{args.actions} actions per visitor"
        + (f"; {args.synthetic} synthetic partnerships" if args.synthetic else "; the 95 real partnerships")
    )
    print_table(rows)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
