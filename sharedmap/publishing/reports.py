"""Reports from the public: "something wrong or missing?", kept as suggestions in the reviewers' queue.

Anyone may report, without an account; nothing they write is published. A reviewer turns a report into a submission
(the row prefilled as a file to edit and upload) or dismisses it with a reason; either way the report is closed and
the reporter's email, which is never published, is deleted. Abuse is expected, so the store itself refuses:
oversized fields, a filled-in honeypot, more than SHAREDMAP_REPORTS_PER_HOUR reports an hour from one client (a
keyed hash of its address, counted in the store so the limit holds across app copies) and a queue already holding
SHAREDMAP_MAX_OPEN_REPORTS open reports. Each refusal says why, in words a visitor can act on.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa

from sharedmap import config, events
from sharedmap.errors import SharedMapError, ValidationError
from sharedmap.parsing import strip_control
from sharedmap.publishing import db
from sharedmap.publishing.auth import EMAIL, Role, User, require_role
from sharedmap.publishing.db import suggestions
from sharedmap.publishing.store import Store
from sharedmap.register import Register
from sharedmap.validate import URL

MAX_MESSAGE, MIN_MESSAGE, MAX_LINK, MAX_EMAIL, MAX_REASON = 2000, 10, 500, 254, 1000
ABOUT = {  # what is wrong: the kinds that state a new fact need a source link
    "figure": "a savings figure",
    "status": "whether it still runs (its status)",
    "other": "something else about it",
    "missing": "a partnership missing from the map",
}
NEEDS_SOURCE = frozenset({"figure", "status", "missing"})


class RefusedError(SharedMapError):
    """A report refused by a limit (rate, queue, honeypot): the message says why and what to do."""


class SuggestionStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DISMISSED = "dismissed"


@dataclass(frozen=True)
class Suggestion:
    id: int
    created_at: datetime
    about: str
    council_id: str | None
    partnership_id: str | None
    message: str
    source_url: str
    email: str | None  # for the reviewer's reply only; None once the report is closed
    status: SuggestionStatus
    decided_by: str | None
    decided_at: datetime | None
    decision_comment: str
    submission_id: int | None


def client_key(address: str) -> str:
    """A keyed hash of the client's address: enough to count its reports, useless for finding who sent them."""
    secret = config.get("SHAREDMAP_REPORT_KEY") or "sharedmap-reports:" + db.database_url()
    return hmac.new(secret.encode(), (address or "unknown").encode(), hashlib.sha256).hexdigest()


def _limit(name: str) -> int:
    return max(1, int(config.get_number(name)))


def _text(value: str | None, column: str, limit: int) -> str:
    text = strip_control(value or "").strip()
    if len(text) > limit:
        raise RefusedError(f"{column}: is {len(text):,} characters; the limit is {limit:,}")
    return text


@events.logged("report")
def report(
    store: Store,
    register: Register,
    *,
    client: str,
    about: str,
    message: str,
    council: str = "",
    partnership: str = "",
    source_url: str = "",
    reply_to: str = "",
    honeypot: str = "",
    now: datetime | None = None,
) -> int:
    """Store a visitor's report as an open suggestion and return its number; refused with the reason otherwise."""
    if honeypot:
        raise RefusedError(
            "the form's hidden field was filled in, which only automated senders do; nothing was sent. If you are "
            "a person, reload the page and send the form again without it"
        )
    if about not in ABOUT:
        raise RefusedError("about: choose what is wrong: " + ", ".join(ABOUT))
    message = _text(message, "message", MAX_MESSAGE)
    if len(message) < MIN_MESSAGE:
        raise RefusedError(f"message: say what is wrong or missing (at least {MIN_MESSAGE} characters)")
    source_url = _text(source_url, "source link", MAX_LINK)
    if source_url and URL.fullmatch(source_url) is None:
        raise RefusedError("source link: give one web link (http:// or https://)")
    if about in NEEDS_SOURCE and not source_url:
        raise RefusedError(f"source link: a report of {ABOUT[about]} needs a public source link to check")
    email = _text(reply_to, "email", MAX_EMAIL).lower()
    if email and not EMAIL.match(email):
        raise RefusedError("email: is not an email address (or leave it empty)")
    council_id = _council(register, _text(council, "council", 200))
    partnership_id = _text(partnership, "partnership", 80) or None
    published = store.published()  # cached by the version's label: one small query
    if partnership_id and partnership_id not in {p.id for p in (published[1] if published else ())}:
        raise RefusedError("partnership: no published partnership has this id")
    if not (council_id or partnership_id or about == "missing"):
        raise RefusedError("council: name the council or the partnership the report is about")
    now = now or db.utcnow()
    key = client_key(client)
    per_hour, queue = _limit("SHAREDMAP_REPORTS_PER_HOUR"), _limit("SHAREDMAP_MAX_OPEN_REPORTS")
    # A refusal costs one read statement and never the write lock, so a flood cannot queue up writers.
    with db.autocommit(store.engine) if store.backend == "postgresql" else store.read() as conn:
        _check_limits(conn, key, now, per_hour, queue)
    with store.write() as conn:
        if conn.dialect.name == "postgresql":  # writers of the same client take turns, so the count holds
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": "sharedmap-report:" + key})
        _check_limits(conn, key, now, per_hour, queue)  # again, under the lock: the first look may be stale
        inserted = conn.execute(
            suggestions.insert().values(
                created_at=now,
                client_key=key,
                about=about,
                council_id=council_id,
                partnership_id=partnership_id,
                message=message,
                source_url=source_url,
                email=email or None,
                status=SuggestionStatus.OPEN,
            )
        ).inserted_primary_key
    if inserted is None:
        raise SharedMapError("the database did not return the new report's number")
    return int(inserted[0])


def _check_limits(conn, key: str, now: datetime, per_hour: int, queue: int) -> None:
    """Refuse, saying why, when this client sent its hourly share, holds that many open reports, or the queue is
    full: one statement, so a refusal is one round trip."""
    mine = suggestions.c.client_key == key
    is_open = suggestions.c.status == SuggestionStatus.OPEN
    since = now - timedelta(hours=1)
    row = conn.execute(
        sa.select(
            sa.select(sa.func.count()).where(mine, suggestions.c.created_at > since).scalar_subquery(),
            sa.select(sa.func.min(suggestions.c.created_at))
            .where(mine, suggestions.c.created_at > since)
            .scalar_subquery(),
            sa.select(sa.func.count()).where(mine, is_open).scalar_subquery(),
            sa.select(sa.func.count()).where(is_open).scalar_subquery(),
        )
    ).one()
    recent, first, held, open_count = row
    if recent >= per_hour:
        seconds = (db.as_utc(first) + timedelta(hours=1) - now).total_seconds()
        raise RefusedError(
            f"you have sent {recent} reports in the last hour, the most we accept from one address; "
            f"nothing was sent. Try again in {max(1, math.ceil(seconds / 60))} minutes"
        )
    if held >= per_hour:
        raise RefusedError(
            f"{held} of your reports are still waiting for a reviewer; nothing was sent. Please wait until they "
            "have been looked at"
        )
    if open_count >= queue:
        raise RefusedError(
            "the reviewers have too many reports waiting to take more just now; nothing was sent. "
            "Please try again tomorrow"
        )


def _council(register: Register, text: str) -> str | None:
    if not text:
        return None
    if text in register.councils:
        return text
    found = register.resolve(text)  # CouncilNotFoundError names the closest councils
    return found.council.id


def suggestions_list(store: Store, status: SuggestionStatus | None = SuggestionStatus.OPEN) -> list[Suggestion]:
    """The reviewers' queue (default: open reports), oldest first."""
    query = sa.select(suggestions).order_by(suggestions.c.id)
    if status is not None:
        query = query.where(suggestions.c.status == status)
    with store.read() as conn:
        return [_suggestion(r) for r in conn.execute(query).all()]


def suggestion(store: Store, suggestion_id: int) -> Suggestion:
    with store.read() as conn:
        row = conn.execute(sa.select(suggestions).where(suggestions.c.id == suggestion_id)).one_or_none()
    if row is None:
        raise ValidationError("report", suggestion_id, "there is no report with this number")
    return _suggestion(row)


@events.logged("report_dismiss")
def dismiss(store: Store, user: User | None, suggestion_id: int, reason: str) -> Suggestion:
    """Close a report without a change, saying why; the reporter's email is deleted."""
    require_role(user, Role.REVIEWER, "dismiss reports")
    reason = _text(reason, "reason", MAX_REASON)
    if not reason:
        raise RefusedError("reason: say why the report is dismissed")
    return _close(store, user, suggestion_id, SuggestionStatus.DISMISSED, reason, None)


@events.logged("report_accept")
def accept(store: Store, user: User | None, suggestion_id: int, submission_id: int, comment: str = "") -> Suggestion:
    """Close a report as turned into ``submission_id`` (staged by the reviewer from the prefilled row); the
    reporter's email is deleted."""
    require_role(user, Role.REVIEWER, "turn reports into submissions")
    store.submission(submission_id)  # it must exist
    comment = _text(comment, "comment", MAX_REASON) or f"made into submission {submission_id}"
    return _close(store, user, suggestion_id, SuggestionStatus.ACCEPTED, comment, submission_id)


def _close(
    store: Store, user: User | None, suggestion_id: int, status: SuggestionStatus, comment: str, submission_id
) -> Suggestion:
    email = user.email if user else None
    with store.write() as conn:
        row = conn.execute(
            sa.select(suggestions.c.status).where(suggestions.c.id == suggestion_id).with_for_update()
        ).one_or_none()
        if row is None:
            raise ValidationError("report", suggestion_id, "there is no report with this number")
        if row.status != SuggestionStatus.OPEN:
            raise ValidationError("report", suggestion_id, f"this report is already {row.status}")
        conn.execute(
            suggestions.update()
            .where(suggestions.c.id == suggestion_id)
            .values(
                status=status,
                decided_by=email,
                decided_at=db.utcnow(),
                decision_comment=comment,
                submission_id=submission_id,
                email=None,  # never kept past the report's life
            )
        )
        store.audit(
            conn,
            f"report_{status.value}",
            email,
            submission_id=submission_id,
            detail=f"report {suggestion_id}: {comment}",
        )
    return suggestion(store, suggestion_id)


def _suggestion(row) -> Suggestion:
    return Suggestion(
        row.id,
        db.as_utc(row.created_at),
        row.about,
        row.council_id,
        row.partnership_id,
        row.message,
        row.source_url,
        row.email,
        SuggestionStatus(row.status),
        row.decided_by,
        db.as_utc(row.decided_at),
        row.decision_comment,
        row.submission_id,
    )


def prefilled(store: Store, suggestion_id: int, register: Register) -> tuple[str, bytes]:
    """The report as a file to edit and upload: the reported partnership's row (or, for a missing one, a new row
    naming the council), with the report's source link and words in its notes for the reviewer to act on."""
    from sharedmap.partnerships import Partnership, Status
    from sharedmap.publishing.confirm import rows_csv

    found = suggestion(store, suggestion_id)
    note = f"Report {found.id} ({ABOUT[found.about]}): {found.message}"
    published = {p.id: p for p in store.partnerships()}
    base = published.get(found.partnership_id or "")
    if base is not None:
        row = base.with_changes(notes="; ".join(n for n in (base.notes, note) if n))
    else:
        row = Partnership(
            id="",
            name="",
            council_ids=(found.council_id,) if found.council_id else (),
            services=(),
            status=Status.OPERATIONAL,
            source_urls=(found.source_url,) if found.source_url else (),
            notes=note,
        )
    return f"report-{found.id}.csv", rows_csv([row], register)
