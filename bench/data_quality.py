"""Data-quality report benchmark, run by hand: how the report's time grows with the table.

    .venv/bin/python bench/data_quality.py                 # 95 real rows, then 1,000 and 10,000 made-up ones

The report pairs partnerships that share a council (possible duplicates), so a table where a few councils are in
many partnerships is its worst case; the made-up tables of bench/synthetic.py spread members over every council.
Figures are medians of 5 runs, and the ratio is against the 95 real rows in the same go.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]
from synthetic import synthetic_partnerships  # noqa: E402

from sharedmap.data_quality import quality_report  # noqa: E402
from sharedmap.publishing.dataset import load_seed  # noqa: E402
from sharedmap.register import load_register  # noqa: E402


def median_seconds(partnerships, register, runs: int = 5) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        quality_report(partnerships, register)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    register = load_register()
    real = load_seed(register=register)
    base = median_seconds(real, register)
    print(f"{len(real):>6} real rows: {base * 1000:7.1f} ms (1.0x)")
    for count in (1_000, 10_000):
        seconds = median_seconds(synthetic_partnerships(count, register), register)
        print(f"{count:>6} made-up rows: {seconds * 1000:7.1f} ms ({seconds / base:.1f}x)")


if __name__ == "__main__":
    main()
