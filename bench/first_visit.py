"""The first visitor after a start against the next, on the server's side: `python -m sharedmap serve` is started
afresh several times; as soon as it reports healthy, one visitor opens the Map page and clicks a council, then a
second visitor does the same. Each is a real Streamlit session over its websocket (sharedmap.app.visitor), so the
times are the server's script runs without the browser's noise.

    .venv/bin/python bench/first_visit.py [--starts 3] [--root DIR]

``--root`` runs another checkout's `serve` (say a worktree of an older commit) with this one's visitor, so two
versions can be measured side by side in one go. Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.site import start, stop  # noqa: E402
from sharedmap.app.visitor import Visitor  # noqa: E402

BOSTON = ("E07000136", 52.98, -0.03)


async def one_visit(url: str) -> tuple[float, float]:
    """Seconds to the Map page's first run finishing, and to a click on Boston's run finishing."""
    async with Visitor(url, timeout=120) as tab:
        opened = (await tab.run())["finished"]
        code, lat, lon = BOSTON
        tab.click_feature({"c": code}, lat, lon)
        clicked = (await tab.run(until="Boston"))["finished"]
    return opened, clicked


def one_start(root: Path, port: int, folder: Path) -> dict[str, float]:
    env = {
        **os.environ,
        "PYTHONPATH": str(root),
        "SHAREDMAP_DATABASE_URL": f"sqlite:///{folder / f'store-{port}.sqlite'}",
        "SHAREDMAP_SITE_DIR": "off",
        "SHAREDMAP_EVENT_LOG": "off",
    }
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "sharedmap", "serve", "--port", str(port)]
    process, start_s = start(command, url + "/_stcore/health", env, folder / f"serve-{port}.log", cwd=root)
    try:
        first = asyncio.run(one_visit(url))
        second = asyncio.run(one_visit(url))
    finally:
        stop(process)
    return {
        "healthy": start_s,
        "first_open": first[0],
        "first_click": first[1],
        "next_open": second[0],
        "next_click": second[1],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose serve to start (default: this)")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bench-first-visit-"))
    runs = [one_start(args.root.resolve(), args.port + i, folder) for i in range(args.starts)]
    print(f"serve of {args.root.resolve()}, {args.starts} starts; medians (each start's figures in brackets), seconds:")
    for key in ("healthy", "first_open", "next_open", "first_click", "next_click"):
        values = [run[key] for run in runs]
        print(f"  {key:12} {statistics.median(values):6.2f}  [{', '.join(f'{v:.2f}' for v in values)}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
