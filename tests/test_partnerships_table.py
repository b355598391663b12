"""The shipped table, data/partnerships.csv: valid, sourced, checked, current enough to say so, and national."""

from __future__ import annotations

import csv

import pytest

from sharedmap import config
from sharedmap.cli import main
from sharedmap.data_quality import quality_report
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


@pytest.fixture(scope="module")
def report(register):
    from sharedmap.publishing.dataset import load_seed
    from sharedmap.research import load_log, log_path

    return quality_report(load_seed(TABLE, register), register, research_log=load_log(log_path(TABLE)))


def test_every_status_rests_on_its_own_dated_evidence_and_none_is_shown_as_current_on_old_evidence(report, rows):
    """True today: each row's status has its newest evidence (link, date, where), and a row said to be running or
    planned on evidence past the limit is shown as unconfirmed, never as running."""
    assert report.without_status_evidence == []
    assert report.shown_current_on_old_evidence == []
    assert report.forecast_flags == []
    for row in rows:
        assert row["status_source_date"] >= row["source_date"][:4], row["id"]


def test_coverage_meets_the_floors_and_every_council_was_searched(report, rows):
    nations = {n["nation"]: n["partnerships"] for n in report.by_nation}
    assert len(rows) >= 450
    assert nations["Scotland"] >= 40 and nations["Wales"] >= 35 and nations["Northern Ireland"] >= 10
    assert report.councils_not_searched == [] and report.councils_neither == []


def test_other_is_left_for_what_fits_nothing(rows):
    other = [r["id"] for r in rows if "Other" in [s.strip() for s in r["services"].split(";")]]
    assert len(other) <= 0.05 * len(rows), other


def test_the_research_log_names_only_real_councils_and_rows(register, rows):
    from sharedmap.research import load_log, log_path

    ids = {r["id"] for r in rows}
    with (TABLE.parent / "held_back.csv").open(encoding="utf-8", newline="") as handle:
        ids |= {r["id"] for r in csv.DictReader(handle)}
    for council_id, entry in load_log(log_path(TABLE)).items():
        assert register.get(council_id).current, council_id
        assert entry.queries, council_id  # what was searched is logged, not only that it was
        assert set(entry.found) <= ids, (council_id, set(entry.found) - ids)
