"""The research log: which of today's councils were searched for partnerships, when, for which kinds, and what
was found — so a reader can tell "none recorded" from "not looked" (data/research_log.csv beside the table)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sharedmap.errors import FileReadError

COLUMNS = ("council_id", "searched_on", "kinds_searched", "found", "queries")
NONE_FOUND = "none found in stored sources"
# The kinds of arrangement every council is swept for (issue "True today", §5).
KINDS = (
    "shared chief executive or management team",
    "revenues and benefits",
    "ICT",
    "legal",
    "internal audit and counter-fraud",
    "building control",
    "planning and local plans",
    "environmental health and regulatory services",
    "waste collection and disposal",
    "procurement consortia",
    "HR and payroll",
    "emergency planning",
    "archives and records",
    "trading standards and licensing",
    "valuation and assessor boards",
    "pensions administration",
    "education improvement consortia",
    "joint committees",
)


@dataclass(frozen=True)
class Searched:
    council_id: str
    searched_on: str
    kinds: tuple[str, ...]
    found: tuple[str, ...]  # partnership ids; empty when none was found
    queries: tuple[str, ...]


def log_path(table: str | Path) -> Path:
    return Path(table).with_name("research_log.csv")


def load_log(path: Path) -> dict[str, Searched]:
    """Council id → its newest search; an absent log is an empty one (an officer's upload has none)."""
    if not Path(path).exists():
        return {}
    log: dict[str, Searched] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise FileReadError(f"{path}: the research log's columns must be {', '.join(COLUMNS)}")
        for row in reader:
            found = tuple(f.strip() for f in row["found"].split(";") if f.strip() and f.strip() != NONE_FOUND)
            entry = Searched(
                row["council_id"].strip(),
                row["searched_on"].strip(),
                tuple(k.strip() for k in row["kinds_searched"].split(";") if k.strip()),
                found,
                tuple(q.strip() for q in row["queries"].split("|") if q.strip()),
            )
            if entry.council_id not in log or entry.searched_on >= log[entry.council_id].searched_on:
                log[entry.council_id] = entry
    return log
