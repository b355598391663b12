"""The officer's template: the canonical columns, an example row that itself validates, notes on every column."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from sharedmap.partnerships import SERVICES
from sharedmap.publishing import templates
from sharedmap.spreadsheets import FIELD_ALIASES, REQUIRED_FIELDS
from sharedmap.validate import validate_file


@pytest.mark.parametrize(
    ("build", "file_name"), [(templates.template_csv, "t.csv"), (templates.template_xlsx, "t.xlsx")]
)
def test_the_template_validates_with_every_column_recognised(build, file_name, register):
    report = validate_file(build(), register, file_name)
    assert report.ok and report.ignored_columns == []
    assert list(report.columns.values()) == list(templates.COLUMNS)
    assert [r.partnership.council_ids for r in report.rows] == [("BOT", "ELI")]
    assert not report.rows[0].warnings


def test_columns_are_the_fields_the_checker_reads():
    assert set(templates.COLUMNS) <= set(FIELD_ALIASES)
    assert {c for c, (required, _) in templates.COLUMNS.items() if required} == set(REQUIRED_FIELDS)


def test_the_csv_opens_in_excel_with_pound_signs():
    data = templates.template_csv()
    assert data.startswith(b"\xef\xbb\xbf") and "£250,000 annual" in data.decode("utf-8-sig")


def test_the_workbook_explains_each_column_and_the_services():
    book = load_workbook(io.BytesIO(templates.template_xlsx()))
    assert book.sheetnames == ["Partnerships", "Notes"]
    notes = [row for row in book["Notes"].iter_rows(values_only=True)]
    explained = {row[0]: row for row in notes}
    for column, (required, text) in templates.COLUMNS.items():
        assert explained[column][1:] == ("yes" if required else "no", text)
    assert all(service in explained for service in SERVICES)
    assert "revs and bens" in explained["Revenues and benefits"][1]
    assert explained["savings kinds"][1] == "annual, cumulative, target, one-off funding, combined spend"
