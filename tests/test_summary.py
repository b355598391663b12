import json

import pytest

from sharedmap.cli.commands import main
from sharedmap.summary import national_summary


@pytest.fixture(scope="module")
def summary(seed, register):
    return national_summary(seed, register)


def test_totals_count_every_partnership_once(summary):
    assert summary["partnerships"] == 95
    assert summary["by_status"] == {"operational": 57, "planned": 28, "ended": 10}
    assert sum(r["partnerships"] for r in summary["by_region"]) == 95
    assert summary["current_councils_involved"] <= summary["councils_involved"]


def test_money_kinds_are_kept_apart(summary):
    kinds = summary["savings_by_kind"]
    assert set(kinds) == {"annual", "cumulative", "target", "one-off funding", "combined spend"}
    assert kinds["one-off funding"]["total_gbp"] >= 750_000 + 385_000 + 300_000
    assert kinds["combined spend"]["total_gbp"] >= 725_000_000  # the Tri-Council's pooled spend, not a saving


def test_ict_is_the_most_shared_service(summary):
    assert summary["by_service"][0]["service"] == "ICT"


def test_summary_command_json_matches_library(summary, capsys):
    assert main(["summary", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["partnerships"] == summary["partnerships"]
