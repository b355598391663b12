"""The shipped table, data/partnerships.csv: valid, sourced, checked, current enough to say so, and national."""

from __future__ import annotations

import csv

import pytest

from sharedmap import config
from sharedmap.cli import main
from sharedmap.quality import quality_report
from sharedmap.validate import validate_file

pytestmark = pytest.mark.shared_data
TABLE = config.PROJECT_ROOT / "data" / "partnerships.csv"
ENGLISH_REGIONS = {
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
}


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    with TABLE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_table_validates_with_no_error(register):
    report = validate_file(TABLE, register)
    assert [r.row for r in report.rows if not r.ok] == []
    assert len(report.rows) >= 250


def test_every_row_says_where_its_facts_are_and_when_it_was_checked(rows):
    for row in rows:
        assert row["source_url"].startswith("http"), row["id"]
        assert row["source_date"] and row["verified_on"] and row["evidence"].strip(), row["id"]
    assert len({row["id"] for row in rows}) == len(rows)


def test_all_four_nations_and_every_english_region_are_on_the_map(register):
    from sharedmap.publishing.dataset import load_seed

    report = quality_report(load_seed(TABLE, register), register)
    assert {"England", "Scotland", "Wales", "Northern Ireland"} <= {n["nation"] for n in report.by_nation}
    assert {r["region"] for r in report.by_region} >= ENGLISH_REGIONS


def test_data_check_finds_no_row_that_breaks_a_rule(capsys):
    assert main(["data", "check", "--file", str(TABLE)]) == 0
    assert "No row breaks a rule" in capsys.readouterr().out
