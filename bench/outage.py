"""Fault benchmark, run by hand: the database goes away while a visitor browses, then comes back.

    .venv/bin/python bench/outage.py

Starts a PostgreSQL server of its own (initdb + pg_ctl in a temporary folder, on a free port; never the machine's
shared server) and one app (`python -m sharedmap serve`) on it, then: a visitor (Streamlit's websocket protocol,
sharedmap/app/visitor.py) opens the map and clicks councils; the database is stopped; the visitor keeps clicking
(the banner must show, the map must answer); a reviewer tries to sign in (refused with the reason, nothing
written); the database is started again; the visitor's next clicks show the live data without the banner. Prints
each step's time.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from pg_instance import TemporaryPostgres  # noqa: E402

from bench.load import free_port  # noqa: E402
from sharedmap.app.visitor import Visitor  # noqa: E402

BANNER = "The live data store cannot be reached"
RETRY_SECONDS = 5
CLICKS = (
    ("E07000136", "Boston Borough Council", 52.97, -0.02),
    ("E07000137", "East Lindsey District Council", 53.2, 0.1),
)


async def click(tab: Visitor, n: int) -> tuple[float, bool]:
    gss, name, lat, lon = CLICKS[n % 2]
    tab.click_feature({"c": gss}, lat + n * 1e-4, lon)
    timing = await tab.run(until=name)
    return timing.get("text", float("nan")), tab.page.has_text(BANNER)


def sign_in_attempt(url: str) -> tuple[float, str]:
    """A reviewer's sign-in in another process, as the sign-in page does it (the store already open)."""
    code = f"""
import time
from sharedmap.publishing import auth
from sharedmap.publishing import db
from sharedmap.errors import SharedMapError
from sharedmap.publishing.store import Store
started = time.perf_counter()
try:
    auth.authenticate(Store(db.create_store_engine({url!r})), "reviewer@lga.gov.uk", "correct horse battery")
except SharedMapError as exc:
    print(round(time.perf_counter() - started, 3), exc)
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    seconds, _, message = done.stdout.strip().partition(" ")
    return float(seconds or "nan"), message


async def scenario(url: str, database: TemporaryPostgres, database_url: str) -> list[tuple[str, str]]:
    rows = []
    async with Visitor(url, timeout=60) as tab:
        started = time.perf_counter()
        await tab.run()
        rows.append(("open the map (database up)", f"{time.perf_counter() - started:.2f} s"))
        for n in range(2):
            took, banner = await click(tab, n)
            rows.append((f"click {n + 1} (database up)", f"{took * 1000:.0f} ms, banner: {banner}"))
        started = time.perf_counter()
        database.stop()
        rows.append(("stop PostgreSQL (pg_ctl -m fast)", f"{time.perf_counter() - started:.2f} s"))
        for n in range(2, 6):
            took, banner = await click(tab, n)
            rows.append((f"click {n - 1} during the outage", f"{took * 1000:.0f} ms, banner: {banner}"))
        seconds, message = await asyncio.to_thread(sign_in_attempt, database_url)
        rows.append(("a reviewer signs in during the outage", f"refused in {seconds:.2f} s: {message[:90]}…"))
        started = time.perf_counter()
        database.start()
        rows.append(("start PostgreSQL again", f"{time.perf_counter() - started:.2f} s"))
        back = time.perf_counter()
        n = 6
        while True:
            took, banner = await click(tab, n)
            n += 1
            if not banner:
                rows.append(
                    (
                        "first click without the banner",
                        f"{time.perf_counter() - back:.1f} s after the "
                        f"restart (retry every {RETRY_SECONDS} s); that click {took * 1000:.0f} ms",
                    )
                )
                break
            if time.perf_counter() - back > 60:
                rows.append(("recovery", "NOT within 60 s"))
                break
            await asyncio.sleep(0.5)
    return rows


def main() -> int:
    database = TemporaryPostgres()
    database.start()
    server = None
    try:
        database_url = database.url
        port = free_port()
        folder = Path(tempfile.mkdtemp(prefix="sharedmap-outage-"))
        env = {
            **os.environ,
            "SHAREDMAP_DATABASE_URL": database_url,
            "SHAREDMAP_EVENT_LOG": str(folder / "events"),
            "SHAREDMAP_SNAPSHOT": str(folder / "published.json"),
            "SHAREDMAP_STORE_RETRY_SECONDS": str(RETRY_SECONDS),
        }
        log = open(folder / "server.log", "w")  # noqa: SIM115
        server = subprocess.Popen(
            [sys.executable, "-m", "sharedmap", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        import urllib.request

        for _ in range(300):
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=2).close()
                break
            except OSError:
                time.sleep(0.3)
        rows = asyncio.run(scenario(url, database, database_url))
        print("| step | result |\n|---|---|")
        for step, result in rows:
            print(f"| {step} | {result} |")
        print("\nevent log:")
        print((folder / "events").read_text())
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=15)
        database.remove()
    return 0


if __name__ == "__main__":
    sys.exit(main())
