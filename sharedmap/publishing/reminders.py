"""Reminders: each council's officers get, by email, the list of their partnerships awaiting confirmation.

A partnership awaits confirmation when it is running or planned and its status was last evidenced more than
``older_than`` ago (or never dated). At most one reminder goes to a council per SHAREDMAP_REMINDER_INTERVAL_DAYS,
however often the command runs; each one sent is logged in the store (``reminders`` and the audit log), so the
interval holds across machines. Mail goes through the SMTP settings with the standard library (smtplib, email).
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

import sqlalchemy as sa

from sharedmap import config
from sharedmap.errors import SharedMapError, ValidationError
from sharedmap.freshness import last_day, status_date
from sharedmap.partnerships import Partnership, Status, date_text
from sharedmap.publishing import db
from sharedmap.publishing.auth import list_users
from sharedmap.publishing.db import reminders
from sharedmap.publishing.store import Store
from sharedmap.publishing.workflow import council_covers
from sharedmap.register import Register
from sharedmap.report_links import report_url

SMTP_TIMEOUT_S = 30


@dataclass(frozen=True)
class Reminder:
    """One council's reminder: who gets it, which rows, and the message."""

    council_id: str
    council_name: str
    recipients: tuple[str, ...]
    partnerships: tuple[Partnership, ...]
    subject: str
    body: str


@dataclass(frozen=True)
class Outcome:
    due: list[Reminder]  # sent (or, in a dry run, that would be sent)
    skipped: list[tuple[str, str]]  # (council name, why not this time)


def parse_age(text: str) -> dt.timedelta:
    """ "12m" (months), "2y", "90d" or "6w" as a span of days; a clear message otherwise."""
    text = (text or "").strip().lower()
    units = {"d": 1, "w": 7, "m": 30.4375, "y": 365.25}
    try:
        number, unit = float(text[:-1]), text[-1]
        if unit not in units or number <= 0:
            raise ValueError
    except (ValueError, IndexError):
        raise ValidationError("--older-than", text, "give a number and a unit: 90d, 6w, 12m or 2y") from None
    return dt.timedelta(days=number * units[unit])


def awaiting(p: Partnership, today: dt.date, older_than: dt.timedelta) -> bool:
    """Running or planned, its status last evidenced longer ago than ``older_than`` (or never dated)."""
    if p.status not in (Status.OPERATIONAL, Status.PLANNED):
        return False
    when = status_date(p)
    return when is None or today - last_day(when) > older_than


def interval() -> dt.timedelta:
    return dt.timedelta(days=config.get_number("SHAREDMAP_REMINDER_INTERVAL_DAYS"))


def plan(store: Store, register: Register, older_than: dt.timedelta, now: dt.datetime | None = None) -> Outcome:
    """The reminders due now: one per council that has officers, rows awaiting confirmation, and no reminder
    within the interval."""
    now = now or db.utcnow()
    today = now.date()
    officers: dict[str, list[str]] = {}
    for user in list_users(store):
        if user.council_id:
            officers.setdefault(user.council_id, []).append(user.email)
    published = store.partnerships()
    with store.read() as conn:
        last: dict[str, dt.datetime] = {
            row[0]: row[1]
            for row in conn.execute(
                sa.select(reminders.c.council_id, sa.func.max(reminders.c.sent_at)).group_by(reminders.c.council_id)
            )
        }
    due, skipped = [], []
    for council_id in sorted(officers):
        name = register.councils[council_id].name if council_id in register.councils else council_id
        mine = council_covers(council_id, register)
        rows = sorted(
            (p for p in published if mine(p) and awaiting(p, today, older_than)),
            key=lambda p: (d := status_date(p)) is not None and (d.year, d.month or 0, d.day or 0) or (0, 0, 0),
        )
        if not rows:
            skipped.append((name, "nothing awaits confirmation"))
            continue
        sent = db.as_utc(last.get(council_id))
        if sent is not None and now - sent < interval():
            skipped.append((name, f"reminded on {sent:%Y-%m-%d}, within {interval().days} days"))
            continue
        due.append(_reminder(council_id, name, tuple(sorted(officers[council_id])), tuple(rows)))
    return Outcome(due, skipped)


def _reminder(council_id: str, name: str, recipients: tuple[str, ...], rows: tuple[Partnership, ...]) -> Reminder:
    lines = [
        f"Dear colleague at {name},",
        "",
        f"The Shared Services Map lists {len(rows)} partnership{'s' if len(rows) != 1 else ''} of {name} whose "
        "status has not been confirmed recently. Please tell us for each whether it is still true, has changed or "
        "has ended: sign in and open 'Confirm partnerships', or run `python -m sharedmap confirm list --by EMAIL`.",
        "",
    ]
    for p in rows:
        when = status_date(p)
        lines.append(f"- {p.name} ({p.id}): {p.status.value}, last evidenced {date_text(when) if when else 'never'}")
    link = report_url(council=council_id)
    if link:
        lines += ["", f"Anything else wrong or missing: {link}"]
    lines += ["", f"Thank you. This is an automatic reminder; you get at most one every {interval().days} days."]
    subject = f"Shared Services Map: {len(rows)} partnership{'s' if len(rows) != 1 else ''} of {name} to confirm"
    return Reminder(council_id, name, recipients, rows, subject, "\n".join(lines) + "\n")


def message(reminder: Reminder) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = config.get("SHAREDMAP_MAIL_FROM")
    mail["To"] = ", ".join(reminder.recipients)
    mail["Subject"] = reminder.subject
    mail.set_content(reminder.body)
    return mail


def _connect() -> smtplib.SMTP:
    host = config.get("SHAREDMAP_SMTP_HOST")
    if not host:
        raise SharedMapError("SHAREDMAP_SMTP_HOST is not set, so no mail can be sent; use --dry-run to preview")
    port = int(config.get_number("SHAREDMAP_SMTP_PORT"))
    tls = config.get("SHAREDMAP_SMTP_TLS").strip().lower()
    if tls not in ("off", "starttls", "ssl"):
        raise ValidationError("SHAREDMAP_SMTP_TLS", tls, "must be off, starttls or ssl")
    try:
        if tls == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=SMTP_TIMEOUT_S, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_S)
            if tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        user = config.get("SHAREDMAP_SMTP_USER")
        if user:
            smtp.login(user, config.get("SHAREDMAP_SMTP_PASSWORD"))
    except (OSError, smtplib.SMTPException) as exc:
        raise SharedMapError(f"cannot reach the mail server {host}:{port} ({exc}); no reminder was sent") from exc
    return smtp


def send(store: Store, register: Register, older_than: dt.timedelta, now: dt.datetime | None = None) -> Outcome:
    """Send the due reminders and log each one; a council whose mail fails is left due for the next run."""
    now = now or db.utcnow()
    outcome = plan(store, register, older_than, now)
    if not outcome.due:
        return outcome
    sent, failed = [], list(outcome.skipped)
    with _connect() as smtp:
        for reminder in outcome.due:
            try:
                smtp.send_message(message(reminder))
            except smtplib.SMTPException as exc:
                failed.append((reminder.council_name, f"the mail server refused it ({exc})"))
                continue
            with store.write() as conn:
                conn.execute(
                    reminders.insert().values(
                        council_id=reminder.council_id,
                        sent_at=now,
                        recipients=", ".join(reminder.recipients),
                        rows=len(reminder.partnerships),
                    )
                )
                store.audit(
                    conn,
                    "reminder",
                    None,
                    counts={"partnerships": len(reminder.partnerships)},
                    detail=f"{reminder.council_name} ({reminder.council_id}) to {', '.join(reminder.recipients)}",
                )
            sent.append(reminder)
    return Outcome(sent, failed)
