"""The research log: which councils were searched, so "none recorded" can be told from "not looked"."""

import datetime as dt

import pytest

from sharedmap.data_quality import quality_report
from sharedmap.errors import FileReadError
from sharedmap.research import COLUMNS, NONE_FOUND, load_log, log_path


def write_log(path, rows):
    path.write_text(",".join(COLUMNS) + "\n" + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_the_log_sits_beside_the_table_and_keeps_each_councils_newest_search(tmp_path):
    assert log_path(tmp_path / "partnerships.csv") == tmp_path / "research_log.csv"
    log = load_log(
        write_log(
            tmp_path / "research_log.csv",
            [
                ("BOT", "2026-01-01", "ICT", NONE_FOUND, "Boston ICT"),
                ("BOT", "2026-12-04", "ICT; legal", "SS001; SS002", "Boston shared services|Lincolnshire legal"),
            ],
        )
    )
    assert log["BOT"].found == ("SS001", "SS002") and log["BOT"].queries[1] == "Lincolnshire legal"
    assert load_log(tmp_path / "missing.csv") == {}


def test_a_log_with_other_columns_is_refused(tmp_path):
    (tmp_path / "research_log.csv").write_text("council,date\nBOT,2026\n", encoding="utf-8")
    with pytest.raises(FileReadError, match="research log's columns"):
        load_log(tmp_path / "research_log.csv")


def test_the_report_tells_searched_from_not_looked(tmp_path, seed, register):
    """A council in no partnership that was searched is 'none recorded'; one not in the log is 'not searched'."""
    report = quality_report(seed, register, dt.date(2026, 6, 1))
    without = [c["id"] for c in report.councils_without if c["type"] != "combined authority" and c["id"] != "GLA"]
    searched = without[0]
    log = load_log(write_log(tmp_path / "log.csv", [(searched, "2026-12-04", "ICT", NONE_FOUND, "q")]))
    report = quality_report(seed, register, dt.date(2026, 6, 1), research_log=log)
    neither = {c["id"] for c in report.councils_neither}
    assert searched not in neither and set(without[1:]) <= neither
    assert searched not in {c["id"] for c in report.councils_not_searched}
    assert not {c["type"] for c in report.councils_not_searched} & {"combined authority"}
