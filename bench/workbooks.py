"""Workbook benchmark, run by hand: small XLSX files built to be costly to read, each read in a fresh process by the
reader as it was before issue 19 (openpyxl's read-only mode after checking only xl/worksheets/) and by
``read_table`` now (every zip part checked, our own streaming reader in a forked, memory-capped worker); prints the
time, the peak memory of the reading process (and, now, of the worker) and the outcome, for docs/reliability.md.

    .venv/bin/python bench/workbooks.py            # each "before" read is stopped at 120 s or 3 GB
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from hostile.generate import HEADER, _workbook_members, _zip, row, xlsx_bytes  # noqa: E402

from sharedmap.spreadsheets import column_letter  # noqa: E402

TIMEOUT = 120
BEFORE_CAP = 3 << 30

PEAK = r"""
import re, resource, sys, time, json
def peak_mb():
    with open("/proc/self/status") as fh:
        return int(re.search(r"VmHWM:\s+(\d+)", fh.read())[1]) / 1024
def children_mb():
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
"""

BEFORE = (
    PEAK
    + r"""
import io, zipfile
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[2]), resource.RLIM_INFINITY))
from openpyxl import load_workbook
data = open(sys.argv[1], "rb").read()
started = time.perf_counter()
outcome = "read"
try:
    archive = zipfile.ZipFile(io.BytesIO(data))
    if sum(i.file_size for i in archive.infolist()) > 50 * 1024 * 1024:
        outcome = "refused: unpacks too big"
    else:
        for info in archive.infolist():  # the old check: sheets under xl/worksheets/ only, rows counted
            if info.filename.startswith("xl/worksheets/") and info.file_size > 16 * 1024 * 1024:
                outcome = "refused: sheet too big"
        if outcome == "read":
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            rows = 0
            for sheet in book.worksheets:
                for r in sheet.iter_rows(values_only=True, max_col=61, max_row=2011):
                    rows += 1
            outcome = f"read {rows} rows"
except MemoryError:
    outcome = "MemoryError"
except Exception as exc:
    outcome = f"{type(exc).__name__}"
print(json.dumps({"seconds": time.perf_counter() - started, "peak_mb": peak_mb(), "outcome": outcome}))
"""
)

AFTER = (
    PEAK
    + r"""
from sharedmap.errors import FileReadError
from sharedmap.spreadsheets import read_table
data = open(sys.argv[1], "rb").read()
base = peak_mb()
started = time.perf_counter()
try:
    outcome = f"read {len(read_table(data, 'bench.xlsx').rows)} rows"
except FileReadError as exc:
    outcome = "refused: " + str(exc).split(": ", 1)[-1][:70]
print(json.dumps({"seconds": time.perf_counter() - started, "peak_mb": peak_mb(), "worker_mb": children_mb(),
                  "outcome": outcome}))
"""
)


def _sheet(rows: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>"
    ).encode()


def _cells(values: list[object]) -> str:
    return "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values)


def costly_workbooks() -> dict[str, bytes]:
    good = list(row("bench").values())
    base = _workbook_members(xlsx_bytes([HEADER, good]))
    header_row = f'<row r="1">{_cells(HEADER)}</row><row r="2">{_cells(good)}</row>'
    empty_cells = "".join('<c s="0"/>' for _ in range(4000))
    files = {
        # a sheet kept outside xl/worksheets/ (the workbook's rels point at it), 2,000 rows of 4,000 empty cells
        "sheet_outside_worksheets.xlsx": _zip(
            {
                **base,
                "xl/_rels/workbook.xml.rels": base["xl/_rels/workbook.xml.rels"].replace(
                    b"/xl/worksheets/sheet1.xml", b"/xl/sheet1.xml"
                ),
                "xl/sheet1.xml": _sheet(
                    header_row + "".join(f'<row r="{n}">{empty_cells}</row>' for n in range(3, 1300))
                ),
            }
        ),
        # styles: 400,000 cell formats, parsed in full before any row
        "styles_flood.xlsx": _zip(
            {
                **base,
                "xl/styles.xml": (
                    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    '<cellXfs count="400000">' + '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>' * 400_000
                ).encode()
                + b"</cellXfs></styleSheet>",
            }
        ),
        # shared strings: 1,000,000 texts, parsed in full before any row
        "shared_strings_flood.xlsx": _zip(
            {
                **base,
                "xl/sharedStrings.xml": b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                + b"".join(b"<si><t>%d</t></si>" % i for i in range(1_000_000))
                + b"</sst>",
            }
        ),
        # every row 16,384 cells wide, under the old size check
        "wide_rows.xlsx": _zip(
            {
                **base,
                "xl/worksheets/sheet1.xml": _sheet(
                    header_row + "".join(f'<row r="{n}">{empty_cells * 2}</row>' for n in range(3, 180))
                ),
            }
        ),
        # within every part limit: 2,000 rows, each with 380 formatted empty cells past the column limit (15.5 MB)
        "wide_within_limits.xlsx": _zip(
            {
                **base,
                "xl/worksheets/sheet1.xml": _sheet(
                    header_row
                    + "".join(
                        f'<row r="{n}">'
                        + "".join(f'<c r="{column_letter(c)}{n}" s="{(c * n) % 97}"/>' for c in range(62, 442))
                        + "</row>"
                        for n in range(3, 2000)
                    )
                ),
            }
        ),
        "ordinary_2000_rows.xlsx": xlsx_bytes([HEADER] + [list(row(f"bench {i}").values()) for i in range(2000)]),
    }
    return files


def measure(script: str, path: Path, *extra: str) -> dict:
    try:
        done = subprocess.run(
            [sys.executable, "-c", script, str(path), *extra],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            cwd=ROOT,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        )
    except subprocess.TimeoutExpired:
        return {"seconds": TIMEOUT, "peak_mb": float("nan"), "outcome": f"stopped at {TIMEOUT} s"}
    lines = done.stdout.strip().splitlines()
    if not lines:
        return {"seconds": float("nan"), "peak_mb": float("nan"), "outcome": f"died: {done.stderr[-120:]}"}
    return json.loads(lines[-1])


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        print("| file | size | before: time, peak, outcome | now: time, app peak, worker peak, outcome |")
        print("| --- | --- | --- | --- |")
        for name, data in costly_workbooks().items():
            path = Path(folder) / name
            path.write_bytes(data)
            zipfile.ZipFile(io.BytesIO(data)).testzip()
            before = measure(BEFORE, path, str(BEFORE_CAP))
            after = measure(AFTER, path)
            print(
                f"| {name} | {len(data) / 1024:,.0f} KB "
                f"| {before['seconds']:.1f} s, {before['peak_mb']:,.0f} MB, {before['outcome']} "
                f"| {after['seconds']:.2f} s, {after['peak_mb']:,.0f} MB, {after.get('worker_mb', 0):,.0f} MB, "
                f"{after['outcome']} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
