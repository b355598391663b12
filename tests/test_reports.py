"""Reports from the public: stored as suggestions for review, refused past the limits with a reason, closed by a
reviewer (made into a submission or dismissed) with the reporter's email deleted."""

from __future__ import annotations

import datetime as dt

import pytest
from store_fixtures import snapshot

from sharedmap.errors import CouncilNotFoundError, PermissionDeniedError, ValidationError
from sharedmap.publishing import reports, workflow
from sharedmap.publishing.reports import RefusedError, SuggestionStatus
from sharedmap.report_links import report_url

REVIEWER, OFFICER = "reviewer@lga.gov.uk", "officer@boston.gov.uk"
FIGURE = {"about": "figure", "message": "The saving is now £1.2m a year", "source_url": "https://boston.gov.uk/r"}


def send(store, register, client="203.0.113.5", **values):
    return reports.report(store, register, client=client, **{**FIGURE, "partnership": "SS001", **values})


def test_a_report_waits_in_the_queue_and_is_made_into_a_submission(store, accounts, register):
    number = send(store, register, reply_to="Reader@Example.org", message="<script>alert(1)</script> £1.2m now")
    [queued] = reports.suggestions_list(store)
    assert (queued.id, queued.email, queued.partnership_id) == (number, "reader@example.org", "SS001")
    assert queued.message == "<script>alert(1)</script> £1.2m now"  # kept as typed; every page shows it as text
    name, data = reports.prefilled(store, number, register)
    upload = workflow.read_upload(data, register, name)
    assert upload.ok and "Report" in upload.rows[0].partnership.notes
    submission = workflow.submit(store, accounts[REVIEWER], upload, register, withdraw_missing=False)
    closed = reports.accept(store, accounts[REVIEWER], number, submission.id)
    assert (closed.status, closed.email, closed.submission_id) == (SuggestionStatus.ACCEPTED, None, submission.id)
    assert reports.suggestions_list(store) == []
    assert any(e.action == "report_accepted" for e in store.audit_log())


def test_dismiss_needs_a_reason_and_a_reviewer_and_deletes_the_email(store, accounts, register):
    number = send(store, register, reply_to="reader@example.org")
    with pytest.raises(PermissionDeniedError):
        reports.dismiss(store, accounts[OFFICER], number, "no")
    with pytest.raises(RefusedError, match="say why"):
        reports.dismiss(store, accounts[REVIEWER], number, "  ")
    closed = reports.dismiss(store, accounts[REVIEWER], number, "the source says otherwise")
    assert (closed.status, closed.email, closed.decision_comment) == (
        SuggestionStatus.DISMISSED,
        None,
        "the source says otherwise",
    )
    with pytest.raises(ValidationError, match="already dismissed"):
        reports.dismiss(store, accounts[REVIEWER], number, "again")


@pytest.mark.parametrize(
    ("values", "refusal"),
    [
        ({"honeypot": "http://spam"}, "hidden field"),
        ({"message": "short"}, "at least 10"),
        ({"message": "x" * 2001}, "limit is 2,000"),
        ({"source_url": ""}, "needs a public source link"),
        ({"source_url": "not a link"}, "web link"),
        ({"reply_to": "nobody"}, "not an email address"),
        ({"partnership": "SS999"}, "no published partnership"),
        ({"partnership": "", "council": ""}, "name the council or the partnership"),
        ({"about": "nonsense"}, "choose what is wrong"),
    ],
)
def test_each_refusal_says_why_and_stores_nothing(store, register, values, refusal):
    before = snapshot(store)
    with pytest.raises((ValidationError, RefusedError), match=refusal):
        send(store, register, **values)
    assert snapshot(store) == before


def test_a_council_is_found_by_name_code_or_id_and_a_missing_partnership_needs_no_id(store, register):
    for council in ("Boston Borough Council", "E07000136", "BOT"):
        number = send(store, register, client=council, partnership="", council=council)
        assert reports.suggestion(store, number).council_id == "BOT"
    send(store, register, client="new", about="missing", partnership="", message="Boston and Lincoln share CCTV")
    with pytest.raises(CouncilNotFoundError):
        send(store, register, client="x", partnership="", council="Nowhere Council")


def test_the_rate_limit_counts_in_the_store_per_client(store, register, monkeypatch):
    monkeypatch.setenv("SHAREDMAP_REPORTS_PER_HOUR", "3")
    now = dt.datetime(2026, 12, 4, 12, tzinfo=dt.UTC)
    for _ in range(3):
        send(store, register, now=now)
    with pytest.raises(RefusedError, match="3 reports in the last hour.*Try again in 60 minutes"):
        send(store, register, now=now)
    send(store, register, client="198.51.100.7", now=now)  # another client is not held back
    with pytest.raises(RefusedError, match="still waiting for a reviewer"):  # an hour later, 3 still open
        send(store, register, now=now + dt.timedelta(hours=2))
    assert len(reports.suggestions_list(store)) == 4


def test_a_full_queue_refuses_everyone(store, register, monkeypatch):
    monkeypatch.setenv("SHAREDMAP_MAX_OPEN_REPORTS", "2")
    send(store, register, client="a")
    send(store, register, client="b")
    with pytest.raises(RefusedError, match="too many reports waiting"):
        send(store, register, client="c")


def test_the_client_address_is_never_stored(store, register):
    send(store, register, client="203.0.113.99")
    assert "203.0.113.99" not in repr(snapshot(store))


def test_report_links_need_the_public_address(monkeypatch):
    monkeypatch.delenv("SHAREDMAP_PUBLIC_URL", raising=False)
    assert report_url(council="E07000136") is None
    monkeypatch.setenv("SHAREDMAP_PUBLIC_URL", "https://map.example.org/")
    assert report_url(council="E07000136") == "https://map.example.org/report?council=E07000136"
    assert report_url(partnership="SS 1&x") == "https://map.example.org/report?partnership=SS+1%26x"
