"""Officers confirm their council's partnerships: a reviewed, published, audited confirmation that becomes the row's
status evidence; another council's officer is refused by every route."""

from __future__ import annotations

import datetime as dt

import pytest
from store_fixtures import PASSWORD, snapshot, write_csv

from sharedmap.errors import PermissionDeniedError, ValidationError
from sharedmap.freshness import freshness_text
from sharedmap.maps.panel import partnership_facts
from sharedmap.partnerships import PartialDate, Status
from sharedmap.publishing import confirm, workflow
from sharedmap.publishing.preview import CHANGED, Change

BOSTON, LINDSEY, REVIEWER = "officer@boston.gov.uk", "officer@eastlindsey.gov.uk", "reviewer@lga.gov.uk"
TODAY = dt.date(2026, 12, 4)


def published(store, pid):
    return next(p for p in store.partnerships() if p.id == pid)


def test_the_list_is_the_officers_own_council_oldest_evidence_first(store, accounts, register):
    listed = confirm.own_partnerships(store, accounts[BOSTON], register, TODAY)
    assert [a.partnership.id for a in listed] == ["SS001", "SS002"]  # 2020 before August 2021; Adur's not there
    assert listed[0].standing.value == "unconfirmed"


def test_still_true_is_reviewed_published_shown_audited_and_rolled_back(store, accounts, register):
    submission = confirm.confirm(store, accounts[BOSTON], register, "SS001", today=TODAY)
    assert published(store, "SS001").status_confirmed_by == ""  # nothing shows before review
    version = workflow.approve(store, accounts[REVIEWER], submission.id)
    p = published(store, "SS001")
    assert p.status_confirmed_by == "BOT" and p.status_source_date == PartialDate(2026, 12, 4)
    assert p.status_evidence == "confirmed by Boston Borough Council on 4 December 2026"
    assert p.status_source_url == ""  # a confirmation may have no link
    assert freshness_text(p, TODAY).startswith("status confirmed by Boston Borough Council on 4 December 2026")
    assert "confirmed by Boston Borough Council" in partnership_facts(p, register).freshness
    assert {"confirm", "approve"} <= {e.action for e in store.audit_log(submission_id=submission.id)}
    from sharedmap.data_quality import quality_report

    assert "SS001" not in quality_report([p], register, TODAY).without_status_evidence  # evidence without a link
    workflow.rollback(store, accounts[REVIEWER], version.number - 1)
    assert published(store, "SS001").status_confirmed_by == ""


def test_a_link_is_kept_and_a_bad_one_refused(store, accounts, register):
    submission = confirm.confirm(store, accounts[BOSTON], register, "SS001", "https://boston.gov.uk/x", TODAY)
    workflow.approve(store, accounts[REVIEWER], submission.id)
    assert published(store, "SS001").status_source_url == "https://boston.gov.uk/x"
    with pytest.raises(ValidationError, match="web link"):
        confirm.confirm(store, accounts[BOSTON], register, "SS002", "javascript:alert(1)", TODAY)


def test_ended_sets_status_end_and_evidence(store, accounts, register):
    submission = confirm.end(store, accounts[LINDSEY], register, "SS002", PartialDate(2025, 3), today=TODAY)
    workflow.approve(store, accounts[REVIEWER], submission.id)
    p = published(store, "SS002")
    assert (p.status, p.end, p.status_confirmed_by) == (Status.ENDED, PartialDate(2025, 3), "ELI")
    assert p.status_evidence == "confirmed by East Lindsey District Council on 4 December 2026: ended March 2025"
    with pytest.raises(ValidationError, match="future"):
        confirm.end(store, accounts[LINDSEY], register, "SS001", PartialDate(2027, 1), today=TODAY)


def test_changed_gives_the_row_as_a_file_that_uploads_as_the_same_row(store, accounts, register, tmp_path):
    name, data = confirm.edit_file(store, accounts[BOSTON], register, "SS001")
    upload = workflow.read_upload(data, register, name)
    assert upload.ok, upload.report
    preview = workflow.preview_upload(store, accounts[BOSTON], upload, register, withdraw_missing=False)
    assert preview.counts["unchanged"] == 1 and not preview.has_effect


@pytest.mark.parametrize(
    "which", ["SS011", "Adur & Worthing Councils partnership", " adur and worthing councils PARTNERSHIP "]
)
def test_another_councils_row_is_refused_by_id_and_by_name(store, accounts, register, which):
    before = snapshot(store)
    for attempt in (
        lambda: confirm.confirm(store, accounts[BOSTON], register, which, today=TODAY),
        lambda: confirm.end(store, accounts[BOSTON], register, which, PartialDate(2025), today=TODAY),
        lambda: confirm.edit_file(store, accounts[BOSTON], register, which),
    ):
        with pytest.raises(PermissionDeniedError, match="does not include your council"):
            attempt()
    assert snapshot(store) == before


def test_a_crafted_confirmation_of_another_councils_row_is_refused_on_approval(store, accounts, register):
    """A request made without the confirm functions (a submission written straight into the store) still cannot
    publish: approval re-checks an officer's scope."""
    with store.read() as conn:
        number = store.current(conn)[0]
        base = next(r for r in store.records(number, conn) if r["id"] == "SS011")
    crafted = {**base, "status_confirmed_by": "BOT", "status_source_date": "2026-12-04"}
    with store.write() as conn:
        sid = store.add_submission(
            conn,
            [Change(CHANGED, "SS011", base["name"], crafted, base, None, "id")],
            submitted_by=BOSTON,
            scope_council_id="BOT",
            withdraw_missing=False,
            base_version=number,
            file_name="crafted",
            file_sha256="0" * 64,
            file_rows=1,
        )
    with pytest.raises(PermissionDeniedError, match="do not include"):
        workflow.approve(store, accounts[REVIEWER], sid)


def test_a_file_naming_a_non_member_as_confirming_council_is_a_row_error(register, tmp_path, seed_rows):
    row = {**seed_rows[0], "status_confirmed_by": "Adur District Council", "status_source_date": "2026-01-05"}
    upload = workflow.read_upload(write_csv(tmp_path / "f.csv", [row]), register)
    errors = [e for r in upload.report.rows for e in r.errors]
    assert [e.column for e in errors] == ["status_confirmed_by"]
    assert "member council" in errors[0].message


def test_an_account_without_a_council_cannot_confirm(store, accounts, register):
    with pytest.raises(PermissionDeniedError, match="no council"):
        confirm.confirm(store, accounts[REVIEWER], register, "SS001", today=TODAY)


def test_confirm_on_the_command_line(configured_store, register, monkeypatch, capsys):
    import io

    from sharedmap.cli.commands import main
    from sharedmap.publishing import auth
    from sharedmap.publishing.store import open_store

    store = open_store()
    from sharedmap.publishing.dataset import seeded_store

    seeded_store(register)
    auth.create_user(store, BOSTON, PASSWORD, "officer", "BOT", register)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["confirm", "list", "--by", BOSTON]) == 0
    out = capsys.readouterr().out
    assert out.index("SS001") < out.index("SS002") and "SS011" not in out
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["confirm", "still-true", "SS011", "--by", BOSTON]) == 2
    assert "does not include your council" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["confirm", "still-true", "SS001", "--by", BOSTON]) == 0
    assert "staged" in capsys.readouterr().out


def test_a_later_upload_without_status_columns_keeps_the_confirmation(store, accounts, register, seed_rows, tmp_path):
    workflow.approve(store, accounts[REVIEWER], confirm.confirm(store, accounts[BOSTON], register, "SS001").id)
    row = {**seed_rows[0], "description": "One chief executive and management team."}
    upload = workflow.read_upload(write_csv(tmp_path / "boston.csv", [row]), register)
    submission = workflow.submit(store, accounts[BOSTON], upload, register, withdraw_missing=False)
    workflow.approve(store, accounts[REVIEWER], submission.id)
    p = published(store, "SS001")
    assert p.description == "One chief executive and management team." and p.status_confirmed_by == "BOT"
