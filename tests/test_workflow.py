"""The officer's path on both stores: upload, preview, submit, approve/reject, conflicts, rollback; refusals change
nothing; a killed publish leaves the previous version; two publishes at once never mix."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from store_fixtures import PASSWORD, snapshot, write_csv

from sharedmap.errors import (
    ConflictError,
    FileReadError,
    InvalidRowsError,
    PermissionDeniedError,
    StoreError,
    ValidationError,
)
from sharedmap.publishing import auth, db, workflow
from sharedmap.publishing.preview import CHANGED, NEW, UNCHANGED, WITHDRAWN, apply_changes
from sharedmap.spreadsheets import MAX_UPLOAD_BYTES

ELI, BOT = "officer@eastlindsey.gov.uk", "officer@boston.gov.uk"
REVIEWER, REVIEWER2 = "reviewer@lga.gov.uk", "second.reviewer@lga.gov.uk"
NEW_ROW = {
    "name": "East Lindsey and Boston shared waste",
    "councils": "East Lindsey District Council; Boston",
    "services": "Waste",
    "status": "operational",
    "start": "2024",
    "source_url": "https://www.e-lindsey.gov.uk/",
}


@pytest.fixture
def rows(seed_rows):
    return {row["id"]: dict(row) for row in seed_rows}


def upload(tmp_path, register, rows, name="upload.csv", **kwargs):
    path = write_csv(tmp_path / name, rows, list(rows[0]) if "id" in rows[0] else None)
    return workflow.read_upload(path, register, **kwargs)


def submit(store, register, tmp_path, user, rows, **kwargs):
    return workflow.submit(store, user, upload(tmp_path, register, rows), register, **kwargs)


def test_the_officer_path_publishes_a_new_version(store, accounts, register, tmp_path, rows):
    label = store.current_label()
    edited = {**rows["SS001"], "description": "Joint chief executive and management team since 1 July 2020."}
    submission = submit(store, register, tmp_path, accounts[ELI], [edited, rows["SS002"], NEW_ROW])
    assert (submission.status, submission.base_version, submission.submitted_by) == ("pending", 1, ELI)
    assert submission.counts == {NEW: 1, CHANGED: 1, UNCHANGED: 1, WITHDRAWN: 0}
    assert store.current_label() == label  # nothing is published before a reviewer approves

    version = workflow.approve(store, accounts[REVIEWER], submission.id, "checked against the source")
    assert (version.number, version.action, version.submission_id) == (2, "publish", submission.id)
    label2, published = store.published()
    assert label2 != label and label2 == version.label
    by_id = {p.id: p for p in published}
    assert by_id["SS001"].description == edited["description"]
    assert by_id["east-lindsey-and-boston-shared-waste"].council_ids == ("ELI", "BOT")
    assert len(published) == len(rows) + 1
    decided = store.submission(submission.id)
    assert (decided.status, decided.decided_by, decided.published_version) == ("approved", REVIEWER, 2)
    approve, submit_entry = [e for e in store.audit_log() if e.submission_id == submission.id]
    assert (submit_entry.action, submit_entry.actor, submit_entry.file_name) == ("submit", ELI, "upload.csv")
    assert (approve.action, approve.actor, approve.version) == ("approve", REVIEWER, 2)
    assert approve.file_sha256 == submit_entry.file_sha256 and len(approve.file_sha256) == 64
    assert submit_entry.counts == {"rows": 3, NEW: 1, CHANGED: 1, UNCHANGED: 1, WITHDRAWN: 0}


@pytest.mark.parametrize(
    ("ids", "withdraw_missing", "counts"),
    [
        (["SS001", "SS002"], True, {NEW: 0, CHANGED: 0, UNCHANGED: 2, WITHDRAWN: 0}),
        (["SS001"], True, {NEW: 0, CHANGED: 0, UNCHANGED: 1, WITHDRAWN: 1}),  # SS002 also includes East Lindsey
        (["SS001"], False, {NEW: 0, CHANGED: 0, UNCHANGED: 1, WITHDRAWN: 0}),
    ],
)
def test_an_officers_file_is_the_complete_list_for_their_council(
    store, accounts, register, tmp_path, rows, ids, withdraw_missing, counts
):
    preview = workflow.preview_upload(
        store, accounts[ELI], upload(tmp_path, register, [rows[i] for i in ids]), register, withdraw_missing
    )
    assert preview.counts == counts and preview.base_version == 1


def test_withdrawing_is_a_choice_off_by_default_and_the_preview_names_what_it_withdraws(
    store, accounts, register, tmp_path, rows
):
    """Before: a file was the complete list by default, so leaving SS002 out withdrew it unasked."""
    only_ss001 = upload(tmp_path, register, [rows["SS001"]])
    kept = workflow.preview_upload(store, accounts[ELI], only_ss001, register)
    assert kept.counts[WITHDRAWN] == 0 and workflow.withdrawals(kept) == []
    chosen = workflow.preview_upload(store, accounts[ELI], only_ss001, register, withdraw_missing=True)
    name = rows["SS002"]["name"]
    assert workflow.withdrawals(chosen) == [("SS002", name)]
    assert workflow.withdrawals_text(chosen) == (
        f"Submitting would withdraw 1 published partnership(s) missing from the file: SS002 ({name})"
    )


def test_a_file_with_refused_rows_withdraws_nothing(store, accounts, register, tmp_path, rows):
    """Before: the refusal named only the bad row; now it says the withdrawal is refused and why, naming the row."""
    bad = upload(tmp_path, register, [rows["SS001"], {**rows["SS002"], "councils": "Atlantis Council"}])
    before = snapshot(store)
    with pytest.raises(
        ValidationError,
        match=r"nothing can be withdrawn by a file with rows that could not be read: "
        r"row 3 \(council",
    ):
        workflow.preview_upload(store, accounts[ELI], bad, register, withdraw_missing=True)
    with pytest.raises(ValidationError, match="nothing can be withdrawn"):
        workflow.submit(store, accounts[ELI], bad, register, withdraw_missing=True)
    assert snapshot(store) == before


def test_a_column_the_file_lacks_keeps_its_published_value(store, accounts, register, tmp_path, rows):
    columns = ["id", "name", "councils", "council_ids", "services", "start", "end", "savings", "source_url"]
    path = write_csv(tmp_path / "short.csv", [rows["SS001"], {**rows["SS002"], "start": "2021-11"}], columns)
    preview = workflow.preview_upload(store, accounts[ELI], workflow.read_upload(path, register), register)
    assert preview.counts == {NEW: 0, CHANGED: 1, UNCHANGED: 1, WITHDRAWN: 0}  # notes, status etc. as published
    assert [(f.field, f.old, f.new) for f in preview.of_kind(CHANGED)[0].fields] == [("start", "2021-10", "2021-11")]


def test_an_upload_can_record_when_a_row_was_checked_and_where_the_source_says_so(
    store, accounts, register, tmp_path, rows
):
    checked = {
        **rows["SS002"],
        "verified_on": "2025-03-14",
        "evidence": "Press release, 2nd paragraph",
        "source_date": "2024-10",
    }
    path = write_csv(tmp_path / "checked.csv", [rows["SS001"], checked])
    preview = workflow.preview_upload(store, accounts[ELI], workflow.read_upload(path, register), register)
    changed = preview.of_kind(CHANGED)[0]
    assert {(f.label, f.texts(register)[1]) for f in changed.fields} == {
        ("checked against source on", "2025-03-14"),
        ("evidence", "Press release, 2nd paragraph"),
        ("source date", "2024-10"),
    }


def test_a_reviewers_file_is_the_whole_map(store, accounts, register, tmp_path, rows):
    preview = workflow.preview_upload(
        store, accounts[REVIEWER], upload(tmp_path, register, [rows["SS004"]]), register, withdraw_missing=True
    )
    assert [c.partnership_id for c in preview.of_kind(WITHDRAWN)] == [i for i in rows if i != "SS004"]


def test_an_officer_may_only_submit_partnerships_of_their_own_council(store, accounts, register, tmp_path, rows):
    before = snapshot(store)
    with pytest.raises(
        PermissionDeniedError,
        match=r"include their own council \(East Lindsey District Council\); "
        r"these do not: row 3 \(Leicestershire shared ICT",
    ):
        submit(store, register, tmp_path, accounts[ELI], [rows["SS001"], rows["SS004"]])
    assert snapshot(store) == before


@pytest.mark.parametrize(
    ("how", "changes"),
    [
        ("id", {}),  # Leicestershire's partnership, by its id, with Boston added
        ("name", {"id": ""}),  # the same, by its exact name without the id
    ],
)
def test_an_officer_cannot_take_over_another_councils_partnership(
    store, accounts, register, tmp_path, rows, how, changes
):
    takeover = {
        **rows["SS004"],
        **changes,
        "councils": rows["SS004"]["councils"] + "; Boston Borough Council",
        "council_ids": rows["SS004"]["council_ids"] + "; BOT",
    }
    before = snapshot(store)
    with pytest.raises(
        PermissionDeniedError,
        match=rf"whose published record already includes their council "
        rf"\(Boston Borough Council\): row 2 matches published "
        rf"partnership SS004 \(Leicestershire shared ICT service "
        rf"\(Steria\)\) by its {how}",
    ):
        submit(store, register, tmp_path, accounts[BOT], [takeover], withdraw_missing=False)
    assert snapshot(store) == before


def test_approval_refuses_an_officers_change_to_a_partnership_without_their_council(store, accounts, register):
    """A submission staged before the rule (or by a bug) is re-checked against what is published when approved."""
    from sharedmap.partnerships import to_record
    from sharedmap.publishing.preview import Change

    base = next(p for p in store.partnerships() if p.id == "SS004")
    record = to_record(base.with_changes(council_ids=(*base.council_ids, "BOT")))
    with store.write() as conn:
        submission_id = store.add_submission(
            conn,
            [Change(CHANGED, "SS004", base.name, record, to_record(base), 2, "id")],
            submitted_by=BOT,
            scope_council_id="BOT",
            withdraw_missing=False,
            base_version=1,
            file_name="old.csv",
            file_sha256="0" * 64,
            file_rows=1,
        )
    before = snapshot(store)
    with pytest.raises(
        PermissionDeniedError,
        match=r"changes partnerships that do not include their council "
        r"\(BOT\): SS004",
    ):
        workflow.approve(store, accounts[REVIEWER], submission_id)
    assert snapshot(store) == before


@pytest.mark.parametrize(
    ("council", "partnership_councils", "covered"),
    [
        ("ELI", ("BOT", "ELI"), True),
        ("ELI", ("BOT", "SHO"), False),
        ("WSK", ("SED", "FOR"), True),  # West Suffolk took over St Edmundsbury and Forest Heath in 2019
        ("SED", ("WSK", "BAB"), False),  # but not the other way round
    ],
)
def test_an_officer_covers_their_council_and_the_councils_it_replaced(
    register, seed_partnerships, council, partnership_councils, covered
):
    officer = auth.User(1, "officer@example.gov.uk", auth.Role.OFFICER, council, db.utcnow())
    partnership = seed_partnerships[0].with_changes(council_ids=partnership_councils)
    assert workflow.covers(officer, register)(partnership) is covered


def test_without_signing_in_nothing_is_uploaded_approved_or_rolled_back(store, register, tmp_path, rows):
    before = snapshot(store)
    checked = upload(tmp_path, register, [rows["SS001"]])
    for attempt in (
        lambda: workflow.submit(store, None, checked, register),
        lambda: workflow.approve(store, None, 1),
        lambda: workflow.reject(store, None, 1, "no"),
        lambda: workflow.rollback(store, None, 1),
    ):
        with pytest.raises(PermissionDeniedError, match="^sign in to"):
            attempt()
    assert snapshot(store) == before


def test_who_may_approve_and_reject(store, accounts, register, tmp_path, rows):
    mine = submit(
        store, register, tmp_path, accounts[REVIEWER], [{**rows["SS004"], "notes": "checked"}], withdraw_missing=False
    )
    theirs = submit(store, register, tmp_path, accounts[ELI], [{**rows["SS001"], "notes": "checked"}])
    before = snapshot(store)
    with pytest.raises(PermissionDeniedError, match="only a reviewer may approve submissions"):
        workflow.approve(store, accounts[BOT], theirs.id)
    with pytest.raises(PermissionDeniedError, match="nobody approves their own submission"):
        workflow.approve(store, accounts[REVIEWER], mine.id)
    with pytest.raises(ValidationError, match="say why the submission is rejected"):
        workflow.reject(store, accounts[REVIEWER], theirs.id, "  ")
    assert snapshot(store) == before
    rejected = workflow.reject(store, accounts[REVIEWER], theirs.id, "The source link is dead.")
    assert (rejected.status, rejected.decision_comment) == ("rejected", "The source link is dead.")
    with pytest.raises(ConflictError, match=f"submission {theirs.id} is already rejected by {REVIEWER}"):
        workflow.approve(store, accounts[REVIEWER2], theirs.id)
    assert workflow.approve(store, accounts[REVIEWER2], mine.id).number == 2
    with pytest.raises(ConflictError, match="is already approved"):
        workflow.reject(store, accounts[REVIEWER], mine.id, "too late")
    with pytest.raises(StoreError, match="there is no submission 99"):
        workflow.approve(store, accounts[REVIEWER], 99)


def _bad_files(rows) -> list[tuple[str, bytes, type, str]]:
    header = ",".join(rows["SS001"]).encode()
    ok_row = ",".join(f'"{v}"' for v in rows["SS001"].values()).encode()
    return [
        ("empty.csv", b"", FileReadError, "empty.csv is empty"),
        ("blank.csv", b"  \n\n", FileReadError, "blank.csv is empty"),
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64, FileReadError, "not a spreadsheet"),
        ("huge.csv", header + b"\n" + b"x" * MAX_UPLOAD_BYTES, FileReadError, "the limit is 5 MB"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, FileReadError, "old Excel .xls file"),
        ("report.xlsx", b"PK\x03\x04 not really a workbook", FileReadError, "not a readable XLSX workbook"),
        ("mixed.csv", header + b"\n\x81\x8d\x8f\x90\x9d" + "é".encode(), FileReadError, "mixes two encodings"),
        ("nocouncils.csv", b"name,services\nOrbis,ICT\n", FileReadError, r"missing required column\(s\): councils"),
        ("headeronly.csv", header + b"\n", FileReadError, "no rows of data follow"),
        (
            "twice.csv",
            header + b"\n" + ok_row + b"\n" + ok_row + b"\n",
            InvalidRowsError,
            "row 3, id: duplicate of row 2",
        ),
        (
            "unknown.csv",
            b"name,councils,services\nShared legal,Bostom; East Lindsey,Legal\n",
            InvalidRowsError,
            r"1 of 1 rows have errors, nothing was imported: row 2, councils: Unknown council 'Bostom'",
        ),
        (
            "typed.csv",
            b"name,councils,services,start\nShared legal,Boston; East Lindsey,Legal,someday\n",
            InvalidRowsError,
            "row 2, start",
        ),
    ]


def test_bad_files_get_a_clear_answer_and_change_nothing(store, accounts, register, rows):
    before = snapshot(store)
    for name, data, error, message in _bad_files(rows):
        with pytest.raises(error, match=message):
            workflow.submit(store, accounts[ELI], workflow.read_upload(data, register, name), register)
        assert snapshot(store) == before, name


def test_a_file_that_changes_nothing_is_not_submitted(store, accounts, register, tmp_path, rows):
    before = snapshot(store)
    with pytest.raises(ValidationError, match="nothing to submit: all 2 partnerships in it match the published"):
        submit(store, register, tmp_path, accounts[ELI], [rows["SS001"], rows["SS002"]])
    assert snapshot(store) == before


def test_an_unresolved_council_is_fixed_by_picking_a_suggestion(store, accounts, register, tmp_path):
    row = {**NEW_ROW, "councils": "Boston Borough Council; Lindsey"}
    checked = upload(tmp_path, register, [row])
    [issue] = checked.report.rows[0].errors
    assert (issue.column, issue.value) == ("councils", "Lindsey")
    assert issue.suggestions[:2] == ["East Lindsey District Council", "West Lindsey District Council"]
    fixed = upload(tmp_path, register, [row], fixes={(2, "councils", "Lindsey"): issue.suggestions[0]})
    assert fixed.ok and fixed.rows[0].partnership.council_ids == ("BOT", "ELI")
    submission = workflow.submit(store, accounts[ELI], fixed, register, withdraw_missing=False)
    assert submission.fixes == 1 and submission.file_sha256 == checked.sha256  # the file as uploaded
    with pytest.raises(ValidationError, match="row 2: the text to fix is not in this cell"):
        upload(tmp_path, register, [row], fixes={(2, "councils", "Lincoln"): "City of Lincoln Council"})


def test_html_in_the_data_is_kept_as_text(store, accounts, register, tmp_path):
    row = {**NEW_ROW, "name": "<img src=x onerror=alert(1)>", "description": "<script>alert('x')</script> & more"}
    submission = submit(store, register, tmp_path, accounts[ELI], [row], withdraw_missing=False)
    workflow.approve(store, accounts[REVIEWER], submission.id)
    found = [p for p in store.published()[1] if p.name == row["name"]]
    assert [p.description for p in found] == [row["description"]]


def two_officers(store, register, tmp_path, accounts, rows, second_id):
    """East Lindsey's officer edits SS001's notes, then Boston's edits ``second_id``'s: both against version 1."""
    first = submit(
        store,
        register,
        tmp_path,
        accounts[ELI],
        [{**rows["SS001"], "notes": "from East Lindsey"}],
        withdraw_missing=False,
    )
    second = submit(
        store, register, tmp_path, accounts[BOT], [{**rows[second_id], "notes": "from Boston"}], withdraw_missing=False
    )
    return first, second


def test_the_second_of_two_conflicting_approvals_is_refused(store, accounts, register, tmp_path, rows):
    first, second = two_officers(store, register, tmp_path, accounts, rows, "SS001")
    workflow.approve(store, accounts[REVIEWER], first.id)
    assert workflow.conflicts(store, second.id) == [
        "SS001 (Boston and East Lindsey Strategic Alliance) has been changed since this submission was made"
    ]
    before = snapshot(store)
    with pytest.raises(
        ConflictError,
        match=r"made against version 1 and conflicts with version 2.*SS001 .* has "
        rf"been changed since.*ask {BOT} to upload again",
    ):
        workflow.approve(store, accounts[REVIEWER], second.id)
    assert snapshot(store) == before


def test_submissions_touching_different_partnerships_are_rebased(store, accounts, register, tmp_path, rows):
    first, second = two_officers(store, register, tmp_path, accounts, rows, "SS002")
    workflow.approve(store, accounts[REVIEWER], first.id)
    assert workflow.approve(store, accounts[REVIEWER], second.id).number == 3
    notes = {p.id: p.notes for p in store.partnerships(3)}
    assert (notes["SS001"], notes["SS002"]) == ("from East Lindsey", "from Boston")


def test_rollback_publishes_an_earlier_version_again(store, accounts, register, tmp_path, rows):
    v1 = store.records(1)
    submission = submit(
        store, register, tmp_path, accounts[ELI], [rows["SS001"]], withdraw_missing=True
    )  # withdraws SS002
    workflow.approve(store, accounts[REVIEWER], submission.id)
    with pytest.raises(PermissionDeniedError, match="only a reviewer may roll back"):
        workflow.rollback(store, accounts[ELI], 1)
    with pytest.raises(StoreError, match="version 2 is already the published version"):
        workflow.rollback(store, accounts[REVIEWER], 2)
    with pytest.raises(StoreError, match="there is no version 7"):
        workflow.rollback(store, accounts[REVIEWER], 7)
    version = workflow.rollback(store, accounts[REVIEWER], 1, "SS002 was withdrawn by mistake")
    assert (version.number, version.action, version.restored_from) == (3, "rollback", 1)
    assert store.records(3) == v1 and "SS002" not in {r["id"] for r in store.records(2)}
    entry = store.audit_log(1)[0]
    assert (entry.action, entry.actor, entry.counts) == (
        "rollback",
        REVIEWER,
        {"partnerships": len(v1), "restored_from": 1, "replaced": 2},
    )


# Publishing in other processes: a real kill, a real race ----------------------------------------------------------

PUBLISHER = """
import json, sys, time
import sqlalchemy as sa
from sharedmap.cli.commands import main

marker, pause, argv = sys.argv[1], float(sys.argv[2]), sys.argv[3:]

@sa.event.listens_for(sa.engine.Engine, "before_cursor_execute")
def note_publish(conn, cursor, statement, parameters, context, executemany):
    if statement.lstrip().upper().startswith("INSERT INTO VERSIONS"):
        conn.info["publishing"] = True

@sa.event.listens_for(sa.engine.Engine, "commit")
def hold_before_commit(conn):
    if conn.info.pop("publishing", False) and pause:
        open(marker, "w").close()
        time.sleep(pause)

code = main(argv)
print(json.dumps({"code": code}))
sys.exit(code)
"""


def _publisher(tmp_path, store_url, name, pause, *argv):
    marker = tmp_path / f"{name}.holding"
    process = subprocess.Popen(
        [sys.executable, "-c", PUBLISHER, str(marker), str(pause), *argv],
        env={**os.environ, "SHAREDMAP_DATABASE_URL": store_url},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    process.stdin.write(PASSWORD + "\n")
    process.stdin.flush()
    return process, marker


def _wait_for(marker, process, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not marker.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the publishing process never reached its commit"
        time.sleep(0.02)


def test_a_publish_killed_mid_transaction_leaves_the_previous_version(
    store_url, store, accounts, register, tmp_path, rows
):
    submission = submit(store, register, tmp_path, accounts[ELI], [{**rows["SS001"], "notes": "half-published"}])
    before = snapshot(store)
    process, marker = _publisher(tmp_path, store_url, "killed", 60, "approve", str(submission.id), "--by", REVIEWER)
    _wait_for(marker, process)  # its version rows are written, the commit is not
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert snapshot(store) == before
    assert store.current()[0] == 1 and store.submission(submission.id).status == "pending"
    assert workflow.approve(store, accounts[REVIEWER], submission.id).number == 2  # the store is consistent


@pytest.mark.parametrize("conflicting", [False, True], ids=["different-partnerships", "same-partnership"])
def test_two_publishes_at_once_never_mix(store_url, store, accounts, register, tmp_path, rows, conflicting):
    first, second = two_officers(store, register, tmp_path, accounts, rows, "SS001" if conflicting else "SS002")
    slow, marker = _publisher(tmp_path, store_url, "slow", 1.5, "approve", str(first.id), "--by", REVIEWER)
    _wait_for(marker, slow)  # the slow publish holds the lock, its version not yet committed
    fast, _ = _publisher(tmp_path, store_url, "fast", 0, "approve", str(second.id), "--by", REVIEWER2)
    (slow_out, slow_err), (fast_out, fast_err) = slow.communicate(timeout=60), fast.communicate(timeout=60)
    slow_result, fast_result = json.loads(slow_out.splitlines()[-1]), json.loads(fast_out.splitlines()[-1])
    assert slow_result["code"] == 0, slow_err
    # The second started while the first held its commit; the versions below show it waited and built on it.
    v1, v2 = store.records(1), store.records(2)
    assert v2 == apply_changes(v1, store.changes(first.id))
    if conflicting:
        assert fast_result["code"] == 2 and "conflicts with version 2" in fast_err
        assert [v.number for v in store.versions()] == [2, 1]
        assert store.submission(second.id).status == "pending"
    else:
        assert fast_result["code"] == 0, fast_err
        assert store.records(3) == apply_changes(v2, store.changes(second.id))
        notes = {p.id: p.notes for p in store.partnerships(3)}
        assert (notes["SS001"], notes["SS002"]) == ("from East Lindsey", "from Boston")
