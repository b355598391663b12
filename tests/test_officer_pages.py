"""The officer's and reviewer's pages through Streamlit's AppTest, on a real SQLite store: sign in (a wrong
password, the throttle's message), upload a messy file, fix an ambiguous council by picking a suggestion, preview,
submit; a reviewer approves (an officer cannot), rejects only with a reason, restores a version; sign out; and
single sign-on's account mapping.

Each page runs on its own (see test_app.py for why); the sign-in survives reruns in the session, as in the app.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from store_fixtures import ACCOUNTS, PASSWORD, write_csv
from streamlit.testing.v1 import AppTest

import sharedmap.app.ui  # noqa: F401  (imports geopandas before AppTest puts pages/ first on sys.path: pages/statistics.py)
from sharedmap.publishing import auth
from sharedmap.publishing.preview import CHANGED, NEW, UNCHANGED, WITHDRAWN
from sharedmap.publishing.store import Store, close_open_stores

ROOT = Path(__file__).resolve().parent.parent
ELI, BOT, REVIEWER, REVIEWER2 = (
    "officer@eastlindsey.gov.uk",
    "officer@boston.gov.uk",
    "reviewer@lga.gov.uk",
    "second.reviewer@lga.gov.uk",
)
NEW_ROW = {
    "name": "East Lindsey and Boston shared waste",
    "councils": "Lindsey DC; Boston BC",
    "services": "Waste; revs and bens",
    "status": "live",
    "start": "July 2024",
    "savings": "£220k annual",
    "source_url": "https://www.e-lindsey.gov.uk/waste",
}
SSO = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a" * 32,
    "client_id": "map",
    "client_secret": "secret",
    "server_metadata_url": "http://localhost:9400/.well-known/openid-configuration",
}


@pytest.fixture
def store(tmp_path, seed_file, monkeypatch):
    """A fresh SQLite store seeded with the six real partnerships, with the four accounts; the pages open it."""
    url = f"sqlite:///{tmp_path / 'pages.sqlite'}"
    monkeypatch.setenv("SHAREDMAP_DATABASE_URL", url)
    monkeypatch.setenv("SHAREDMAP_PARTNERSHIPS", str(seed_file))
    store = Store.open(url)
    from sharedmap.publishing.dataset import load_seed

    store.ensure_seeded(load_seed(seed_file), seed_file.name, "0" * 64)
    for email, (role, council) in ACCOUNTS.items():
        auth.create_user(store, email, PASSWORD, role, council)
    yield store
    store.close()
    close_open_stores()


@pytest.fixture
def messy_file(tmp_path, seed_rows) -> bytes:
    """East Lindsey's file: SS001 with a new description, SS002 as published, and a new partnership whose councils
    are written "Lindsey DC" (East or West Lindsey?) and "Boston BC"."""
    rows = {row["id"]: dict(row) for row in seed_rows}
    edited = {**rows["SS001"], "description": "Joint chief executive and management team since 1 July 2020."}
    path = write_csv(tmp_path / "east-lindsey.csv", [edited, rows["SS002"], {**dict.fromkeys(edited, ""), **NEW_ROW}])
    return path.read_bytes()


def page(name: str, **secrets) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=60)
    if secrets:
        at.secrets["auth"] = secrets
    return at


def sign_in(at: AppTest, email: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key="sign_in_email").input(email)
    at.text_input(key="sign_in_password").input(password)
    return at.button(key="FormSubmitter:sign_in-Sign in").click().run()


def texts(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown).replace("\\", "")


def messages(elements) -> list[str]:
    return [e.value.replace("\\", "") for e in elements]


def test_the_officer_pages_show_only_a_sign_in_form_until_signed_in(store):
    for name in ("sign_in", "upload", "review", "confirm"):
        at = page(name).run()
        assert not at.exception
        assert [t.label for t in at.text_input] == ["Email", "Password"]
        assert at.text_input(key="sign_in_password").proto.type == at.text_input(key="sign_in_password").proto.PASSWORD
        assert not at.file_uploader and not at.tabs
        assert "Visitors need no account to browse the map" in texts(at)
        assert "sso_sign_in" not in [b.key for b in at.button]  # no single sign-on unless configured


def test_a_wrong_password_is_refused_and_repeated_failures_lock_the_account(store):
    at = page("sign_in").run()
    for attempt in range(1, auth.MAX_FAILURES + 1):
        sign_in(at, ELI, "not the password")
        expected = "Not signed in: wrong email or password" + (
            "; after 5 failed sign-ins the account is locked for 30 seconds." if attempt == auth.MAX_FAILURES else "."
        )
        assert messages(at.error) == [expected]
    sign_in(at, ELI)  # the right password, but too soon
    assert len(at.error) == 1 and messages(at.error)[0].startswith(
        f"Not signed in: too many failed sign-ins for {ELI}; try again in "
    )
    assert "Signed in as" not in texts(at)
    auth.set_password(store, ELI, PASSWORD)  # the host lifts the lock
    sign_in(at, ELI)
    assert not at.error and f"Signed in as **{ELI}**, officer for East Lindsey District Council." in texts(at)


def test_withdrawing_is_off_until_ticked_and_then_the_preview_names_each_withdrawal(store, tmp_path, seed_rows):
    """Before: the box was ticked by default, so leaving a partnership out of the file withdrew it unasked."""
    rows = {row["id"]: dict(row) for row in seed_rows}
    edited = {**rows["SS001"], "description": "Joint chief executive and management team since 1 July 2020."}
    data = write_csv(tmp_path / "only-ss001.csv", [edited]).read_bytes()
    at = sign_in(page("upload").run(), ELI)
    at.file_uploader[0].set_value(("only-ss001.csv", data, "text/csv")).run()
    box = at.checkbox(key="upload_withdraw_missing")
    assert box.value is False
    assert [m.value for m in at.metric] == ["0", "1", "0", "0"] and not at.warning
    box.check().run()
    assert [m.value for m in at.metric] == ["0", "1", "0", "1"]
    assert messages(at.warning) == [
        f"Submitting would withdraw 1 published partnership(s) missing from the file: SS002 ({rows['SS002']['name']})"
    ]
    at.button(key="upload_submit").click().run()
    assert not at.exception and store.submission(1).counts[WITHDRAWN] == 1


def test_an_officer_uploads_fixes_a_name_previews_and_submits(store, messy_file):
    at = sign_in(page("upload").run(), ELI)
    assert [b.label for b in at.get("download_button")] == [
        "Download the template (Excel)",
        "Download the template (CSV)",
    ]
    at.file_uploader[0].set_value(("east-lindsey.csv", messy_file, "text/csv")).run()
    assert not at.exception
    assert "1 of 3 rows of east-lindsey.csv have errors" in texts(at)
    table = at.dataframe[0].value
    assert list(table["result"]) == ["OK", "OK", "1 error"]
    assert "Boston Borough Council (from “Boston BC”, 100%, normalised name)" in table["councils"].iloc[2]
    assert "Error in councils: Unknown council 'Lindsey DC'" in texts(at)
    at.button(key="fix_4_councils_Lindsey DC_use").click().run()  # nothing picked yet
    assert messages(at.warning) == ["Choose one of the suggested names first."]
    picker = at.selectbox(key="fix_4_councils_Lindsey DC")
    assert picker.options[:2] == ["East Lindsey District Council", "West Lindsey District Council"]
    picker.select("East Lindsey District Council").run()
    at.button(key="fix_4_councils_Lindsey DC_use").click().run()

    assert "All 3 rows of east-lindsey.csv are valid. 1 name fixed on this page." in texts(at)
    assert [m.value for m in at.metric] == ["1", "1", "1", "0"]
    assert [m.label for m in at.metric] == ["New", "Changed", "Unchanged", "Withdrawn"]
    assert "**Changed (1)**: on the map; these fields change" in texts(at)
    changed = [d.value for d in at.dataframe if list(d.value.columns) == ["field", "published", "in the file"]]
    assert len(changed) == 1 and list(changed[0]["field"]) == ["description"]
    assert changed[0]["in the file"].iloc[0] == "Joint chief executive and management team since 1 July 2020."

    at.text_input(key="upload_comment").input("New waste partnership").run()
    at.button(key="upload_submit").click().run()
    assert not at.exception and not at.error
    assert messages(at.success) == [
        "Submitted as submission 1 (1 new, 1 changed, 1 unchanged, 0 withdrawn). A "
        "reviewer will approve or reject it; the outcome will be under “Your "
        "submissions”."
    ]
    assert not at.file_uploader[0].value  # emptied for the next file
    submission = store.submission(1)
    assert (submission.status, submission.submitted_by, submission.fixes, submission.comment) == (
        "pending",
        ELI,
        1,
        "New waste partnership",
    )
    assert submission.counts == {NEW: 1, CHANGED: 1, UNCHANGED: 1, WITHDRAWN: 0}
    new = [c for c in store.changes(1) if c.kind == NEW][0]
    assert new.record["council_ids"] == ["ELI", "BOT"]
    assert store.current()[0] == 1  # nothing published before a reviewer approves


def test_an_officer_may_not_submit_another_councils_partnerships(store, seed_rows, tmp_path):
    leicestershire = write_csv(tmp_path / "leics.csv", [seed_rows[2]]).read_bytes()
    at = sign_in(page("upload").run(), ELI)
    at.file_uploader[0].set_value(("leics.csv", leicestershire, "text/csv")).run()
    assert len(at.error) == 1 and messages(at.error)[0].startswith(
        "Refused: an officer may only submit partnerships that include their own council (East Lindsey District "
        "Council); these do not: row 2 (Leicestershire shared ICT service (Steria))"
    )
    assert not store.submissions()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "This file cannot be read: empty.csv is empty"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 64, "This file cannot be read: empty.csv is an old Excel .xls file"),
        (b"title,owner\nx,y\n", "This file cannot be read: empty.csv: no header row found"),
    ],
)
def test_an_unreadable_file_is_a_message(store, data, message):
    at = sign_in(page("upload").run(), ELI)
    at.file_uploader[0].set_value(("empty.csv", data, "text/csv")).run()
    assert not at.exception and len(at.error) == 1 and messages(at.error)[0].startswith(message)


def submit_as(store, email, rows_file: bytes) -> int:
    from sharedmap.publishing import workflow
    from sharedmap.register import load_register

    register = load_register()
    user = auth.authenticate(store, email, PASSWORD)
    return workflow.submit(
        store,
        user,
        workflow.read_upload(rows_file, register, "file.csv", {(4, "councils", "Lindsey DC"): "East Lindsey"}),
        register,
    ).id


def test_a_reviewer_approves_and_an_officer_cannot(store, messy_file):
    submission_id = submit_as(store, ELI, messy_file)
    officer = sign_in(page("review").run(), ELI)
    assert messages(officer.error) == [
        f"Not allowed: only a reviewer may review and publish submissions; {ELI} is an officer."
    ]
    assert not officer.tabs and "approve" not in [b.key for b in officer.button]

    at = sign_in(page("review").run(), REVIEWER)
    assert [t.label for t in at.tabs] == [
        "Pending submissions (1)",
        "Reports from the public (0)",
        "Decided",
        "Versions",
        "Audit log",
    ]
    assert at.selectbox(key="review_submission").value == submission_id
    assert (
        f"File file.csv (3 rows, 1 council name fixed on the page; SHA-256 {store.submission(1).file_sha256[:12]}…)"
        ", checked against version 1: 1 new, 1 changed, 1 unchanged, 0 withdrawn."
    ) in texts(at)
    assert [m.value for m in at.metric] == ["1", "1", "1", "0"]
    at.text_input(key=f"review_comment_{submission_id}").input("Checked against the council's report").run()
    at.button(key="approve").click().run()
    assert not at.exception and not at.error
    assert messages(at.success)[0].startswith(
        f"Approved submission {submission_id}: published as version 2 (7 partnerships)."
    )
    assert store.current()[0] == 2
    decided = store.submission(submission_id)
    assert (decided.status, decided.decided_by, decided.decision_comment) == (
        "approved",
        REVIEWER,
        "Checked against the council's report",
    )
    assert "East Lindsey and Boston shared waste" in {p.name for p in store.partnerships()}
    assert [t.label for t in at.tabs][0] == "Pending submissions (0)"
    assert list(at.dataframe[-1].value["what"])[:2] == ["approve", "submit"]  # the audit log, newest first


def test_the_reviewer_sees_which_other_councils_records_a_submission_touches(store, messy_file):
    """East Lindsey's file changes SS001, shared with Boston; a submission staged outside the officer's council
    (as one made before the rule was) is flagged, and approving it is refused."""
    from sharedmap.partnerships import to_record
    from sharedmap.publishing.preview import Change

    shared = submit_as(store, ELI, messy_file)
    base = next(p for p in store.partnerships() if p.id == "SS004")
    with store.write() as conn:
        outside = store.add_submission(
            conn,
            [
                Change(
                    CHANGED,
                    "SS004",
                    base.name,
                    to_record(base.with_changes(council_ids=(*base.council_ids, "BOT"))),
                    to_record(base),
                    2,
                    "id",
                )
            ],
            submitted_by=BOT,
            scope_council_id="BOT",
            withdraw_missing=False,
            base_version=1,
            file_name="old.csv",
            file_sha256="0" * 64,
            file_rows=1,
        )
    at = sign_in(page("review").run(), REVIEWER)
    at.selectbox(key="review_submission").set_value(shared).run()
    assert messages(at.info)[0] == "Changes published records of other councils too: Boston Borough Council"
    assert not at.warning
    at.selectbox(key="review_submission").set_value(outside).run()
    assert messages(at.warning)[0].startswith(
        "Changes partnerships that do not include the officer's council "
        "(approval will refuse them): SS004 (Leicestershire shared ICT"
    )
    at.button(key="approve").click().run()
    assert not at.exception and "do not include their council (BOT): SS004" in messages(at.error)[0]
    assert store.current()[0] == 1


def test_nobody_approves_their_own_and_a_rejection_needs_a_reason(store, messy_file):
    submission_id = submit_as(store, REVIEWER, messy_file)
    at = sign_in(page("review").run(), REVIEWER)
    assert at.button(key="approve").disabled
    assert "another reviewer must approve it" in at.info[0].value
    at.button(key="reject").click().run()
    assert messages(at.error) == [
        "Refused: reason: say why the submission is rejected, for the officer who sent it (got '')"
    ]
    assert store.submission(submission_id).status == "pending"
    at.text_input(key=f"review_comment_{submission_id}").input("Sources missing").run()
    at.button(key="reject").click().run()
    assert messages(at.success) == [f"Rejected submission {submission_id}; {REVIEWER} can see why."]
    assert (store.submission(submission_id).status, store.current()[0]) == ("rejected", 1)


def test_a_reviewer_restores_an_earlier_version(store, messy_file):
    from sharedmap.publishing import workflow

    workflow.approve(store, auth.authenticate(store, REVIEWER2, PASSWORD), submit_as(store, ELI, messy_file))
    at = sign_in(page("review").run(), REVIEWER)
    assert list(at.dataframe[1].value["version"]) == [2, 1]
    at.selectbox(key="review_version").select(1).run()
    assert len(at.dataframe[2].value) == 6  # version 1's partnerships
    at.text_input(key="restore_reason_1").input("published by mistake").run()
    at.button(key="restore").click().run()
    assert messages(at.success) == ["Restored version 1 as version 3; it is published now."]
    assert store.records(3) == store.records(1)


def test_sign_out_shows_the_form_again(store):
    at = sign_in(page("upload").run(), BOT)
    assert at.file_uploader and "Signed in as" in texts(at)
    at.button(key="sign_out").click().run()
    assert not at.file_uploader and [t.label for t in at.text_input] == ["Email", "Password"]
    assert "signed_in_email" not in at.session_state


def test_single_sign_on_maps_the_council_email_to_an_account(store):
    at = page("sign_in", **SSO)
    at.run()
    assert [b.label for b in at.button if b.key == "sso_sign_in"] == ["Sign in with your council account"]
    at.user = {"is_logged_in": True, "email": "Officer@EastLindsey.gov.uk", "sub": "x"}
    at.run()
    assert not at.error and f"Signed in as **{ELI}**, officer for East Lindsey District Council." in texts(at)
    upload = page("upload", **SSO)
    upload.user = {"is_logged_in": True, "email": REVIEWER}
    assert upload.run().file_uploader


def test_single_sign_on_for_an_email_without_an_account_says_what_to_do(store):
    at = page("upload", **SSO)
    at.user = {"is_logged_in": True, "email": "someone@eastlindsey.gov.uk"}
    at.run()
    assert messages(at.error) == [
        "Not signed in: you signed in with your council account as someone@eastlindsey.gov.uk, but there is no "
        "officer or reviewer account for that email here; ask the map's administrators to create one (python -m "
        "sharedmap users add someone@eastlindsey.gov.uk --role officer --council …)."
    ]
    assert not at.file_uploader and [b.key for b in at.button] == ["sign_out"]


def test_a_single_sign_on_sign_in_is_logged_once_per_session(store, tmp_path):
    import json

    from sharedmap import events

    log = tmp_path / "events.jsonl"
    events.configure(str(log))
    try:
        at = page("upload", **SSO)
        at.user = {"is_logged_in": True, "email": "Officer@EastLindsey.gov.uk", "sub": "x"}
        at.run()
        at.run()
        lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    finally:
        events.configure("off")
    sign_ins = [e for e in lines if e["event"] == "sign_in"]
    assert len(sign_ins) == 1
    assert sign_ins[0]["outcome"] == "success" and sign_ins[0]["method"] == "sso"
    assert sign_ins[0]["actor"] == ELI


def test_an_officer_confirms_on_the_page_and_a_reviewer_publishes_it(store):
    at = sign_in(page("confirm").run(), BOT)
    assert not at.exception and not at.error
    shown = texts(at)
    assert shown.index("SS001") < shown.index("SS002") and "SS011" not in shown  # own council's, oldest first
    at.button(key="confirm_SS001").click().run()
    assert not at.exception and not at.error
    assert messages(at.success)[0].startswith("Submission 1: Boston Borough Council: Boston and East Lindsey")
    review = sign_in(page("review").run(), REVIEWER)
    review.button(key="approve").click().run()
    p = next(p for p in store.partnerships() if p.id == "SS001")
    assert p.status_confirmed_by == "BOT" and p.status_evidence.startswith("confirmed by Boston Borough Council on")


def test_a_visitor_reports_and_a_reviewer_sees_it_as_text_and_dismisses_it(store):
    at = page("report")
    at.query_params["partnership"] = "SS011"
    at.run()
    assert at.selectbox(key="report_partnership").value == "SS011"
    at.text_area(key="report_message").input("**Bold** <b>claim</b> [link](http://evil.example)")
    at.text_input(key="report_email").input("reader@example.org")
    at.button(key="FormSubmitter:report-Send the report").click().run()
    assert messages(at.error) == [
        "Not sent: source link: a report of a savings figure needs a public source link to check."
    ]
    at.text_input(key="report_source").input("https://adur-worthing.gov.uk/report")
    at.button(key="FormSubmitter:report-Send the report").click().run()
    assert not at.error and messages(at.success) == ["Thank you: report 1 is with the reviewers."]
    at.text_input(key="report_website").input("spam")
    at.button(key="FormSubmitter:report-Send the report").click().run()
    assert "hidden field" in messages(at.error)[0]

    review = sign_in(page("review").run(), REVIEWER)
    assert [t.label for t in review.tabs][1] == "Reports from the public (1)"
    assert "**Bold** <b>claim</b> [link](http://evil.example)" in [t.value for t in review.text]  # as typed
    review.text_input(key="report_reason_1").input("The council's report says otherwise").run()
    review.button(key="report_dismiss_1").click().run()
    assert messages(review.success) == ["Report 1 dismissed."]
    from sharedmap.publishing.reports import suggestion

    assert suggestion(store, 1).email is None
