"""The store's rules for a partnership record, defined once: validate checks them row by row (naming the row and
column) before the store's own constraints (migrations/versions/0002_record_constraints.py, which hold the same
numbers) ever refuse one."""

from __future__ import annotations

import json

MAX_ID_CHARS = 80
MAX_NAME_CHARS = 300
MAX_RECORD_BYTES = 200_000  # the record as the store writes it: JSON with non-ASCII escaped (\ud83e… per emoji)
MAX_STORED_AMOUNT = 100_000_000_000


def fit_id(base: str, suffix: str = "") -> str:
    """``base`` + ``suffix``, ``base`` shortened so the whole stays within the id limit."""
    return base[: MAX_ID_CHARS - len(suffix)].rstrip("-") + suffix


def record_problem(record: dict) -> tuple[str, str] | None:
    """(column, what is wrong) for a record the store would refuse; None when it would take it."""
    if len(str(record.get("id", ""))) > MAX_ID_CHARS:
        return "id", f"an id is at most {MAX_ID_CHARS} characters"
    if len(str(record.get("name", ""))) > MAX_NAME_CHARS:
        return "name", f"a name is at most {MAX_NAME_CHARS} characters"
    size = len(json.dumps(record, default=str))  # escaped: never less than its UTF-8 bytes (PostgreSQL's measure)
    if size > MAX_RECORD_BYTES:
        texts = {k: len(json.dumps(v, default=str)) for k, v in record.items() if isinstance(v, str | list | tuple)}
        biggest = max(texts, key=lambda k: texts[k])
        return biggest, (
            f"the row holds {size:,} bytes of text in all, more than the {MAX_RECORD_BYTES:,} one record may hold; "
            f"this column holds {texts[biggest]:,} of them: shorten it"
        )
    return None
