#!/usr/bin/env python3
"""Set up and run the project with nothing but Python 3.11: `python3 dev.py start` or `python3 dev.py test`.

Each command first makes `.venv` and installs the pinned requirements (again only when requirements.txt or
requirements-dev.txt change), then fetches the browser-side assets the map serves itself, then does its job.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / "bin" / "python"
STAMP = VENV / ".requirements.sha256"
CHROMIUM = Path("/usr/bin/chromium")
DOCS_WITH_FIGURES = (
    "docs/data.md",
    "docs/find-a-partner.md",
    "docs/settings.md",
    "docs/cli.md",
)  # cog blocks, generated from the code and data


def run(*cmd: str | os.PathLike, **kwargs) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, **kwargs)


def ensure_venv() -> None:
    """The app's pinned packages and the development tools (requirements-dev.txt includes requirements.txt)."""
    files = ("requirements.txt", "requirements-dev.txt")
    wanted = hashlib.sha256(b"".join((ROOT / name).read_bytes() for name in files)).hexdigest()
    if not PY.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        run(PY, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", "requirements-dev.txt")
        # The package itself, editable, so the `sharedmap` command runs what is in this checkout.
        run(PY, "-m", "pip", "install", "--disable-pip-version-check", "-q", "--no-deps", "-e", ".")
        STAMP.write_text(wanted)
    run(PY, "-m", "sharedmap", "assets", "install")  # Leaflet and topojson-client from npm, integrity-checked


def ensure_chromium() -> None:
    """Browser tests drive Debian's Chromium; install it when we may (root with apt), else they say why they skip."""
    if CHROMIUM.exists() or not shutil.which("apt-get") or os.geteuid() != 0:
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run("apt-get", "update", "-qq", env=env)
    run("apt-get", "install", "-y", "-qq", "chromium", env=env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("start", help="set up and start the app (streamlit run app.py); extra arguments go to streamlit")
    sub.add_parser("test", help="set up, lint, type-check, then the whole test suite; extra arguments go to pytest")
    args, extra = parser.parse_known_args(argv)

    ensure_venv()
    if args.command == "start":
        # Source files missing from ../shared/data and geo/cache/ are downloaded (hash-checked) before the app
        # starts; offline, the one line printed names the missing file and where to put it.
        fetched = subprocess.run([str(PY), "-m", "sharedmap", "boundaries", "fetch"], cwd=ROOT)
        if fetched.returncode != 0:
            return fetched.returncode
        # The static public map the Map page links to ("Fast public map"), built when missing or out of date; the
        # app's own pages do not need it, so a failure is reported and the app starts anyway.
        subprocess.run([str(PY), "-m", "sharedmap", "site", "build", "--if-stale"], cwd=ROOT)
        os.execv(PY, [str(PY), "-m", "streamlit", "run", "app.py", *extra])
    ensure_chromium()
    # The checks CI runs, in order: formatting, lint, types (settings in pyproject.toml), then the suite.
    run(PY, "-m", "ruff", "format", "--check", ".")
    run(PY, "-m", "ruff", "check", ".")
    run(PY, "-m", "mypy")
    run(VENV / "bin" / "lint-imports", "--no-cache")  # the layers (pyproject.toml [tool.importlinter])
    run(VENV / "bin" / "cog", "--check", *DOCS_WITH_FIGURES)  # figures in the docs match what produces them
    report = VENV / "last-test-run.xml"
    result = subprocess.run([str(PY), "-m", "pytest", f"--junitxml={report}", *extra], cwd=ROOT)
    print(skip_summary(report), flush=True)
    return result.returncode


def skip_summary(report: Path) -> str:
    """The last line of a test run: how many tests skipped (under CI a skip is a failure: tests/ci_skips.py)."""
    import xml.etree.ElementTree as ET

    try:
        suites = ET.parse(report).getroot()
    except (OSError, ET.ParseError):
        return "dev.py test: no test report was written"
    skipped = sum(int(s.get("skipped", 0)) for s in suites.iter("testsuite"))
    ran = sum(int(s.get("tests", 0)) for s in suites.iter("testsuite"))
    return f"dev.py test: {skipped} of {ran} tests skipped" + (" (reasons above, marked SKIPPED)" if skipped else "")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as failed:  # the step printed its own report; no traceback on top
        print(f"dev.py: `{' '.join(str(c) for c in failed.cmd)}` failed (exit {failed.returncode})", file=sys.stderr)
        sys.exit(failed.returncode or 1)
