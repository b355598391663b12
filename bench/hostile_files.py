"""Hostile-file benchmark, run by hand: every file of the hostile corpus (tests/hostile/) through `validate` (each in
a fresh process, for its time and peak memory) and `import` (on a throw-away SQLite store, and PostgreSQL with
--postgres URL), then publishes killed with SIGKILL at random moments; prints the reliability figures for
docs/reliability.md.

    .venv/bin/python bench/hostile_files.py                       # SQLite only, 10 kills
    .venv/bin/python bench/hostile_files.py --postgres postgresql://postgres@127.0.0.1:5432/test --kills 20

Times and memory are quoted against a baseline run in the same go: validating the real seed table,
data/partnerships.csv, in the same way. Targets: the worst file of each kind validates
in at most 2 s and 300 MB.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from hostile.generate import large_files, read_expectations, small_files, write  # noqa: E402

PASSWORD = "correct horse battery"
MEASURE = r"""
import json, re, sys, time, traceback
started = time.perf_counter()

def peak_mb():  # VmHWM: this process's own peak (ru_maxrss would carry the parent's over the exec)
    with open("/proc/self/status") as fh:
        return int(re.search(r"VmHWM:\s+(\d+)", fh.read())[1]) / 1024

from sharedmap.register import load_register
from sharedmap.errors import SharedMapError
from sharedmap.validate import validate_file
register = load_register()
before_mb = peak_mb()
ready = time.perf_counter()
outcome = "ok"
try:
    report = validate_file(sys.argv[1], register)
    outcome = "ok" if report.ok else "rows"
except SharedMapError:
    outcome = "file"
except BaseException:
    outcome = "traceback"
    traceback.print_exc()
seconds = time.perf_counter() - ready
after_mb = peak_mb()
import resource  # the workbook reader's worker process: its own peak, not in this process's VmHWM
worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"outcome": outcome, "seconds": seconds, "file_mb": after_mb - before_mb, "peak_mb": after_mb,
                  "worker_mb": worker_mb}))
"""


def measure(path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    return json.loads(done.stdout.splitlines()[-1])


def run_cli(argv: list[str], stdin: str = "") -> tuple[int | str, str, float]:
    from sharedmap.cli.commands import main

    out, err = io.StringIO(), io.StringIO()
    real, sys.stdin = sys.stdin, io.StringIO(stdin)
    started = time.perf_counter()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code: int | str = main(argv)
    except BaseException as exc:  # noqa: BLE001 - a traceback is exactly what this counts
        code = f"traceback {type(exc).__name__}"
    finally:
        sys.stdin = real
    return code, out.getvalue() + err.getvalue(), time.perf_counter() - started


def open_store(url: str, seed: Path):
    from sharedmap.publishing import auth
    from sharedmap.publishing.dataset import load_seed
    from sharedmap.publishing.store import Store

    store = Store.open(url)
    store.ensure_seeded(load_seed(seed), seed.name, "0" * 64)
    for email, role, council in (
        ("officer@boston.gov.uk", "officer", "BOT"),
        ("reviewer@lga.gov.uk", "reviewer", None),
        ("second@lga.gov.uk", "reviewer", None),
    ):
        auth.create_user(store, email, PASSWORD, role, council)
    return store


def import_all(url: str, paths: dict[str, Path], expected: dict) -> dict:
    """Every file through `import` as Boston's officer: outcome, time, and whether a refusal changed anything."""
    from sharedmap.publishing.store import close_open_stores

    os.environ["SHAREDMAP_DATABASE_URL"] = url
    store = open_store(url, ROOT / "data" / "partnerships.csv")
    figures = {
        "files": 0,
        "staged": 0,
        "refused": 0,
        "tracebacks": 0,
        "partial_changes": 0,
        "mismatches": [],
        "slowest": (0.0, ""),
    }
    for name in sorted(paths):
        before = (len(store.submissions()), store.current())
        code, output, seconds = run_cli(
            ["import", str(paths[name]), "--by", "officer@boston.gov.uk", "--keep-missing"], PASSWORD + "\n"
        )
        after = (len(store.submissions()), store.current())
        figures["files"] += 1
        figures["slowest"] = max(figures["slowest"], (seconds, name))
        if isinstance(code, str) or "Traceback" in output:
            figures["tracebacks"] += 1
        elif code == 0:
            figures["staged"] += 1
        else:
            figures["refused"] += 1
            figures["partial_changes"] += before != after
        if (code == 0) != (expected[name]["import"] == "staged"):
            figures["mismatches"].append(name)
    store.close()
    close_open_stores()
    return figures


KILLER = """
import sys
from sharedmap.cli.commands import main
sys.exit(main(sys.argv[1:]))
"""


def kills(url: str, at_limit: Path, count: int) -> dict:
    """Stage the 2,000-row file, then approve it in a process killed with SIGKILL at a random moment, ``count``
    times: afterwards the store must hold either the old version (submission still pending) or the new one whole."""
    from sharedmap.publishing.store import close_open_stores

    os.environ["SHAREDMAP_DATABASE_URL"] = url
    store = open_store(url, ROOT / "data" / "partnerships.csv")
    survived, mid_publish = 0, 0
    for i in range(count):
        rows = at_limit.read_text(encoding="utf-8").replace("Hostile at limit", f"Kill {i} at limit")
        path = at_limit.with_name(f"kill-{i}.csv")
        path.write_text(rows, encoding="utf-8")
        code, output, _ = run_cli(
            ["import", str(path), "--by", "reviewer@lga.gov.uk", "--keep-missing"], PASSWORD + "\n"
        )
        assert code == 0, output[-500:]
        submission = store.submissions("pending")[0]
        number, _label = store.current()
        process = subprocess.Popen(
            [sys.executable, "-c", KILLER, "approve", str(submission.id), "--by", "second@lga.gov.uk"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=ROOT,
            env=os.environ.copy(),
        )
        process.stdin.write(PASSWORD + "\n")
        process.stdin.flush()
        time.sleep(random.uniform(1.0, 4.0))  # start-up takes about 1.5 s; the publish itself about 1 s
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            mid_publish += 1
        process.wait()
        now, _ = store.current()
        status = store.submission(submission.id).status
        whole = store.version(now).partnership_count == len(store.records(now))
        if whole and ((now == number and status == "pending") or (now == number + 1 and status == "approved")):
            survived += 1
        if status == "pending":  # clear it, so the next round stages afresh
            from sharedmap.publishing.auth import authenticate
            from sharedmap.publishing.workflow import reject

            reject(store, authenticate(store, "second@lga.gov.uk", PASSWORD), submission.id, "bench")
    store.close()
    close_open_stores()
    return {"kills": mid_publish, "rounds": count, "survived": survived}


def postgres_schema(server: str) -> tuple[str, object]:
    import sqlalchemy as sa

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    return f"{server}?options=-csearch_path%3D{schema}", (admin, schema)


def drop_schema(handle) -> None:
    import sqlalchemy as sa

    admin, schema = handle
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", help="a PostgreSQL server URL; a throw-away schema is used")
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--validate-only", action="store_true", help="skip import and kills")
    args = parser.parse_args()
    os.environ.setdefault("SHAREDMAP_ARGON2_PROFILE", "CHEAPEST")
    folder = Path(tempfile.mkdtemp(prefix="hostile-bench-"))
    paths = {p.name: p for p in write(small_files(), folder / "small") + write(large_files(), folder / "large")}
    expected = read_expectations()

    baseline = measure(ROOT / "data" / "partnerships.csv")
    seed_rows = (ROOT / "data" / "partnerships.csv").read_text(encoding="utf-8").count("\n") - 1  # approximate
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    rows = []
    for name in sorted(paths):
        figures = measure(paths[name])
        rows.append((name, figures))
    print(
        f"validate: baseline data/partnerships.csv ({seed_rows} real rows) {baseline['seconds']:.3f} s, "
        f"{baseline['file_mb']:.1f} MB more memory for the file; the process's peak {baseline['peak_mb']:.0f} MB "
        "(Python, libraries, the register)"
    )
    print(f"{'file':44} {'outcome':9} {'seconds':>8} {'x base':>7} {'+MB':>8} {'peak MB':>8} {'x base':>7}")
    for name, f in sorted(rows, key=lambda r: -r[1]["seconds"])[:12]:
        print(
            f"{name[:44]:44} {f['outcome']:9} {f['seconds']:8.3f} {f['seconds'] / baseline['seconds']:7.1f} "
            f"{f['file_mb']:8.1f} {f['peak_mb']:8.0f} {f['peak_mb'] / baseline['peak_mb']:7.2f}"
        )
    for kind in (".csv", ".xlsx"):
        of_kind = [(n, f) for n, f in rows if n.endswith(kind)]
        slow = max(of_kind, key=lambda r: r[1]["seconds"])
        big = max(of_kind, key=lambda r: r[1]["file_mb"])
        print(
            f"worst {kind}: slowest {slow[0]} {slow[1]['seconds']:.2f} s; most memory {big[0]} "
            f"{big[1]['file_mb']:.1f} MB more, process peak {big[1]['peak_mb']:.0f} MB"
        )
    worker = max(rows, key=lambda r: r[1]["worker_mb"])
    slowest = max(rows, key=lambda r: r[1]["seconds"])
    heaviest = max(rows, key=lambda r: max(r[1]["peak_mb"], r[1]["worker_mb"]))
    print(
        f"worst of all: slowest {slowest[0]} {slowest[1]['seconds']:.2f} s; largest process peak {heaviest[0]} "
        f"{max(heaviest[1]['peak_mb'], heaviest[1]['worker_mb']):.0f} MB; largest workbook-worker peak {worker[0]} "
        f"{worker[1]['worker_mb']:.0f} MB"
    )
    outcomes = [f["outcome"] for _, f in rows]
    wrong = [n for n, f in rows if f["outcome"] != expected[n]["validate"]]
    print(
        f"validate: {len(rows)} files, {outcomes.count('ok')} valid, {outcomes.count('rows')} refused by row, "
        f"{outcomes.count('file')} refused as a file, {outcomes.count('traceback')} tracebacks; "
        f"not as expected: {wrong or 'none'}"
    )

    if args.validate_only:
        return 0
    stores = {"sqlite": (f"sqlite:///{folder / 'store.sqlite'}", None)}
    if args.postgres:
        stores["postgresql"] = postgres_schema(args.postgres)
    try:
        for backend, (url, _) in stores.items():
            figures = import_all(url, paths, expected)
            print(
                f"import on {backend}: {figures['files']} files, {figures['staged']} staged, {figures['refused']} "
                f"refused, {figures['tracebacks']} tracebacks, {figures['partial_changes']} refusals that changed "
                f"something; slowest {figures['slowest'][1]} {figures['slowest'][0]:.2f} s; not as expected: "
                f"{figures['mismatches'] or 'none'}"
            )
        for backend, (url, _) in stores.items():
            url = url if backend != "sqlite" else f"sqlite:///{folder / 'kills.sqlite'}"
            handle = postgres_schema(args.postgres) if backend == "postgresql" else None
            try:
                figures = kills(handle[0] if handle else url, paths["rows_at_limit_2000.csv"], args.kills)
            finally:
                if handle:
                    drop_schema(handle[1])
            print(
                f"kills on {backend}: {figures['kills']} of {figures['rounds']} publishes killed mid-way; store "
                f"whole afterwards {figures['survived']} of {figures['rounds']} times"
            )
    finally:
        if args.postgres:
            drop_schema(stores["postgresql"][1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
