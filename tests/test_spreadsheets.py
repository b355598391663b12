"""Reading a file never raises anything but the project's own errors: properties driven by Hypothesis with
arbitrary bytes and text, plus the limits that stop a file before any heavy work."""

from __future__ import annotations

import contextlib
import io
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
