"""Reading a file never raises anything but the project's own errors: properties driven by Hypothesis with
arbitrary bytes and text, plus the limits that stop a file before any heavy work."""

from __future__ import annotations

import contextlib
import io
import time
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sharedmap.errors import FileReadError
from sharedmap.spreadsheets import Limits, column_letter, read_table
from sharedmap.validate import ValidationReport, validate_file

HEADER = b"name,councils,services,status,start,end,savings,source_url\r\n"
QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SMALL = Limits(upload_bytes=4096, rows=20, columns=12, cell_chars=200)


@QUICK
@given(st.binary(max_size=2048))
def test_any_bytes_are_read_or_refused_with_a_file_error(data):
    try:
        table = read_table(data, "any.csv")
    except FileReadError as exc:
        assert str(exc)
    else:
        assert table.rows


@QUICK
@given(st.binary(max_size=1024))
def test_any_bytes_after_a_header_are_read_or_refused(data):
    with contextlib.suppress(FileReadError):
        read_table(HEADER + data, "after-header.csv")


REALISTIC = st.sampled_from(
    [
        "Boston Borough Council; East Lindsey",
        "£5m annual",
        "2020-10",
        "2018",
        "operational",
        "ICT",
        "https://x.org",
        "Poole",
        "ended",
        "(York)",
        "£1m (Boston Borough Council)",
        "1(BOSTON%BOROUG%COUNCI)",
    ]
)


@QUICK
@given(st.lists(st.lists(st.one_of(st.text(max_size=40), REALISTIC), min_size=1, max_size=10), max_size=8))
def test_any_cells_under_a_real_header_are_checked_row_by_row(register, cells):
    text = HEADER.decode() + "\r\n".join(",".join('"' + c.replace('"', '""') + '"' for c in r) for r in cells)
    try:
        report = validate_file(text.encode("utf-8", "surrogatepass"), register, "cells.csv")
    except FileReadError:
        return
    assert isinstance(report, ValidationReport)
    for row in report.rows:
        assert all(issue.column and issue.message for issue in row.errors)


@QUICK
@given(st.binary(max_size=1024))
def test_any_zip_member_is_read_or_refused(data):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/worksheets/sheet1.xml", data)
        archive.writestr("[Content_Types].xml", data[:100])
    with contextlib.suppress(FileReadError):
        read_table(buffer.getvalue(), "any.xlsx")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (HEADER + b"a,b,c\r\n" * 30, "has more than 20 rows; the limit is 20 (SHAREDMAP_MAX_ROWS)"),
        (HEADER + b"a," * 20 + b"a\r\n", "row 2 has 21 columns; the limit is 12 (SHAREDMAP_MAX_COLUMNS)"),
        (HEADER + b"a,b," + b"c" * 201 + b"\r\n", "row 2, column C holds 201 characters; the limit is 200"),
        (HEADER + b"x" * 5000, "the limit is 0.00390625 MB (SHAREDMAP_MAX_UPLOAD_MB)"),
    ],
)
def test_a_file_past_a_limit_gets_one_message_naming_the_limit(data, message):
    with pytest.raises(FileReadError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_table(data, "limits.csv", SMALL)


def test_the_row_limit_is_enforced_on_a_workbook_before_openpyxl_reads_it():
    from hostile.generate import _big_workbook

    with pytest.raises(FileReadError, match="has more than 20 rows"):
        read_table(_big_workbook(5000), "many.xlsx", Limits(upload_bytes=10**8, rows=20, columns=12, cell_chars=200))


def test_column_letters_are_as_a_spreadsheet_names_them():
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


# Read as a person reads it (issue 19) --------------------------------------------------------------------------


def corpus_file(name: str) -> bytes:
    from hostile.generate import FILES

    return (FILES / name).read_bytes()


def test_a_hidden_sheet_is_never_read_even_when_named_for_partnerships():
    """Before: the hidden sheet 'Partnerships (old)' was read (its name ranks it first) instead of the visible one."""
    table = read_table(corpus_file("xlsx_hidden_sheet_decoy.xlsx"), "decoy.xlsx")
    assert [values["name"] for _row, values in table.rows] == ["Hostile from the visible sheet"]
    with pytest.raises(FileReadError, match="on the hidden sheet 'Partnerships \\(old\\)', and nothing hidden is read"):
        read_table(corpus_file("xlsx_only_hidden_sheet.xlsx"), "hidden.xlsx")


def test_a_hidden_row_is_refused_by_its_number():
    with pytest.raises(FileReadError, match="row 2 of the sheet 'Partnerships' is hidden"):
        read_table(corpus_file("xlsx_hidden_row.xlsx"), "hidden-row.xlsx")


def test_a_formatted_cell_far_below_is_not_a_row_but_a_value_there_is_named():
    """Before: a cell formatted at row 60,000 read as "more than 2,000 rows"."""
    table = read_table(corpus_file("xlsx_stray_formatted_cell.xlsx"), "stray.xlsx")
    assert [row for row, _values in table.rows] == [2]
    with pytest.raises(FileReadError, match="row 1,048,576 holds 'x' in column A, far below the partnerships"):
        read_table(corpus_file("xlsx_stray_value_far_below.xlsx"), "far.xlsx")


def test_a_quote_left_open_never_swallows_rows():
    """Before: the rows after the open quote became one description, and were then withdrawn as missing."""
    with pytest.raises(FileReadError, match="row 2's description runs over 5 lines and contains 32 commas"):
        read_table(corpus_file("unclosed_quote_closed_rows_later.csv"), "quote.csv")
    with pytest.raises(FileReadError, match="row 2 opens a quote that is never closed"):
        read_table(corpus_file("unclosed_quote_swallows_rows.csv"), "quote.csv")
    table = read_table(b'name,councils,services,description\r\nA,"X; Y",ICT,"two\nlines, one comma"\r\n', "ok.csv")
    assert table.rows[0][1]["description"] == "two\nlines, one comma"


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be"])
def test_wide_encodings_are_read_with_or_without_their_mark(encoding):
    """Before: UTF-32 read as "no header row found"."""
    text = "name,councils,services\r\nCyd-wasanaeth Môn,X; Y,ICT\r\n"
    assert read_table(text.encode(encoding), "wide.csv").rows[0][1]["name"] == "Cyd-wasanaeth Môn"


def test_a_formula_without_a_saved_value_is_named():
    """Before: the empty value read as "every partnership needs a name"."""
    with pytest.raises(FileReadError, match="row 3, column A holds a formula with no saved value"):
        read_table(corpus_file("xlsx_formula_no_value.xlsx"), "formula.xlsx")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("xlsx_styles_bomb.xlsx", "its part xl/styles.xml is compressed 1,024 times"),
        ("xlsx_shared_strings_flood.xlsx", "different texts"),
        ("xlsx_many_parts.xlsx", "holds 609 parts"),
    ],
)
def test_every_part_of_a_workbook_is_checked_before_it_is_parsed(name, message):
    """Before: only sheets under xl/worksheets/ were checked; styles and shared strings were parsed in full."""
    with pytest.raises(FileReadError, match=message):
        read_table(corpus_file(name), name)


def test_the_worker_pays_for_a_workbook_not_the_app(monkeypatch):
    """The read runs in a forked worker under a memory cap (RLIMIT_AS) and within the time budget: past either, a
    clear refusal, and the app's process is untouched. (A read that wants more than the cap stands in for a hostile
    workbook: within the part limits none can be built small enough to commit.)"""
    from hostile.generate import _big_workbook

    from sharedmap import workbook_reader

    good = _big_workbook(1990)

    def greedy(data, name, limits, has_header):
        bytearray(workbook_reader.MAX_READ_MEMORY + (64 << 20))  # fine without the cap (this process), not with it
        return [["never"]]

    monkeypatch.setattr(workbook_reader, "read_here", greedy)  # the forked worker inherits it
    with pytest.raises(FileReadError, match="needs more than 768 MB of memory to read, far more than a partnerships"):
        read_table(good, "big.xlsx")
    greedy(good, "big.xlsx", None, None)  # this process never had the cap
    monkeypatch.undo()
    assert len(read_table(good, "big.xlsx").rows) == 1990
    monkeypatch.setenv("SHAREDMAP_UPLOAD_SECONDS", "0.5")
    monkeypatch.setattr(workbook_reader.workbooks, "check_parts", lambda *_: time.sleep(5))
    with pytest.raises(FileReadError, match="reading stopped after 0.5 seconds, the time allowed for one file"):
        read_table(good, "big.xlsx")
