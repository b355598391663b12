import json

import pytest

from sharedmap.cli.commands import main
from sharedmap.freshness import Standing, standing
from sharedmap.summary import national_summary


@pytest.fixture(scope="module")
def summary(seed, register):
    return national_summary(seed, register)


def test_totals_count_every_partnership_once(seed, summary):
    assert summary["partnerships"] == 95
    shown = {p.id: standing(p) for p in seed}
    assert summary["by_status"] == {s.value: sum(v is s for v in shown.values()) for s in Standing}
    assert summary["by_status"]["ended"] == 10 and summary["confirmed_running"] == summary["by_status"]["operational"]
    assert sum(r["partnerships"] for r in summary["by_region"]) == 95
    assert summary["current_councils_involved"] <= summary["councils_involved"]


def test_money_kinds_are_kept_apart(summary):
    kinds = summary["savings_by_kind"]
    assert set(kinds) == {"annual", "cumulative", "target", "one-off funding", "combined spend"}
    assert kinds["one-off funding"]["total_gbp"] >= 750_000 + 385_000 + 300_000
    assert kinds["combined spend"]["total_gbp"] >= 725_000_000  # the Tri-Council's pooled spend, not a saving


def test_ict_is_the_most_shared_service(summary):
    assert summary["by_service"][0]["service"] == "ICT"


def test_by_service_never_multiplies_a_figure_by_its_services(seed, summary):
    """Regression: each service was credited a partnership's whole annual figure (the column summed to ~5x the
    national annual total). Now only single-service partnerships' figures are summed, so the column can never
    exceed the national total."""
    national = summary["savings_by_kind"]["annual"]["total_gbp"]
    by_service = sum(s["annual_savings_single_service_gbp"] for s in summary["by_service"])
    assert 0 < by_service <= national
    legal = next(s for s in summary["by_service"] if s["service"] == "Legal")
    alone = [p for p in seed if p.services == ("Legal",) and any(x.kind.value == "annual" for x in p.savings)]
    assert legal["single_service_with_annual_saving"] == len(alone)


def test_each_council_figures_count_for_every_member_and_estimates_stay_apart(seed, register):
    """Richmond and Wandsworth: "up to £10m a year for each authority" is an estimate: £20m, never achieved."""
    richmond = [p for p in seed if p.id == "SS021"]
    annual = national_summary(richmond, register)["savings_by_kind"]["annual"]
    assert (annual["estimated_gbp"], annual["estimated_partnerships"]) == (20_000_000, 1)
    assert (annual["total_gbp"], annual["partnerships"]) == (0, 0)


def test_summary_command_reads_the_published_version(configured_store, register, capsys):
    """Regression: the command read the seed file, so after an approval it disagreed with Statistics."""
    from sharedmap.publishing.dataset import load_published
    from sharedmap.publishing.store import open_store

    _label, seeded = load_published(register)
    store = open_store()
    with store.write() as conn:
        store.lock_current(conn)
        kept = [r for r in store.records(connection=conn) if r["id"] != "SS001"]
        version = store.write_version(conn, kept, actor="test", action="approve")
    assert main(["summary", "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["version"] == version.label
    assert printed["partnerships"] == len(seeded) - 1


def test_statistics_page_agrees_with_the_summary_command(capsys):
    """The page and the command read the same published version and the same default view (the latest year)."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from sharedmap.partnerships import format_gbp

    assert main(["summary", "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    at = AppTest.from_file(str(Path(__file__).parent.parent / "pages" / "statistics.py"), default_timeout=120).run()
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["Partnerships"] == str(printed["partnerships"])
    assert shown["Confirmed running"] == str(printed["confirmed_running"])
    assert shown["Annual savings achieved"] == format_gbp(printed["savings_by_kind"]["annual"]["total_gbp"])
    services = at.dataframe[1].value  # the by-service table beside its chart
    assert list(services["partnerships"]) == [s["partnerships"] for s in printed["by_service"]]


def test_freshness_by_nation_and_council_type_counts_each_partnership_once_per_group(seed, register, summary):
    shown = {p.id: standing(p) for p in seed if standing(p) is not Standing.FUNDED}
    english = [p for p in seed if p.id in shown and any(register.get(c).nation == "England" for c in p.council_ids)]
    england = next(r for r in summary["freshness_by_nation"] if r["nation"] == "England")
    assert england == {
        "nation": "England",
        "confirmed": sum(shown[p.id] in (Standing.OPERATIONAL, Standing.PLANNED) for p in english),
        "unconfirmed": sum(shown[p.id] is Standing.UNCONFIRMED for p in english),
        "ended": sum(shown[p.id] is Standing.ENDED for p in english),
        "partnerships": len(english),
    }
    assert england["unconfirmed"] > 0 and england["confirmed"] > 0  # the fixture has both
    types = summary["freshness_by_council_type"]
    assert {"district", "county"} <= {r["council_type"] for r in types}
    assert sum(r["partnerships"] for r in types) >= summary["partnerships"]  # once per type of its members
    assert all(r["confirmed"] + r["unconfirmed"] + r["ended"] == r["partnerships"] for r in types)
