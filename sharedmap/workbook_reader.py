"""Reading a workbook into rows without the app's process paying for it: in a forked worker with a memory cap,
stopped at the file's time budget; the first visible sheet with a header, numbered as the spreadsheet numbers its
rows, refused at the first hidden row, formula without a value, or value past a limit."""

from __future__ import annotations

import io
import multiprocessing
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.etree.ElementTree import ParseError

from sharedmap import config, workbooks
from sharedmap.errors import FileReadError
from sharedmap.filelimits import HEADER_SEARCH_ROWS, Limits, check_row, column_letter, too_many_rows

HasHeader = Callable[[list[list[object]]], bool]

MAX_READ_MEMORY = 768 * 1024 * 1024  # what reading one workbook may add to the worker's address space


def read_workbook(data: bytes, name: str, limits: Limits, deadline: float, has_header: HasHeader) -> list[list[object]]:
    """The workbook read in a worker process with a memory cap, stopped at the time budget: a hostile workbook costs
    the worker, never the app's process. ``has_header`` says whether a sheet's first rows hold the header; with
    fork, it reaches the worker without pickling."""
    # fork: the worker starts in milliseconds with everything imported, and runs only this module's pure-Python
    # reading (zipfile, expat) before it exits; spawn and forkserver would re-run the Streamlit page as __main__.
    if "fork" not in multiprocessing.get_all_start_methods():  # Windows: no fork, read here (the budget still holds)
        return read_here(data, name, limits, has_header)
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_xlsx_worker, args=(send, data, name, limits, has_header), daemon=True)
    process.start()
    send.close()
    try:
        if not receive.poll(max(deadline - time.monotonic(), 0.1)):
            raise FileReadError(
                f"{name}: reading stopped after {config.get_number('SHAREDMAP_UPLOAD_SECONDS'):g} seconds, the time "
                "allowed for one file (SHAREDMAP_UPLOAD_SECONDS); save only the partnerships sheet and try again"
            )
        try:
            kind, value = receive.recv()
        except EOFError as exc:
            raise FileReadError(_memory_message(name)) from exc
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receive.close()
    if kind == "error":
        raise FileReadError(value)
    return value


def _memory_message(name: str) -> str:
    return (
        f"{name} needs more than {MAX_READ_MEMORY // 2**20} MB of memory to read, far more than a partnerships "
        "workbook; save only the partnerships sheet and try again"
    )


def _xlsx_worker(send, data: bytes, name: str, limits: Limits, has_header: HasHeader) -> None:
    """In the worker: cap the address space, read, send the grid or the message back."""
    try:
        _cap_memory(MAX_READ_MEMORY)
        result: tuple[str, object] = ("grid", read_here(data, name, limits, has_header))
    except FileReadError as exc:
        result = ("error", str(exc))
    except MemoryError:
        result = ("error", _memory_message(name))
    except Exception as exc:  # noqa: BLE001 - anything else on a crafted workbook is "unreadable", said once
        result = ("error", f"{name} is not a readable XLSX workbook ({type(exc).__name__}: {str(exc)[:120]})")
    send.send(result)
    send.close()


def _cap_memory(extra: int) -> None:
    """RLIMIT_AS at what the worker holds now plus ``extra`` (Linux; elsewhere the time budget still holds)."""
    try:
        import resource  # POSIX only; imported here so the module loads everywhere

        pages = int(Path("/proc/self/statm").read_text().split()[0])
        now = pages * resource.getpagesize()
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = now + extra if hard == resource.RLIM_INFINITY else min(now + extra, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, OSError, ValueError):
        pass


def read_here(data: bytes, name: str, limits: Limits, has_header: HasHeader) -> list[list[object]]:
    """The first visible sheet with a header row (one named for partnerships first), streamed row by row."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        workbooks.check_parts(archive, name)
        found = workbooks.sheets(archive)
        strings = workbooks.shared_strings(archive, name, (limits.rows + HEADER_SEARCH_ROWS) * (limits.columns + 1))
        dates = workbooks.date_styles(archive)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, ParseError, KeyError) as exc:
        raise FileReadError(f"{name} is not a readable XLSX workbook ({exc})") from exc
    if not found:
        raise FileReadError(f"{name} is not a readable XLSX workbook (it has no sheets)")
    visible = sorted((s for s in found if not s.hidden), key=lambda s: "partnership" not in s.name.lower())
    for sheet in visible:
        if has_header(_sheet_grid(archive, sheet, strings, dates, name, limits, HEADER_SEARCH_ROWS)):
            return _sheet_grid(archive, sheet, strings, dates, name, limits)
    for sheet in (s for s in found if s.hidden):
        if has_header(_sheet_grid(archive, sheet, strings, dates, name, limits, HEADER_SEARCH_ROWS)):
            raise FileReadError(
                f"{name}: the partnerships are on the hidden sheet {sheet.name!r}, and nothing hidden is read: "
                "unhide it (and delete the sheets you do not mean to upload), then try again"
            )
    return _sheet_grid(archive, visible[0], strings, dates, name, limits) if visible else []


def _sheet_grid(
    archive: zipfile.ZipFile,
    sheet: workbooks.Sheet,
    strings: list[str],
    dates: workbooks.Styles,
    name: str,
    limits: Limits,
    stop: int | None = None,
) -> list[list[object]]:
    """The sheet as rows numbered as the spreadsheet numbers them (rows holding only formatting are empty), stopped
    at the limits as it streams; a hidden row or a formula with no saved value is refused, naming it."""
    grid: list[list[object]] = []
    most = limits.rows + HEADER_SEARCH_ROWS
    rows = workbooks.rows(archive, sheet, strings, dates, limits.columns + 1, name)
    for with_values, row in enumerate(rows, start=1):
        if stop is not None and row.number > stop:
            break
        if with_values > most:
            raise too_many_rows(name, limits)
        if row.number > most:
            position = next(i for i, v in enumerate(row.cells) if v not in (None, ""))
            raise FileReadError(
                f"{name}: row {row.number:,} holds {str(row.cells[position])[:40]!r} in column "
                f"{column_letter(position)}, far below the partnerships; a file holds at most {limits.rows:,} rows "
                "(SHAREDMAP_MAX_ROWS): delete what is below them and try again"
            )
        if row.formula_without_value is not None:
            raise FileReadError(
                f"{name}: row {row.number}, column {column_letter(row.formula_without_value)} holds a formula with "
                "no saved value (the program that wrote the file did not calculate it); open the file in Excel or "
                "LibreOffice, save it, and upload it again"
            )
        if row.widest > limits.columns:
            raise FileReadError(
                f"{name}: row {row.number} has {row.widest:,} columns; the limit is {limits.columns} "
                "(SHAREDMAP_MAX_COLUMNS)"
            )
        if row.hidden:
            raise FileReadError(
                f"{name}: row {row.number} of the sheet {sheet.name!r} is hidden, and nothing hidden is read: "
                "unhide the row (or delete it), then try again"
            )
        if row.hidden_value_at is not None:
            raise FileReadError(
                f"{name}: column {column_letter(row.hidden_value_at)} of the sheet {sheet.name!r} is hidden and holds "
                f"a value in row {row.number}, and nothing hidden is read: unhide the column (or delete it), then try "
                "again"
            )
        check_row(row.cells, row.number, name, limits)
        grid.extend([] for _ in range(row.number - 1 - len(grid)))
        grid.append(row.cells)
    return grid
