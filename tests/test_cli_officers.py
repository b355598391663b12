"""The officer's path on the command line, on both stores: passwords from standard input, refusals change nothing."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest
from openpyxl import load_workbook
from store_fixtures import PASSWORD, snapshot, write_csv

from sharedmap.cli.commands import main
from sharedmap.publishing.store import Store

OFFICER, REVIEWER = "officer@eastlindsey.gov.uk", "reviewer@lga.gov.uk"
EDITED = "Joint chief executive and management team since 1 July 2020."
FORMULA_ROW = {
    "name": '=HYPERLINK("http://evil.example","Shared waste")',
    "services": "Waste",
    "councils": "East Lindsey District Council; Boston Borough Council",
    "status": "operational",
    "description": "@SUM(1+1) shared waste collection",
    "source_url": "https://www.e-lindsey.gov.uk/",
}


def run(monkeypatch, capsys, *argv, stdin=""):
    """The command as a script runs it: standard input is not a terminal, so passwords are read from it."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cli(configured_store, monkeypatch, capsys):
    """Run a command against a fresh store that has an officer of East Lindsey and a reviewer."""

    def command(*argv, stdin=""):
        return run(monkeypatch, capsys, *argv, stdin=stdin)

    assert command(
        "users", "add", OFFICER, "--role", "officer", "--council", "East Lindsey", stdin=f"{PASSWORD}\n{PASSWORD}\n"
    )[:2] == (0, f"Created officer account {OFFICER} for East Lindsey District Council (ELI).\n")
    assert command("users", "add", REVIEWER, "--role", "reviewer", stdin=f"{PASSWORD}\n{PASSWORD}\n")[0] == 0
    return command


@pytest.fixture
def upload_file(tmp_path, seed_rows):
    rows = {r["id"]: dict(r) for r in seed_rows}
    return write_csv(
        tmp_path / "east-lindsey.csv", [{**rows["SS001"], "description": EDITED}, rows["SS002"], FORMULA_ROW]
    )


def test_the_officer_path_on_the_command_line(cli, configured_store, upload_file, tmp_path):
    code, out, _ = cli("import", str(upload_file), "--by", OFFICER, stdin=PASSWORD + "\n")
    assert code == 0
    assert "Against version 1: 1 new, 1 changed, 1 unchanged, 0 withdrawn" in out
    assert "      description: 'Two Lincolnshire districts" in out and f"→ '{EDITED}'" in out
    assert "Submission 1 staged from east-lindsey.csv" in out
    code, out, _ = cli("users", "list")
    assert [line.split()[:3] for line in out.splitlines()] == [[OFFICER, "officer", "ELI"], [REVIEWER, "reviewer", "-"]]
    code, out, _ = cli("submissions")
    assert code == 0 and out.startswith("#1    pending") and f"{OFFICER} east-lindsey.csv (against v1)" in out
    code, out, _ = cli("submissions", "1", "--format", "json")
    assert json.loads(out)["preview"]["counts"] == {"new": 1, "changed": 1, "unchanged": 1, "withdrawn": 0}

    code, out, _ = cli("approve", "1", "--by", REVIEWER, "--comment", "checked", stdin=PASSWORD + "\n")
    assert (code, out) == (0, "Published version 2 (7 partnerships) from submission 1.\n")
    code, out, _ = cli("history")
    assert out.splitlines()[0].startswith("* v2") and "submission 1" in out.splitlines()[0]
    code, out, _ = cli("history", "--audit")
    assert [line.split()[3] for line in out.splitlines()[:2]] == ["approve", "submit"]
    assert "file east-lindsey.csv sha256" in out

    code, out, _ = cli("export", "--format", "csv")
    exported = {r["id"]: r for r in csv.DictReader(io.StringIO(out.lstrip("\ufeff")))}
    assert exported["SS001"]["description"] == EDITED
    formula = next(r for r in exported.values() if "HYPERLINK" in r["name"])
    assert formula["name"] == "'" + FORMULA_ROW["name"] and formula["description"] == "'" + FORMULA_ROW["description"]
    code, out, _ = cli("export", "--format", "csv", "--version", "1")
    assert EDITED not in out and "HYPERLINK" not in out

    workbook = tmp_path / "published.xlsx"
    code, _, err = cli("export", "--format", "xlsx", "--output", str(workbook))
    assert (code, err) == (0, f"Wrote version 2 (7 partnerships) to {workbook}.\n")
    sheet = load_workbook(workbook)["Partnerships"]
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'" + FORMULA_ROW["name"] in names and sheet["A1"].value == "id"
    code, out, _ = cli("export", "--format", "geojson")
    collection = json.loads(out)
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 7

    code, out, _ = cli("rollback", "1", "--by", REVIEWER, "--reason", "mistake", stdin=PASSWORD + "\n")
    assert (code, out) == (0, "Published version 3, equal to version 1 (6 partnerships).\n")
    store = Store.open(configured_store)
    assert store.records(3) == store.records(1)
    store.close()


@pytest.mark.parametrize(
    "argv",
    [
        ("import", "{file}", "--by", OFFICER),
        ("approve", "1", "--by", REVIEWER),
        ("reject", "1", "--by", REVIEWER, "--reason", "no"),
        ("rollback", "1", "--by", REVIEWER),
    ],
)
@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("not the password\n", "error: wrong email or password\n"),
        ("", "error: no password given: type it, or give it as a line of standard input\n"),
    ],
)
def test_every_command_that_changes_data_needs_the_password(cli, configured_store, upload_file, argv, stdin, message):
    assert cli("import", str(upload_file), "--by", OFFICER, stdin=PASSWORD + "\n")[0] == 0
    store = Store.open(configured_store)
    before = snapshot(store)
    code, out, err = cli(*[a.format(file=upload_file) for a in argv], stdin=stdin)
    assert (code, out, err) == (2, "", message)
    assert snapshot(store) == before
    store.close()


def test_an_officer_cannot_approve(cli, upload_file):
    assert cli("import", str(upload_file), "--by", OFFICER, stdin=PASSWORD + "\n")[0] == 0
    code, _, err = cli("approve", "1", "--by", OFFICER, stdin=PASSWORD + "\n")
    assert (code, err) == (2, f"error: only a reviewer may approve submissions; {OFFICER} is an officer\n")


def test_import_refuses_a_file_with_bad_rows_and_shows_them(cli, configured_store, tmp_path, seed_rows):
    bad = write_csv(
        tmp_path / "bad.csv", [seed_rows[0], {**seed_rows[1], "councils": "Bostom; East Lindsey", "council_ids": ""}]
    )
    store = Store.open(configured_store)
    before = snapshot(store)
    code, out, err = cli("import", str(bad), "--by", OFFICER, stdin=PASSWORD + "\n")
    assert code == 1
    assert "[ERR] row 3: South & East Lincolnshire Councils Partnership" in out
    assert "Did you mean: Boston Borough Council" in out
    assert err.startswith(
        "error: bad.csv: 1 of 2 rows have errors, nothing was imported: row 3, councils: Unknown council 'Bostom'"
    )
    assert snapshot(store) == before
    store.close()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "error: upload.csv is empty\n"),
        (
            b"name,services\nOrbis,ICT\n",
            "error: upload.csv: missing required column(s): councils (found: name, services)\n",
        ),
    ],
)
def test_import_refuses_an_unreadable_file(cli, tmp_path, content, message):
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    assert cli("import", str(path), "--by", OFFICER, stdin=PASSWORD + "\n") == (2, "", message)


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (
            ("users", "add", "x@boston.gov.uk", "--role", "reviewer"),
            f"{PASSWORD}\nsomething else\n",
            "error: the two passwords differ\n",
        ),
        (
            ("users", "add", "x@boston.gov.uk", "--role", "officer", "--council", "Bostom"),
            f"{PASSWORD}\n{PASSWORD}\n",
            "error: Unknown council 'Bostom'",
        ),
        (
            ("users", "add", OFFICER, "--role", "officer", "--council", "Boston"),
            f"{PASSWORD}\n{PASSWORD}\n",
            f"error: an account for {OFFICER} already exists\n",
        ),
        (("history", "--version", "5"), "", "error: there is no version 5"),
        (("submissions", "4"), "", "error: there is no submission 4"),
    ],
)
def test_clear_errors_for_bad_requests(cli, argv, stdin, message):
    code, _, err = cli(*argv, stdin=stdin)
    assert code == 2 and err.startswith(message)


def test_a_script_drives_it_through_pipes(configured_store, upload_file):
    """Real processes with real pipes, as a deployment script would run them."""

    def script(*argv, stdin):
        return subprocess.run(
            [sys.executable, "-m", "sharedmap", *argv],
            input=stdin,
            capture_output=True,
            text=True,
            env=os.environ.copy(),
            timeout=60,
        )

    made = script("users", "add", OFFICER, "--role", "officer", "--council", "E07000137", stdin=f"{PASSWORD}\n" * 2)
    assert made.returncode == 0, made.stderr
    staged = script("import", str(upload_file), "--by", OFFICER, stdin=f"{PASSWORD}\n")
    assert staged.returncode == 0, staged.stderr
    assert "Submission 1 staged" in staged.stdout


def test_the_preview_names_the_council_of_a_one_council_figure(cli, tmp_path, seed_rows):
    """As the review page does: "(East Lindsey District Council)", not the register's id "(ELI)"."""
    rows = {r["id"]: dict(r) for r in seed_rows}
    share = "£300,000 annual 2021/22 (East Lindsey District Council)"
    path = write_csv(tmp_path / "share.csv", [{**rows["SS001"], "savings": share}, rows["SS002"]])
    code, out, _ = cli("import", str(path), "--by", OFFICER, stdin=PASSWORD + "\n")
    assert code == 0
    assert "→ \"£300,000 annual 2021/22 (East Lindsey District Council) (read from '£300,000" in out
    assert "(ELI)" not in out
    code, out, _ = cli("submissions", "1")
    assert code == 0 and "(East Lindsey District Council)'" in out and "(ELI)" not in out


def test_import_withdraws_only_when_asked_and_lists_the_withdrawals_first(cli, configured_store, seed_rows, tmp_path):
    """Before: import withdrew every published partnership missing from the file unless --keep-missing was given."""
    ss001 = [dict(r) for r in seed_rows if r["id"] == "SS001"]
    only = write_csv(tmp_path / "only.csv", [{**ss001[0], "description": EDITED}])
    store = Store.open(configured_store)
    before = snapshot(store)
    code, out, _ = cli("import", str(only), "--by", OFFICER, "--withdraw-missing", "--preview", stdin=PASSWORD + "\n")
    name = next(r["name"] for r in seed_rows if r["id"] == "SS002")
    assert (
        code == 0
        and f"Submitting would withdraw 1 published partnership(s) missing from the file: SS002 ({name})" in out
    )
    assert "Nothing staged (--preview)." in out and snapshot(store) == before
    code, out, _ = cli("import", str(only), "--by", OFFICER, stdin=PASSWORD + "\n")
    assert code == 0 and "1 changed, 0 unchanged, 0 withdrawn" in out and "would withdraw" not in out
    bad = write_csv(tmp_path / "bad.csv", [ss001[0], {**ss001[0], "id": "", "name": "X", "councils": "Atlantis"}])
    code, _, err = cli("import", str(bad), "--by", OFFICER, "--withdraw-missing", stdin=PASSWORD + "\n")
    assert code == 1 and "nothing can be withdrawn by a file with rows that could not be read: row 3 (council" in err
