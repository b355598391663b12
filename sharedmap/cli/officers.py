"""The officer's path on the command line: users, import, submissions, approve, reject, history, rollback, export.

Thin wrappers over ``sharedmap.publishing.auth`` and ``sharedmap.publishing.workflow``. Every command that changes
data signs the acting user in first: the password is typed (getpass) on a terminal, or read as one line of standard
input otherwise, so scripts can drive it. The store is SHAREDMAP_DATABASE_URL (default: the SQLite file under var/).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING

from sharedmap.errors import AuthenticationError, SharedMapError
from sharedmap.publishing.store import SubmissionStatus

if TYPE_CHECKING:
    from sharedmap.register import Register

Sub = argparse._SubParsersAction


def add_commands(sub: Sub) -> None:
    for add in (_add_users, _add_import, _add_submissions, _add_decisions, _add_history, _add_export):
        add(sub)


def _add_users(sub: Sub) -> None:
    users = sub.add_parser("users", help="accounts that may upload (officers) and approve (reviewers)")
    actions = users.add_subparsers(dest="action", required=True)
    add = actions.add_parser(
        "add", help="create an account; the password is asked twice (or read as two lines of standard input)"
    )
    add.add_argument("email")
    add.add_argument("--role", choices=("officer", "reviewer"), required=True)
    add.add_argument("--council", help="the officer's council, as a name, GSS code or register id")
    add.set_defaults(handler=_users_add)
    password = actions.add_parser("password", help="set a new password (asked twice) and lift any sign-in lock")
    password.add_argument("email")
    password.set_defaults(handler=_users_password)
    listing = actions.add_parser("list", help="every account with its role, council and sign-in state")
    listing.set_defaults(handler=_users_list)


def _add_import(sub: Sub) -> None:
    command = sub.add_parser("import", help="check a CSV/XLSX file and stage it as a submission for a reviewer")
    command.add_argument("file")
    command.add_argument("--by", required=True, metavar="EMAIL", help="the officer or reviewer submitting it")
    withdraw = command.add_mutually_exclusive_group()
    withdraw.add_argument(
        "--withdraw-missing",
        action="store_true",
        help="the file is the complete list for your council (for a reviewer, the whole map): withdraw published "
        "partnerships missing from it; they are listed before anything is staged. Refused if any row has errors",
    )
    withdraw.add_argument(
        "--keep-missing",
        action="store_true",
        help="only add and update, withdraw nothing (the default; kept for older scripts)",
    )
    command.add_argument(
        "--preview", action="store_true", help="print what would change (and be withdrawn); stage nothing"
    )
    command.add_argument("--comment", default="", help="a note for the reviewer")
    command.set_defaults(handler=_import)


def _add_submissions(sub: Sub) -> None:
    command = sub.add_parser("submissions", help="list submissions, or show one's changes field by field")
    command.add_argument("id", nargs="?", type=int, help="show this submission's preview")
    command.add_argument("--status", choices=[s.value for s in SubmissionStatus])
    command.add_argument("--format", choices=("text", "json"), default="text")
    command.set_defaults(handler=_submissions)


def _add_decisions(sub: Sub) -> None:
    approve = sub.add_parser("approve", help="publish a pending submission as a new version (reviewers)")
    approve.add_argument("id", type=int)
    approve.add_argument("--by", required=True, metavar="EMAIL")
    approve.add_argument("--comment", default="")
    approve.set_defaults(handler=_approve)
    reject = sub.add_parser("reject", help="close a pending submission without publishing it (reviewers)")
    reject.add_argument("id", type=int)
    reject.add_argument("--by", required=True, metavar="EMAIL")
    reject.add_argument("--reason", required=True, help="why, for the officer who sent it")
    reject.set_defaults(handler=_reject)
    rollback = sub.add_parser("rollback", help="publish a new version equal to an earlier one (reviewers)")
    rollback.add_argument("version", type=int)
    rollback.add_argument("--by", required=True, metavar="EMAIL")
    rollback.add_argument("--reason", default="")
    rollback.set_defaults(handler=_rollback)


def _add_history(sub: Sub) -> None:
    command = sub.add_parser("history", help="published versions; --version N lists one, --audit shows the log")
    command.add_argument("--version", type=int, help="list the partnerships of this version")
    command.add_argument("--audit", action="store_true", help="show the audit log: who did what, when, with which file")
    command.add_argument("--limit", type=int, default=50, help="rows of the audit log (default 50)")
    command.add_argument("--format", choices=("text", "json"), default="text")
    command.set_defaults(handler=_history)


def _add_export(sub: Sub) -> None:
    command = sub.add_parser("export", help="write the published (or an earlier) version as CSV, GeoJSON or XLSX")
    command.add_argument("--format", choices=("csv", "geojson", "xlsx"), required=True)
    command.add_argument("--version", type=int, help="default: the published version")
    command.add_argument("--output", help="file to write (default: standard output)")
    command.set_defaults(handler=_export)


# Signing in -----------------------------------------------------------------------------------------------------


def read_password(prompt: str, twice: bool = False) -> str:
    """A password typed without echo on a terminal, else one line of standard input (two when ``twice``)."""
    if sys.stdin.isatty():
        first = getpass.getpass(prompt)
        second = getpass.getpass("Type it again: ") if twice else first
    else:
        first = sys.stdin.readline().rstrip("\r\n")
        second = sys.stdin.readline().rstrip("\r\n") if twice else first
    if not first:
        raise AuthenticationError("no password given: type it, or give it as a line of standard input")
    if first != second:
        raise AuthenticationError("the two passwords differ")
    return first


def _sign_in(store, email: str):
    from sharedmap.publishing.auth import authenticate

    return authenticate(store, email, read_password(f"Password for {email}: "))


def _store():
    from sharedmap.publishing.dataset import seeded_store

    return seeded_store()


# Handlers -------------------------------------------------------------------------------------------------------


def _users_add(args: argparse.Namespace) -> int:
    from sharedmap.publishing.auth import create_user
    from sharedmap.register import load_register

    register = load_register()
    council = register.resolve(args.council).council if args.council else None
    password = read_password(f"New password for {args.email}: ", twice=True)
    user = create_user(_store(), args.email, password, args.role, council.id if council else None, register)
    where = f" for {council.name} ({council.id})" if council else ""
    print(f"Created {user.role.value} account {user.email}{where}.")
    return 0


def _users_password(args: argparse.Namespace) -> int:
    from sharedmap.publishing.auth import set_password

    set_password(_store(), args.email, read_password(f"New password for {args.email}: ", twice=True))
    print(f"Password changed for {args.email}; any sign-in lock is lifted.")
    return 0


def _users_list(args: argparse.Namespace) -> int:
    from sharedmap.publishing.auth import list_users

    for user in list_users(_store()):
        last = user.last_sign_in_at.strftime("%Y-%m-%d %H:%M") if user.last_sign_in_at else "never"
        print(f"{user.email:<40} {user.role.value:<9} {user.council_id or '-':<6} last sign-in: {last}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from sharedmap.cli.output import format_validation
    from sharedmap.errors import InvalidRowsError, SharedMapError
    from sharedmap.parsing import strip_control
    from sharedmap.publishing.workflow import (
        preview_upload,
        read_upload,
        require_no_lost_rows,
        submit,
        withdrawals_text,
    )
    from sharedmap.register import load_register

    store = _store()
    user = _sign_in(store, args.by)
    register = load_register()
    upload = read_upload(args.file, register)
    if not upload.ok:
        print(format_validation(upload.report))
        problems = [(r.row, e.column, e.message) for r in upload.report.rows for e in r.errors]
        print(f"error: {InvalidRowsError(upload.file_name, problems, len(upload.report.rows))}", file=sys.stderr)
        if args.withdraw_missing:
            try:
                require_no_lost_rows(upload)
            except SharedMapError as exc:
                print(f"error: {exc}", file=sys.stderr)
        return 1
    for report in upload.report.rows:
        for issue in report.warnings:
            print(f"warning in {issue.column}: row {report.row}: {strip_control(issue.message)}", file=sys.stderr)
    if args.withdraw_missing or args.preview:
        preview = preview_upload(store, user, upload, register, args.withdraw_missing)
        if args.withdraw_missing:
            print(withdrawals_text(preview))
        if args.preview:
            print(format_preview(preview, register))
            print("\nNothing staged (--preview).")
            return 0
    submission = submit(store, user, upload, register, withdraw_missing=args.withdraw_missing, comment=args.comment)
    from sharedmap.publishing.workflow import submission_preview

    print(format_preview(submission_preview(store, submission.id), register))
    print(
        f"\nSubmission {submission.id} staged from {upload.file_name} (SHA-256 {upload.sha256[:12]}…). "
        f"A reviewer publishes it with: python -m sharedmap approve {submission.id} --by REVIEWER_EMAIL"
    )
    return 0


def _submissions(args: argparse.Namespace) -> int:
    from sharedmap.cli.output import print_json
    from sharedmap.publishing.workflow import conflicts, submission_preview

    store = _store()
    if args.id is None:
        found = store.submissions(SubmissionStatus(args.status) if args.status else None)
        if args.format == "json":
            print_json([vars(s) for s in found])
            return 0
        for s in found:
            counts = ", ".join(f"{n} {kind}" for kind, n in s.counts.items())
            decided = f" by {s.decided_by}" if s.decided_by else ""
            print(
                f"#{s.id:<4} {s.status:<9}{decided} {s.created_at:%Y-%m-%d %H:%M} {s.submitted_by} "
                f"{s.file_name} (against v{s.base_version}): {counts}"
            )
        if not found:
            print("No submissions" + (f" with status {args.status}." if args.status else "."))
        return 0
    submission = store.submission(args.id)
    preview = submission_preview(store, args.id)
    problems = conflicts(store, args.id) if submission.status is SubmissionStatus.PENDING else []
    if args.format == "json":
        print_json({**vars(submission), "preview": preview.as_dict(), "conflicts": problems})
        return 0
    print(
        f"Submission {submission.id}: {submission.status}, from {submission.submitted_by}, file "
        f"{submission.file_name} (SHA-256 {submission.file_sha256}), {submission.file_rows} rows"
    )
    if submission.decided_by:
        print(f"Decided by {submission.decided_by}: {submission.decision_comment or '(no comment)'}")
    from sharedmap.register import load_register

    print(format_preview(preview, load_register()))
    for problem in problems:
        print(f"conflict: {problem}")
    return 0


def _approve(args: argparse.Namespace) -> int:
    from sharedmap.publishing.workflow import approve

    store = _store()
    version = approve(store, _sign_in(store, args.by), args.id, args.comment)
    print(f"Published version {version.number} ({version.partnership_count} partnerships) from submission {args.id}.")
    return 0


def _reject(args: argparse.Namespace) -> int:
    from sharedmap.publishing.workflow import reject

    store = _store()
    reject(store, _sign_in(store, args.by), args.id, args.reason)
    print(f"Rejected submission {args.id}.")
    return 0


def _rollback(args: argparse.Namespace) -> int:
    from sharedmap.publishing.workflow import rollback

    store = _store()
    version = rollback(store, _sign_in(store, args.by), args.version, args.reason)
    print(
        f"Published version {version.number}, equal to version {args.version} "
        f"({version.partnership_count} partnerships)."
    )
    return 0


def _history(args: argparse.Namespace) -> int:
    from sharedmap.cli.output import print_json

    store = _store()
    current = store.current()[0]
    if args.audit:
        entries = store.audit_log(args.limit)
        if args.format == "json":
            print_json([vars(e) for e in entries])
            return 0
        for e in entries:
            file = f" file {e.file_name} sha256 {e.file_sha256[:12]}…" if e.file_name and e.file_sha256 else ""
            refs = "".join(f" {k} {v}" for k, v in (("submission", e.submission_id), ("version", e.version)) if v)
            counts = f" {e.counts}" if e.counts else ""
            print(
                f"{e.at:%Y-%m-%d %H:%M:%S} {e.actor or '(system)'} {e.action}{refs}{file}{counts}"
                + (f" — {e.detail}" if e.detail else "")
            )
        return 0
    if args.version is not None:
        partnerships = store.partnerships(store.version(args.version).number)
        if args.format == "json":
            from sharedmap.partnerships import to_record

            print_json([to_record(p) for p in partnerships])
            return 0
        for p in partnerships:
            print(f"{p.id:<12} {p.status.value:<12} {p.name} ({'; '.join(p.council_ids)})")
        return 0
    found = store.versions()
    if args.format == "json":
        print_json([{**vars(v), "published": v.number == current} for v in found])
        return 0
    for v in found:
        mark = "*" if v.number == current else " "
        source = (
            f"submission {v.submission_id}"
            if v.submission_id
            else (f"restores v{v.restored_from}" if v.restored_from else v.action)
        )
        print(
            f"{mark} v{v.number:<4} {v.created_at:%Y-%m-%d %H:%M} {v.created_by or '(system)':<30} "
            f"{v.partnership_count:>4} partnerships  {source}  {v.note}"
        )
    return 0


def _export(args: argparse.Namespace) -> int:
    """The chosen version through sharedmap.exports: CSV and GeoJSON as the Data page gives them, or XLSX."""
    from pathlib import Path

    from sharedmap import exports
    from sharedmap.parsing import strip_control
    from sharedmap.register import load_register
    from sharedmap.renderable import drawable
    from sharedmap.spatial.boundaries import LATEST_YEAR
    from sharedmap.spatial.network import build_network

    if args.format == "xlsx" and not args.output and sys.stdout.isatty():
        raise SharedMapError("XLSX is a binary file: give --output FILE or redirect standard output")
    store = _store()
    number = store.version(args.version).number if args.version is not None else store.current()[0]
    register = load_register()
    loaded, unreadable = store.readable(number)
    partnerships, unrenderable = drawable(loaded, register)
    for item in [*unreadable, *unrenderable]:
        print(
            f"warning: partnership {strip_control(item.id)!r} left out: {strip_control(item.reason)}", file=sys.stderr
        )
    if args.format == "csv":
        data = exports.partnerships_csv(partnerships, register)
    elif args.format == "geojson":
        data = exports.partnerships_geojson(partnerships, register, build_network(partnerships, register, LATEST_YEAR))
    else:
        data = exports.partnerships_xlsx(partnerships, register)
    if args.output:
        Path(args.output).write_bytes(data)
        print(f"Wrote version {number} ({len(partnerships)} partnerships) to {args.output}.", file=sys.stderr)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    return 0


def format_preview(preview, register: Register) -> str:
    """A preview as a person reads it: counts, then each partnership's fate and changed fields, and the figures a
    new or changed one will publish, each beside the text it was read from (a one-council figure names its
    council, as the review page does)."""
    from sharedmap.parsing import strip_control
    from sharedmap.publishing.preview import figures_text

    counts = ", ".join(f"{n} {kind}" for kind, n in preview.counts.items())
    lines = [f"Against version {preview.base_version}: {counts}"]
    for change in preview.changes:
        row = f"row {change.row}" if change.row else ""
        lines.append(f"  {change.kind:<9} {row:<8} {change.partnership_id:<14} {change.name}")
        for diff in change.fields:
            old, new = diff.texts(register)
            if diff.field == "savings":
                old, new = figures_text(change.base_record, (), register), change.figures(register)
            lines.append(f"      {diff.label}: {_show(old)} → {_show(new, 400)}")
        if change.kind == "new" and change.figures():
            lines.append(f"      figures: {change.figures(register)}")
    return strip_control("\n".join(lines))


def _show(text: str, width: int = 90) -> str:
    text = repr(text) if text else "(empty)"
    return text if len(text) <= width else text[: width - 1] + "…"
