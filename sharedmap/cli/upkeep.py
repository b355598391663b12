"""Keeping the map true on the command line: `confirm` (officers), `reports` (reviewers), `reminders` (the host).

Thin wrappers over ``publishing.confirm``, ``publishing.reports`` and ``publishing.reminders``; commands that act
for a person sign them in first, as ``cli.workflow`` does (password typed, or one line of standard input).
"""

from __future__ import annotations

import argparse
import sys

from sharedmap.cli.officers import _sign_in, _store

Sub = argparse._SubParsersAction


def add_commands(sub: Sub) -> None:
    confirm = sub.add_parser(
        "confirm", help="officers: list your council's partnerships, oldest evidence first; confirm, change or end one"
    )
    actions = confirm.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="your council's partnerships (not ended), oldest status evidence first")
    listing.add_argument("--by", required=True, metavar="EMAIL", help="the officer")
    listing.set_defaults(handler=_confirm_list)
    still = actions.add_parser("still-true", help="stage a confirmation, dated today, for a reviewer to publish")
    still.add_argument("partnership", help="its id (or exact name)")
    still.add_argument("--by", required=True, metavar="EMAIL")
    still.add_argument("--link", default="", help="a public page that shows it still runs (optional)")
    still.set_defaults(handler=_confirm_still)
    changed = actions.add_parser(
        "changed", help="write the row as a one-row CSV to edit, then `import FILE --keep-missing --by EMAIL`"
    )
    changed.add_argument("partnership")
    changed.add_argument("--by", required=True, metavar="EMAIL")
    changed.add_argument("--output", help="file to write (default: <id>.csv)")
    changed.set_defaults(handler=_confirm_changed)
    ended = actions.add_parser("ended", help="stage the partnership as ended on a date, for a reviewer to publish")
    ended.add_argument("partnership")
    ended.add_argument("--on", required=True, help="when it ended: 2025-03-31, March 2025 or 2025")
    ended.add_argument("--by", required=True, metavar="EMAIL")
    ended.add_argument("--link", default="", help="a public page that says so (optional)")
    ended.set_defaults(handler=_confirm_ended)

    reports = sub.add_parser("reports", help="reviewers: the public's reports; dismiss one, or close it as submitted")
    report_actions = reports.add_subparsers(dest="action", required=True)
    report_list = report_actions.add_parser("list", help="open reports, oldest first (--all: closed ones too)")
    report_list.add_argument("--all", action="store_true")
    report_list.set_defaults(handler=_reports_list)
    row = report_actions.add_parser("row", help="the reported partnership as a one-row CSV to edit and import")
    row.add_argument("id", type=int)
    row.add_argument("--output", help="file to write (default: report-<id>.csv)")
    row.set_defaults(handler=_reports_row)
    dismiss = report_actions.add_parser("dismiss", help="close a report without a change (its email is deleted)")
    dismiss.add_argument("id", type=int)
    dismiss.add_argument("--by", required=True, metavar="EMAIL")
    dismiss.add_argument("--reason", required=True)
    dismiss.set_defaults(handler=_reports_dismiss)
    accept = report_actions.add_parser("accept", help="close a report as made into a submission (email deleted)")
    accept.add_argument("id", type=int)
    accept.add_argument("--submission", type=int, required=True, help="the submission staged from it")
    accept.add_argument("--by", required=True, metavar="EMAIL")
    accept.set_defaults(handler=_reports_accept)

    reminders = sub.add_parser(
        "reminders", help="email each council's officers their partnerships awaiting confirmation (SMTP settings)"
    )
    reminders.add_argument("--dry-run", action="store_true", help="print what would be sent; send nothing")
    reminders.add_argument("--older-than", default="12m", help="status evidence older than this: 90d, 12m, 2y")
    reminders.set_defaults(handler=_reminders)


def _confirm_list(args: argparse.Namespace) -> int:
    from sharedmap.parsing import strip_control
    from sharedmap.publishing.confirm import own_partnerships
    from sharedmap.register import load_register

    store = _store()
    user = _sign_in(store, args.by)
    found = own_partnerships(store, user, load_register())
    for item in found:
        p = item.partnership
        print(strip_control(f"{p.id:<14} {item.standing.value:<12} {p.name} — {item.freshness}"))
    if not found:
        print("None of your council's partnerships is on the map (ended ones need no confirming).")
    return 0


def _staged(store, submission) -> int:
    print(
        f"Submission {submission.id} staged: {submission.comment}. A reviewer publishes it with: "
        f"python -m sharedmap approve {submission.id} --by REVIEWER_EMAIL"
    )
    return 0


def _confirm_still(args: argparse.Namespace) -> int:
    from sharedmap.publishing.confirm import confirm
    from sharedmap.register import load_register

    store = _store()
    user = _sign_in(store, args.by)
    return _staged(store, confirm(store, user, load_register(), args.partnership, args.link))


def _confirm_ended(args: argparse.Namespace) -> int:
    from sharedmap.errors import ValidationError
    from sharedmap.parsing import parse_date
    from sharedmap.publishing.confirm import end
    from sharedmap.register import load_register

    when = parse_date(args.on, "end")
    if when is None:
        raise ValidationError("--on", args.on, "give the date it ended")
    store = _store()
    user = _sign_in(store, args.by)
    return _staged(store, end(store, user, load_register(), args.partnership, when, args.link))


def _confirm_changed(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sharedmap.publishing.confirm import edit_file
    from sharedmap.register import load_register

    store = _store()
    user = _sign_in(store, args.by)
    name, data = edit_file(store, user, load_register(), args.partnership)
    path = Path(args.output or name)
    path.write_bytes(data)
    print(f"Wrote {path}: edit the row, then: python -m sharedmap import {path} --keep-missing --by {args.by}")
    return 0


def _reports_list(args: argparse.Namespace) -> int:
    from sharedmap.parsing import strip_control
    from sharedmap.publishing.reports import suggestions_list

    found = suggestions_list(_store(), None if args.all else "open")  # type: ignore[arg-type]
    for s in found:
        about = s.partnership_id or s.council_id or "(new partnership)"
        closed = f" by {s.decided_by}: {s.decision_comment}" if s.decided_by else ""
        print(
            strip_control(
                f"#{s.id:<5} {s.status.value:<9}{closed} {s.created_at:%Y-%m-%d %H:%M} {s.about:<7} {about}: "
                f"{s.message!r}" + (f" source {s.source_url}" if s.source_url else "")
            )
        )
    if not found:
        print("No reports" + ("." if args.all else " waiting."))
    return 0


def _reports_row(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sharedmap.publishing.reports import prefilled
    from sharedmap.register import load_register

    name, data = prefilled(_store(), args.id, load_register())
    path = Path(args.output or name)
    path.write_bytes(data)
    print(f"Wrote {path}: edit it, `import` it, then `reports accept {args.id} --submission N`.")
    return 0


def _reports_dismiss(args: argparse.Namespace) -> int:
    from sharedmap.publishing.reports import dismiss

    store = _store()
    dismiss(store, _sign_in(store, args.by), args.id, args.reason)
    print(f"Dismissed report {args.id}; the reporter's email, if any, is deleted.")
    return 0


def _reports_accept(args: argparse.Namespace) -> int:
    from sharedmap.publishing.reports import accept

    store = _store()
    accept(store, _sign_in(store, args.by), args.id, args.submission)
    print(f"Report {args.id} closed as submission {args.submission}; the reporter's email, if any, is deleted.")
    return 0


def _reminders(args: argparse.Namespace) -> int:
    from sharedmap.publishing import reminders
    from sharedmap.register import load_register

    older_than = reminders.parse_age(args.older_than)
    store, register = _store(), load_register()
    outcome = (reminders.plan if args.dry_run else reminders.send)(store, register, older_than)
    verb = "Would send" if args.dry_run else "Sent"
    for r in outcome.due:
        print(f"{verb} to {', '.join(r.recipients)}: {r.subject}")
        if args.dry_run:
            print("    " + r.body.replace("\n", "\n    ").rstrip())
    for name, why in outcome.skipped:
        print(f"Not now for {name}: {why}", file=sys.stderr)
    if not outcome.due:
        print("No reminder is due.")
    return 0
