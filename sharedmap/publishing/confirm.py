"""Officers confirm their council's partnerships: still true, changed, or ended.

A confirmation is status evidence in the council's own words: the row's ``status_source_date`` becomes the day it
was given, ``status_confirmed_by`` the council, ``status_evidence`` "confirmed by Boston Borough Council on
4 December 2026" (and the link, when the officer gave one). It is staged as a one-row submission, so it is reviewed,
published, audited and rolled back like any other change. Only a member council (or one that replaced a member)
may confirm or end a partnership: the check is made here on every route (id or name), and again when a reviewer
approves (``workflow.approve`` re-checks an officer's submission against its ``scope_council_id``).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass

from sharedmap import events
from sharedmap.errors import PermissionDeniedError, ValidationError
from sharedmap.freshness import Standing, confirmation_text, freshness_text, standing, status_date
from sharedmap.partnerships import PartialDate, Partnership, Status, date_text, from_record, savings_text, to_record
from sharedmap.publishing.auth import Role, User, require_role
from sharedmap.publishing.preview import CHANGED, Change, name_key
from sharedmap.publishing.store import Store, Submission
from sharedmap.publishing.workflow import council_covers
from sharedmap.register import Register
from sharedmap.spreadsheets import FIELD_ALIASES
from sharedmap.validate import URL

MAX_LINK_CHARS = 500
STILL_TRUE, ENDED = "still true", "ended"


@dataclass(frozen=True)
class Awaiting:
    """One of the officer's partnerships as the confirm page lists it."""

    partnership: Partnership
    standing: Standing
    freshness: str


def _council(user: User | None, register: Register, action: str) -> str:
    """The signed-in user's council: confirmations are a council's word, so an account without one cannot give it."""
    user = require_role(user, Role.OFFICER, action)
    if not user.council_id:
        raise PermissionDeniedError(
            f"{user.email} has no council, and a confirmation is a council's word about its own partnerships; "
            "sign in with an officer account of a member council"
        )
    return user.council_id


def council_name(council_id: str, register: Register) -> str:
    council = register.councils.get(council_id)
    return council.name if council else council_id


def own_partnerships(
    store: Store, user: User | None, register: Register, today: dt.date | None = None
) -> list[Awaiting]:
    """The published partnerships of the user's council that are not ended, the oldest status evidence first
    (undated ones before all)."""
    council = _council(user, register, "confirm partnerships")
    mine = council_covers(council, register)
    names = {c.id: c.name for c in register.councils.values()}
    found = [p for p in store.partnerships() if mine(p) and p.status is not Status.ENDED]
    found.sort(key=lambda p: (d := status_date(p)) is not None and (d.year, d.month or 0, d.day or 0) or (0, 0, 0))
    return [Awaiting(p, standing(p, today), freshness_text(p, today, names=names)) for p in found]


def _own(store: Store, council: str, register: Register, which: str) -> tuple[dict, int | None]:
    """The published record named by id or by name, if the council is a member; refused otherwise."""
    with store.read() as conn:
        number = store.current(conn)[0]
        records = store.records(number, conn) if number else []
    text = (which or "").strip()
    record = next((r for r in records if r["id"] == text), None)
    if record is None:
        named = [r for r in records if name_key(r["name"]) == name_key(text)]
        if len(named) > 1:
            raise ValidationError("partnership", text, "more than one partnership has this name: give its id")
        record = named[0] if named else None
    if record is None:
        raise ValidationError("partnership", text, "no published partnership has this id or name")
    if not council_covers(council, register)(from_record(record)):
        raise PermissionDeniedError(
            f"{record['name']} ({record['id']}) does not include your council ({council_name(council, register)}): "
            "only its member councils can confirm or end it. To report a mistake in it, use the public report form"
        )
    return record, number


def _link(link: str) -> str:
    text = (link or "").strip()
    if not text:
        return ""
    if len(text) > MAX_LINK_CHARS or URL.fullmatch(text) is None:
        raise ValidationError(
            "link", text[:80], f"give one web link (http:// or https://), up to {MAX_LINK_CHARS} characters"
        )
    return text


def _evidence(p: Partnership, council: str, register: Register, on: dt.date, link: str, note: str = "") -> Partnership:
    names = {council: council_name(council, register)}
    return p.with_changes(
        status_source_date=PartialDate(on.year, on.month, on.day),
        status_source_url=link,
        status_evidence=confirmation_text(council, on, names) + note,
        status_confirmed_by=council,
    )


@events.logged("confirm")
def confirm(
    store: Store,
    user: User | None,
    register: Register,
    which: str,
    link: str = "",
    today: dt.date | None = None,
    comment: str = "",
) -> Submission:
    """Stage "still true": the partnership's status, as published, confirmed today by the user's council."""
    council = _council(user, register, "confirm partnerships")
    record, number = _own(store, council, register, which)
    p = from_record(record)
    updated = _evidence(p, council, register, today or dt.date.today(), _link(link))
    return _stage(store, user, council, register, record, updated, number, STILL_TRUE, comment)


@events.logged("confirm_ended")
def end(
    store: Store,
    user: User | None,
    register: Register,
    which: str,
    ended: PartialDate,
    link: str = "",
    today: dt.date | None = None,
    comment: str = "",
) -> Submission:
    """Stage "ended": the partnership ended on ``ended`` (a year, month or day), in the council's own word."""
    council = _council(user, register, "end partnerships")
    record, number = _own(store, council, register, which)
    p = from_record(record)
    today = today or dt.date.today()
    if p.status is Status.ENDED:
        raise ValidationError("partnership", p.id, f"{p.name} is already shown as ended")
    if (ended.year, ended.month or 1, ended.day or 1) > (today.year, today.month, today.day):
        raise ValidationError("end", ended.iso(), "is in the future: confirm it once it has ended")
    if p.start and (ended.year, ended.month or 12, ended.day or 31) < (
        p.start.year,
        p.start.month or 1,
        p.start.day or 1,
    ):
        raise ValidationError("end", ended.iso(), f"is before the partnership started ({date_text(p.start)})")
    updated = _evidence(
        p.with_changes(status=Status.ENDED, end=ended),
        council,
        register,
        today,
        _link(link),
        f": ended {date_text(ended)}",
    )
    return _stage(store, user, council, register, record, updated, number, ENDED, comment)


def _stage(
    store: Store,
    user: User | None,
    council: str,
    register: Register,
    base_record: dict,
    updated: Partnership,
    number: int | None,
    what: str,
    comment: str,
) -> Submission:
    record = {**base_record, **to_record(updated)}
    text = f"{council_name(council, register)}: {updated.name} {what}"
    digest = hashlib.sha256(json.dumps(record, sort_keys=True).encode("utf-8")).hexdigest()
    email = user.email if user else ""
    with store.write() as conn:
        submission_id = store.add_submission(
            conn,
            [Change(CHANGED, base_record["id"], base_record["name"], record, base_record, None, "id")],
            submitted_by=email,
            scope_council_id=council,
            withdraw_missing=False,
            base_version=number,
            file_name=f"confirmation ({what})",
            file_sha256=digest,
            file_rows=1,
            comment=(comment.strip()[:2000] or text),
        )
        store.audit(
            conn,
            "confirm",
            email,
            submission_id=submission_id,
            version=number,
            file_name=f"confirmation ({what})",
            file_sha256=digest,
            counts={"changed": 1},
            detail=text,
        )
    return store.submission(submission_id)


# The officer's file's columns (spreadsheets.FIELD_ALIASES, their one home), with each figure's kind and period
# written inside the savings cell rather than in columns of their own.
EDIT_COLUMNS = tuple(field for field in FIELD_ALIASES if field not in ("savings_kind", "savings_period"))


def edit_file(store: Store, user: User | None, register: Register, which: str) -> tuple[str, bytes]:
    """ "Changed": the row as a one-row CSV to edit and upload (with "only add and update"), named after its id.
    Same scope as a confirmation: only a member council's officer gets it as their own row to change."""
    council = _council(user, register, "change partnerships")
    record, _ = _own(store, council, register, which)
    return f"{record['id']}.csv", rows_csv([from_record(record)], register)


def rows_csv(partnerships: list[Partnership], register: Register) -> bytes:
    """Partnerships in the officer's file format (council ids, figures as ``savings_text`` writes them), so the
    file reads back as the same rows: UTF-8 with a byte-order mark for Excel."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, EDIT_COLUMNS)
    writer.writeheader()
    for p in partnerships:
        r = to_record(p)
        writer.writerow(
            {
                **{c: r.get(c) or "" for c in EDIT_COLUMNS},
                "councils": "; ".join(council_name(c, register) for c in p.council_ids),
                "council_ids": "; ".join(p.council_ids),
                "other_partners": "; ".join(p.other_partners),
                "services": "; ".join(p.services),
                "savings": "; ".join(savings_text(s) for s in p.savings),
                "source_url": " ".join(p.source_urls),
            }
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
