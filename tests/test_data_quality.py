"""The data-quality report: what `data check` and the Data page show, and the rules that make it exit 1."""

import datetime as dt
import json

import pytest
from store_fixtures import write_csv

from sharedmap.cli.commands import main
from sharedmap.data_quality import kind_mixing, possible_duplicates, quality_report
from sharedmap.partnerships import PartialDate, Partnership, Savings, SavingsKind, Status


@pytest.fixture(scope="module")
def report(seed, register):
    return quality_report(seed, register, dt.date(2026, 6, 1))


def test_coverage_counts_each_partnership_once_per_nation(report, seed):
    nations = {d["nation"]: d["partnerships"] for d in report.by_nation}
    assert set(nations) == {"England", "Scotland", "Wales", "Northern Ireland"}
    assert max(nations.values()) <= len(seed) <= sum(nations.values())
    assert {d["region"] for d in report.by_region} >= {"London", "South East", "North East"}


def test_councils_without_a_partnership_are_todays_councils(report, register, seed):
    listed = {c["id"] for c in report.councils_without}
    assert listed and all(register.get(c).current for c in listed)
    assert not listed & {c for p in seed for c in p.council_ids}
    assert "BOT" not in listed  # Boston is in three


def test_gaps_and_stale_rows(report, seed):
    from sharedmap.freshness import is_stale

    assert set(report.without_start) == {p.id for p in seed if p.start is None}
    assert set(report.without_saving) == {p.id for p in seed if not any(s.kind.is_saving for s in p.savings)}
    assert set(report.stale) == {p.id for p in seed if is_stale(p, dt.date(2026, 6, 1), 3)}
    assert report.stale_after_years == 3
    assert not {p.id for p in seed if p.status is Status.ENDED} & set(report.stale)


def test_grant_rows_that_repeat_a_partnership_are_flagged():
    """The near-duplicates the issue found (grant rows SS093/SS006, SS026/SS027, SS025/SS023), as they were."""
    orbis = Partnership(
        "SS006",
        "Orbis",
        ("SRY", "ESX", "BNH"),
        ("HR", "Finance", "ICT"),
        Status.OPERATIONAL,
        savings=(Savings(4.5e6, SavingsKind.ANNUAL, "2016/17"),),
    )
    grant = Partnership(
        "SS093",
        "Surrey and East Sussex (TCA 2013)",
        ("SRY", "ESX"),
        ("Finance", "HR"),
        Status.PLANNED,
        savings=(Savings(750_000, SavingsKind.ONE_OFF_FUNDING, "2013/14"),),
    )
    alliance = Partnership(
        "SS027",
        "High Peak and Staffordshire Moorlands",
        ("HIG", "STF"),
        ("Management team", "Other"),
        Status.OPERATIONAL,
    )
    bid = Partnership(
        "SS026", "High Peak and Staffordshire Moorlands (TCA)", ("HIG", "STF"), ("Other",), Status.PLANNED
    )
    ict = Partnership(
        "SS025",
        "South Holland and Breckland ICT (TCA)",
        ("SHO", "BRE"),
        ("ICT",),
        Status.PLANNED,
        savings=(Savings(385_000, SavingsKind.ONE_OFF_FUNDING, "2013/14"),),
    )
    management = Partnership("SS023", "Breckland and South Holland", ("BRE", "SHO"), ("Management team",), Status.ENDED)
    found = possible_duplicates([orbis, grant, alliance, bid, ict, management])
    assert [(d["ids"], d["why"]) for d in found] == [
        (["SS006", "SS093"], "SS093 records funding for councils of the other"),
        (["SS023", "SS025"], "SS025 records funding for councils of the other"),
        (["SS026", "SS027"], "same councils"),
    ]


def test_a_partnership_is_no_duplicate_of_another_between_other_councils():
    a = Partnership("A", "ICT", ("BOT", "ELI"), ("ICT",), Status.OPERATIONAL)
    b = Partnership("B", "Waste", ("BOT", "ELI"), ("Waste",), Status.OPERATIONAL)
    c = Partnership("C", "ICT too", ("BOT", "SHO"), ("ICT",), Status.OPERATIONAL)
    assert possible_duplicates([a, b, c]) == []


def test_sources_by_domain_and_year(report, seed):
    domains = {d["domain"]: d["partnerships"] for d in report.sources_by_domain}
    assert domains["worcester.gov.uk"] >= 1 and not any(d.startswith("www.") for d in domains)
    assert sum(d["partnerships"] for d in report.sources_by_year) == len(seed)


@pytest.mark.parametrize(
    ("saving", "mixed"),
    [
        (Savings(1e6, SavingsKind.ANNUAL, "since 2010"), True),
        (Savings(1e6, SavingsKind.ANNUAL, "grant funding"), True),
        (Savings(1e6, SavingsKind.ONE_OFF_FUNDING, "per year"), True),
        (Savings(1e6, SavingsKind.TARGET, "per year"), False),  # a target of annual savings
        (Savings(1e6, SavingsKind.COMBINED_SPEND, "per year"), False),
        (Savings(1e6, SavingsKind.ANNUAL, "2020/21"), False),
    ],
)
def test_kind_mixing(saving, mixed):
    assert (kind_mixing(saving) is not None) is mixed


def test_the_shipped_table_breaks_no_rule(capsys):
    assert main(["data", "check", "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["ok"] and printed["problems"] == []
    assert printed["partnerships"] >= 95


def test_rows_breaking_a_rule_exit_1_naming_row_and_rule(tmp_path, seed_rows, capsys):
    rows = [dict(r) for r in seed_rows[:3]]
    rows[0]["source_url"], rows[0]["savings"] = "", ""  # no source
    rows[1]["councils"], rows[1]["council_ids"] = "Boston Borough Council; Gotham City Council", ""  # unknown
    rows[2]["savings"] = "£1m annual since 2010"  # kind mixing
    path = write_csv(tmp_path / "bad.csv", rows)
    assert main(["data", "check", "--file", str(path), "--format", "json"]) == 1
    problems = {(p["row"], p["rule"]) for p in json.loads(capsys.readouterr().out)["problems"]}
    assert problems == {(2, "source"), (3, "council"), (4, "kind")}
    assert main(["data", "check", "--file", str(path)]) == 1
    assert "row 3" in capsys.readouterr().out


def test_an_unreadable_file_exits_2(tmp_path, capsys):
    assert main(["data", "check", "--file", str(tmp_path / "missing.csv")]) == 2
    assert "error:" in capsys.readouterr().err


def test_verified_on_and_evidence_are_read_and_checked(tmp_path, seed_rows, register):
    from sharedmap.validate import validate_file

    rows = [dict(r) for r in seed_rows[:2]]
    rows[0]["verified_on"], rows[0]["evidence"] = "14/03/2025", "Press release, 2nd paragraph: the two councils"
    rows[1]["verified_on"] = "2001"  # before its source's date
    report = validate_file(write_csv(tmp_path / "v.csv", rows), register)
    first, second = report.rows
    assert first.partnership.verified_on == PartialDate(2025, 3, 14)
    assert first.partnership.evidence.startswith("Press release")
    assert [e.column for e in second.errors] == ["verified_on"]


@pytest.mark.parametrize(
    ("evidence", "flagged"),
    [
        ("Press release, 2nd paragraph: savings of up to £1.5m a year.", True),
        ("The partnership is expected to save £1.5m a year.", True),
        ("Annual report: £1.5m saved in 2023/24.", False),
        ("£50K was expected for each council, but over £1.5m was saved in the first year.", False),
    ],
)
def test_a_forecast_stored_as_a_saving_is_flagged(evidence, flagged):
    from sharedmap.data_quality import forecast_flags, row_problems

    p = Partnership(
        "F1",
        "Forecast",
        ("BOT", "ELI"),
        ("ICT",),
        Status.OPERATIONAL,
        savings=(Savings(1_500_000, SavingsKind.ANNUAL),),
        source_urls=("https://example.org",),
        evidence=evidence,
    )
    assert bool(forecast_flags(p)) is flagged
    assert ("forecast" in [x.rule for x in row_problems(p)]) is flagged
    estimate = p.with_changes(savings=(Savings(1_500_000, SavingsKind.ANNUAL, estimate=True),))
    assert not forecast_flags(estimate)  # read and marked: resolved


def test_nothing_is_shown_as_running_on_old_evidence(report, seed):
    from sharedmap.freshness import Standing

    assert report.shown_current_on_old_evidence == []
    assert sum(report.by_status.values()) == len(seed)
    assert report.by_status[Standing.UNCONFIRMED.value] == len(report.stale)
    assert set(report.without_status_evidence) == {p.id for p in seed if not p.status_source_url}
