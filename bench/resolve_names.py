"""Time name resolution: 500 council names as the research table writes them and 500 with a letter dropped.

Run by hand: `.venv/bin/python bench/resolve_names.py`. Prints the time per 1,000 names, first (cold, includes
loading the register) and warm, and how many resolved.
"""

import contextlib
import csv
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sharedmap import config  # noqa: E402
from sharedmap.errors import CouncilNotFoundError  # noqa: E402
from sharedmap.register import load_register  # noqa: E402


def main() -> None:
    with open(config.shared_data_dir() / "partnerships_research.csv", encoding="utf-8") as fh:
        research = sorted({n.strip() for row in csv.DictReader(fh) for n in row["councils"].split(";") if n.strip()})
    rng = random.Random(7)
    names = [rng.choice(research) for _ in range(500)]
    names += [name[:3] + name[4:] for name in rng.choices(research, k=500)]
    started = time.perf_counter()
    register = load_register()
    loaded = time.perf_counter() - started
    for label in ("first pass", "second pass"):
        resolved, started = 0, time.perf_counter()
        for name in names:
            with contextlib.suppress(CouncilNotFoundError):
                resolved += bool(register.resolve(name))
        print(f"{label}: {time.perf_counter() - started:.3f} s for {len(names)} names, {resolved} resolved")
    print(f"register load: {loaded:.3f} s")


if __name__ == "__main__":
    main()
