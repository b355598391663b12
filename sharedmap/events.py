"""Structured event log: one JSON line per sign-in, submission, approval, rejection, rollback and publish, success
or failure, for the operator's log collector (the audit table in the store is the record; these are the signal).

Library code calls ``record`` (or decorates a function with ``logged``); nothing is printed until ``configure`` is
called, which the app does (SHAREDMAP_EVENT_LOG), so the command line stays quiet. Passwords, comments and file
contents are never logged: only who, what, which submission or version, the outcome and how long it took.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import os
import socket
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sharedmap import config

LOGGER_NAME = "sharedmap.events"
logger = logging.getLogger(LOGGER_NAME)
logger.addHandler(logging.NullHandler())  # a library stays silent until the application configures it
_HANDLER_MARK = "_sharedmap_events_handler"
# Arguments of the logged functions that are safe and useful to log, and the field each becomes.
_SAFE_ARGUMENTS = {
    "submission_id": "submission_id",
    "number": "restore_version",
    "withdraw_missing": "withdraw_missing",
}


class JsonLines(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, event, outcome and the event's fields."""

    def __init__(self) -> None:
        super().__init__()
        self.origin = {"host": socket.gethostname(), "pid": os.getpid()}

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
            **self.origin,
            **getattr(record, "fields", {}),
        }
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(destination: str | None = None) -> logging.Handler | None:
    """Send events as JSON lines to ``destination``: "stderr" (default), "stdout", a file path, or "off".
    Safe to call on every rerun: the handler is added once per process."""
    destination = (destination if destination is not None else config.get("SHAREDMAP_EVENT_LOG")).strip()
    for existing in logger.handlers:
        if getattr(existing, _HANDLER_MARK, None) is not None:
            if getattr(existing, _HANDLER_MARK) == destination:
                return existing
            logger.removeHandler(existing)
            existing.close()
    if destination.lower() == "off":
        return None
    if destination.lower() in ("", "stderr"):
        handler: logging.Handler = logging.StreamHandler(sys.stderr)
    elif destination.lower() == "stdout":
        handler = logging.StreamHandler(sys.stdout)
    else:
        handler = logging.FileHandler(destination, encoding="utf-8")
    setattr(handler, _HANDLER_MARK, destination)
    handler.setFormatter(JsonLines())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # our lines are already structured; don't repeat them through the root logger
    return handler


def record(event: str, outcome: str, **fields: Any) -> None:
    """Log one event: ``outcome`` is "success" or "failure" (logged as a warning) or a state such as "down"."""
    level = logging.WARNING if outcome in ("failure", "down") else logging.INFO
    logger.log(level, event, extra={"fields": {"outcome": outcome, **fields}})


def logged(event: str) -> Callable[[Callable], Callable]:
    """Decorate a workflow or sign-in function: each call logs one event, with the actor (the ``user``'s or the
    ``email`` argument), safe identifiers, what it published, the error's type and message when it failed, and
    the time it took. The function's behaviour is unchanged; its exception is re-raised."""

    def decorate(function: Callable) -> Callable:
        signature = inspect.signature(function)

        @functools.wraps(function)
        def run(*args, **kwargs):
            fields = _argument_fields(signature.bind_partial(*args, **kwargs).arguments)
            started = time.perf_counter()
            try:
                result = function(*args, **kwargs)
            except Exception as exc:
                record(
                    event, "failure", **fields, error=type(exc).__name__, reason=str(exc), duration_ms=_since(started)
                )
                raise
            record(event, "success", **{**fields, **_result_fields(result)}, duration_ms=_since(started))
            return result

        return run

    return decorate


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _argument_fields(arguments: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    user = arguments.get("user")
    if user is not None and hasattr(user, "email"):
        fields["actor"] = user.email
        fields["role"] = str(getattr(user, "role", ""))
    elif isinstance(arguments.get("email"), str):
        fields["actor"] = arguments["email"].strip().lower()
    upload = arguments.get("upload")
    if upload is not None and hasattr(upload, "sha256"):
        fields["file_name"] = upload.file_name
        fields["file_sha256"] = upload.sha256
    for name, field in _SAFE_ARGUMENTS.items():
        if name in arguments:
            fields[field] = arguments[name]
    return fields


def _result_fields(result: Any) -> dict[str, Any]:
    """What a successful call produced: the version it published, or the submission's id and status."""
    if hasattr(result, "label") and hasattr(result, "number"):  # store.Version
        return {"published_version": result.number, "label": result.label, "partnerships": result.partnership_count}
    if hasattr(result, "status") and hasattr(result, "id"):  # store.Submission
        return {"submission_id": result.id, "status": result.status}
    if hasattr(result, "role") and hasattr(result, "email"):  # auth.User
        return {"role": str(result.role)}
    return {}
