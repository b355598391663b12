"""The structured event log: one JSON line per sign-in, submission, approval, rejection and rollback, success or
failure, with who and what, never a password; silent until the app configures it."""

from __future__ import annotations

import contextlib
import json

import pytest
from store_fixtures import PASSWORD, write_csv

from sharedmap import events
from sharedmap.errors import AuthenticationError, PermissionDeniedError
from sharedmap.publishing import auth, workflow

ELI, REVIEWER, REVIEWER2 = "officer@eastlindsey.gov.uk", "reviewer@lga.gov.uk", "second.reviewer@lga.gov.uk"


@pytest.fixture
def log_lines(tmp_path):
    path = tmp_path / "events.jsonl"
    events.configure(str(path))
    yield lambda: [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    events.configure("off")


def upload(tmp_path, register, seed_rows, description: str):
    rows = [dict(r) for r in seed_rows if r["id"] in ("SS001", "SS002")]
    rows[0]["description"] = description
    return workflow.read_upload(write_csv(tmp_path / "upload.csv", rows), register)


def test_each_step_of_the_officer_path_is_one_json_line(store, accounts, register, tmp_path, seed_rows, log_lines):
    first = workflow.submit(store, accounts[ELI], upload(tmp_path, register, seed_rows, "First change."), register)
    version = workflow.approve(store, accounts[REVIEWER], first.id, "checked against the council minutes")
    second = workflow.submit(store, accounts[ELI], upload(tmp_path, register, seed_rows, "Second."), register)
    workflow.reject(store, accounts[REVIEWER], second.id, "the source link is dead")
    with pytest.raises(PermissionDeniedError):
        workflow.approve(store, accounts[ELI], second.id)
    restored = workflow.rollback(store, accounts[REVIEWER2], 1, "withdrawn by mistake")

    lines = log_lines()
    assert [(e["event"], e["outcome"]) for e in lines] == [
        ("submit", "success"),
        ("approve", "success"),
        ("submit", "success"),
        ("reject", "success"),
        ("approve", "failure"),
        ("rollback", "success"),
    ]
    submitted, approved, _, rejected, refused, rolled_back = lines
    assert (submitted["actor"], submitted["role"], submitted["submission_id"], submitted["status"]) == (
        ELI,
        "officer",
        first.id,
        "pending",
    )
    assert submitted["file_name"] == "upload.csv" and len(submitted["file_sha256"]) == 64
    assert (approved["actor"], approved["published_version"], approved["label"]) == (
        REVIEWER,
        version.number,
        version.label,
    )
    assert (rejected["submission_id"], rejected["status"]) == (second.id, "rejected")
    assert refused["level"] == "warning" and refused["error"] == "PermissionDeniedError"
    assert "only a reviewer may approve" in refused["reason"]
    assert (rolled_back["restore_version"], rolled_back["published_version"]) == (1, restored.number)
    for line in lines:
        assert {"time", "host", "pid", "duration_ms"} <= set(line) and line["time"].endswith("+00:00")
    text = json.dumps(lines)
    assert "council minutes" not in text and "link is dead" not in text  # what people typed stays in the store


@pytest.mark.parametrize(
    ("password", "outcome", "reason"),
    [
        (PASSWORD, "success", None),
        ("not the password at all", "failure", "wrong email or password"),
    ],
)
def test_sign_ins_are_logged_without_the_password(store, register, log_lines, password, outcome, reason):
    auth.create_user(store, REVIEWER, PASSWORD, "reviewer", None, register)
    with contextlib.suppress(AuthenticationError):
        auth.authenticate(store, f"  {REVIEWER.upper()} ", password)
    (line,) = log_lines()
    assert (line["event"], line["outcome"], line["actor"], line.get("reason")) == ("sign_in", outcome, REVIEWER, reason)
    assert password not in json.dumps(line)


def test_the_log_is_silent_until_configured(store, register, capsys):
    events.configure("off")
    auth.create_user(store, REVIEWER, PASSWORD, "reviewer", None, register)
    auth.authenticate(store, REVIEWER, PASSWORD)
    captured = capsys.readouterr()
    assert "sign_in" not in captured.out + captured.err
