"""The officer's path on the store: check an upload, preview it, submit it; a reviewer approves, rejects, rolls back.

Each step takes the store and a signed-in ``auth.User`` (no user, no change). The rules:
- An officer submits only partnerships that include their own council (or a council it has since replaced);
  a file only adds and updates, unless the officer chooses ``withdraw_missing`` (the file is then the complete
  list of their council's partnerships, and the published ones missing from it are withdrawn; the preview lists
  them). A file that lost rows (rows refused) never withdraws anything. A reviewer's file is the whole map.
- Only a reviewer approves or rejects, and nobody approves their own submission.
- Approval publishes the submission's changes as a new version in one transaction. When another publish came
  first, the submission is rebased onto it if they touch different partnerships, and refused with the reasons
  if they touch the same one (the officer uploads again against what is now published).
- A rollback (reviewer) publishes a new version equal to an earlier one; nothing is ever deleted.
- Each publish and rollback rebuilds the public static site (``sharedmap.site``) once the version is committed;
  a build that fails is logged and leaves the previous site, and never undoes the publish.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from sharedmap import events
from sharedmap.errors import (
    ConflictError,
    FileReadError,
    InvalidRowsError,
    PermissionDeniedError,
    StoreError,
    ValidationError,
)
from sharedmap.parsing import clean, strip_control
from sharedmap.partnerships import Partnership
from sharedmap.publishing import announce
from sharedmap.publishing.auth import Role, User, require_role
from sharedmap.publishing.preview import (
    CHANGED,
    WITHDRAWN,
    Preview,
    Uploaded,
    apply_changes,
    compare,
    find_conflicts,
)
from sharedmap.publishing.store import Store, Submission, SubmissionStatus, Version
from sharedmap.register import Register, load_register
from sharedmap.renderable import load_records
from sharedmap.spreadsheets import Table, max_upload_bytes, read_table, too_big
from sharedmap.validate import ValidationReport, validate_table

# The file's columns (spreadsheets.FIELD_ALIASES) and the partnership record fields they fill.
RECORD_FIELDS = {
    "name": "name",
    "councils": "council_ids",
    "council_ids": "council_ids",
    "services": "services",
    "other_partners": "other_partners",
    "status": "status",
    "start": "start",
    "end": "end",
    "savings": "savings",
    "description": "description",
    "source_url": "source_urls",
    "source_title": "source_title",
    "source_date": "source_date",
    "notes": "notes",
    "verified_on": "verified_on",
    "evidence": "evidence",
    "status_source_url": "status_source_url",
    "status_source_date": "status_source_date",
    "status_evidence": "status_evidence",
    "status_confirmed_by": "status_confirmed_by",
}
Fixes = Mapping[tuple[int, str, str], str]  # (row, column, text as typed) -> replacement, e.g. a picked suggestion


@dataclass(frozen=True)
class Upload:
    """A checked file: its name and SHA-256 (for the audit log), the row-by-row report, and which rows gave ids."""

    file_name: str
    sha256: str
    report: ValidationReport
    id_rows: frozenset[int]
    fixes: int = 0

    @property
    def ok(self) -> bool:
        return self.report.ok

    @property
    def fields(self) -> frozenset[str]:
        """The partnership record fields this file has columns for."""
        return frozenset(RECORD_FIELDS[f] for f in self.report.columns.values() if f in RECORD_FIELDS)

    @property
    def rows(self) -> list[Uploaded]:
        return [
            Uploaded(r.row, r.partnership, r.row in self.id_rows, self.fields, tuple(r.savings_read))
            for r in self.report.rows
            if r.ok and r.partnership is not None
        ]


def read_upload(
    source: bytes | str | Path, register: Register, file_name: str | None = None, fixes: Fixes | None = None
) -> Upload:
    """Read and check a CSV/XLSX upload (FileReadError if it cannot be read at all), applying the fixes an
    officer picked on the page, such as a suggested council for a name the register could not resolve."""
    data = source if isinstance(source, bytes) else _read_bytes(Path(source))
    name = file_name or (Path(source).name if not isinstance(source, bytes) else "upload")
    name = strip_control(name)[:200] or "upload"  # shown in terminals, pages and the audit log
    table = read_table(data, name)
    if fixes:
        table = apply_fixes(table, fixes)
    id_rows = frozenset(row for row, values in table.rows if clean(values.get("id")))
    return Upload(name, hashlib.sha256(data).hexdigest(), validate_table(table, register), id_rows, len(fixes or {}))


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing an oversized file before reading it into memory."""
    try:
        if path.stat().st_size > max_upload_bytes():
            raise too_big(path.name, path.stat().st_size, max_upload_bytes())
        return path.read_bytes()
    except OSError as exc:
        raise FileReadError(f"cannot open {path}: {exc.strerror or exc}") from exc


def apply_fixes(table: Table, fixes: Fixes) -> Table:
    """The table with each fix's text replaced in its row and column; a fix that matches nothing is an error."""
    rows = []
    for number, values in table.rows:
        values = dict(values)
        for (row, column, typed), replacement in fixes.items():
            if row != number:
                continue
            cell = "" if values.get(column) is None else str(values.get(column))
            if typed not in cell:
                raise ValidationError(column, typed, f"row {row}: the text to fix is not in this cell")
            values[column] = cell.replace(typed, replacement)
        rows.append((number, values))
    missing = {row for row, _, _ in fixes} - {number for number, _ in table.rows}
    if missing:
        raise ValidationError("row", min(missing), "a fix names a row the file does not have")
    return replace(table, rows=rows)


def require_no_lost_rows(upload: Upload) -> None:
    """A file that lost rows cannot say which partnerships are missing from it: a partnership on a refused row
    would be withdrawn as if the officer had left it out, so such a file withdraws nothing."""
    lost = [r for r in upload.report.rows if r.errors]
    if lost:
        listed = "; ".join(f"row {r.row} ({', '.join(dict.fromkeys(e.column for e in r.errors))})" for r in lost[:10])
        more = f" and {len(lost) - 10} more" if len(lost) > 10 else ""
        raise ValidationError(
            "withdraw_missing",
            upload.file_name,
            f"nothing can be withdrawn by a file with rows that could not be read: {listed}{more}; a partnership "
            "on such a row would be withdrawn as if it were missing. Fix those rows, or submit without withdrawing",
        )


def withdrawals(preview: Preview) -> list[tuple[str, str]]:
    """The published partnerships this preview withdraws, as (id, name): what the officer confirms before submitting."""
    return [(c.partnership_id, c.name) for c in preview.of_kind(WITHDRAWN)]


def withdrawals_text(preview: Preview) -> str:
    """One line naming every partnership that submitting would withdraw, or saying that none would be."""
    listed = withdrawals(preview)
    if not listed:
        return "No published partnership would be withdrawn: every one is in the file."
    names = "; ".join(f"{pid} ({name})" for pid, name in listed)
    return f"Submitting would withdraw {len(listed)} published partnership(s) missing from the file: {names}"


def require_valid(upload: Upload) -> None:
    """All or nothing: one bad row refuses the whole file, naming every row and column at fault."""
    if not upload.ok:
        problems = [(r.row, e.column, e.message) for r in upload.report.rows for e in r.errors]
        raise InvalidRowsError(upload.file_name, problems, len(upload.report.rows))


def covers(user: User, register: Register) -> Callable[[Partnership], bool]:
    """Whether a partnership is the user's to submit or withdraw: a reviewer's, any; an officer's, those that
    include their council or a council their council has replaced."""
    if user.is_reviewer:
        return lambda p: True
    return council_covers(user.council_id, register)


def council_covers(own: str | None, register: Register) -> Callable[[Partnership], bool]:
    """Whether a partnership includes council ``own`` or a council it has replaced."""

    def includes_own(p: Partnership) -> bool:
        for council_id in p.council_ids:
            successors = register.current_successors(council_id) if council_id in register.councils else ()
            if council_id == own or any(c.id == own for c in successors):
                return True
        return False

    return includes_own


def preview_upload(
    store: Store, user: User, upload: Upload, register: Register, withdraw_missing: bool = False
) -> Preview:
    """What submitting this upload would change, against the version published now."""
    require_role(user, Role.OFFICER, "upload partnerships")
    if withdraw_missing:
        require_no_lost_rows(upload)
    require_valid(upload)
    mine = covers(user, register)
    foreign = [item for item in upload.rows if not mine(item.partnership)]
    if foreign:
        council = register.get(user.council_id).name if user.council_id in register.councils else user.council_id
        listed = "; ".join(f"row {i.row} ({i.partnership.name})" for i in foreign[:5])
        raise PermissionDeniedError(
            f"an officer may only submit partnerships that include their own council "
            f"({council}); these do not: {listed}"
        )
    with store.read() as conn:
        number = store.current(conn)[0]
        published = load_records(store.records(number, conn))[0] if number else []
    preview = compare(published, upload.rows, number, mine if withdraw_missing else None)
    others = out_of_scope(preview.changes, mine)
    if others:
        council = register.get(user.council_id).name if user.council_id in register.councils else user.council_id
        listed = "; ".join(
            f"row {c.row} matches published partnership {c.partnership_id} ({c.base_record['name']})"
            f" by its {c.matched_by}"
            for c in others[:5]
        )
        raise PermissionDeniedError(
            f"an officer may change only partnerships whose published record already "
            f"includes their council ({council}): {listed}. If it is another partnership, "
            "give it its own name and no id; to join an existing one, ask a reviewer"
        )
    return preview


def out_of_scope(changes, mine: Callable[[Partnership], bool]) -> list:
    """The changes that alter a published partnership which ``mine`` does not cover: another council's record,
    re-used by id or by name."""
    found = []
    for change in changes:
        if change.kind in (CHANGED, WITHDRAWN) and change.base_record is not None:
            base = load_records([change.base_record])[0]
            if not base or not mine(base[0]):
                found.append(change)
    return found


@events.logged("submit")
def submit(
    store: Store, user: User, upload: Upload, register: Register, withdraw_missing: bool = False, comment: str = ""
) -> Submission:
    """Stage the upload as a pending submission for a reviewer; nothing is published yet."""
    preview = preview_upload(store, user, upload, register, withdraw_missing)
    if not preview.has_effect:
        raise ValidationError(
            "file",
            upload.file_name,
            f"nothing to submit: all {len(preview.changes)} partnerships in it match the published version",
        )
    counts = {"rows": len(upload.report.rows), **preview.counts}
    with store.write() as conn:
        submission_id = store.add_submission(
            conn,
            preview.changes,
            submitted_by=user.email,
            scope_council_id=None if user.is_reviewer else user.council_id,
            withdraw_missing=withdraw_missing,
            base_version=preview.base_version,
            file_name=upload.file_name,
            file_sha256=upload.sha256,
            file_rows=len(upload.report.rows),
            fixes=upload.fixes,
            comment=comment,
        )
        store.audit(
            conn,
            "submit",
            user.email,
            submission_id=submission_id,
            version=preview.base_version,
            file_name=upload.file_name,
            file_sha256=upload.sha256,
            counts=counts,
            detail=comment,
        )
    return store.submission(submission_id)


def submission_preview(store: Store, submission_id: int) -> Preview:
    """A staged submission's changes as they were previewed when it was made."""
    submission = store.submission(submission_id)
    return Preview(submission.base_version, store.changes(submission_id))


def conflicts(store: Store, submission_id: int) -> list[str]:
    """Why approving the submission now would be refused (empty when it would publish): for the review page."""
    with store.read() as conn:
        submission = store.submission(submission_id, conn)
        return _conflicts(store, conn, submission)


def _conflicts(store: Store, conn, submission: Submission) -> list[str]:
    base = store.records(submission.base_version, conn) if submission.base_version else []
    return find_conflicts(store.changes(submission.id, conn), store.records(None, conn), base)


@events.logged("approve")
def approve(store: Store, user: User, submission_id: int, comment: str = "") -> Version:
    """Publish a pending submission as the new version, atomically; refused when it conflicts (see module doc)."""
    require_role(user, Role.REVIEWER, "approve submissions")
    register = load_register()  # read (or taken from the cache) before the publish lock is held
    with store.write() as conn:
        current = store.lock_current(conn)
        submission = _pending(store, conn, submission_id)
        if submission.submitted_by == user.email:
            raise PermissionDeniedError(
                f"nobody approves their own submission: submission {submission_id} is "
                f"{user.email}'s, so another reviewer must approve it"
            )
        problems = _conflicts(store, conn, submission)
        if problems:
            raise ConflictError(
                f"submission {submission_id} was made against version {submission.base_version} and conflicts with "
                f"version {current}, published since: "
                + "; ".join(problems[:5])
                + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else "")
                + f". Reject it and ask {submission.submitted_by} to upload again against the current version."
            )
        published = store.records(current, conn)
        if submission.scope_council_id:  # an officer's: re-checked against what is published now
            _check_scope(submission, published, store.changes(submission_id, conn), register)
        records = apply_changes(published, store.changes(submission_id, conn))
        version = store.write_version(
            conn,
            records,
            actor=user.email,
            action="publish",
            submission_id=submission_id,
            note=comment or f"submission {submission_id} from {submission.submitted_by}",
        )
        store.decide(conn, submission_id, SubmissionStatus.APPROVED, user.email, comment, version.number)
        store.audit(
            conn,
            "approve",
            user.email,
            submission_id=submission_id,
            version=version.number,
            file_name=submission.file_name,
            file_sha256=submission.file_sha256,
            counts={**submission.counts, "partnerships": version.partnership_count},
            detail=comment,
        )
    announce.announce(store, version.number)  # the site follows in the background
    return version


@events.logged("reject")
def reject(store: Store, user: User, submission_id: int, reason: str) -> Submission:
    """Close a pending submission without publishing it; the reason is kept for the officer."""
    require_role(user, Role.REVIEWER, "reject submissions")
    if not reason.strip():
        raise ValidationError("reason", reason, "say why the submission is rejected, for the officer who sent it")
    with store.write() as conn:
        submission = _pending(store, conn, submission_id)
        store.decide(conn, submission_id, SubmissionStatus.REJECTED, user.email, reason.strip())
        store.audit(
            conn,
            "reject",
            user.email,
            submission_id=submission_id,
            version=submission.base_version,
            file_name=submission.file_name,
            file_sha256=submission.file_sha256,
            counts=submission.counts,
            detail=reason.strip(),
        )
    return store.submission(submission_id)


@events.logged("rollback")
def rollback(store: Store, user: User, number: int, reason: str = "") -> Version:
    """Publish a new version equal to version ``number``; the versions in between stay in the history."""
    require_role(user, Role.REVIEWER, "roll back the published data")
    with store.write() as conn:
        current = store.lock_current(conn)
        if number == current:
            raise StoreError(f"version {number} is already the published version")
        records = store.records(number, conn)
        version = store.write_version(
            conn,
            records,
            actor=user.email,
            action="rollback",
            restored_from=number,
            note=reason or f"restored version {number}",
        )
        store.audit(
            conn,
            "rollback",
            user.email,
            version=version.number,
            counts={"partnerships": version.partnership_count, "restored_from": number, "replaced": current},
            detail=reason,
        )
    announce.announce(store, version.number)  # the site follows in the background
    return version


def touched(store: Store, submission_id: int, register: Register) -> tuple[list[str], list[str]]:
    """For the review page, of an officer's submission: the councils, other than the officer's, whose published
    partnerships it changes or withdraws; and the changes that lack the officer's council (refused on approval)."""
    submission = store.submission(submission_id)
    if not submission.scope_council_id:  # a reviewer's file is the whole map
        return [], []
    changes = [c for c in store.changes(submission_id) if c.kind in (CHANGED, WITHDRAWN) and c.base_record]
    ids = {cid for c in changes for cid in c.published.get("council_ids", [])} - {submission.scope_council_id}
    names = sorted(register.get(cid).name if cid in register.councils else str(cid) for cid in ids)
    outside = out_of_scope(changes, council_covers(submission.scope_council_id, register))
    return names, [f"{c.partnership_id} ({c.name})" for c in outside]


def _check_scope(submission: Submission, published: list[dict], changes, register: Register) -> None:
    """An officer's submission may alter only partnerships that include their council now (a submission staged
    before the scope rule, or rebased onto a newer version, is refused rather than published)."""
    by_id = {r["id"]: r for r in published}
    mine = council_covers(submission.scope_council_id, register)
    now = [
        replace(c, base_record=by_id[c.partnership_id])
        for c in changes
        if c.kind in (CHANGED, WITHDRAWN) and c.partnership_id in by_id
    ]
    others = out_of_scope(now, mine)
    if others:
        raise PermissionDeniedError(
            f"submission {submission.id} from {submission.submitted_by} changes partnerships that do not include "
            f"their council ({submission.scope_council_id}): "
            + "; ".join(f"{c.partnership_id} ({by_id[c.partnership_id]['name']})" for c in others[:5])
            + ". Reject it; a reviewer can make that change"
        )


def _pending(store: Store, conn, submission_id: int) -> Submission:
    submission = store.submission(submission_id, conn, lock=True)
    if submission.status != SubmissionStatus.PENDING:
        by = f" by {submission.decided_by}" if submission.decided_by else ""
        raise ConflictError(f"submission {submission_id} is already {submission.status}{by}")
    return submission
