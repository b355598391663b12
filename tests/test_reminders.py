"""Reminders go through a real SMTP server (aiosmtpd on a local port), with each council's own list, at most once
per interval; --dry-run sends nothing."""

from __future__ import annotations

import datetime as dt
import email
import io
import socket

import pytest
from aiosmtpd.controller import Controller
from store_fixtures import PASSWORD

from sharedmap.errors import SharedMapError, ValidationError
from sharedmap.publishing import auth, reminders


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(monkeypatch):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("SHAREDMAP_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SHAREDMAP_SMTP_PORT", str(port))
    monkeypatch.setenv("SHAREDMAP_MAIL_FROM", "map@lga.gov.uk")
    yield inbox
    controller.stop()


NOW = dt.datetime(2026, 12, 4, 9, tzinfo=dt.UTC)


def test_each_council_gets_its_own_list_once_per_interval(store, accounts, register, smtp):
    auth.create_user(store, "second@boston.gov.uk", PASSWORD, "officer", "BOT", register)
    year = reminders.parse_age("12m")
    outcome = reminders.send(store, register, year, NOW)
    assert sorted(r.council_id for r in outcome.due) == ["BOT", "ELI"]
    by_to = {m["To"]: m for m in smtp.messages}
    assert set(by_to) == {"officer@boston.gov.uk, second@boston.gov.uk", "officer@eastlindsey.gov.uk"}
    boston = by_to["officer@boston.gov.uk, second@boston.gov.uk"]
    assert boston["From"] == "map@lga.gov.uk" and "2 partnerships of Boston Borough Council" in boston["Subject"]
    body = boston.get_payload()
    assert body.index("SS001") < body.index("SS002") and "SS011" not in body  # own rows, oldest first
    again = reminders.send(store, register, year, NOW + dt.timedelta(days=10))  # within the 30-day interval
    assert again.due == [] and len(smtp.messages) == 2
    assert any("within 30 days" in why for _, why in again.skipped)
    later = reminders.send(store, register, year, NOW + dt.timedelta(days=31))
    assert len(later.due) == 2 and len(smtp.messages) == 4
    assert sum(e.action == "reminder" for e in store.audit_log()) == 4


def test_nothing_awaits_when_the_evidence_is_recent(store, accounts, register, smtp):
    outcome = reminders.send(store, register, reminders.parse_age("20y"), NOW)
    assert outcome.due == [] and smtp.messages == []


def test_dry_run_on_the_command_line_sends_nothing(configured_store, register, smtp, monkeypatch, capsys):
    from sharedmap.cli.commands import main
    from sharedmap.publishing.dataset import seeded_store

    store = seeded_store(register)
    auth.create_user(store, "officer@boston.gov.uk", PASSWORD, "officer", "BOT", register)
    assert main(["reminders", "--dry-run", "--older-than", "12m"]) == 0
    out = capsys.readouterr().out
    assert "Would send to officer@boston.gov.uk" in out and "SS001" in out and smtp.messages == []
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["reminders"]) == 0
    assert len(smtp.messages) == 1
    assert main(["reminders"]) == 0 and len(smtp.messages) == 1  # once per interval
    assert main(["reminders", "--older-than", "soon"]) == 2
    assert "90d, 6w, 12m or 2y" in capsys.readouterr().err


def test_no_mail_server_is_a_clear_message(store, accounts, register, monkeypatch):
    monkeypatch.delenv("SHAREDMAP_SMTP_HOST", raising=False)
    with pytest.raises(SharedMapError, match="SHAREDMAP_SMTP_HOST is not set"):
        reminders.send(store, register, reminders.parse_age("1y"), NOW)
    with pytest.raises(ValidationError):
        reminders.parse_age("12")
