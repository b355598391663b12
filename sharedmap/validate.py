"""Checking an officer's partnership file row by row: every error at once, nothing imported.

`validate_file` is the one engine behind `python -m sharedmap validate`, the upload page and the import command.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

from sharedmap import config
from sharedmap.errors import CouncilNotFoundError, FileReadError, ValidationError
from sharedmap.file_register import FileRegister
from sharedmap.money import max_amount_gbp
from sharedmap.parsing import (
    clean,
    count_council_pieces,
    date_before,
    parse_date,
    parse_kind,
    parse_savings_entry,
    parse_services,
    parse_status,
    split_councils,
    split_date_range,
    split_names,
)
from sharedmap.partnerships import (
    PartialDate,
    Partnership,
    Savings,
    SavingsScope,
    Status,
    format_gbp,
    savings_text,
    to_record,
)
from sharedmap.recordlimits import MAX_ID_CHARS, MAX_NAME_CHARS, fit_id, record_problem
from sharedmap.register import Register, load_register
from sharedmap.spreadsheets import Table, read_table
from sharedmap.textkeys import INVISIBLE, fold, fold_id, strip_invisible
from sharedmap.weblinks import link_problem

# a row is checked against the register itself or the per-file view of it that validate_table builds
AnyRegister: TypeAlias = Register | FileRegister

MAX_EVIDENCE = 800  # characters: a note on where in the source the facts are, not a copy of it
URL = re.compile(r"https?://[^\s;,|]+", re.IGNORECASE)
MAX_COUNCIL_NAMES = 10_000  # council names in one file (the whole published map names about 300)


@dataclass
class Issue:
    column: str
    value: object
    message: str
    suggestions: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        value = self.value if isinstance(self.value, int | float | type(None)) else str(self.value)
        return {"column": self.column, "value": value, "message": self.message, "suggestions": self.suggestions}


@dataclass
class RowReport:
    row: int
    name: str
    councils: list[dict] = field(default_factory=list)
    savings: list[Savings] = field(default_factory=list)
    savings_read: list[str] = field(default_factory=list)  # the file's text of each figure, in order
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    partnership: Partnership | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        p = self.partnership
        return {
            "row": self.row,
            "ok": self.ok,
            "partnership": self.name,
            "id": p.id if p else None,
            "councils": self.councils,
            "savings": [
                {
                    "amount_gbp": s.amount_gbp,
                    "kind": s.kind.value,
                    "period": s.period,
                    "council_gss": None,
                    "council_id": s.council_id,
                    "estimate": s.estimate,
                    "scope": s.scope.value,
                }
                for s in self.savings
            ],
            "start": p.start.iso() if p and p.start else None,
            "end": p.end.iso() if p and p.end else None,
            "status": p.status.value if p else None,
            "services": list(p.services) if p else [],
            "verified_on": p.verified_on.iso() if p and p.verified_on else None,
            "evidence": p.evidence if p else "",
            "status_source_url": p.status_source_url if p else "",
            "status_source_date": p.status_source_date.iso() if p and p.status_source_date else None,
            "status_evidence": p.status_evidence if p else "",
            "status_confirmed_by": p.status_confirmed_by if p else "",
            "errors": [e.as_dict() for e in self.errors],
            "warnings": [w.as_dict() for w in self.warnings],
        }


@dataclass
class ValidationReport:
    file: str
    encoding: str
    columns: dict[str, str]
    ignored_columns: list[str]
    rows: list[RowReport]

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.rows)

    @property
    def partnerships(self) -> list[Partnership]:
        """The parsed partnerships of the valid rows, in file order."""
        return [r.partnership for r in self.rows if r.partnership is not None and r.ok]

    def as_dict(self) -> dict:
        rows = [r.as_dict() for r in self.rows]
        for row, report in zip(rows, self.rows, strict=True):
            gss = {c["id"]: c["gss"] for c in report.councils if c.get("id")}
            for saving in row["savings"]:
                saving["council_gss"] = gss.get(saving["council_id"])
        return {
            "file": self.file,
            "encoding": self.encoding,
            "columns": self.columns,
            "ignored_columns": self.ignored_columns,
            "rows": rows,
            "summary": {
                "rows": len(self.rows),
                "ok": sum(r.ok for r in self.rows),
                "errors": sum(not r.ok for r in self.rows),
            },
        }


def validate_file(
    source: str | Path | bytes, register: Register | None = None, filename: str | None = None
) -> ValidationReport:
    """Read and check a file; FileReadError when it cannot be read at all."""
    return validate_table(read_table(source, filename), register or load_register())


def validate_table(table: Table, register: AnyRegister, budget_seconds: float | None = None) -> ValidationReport:
    """Check every row; FileReadError when checking runs past the time budget (SHAREDMAP_UPLOAD_SECONDS)."""
    budget = budget_seconds if budget_seconds is not None else config.get_number("SHAREDMAP_UPLOAD_SECONDS")
    deadline = time.monotonic() + budget - table.read_seconds  # reading the file counts in its budget
    lookup = register if isinstance(register, FileRegister) else FileRegister(register)
    names = sum(count_council_pieces(values.get("councils")) for _, values in table.rows)
    if names > MAX_COUNCIL_NAMES:
        raise FileReadError(
            f"{table.file} names {names:,} councils in all; the limit for one file is "
            f"{MAX_COUNCIL_NAMES:,}: split it into smaller files"
        )
    reports = []
    for number, values in table.rows:
        if time.monotonic() > deadline:
            raise FileReadError(
                f"{table.file}: checking stopped at row {number} after {budget:g} seconds, the time "
                "allowed for one file (SHAREDMAP_UPLOAD_SECONDS); split it into smaller files"
            )
        reports.append(validate_row(number, values, lookup))
    _flag_duplicates(reports)
    _fill_missing_ids(reports)
    return ValidationReport(table.file, table.encoding, table.columns, table.ignored, reports)


def validate_row(number: int, values: dict[str, object], register: AnyRegister) -> RowReport:
    raw = {column: str(values.get(column) or "") for column in ("id", "name")}
    values = {**values, **{column: strip_invisible(text)[0] for column, text in raw.items() if text}}
    name = clean(values.get("name"))
    report = RowReport(row=number, name=name)
    for column in ("id", "name"):
        if hidden := len(INVISIBLE.findall(raw[column])):
            report.warnings.append(
                Issue(
                    column,
                    values[column],
                    f"held {hidden} invisible character{'s' if hidden > 1 else ''} (zero-width or direction "
                    "marks); removed, so the name reads as it looks",
                )
            )

    def attempt(column: str, func, *args):
        try:
            return func(*args)
        except ValidationError as exc:
            report.errors.append(Issue(column, exc.value, exc.message, exc.suggestions))
        except CouncilNotFoundError as exc:
            report.errors.append(Issue(column, exc.name, str(exc), exc.suggestions))
        return None

    if not name:
        report.errors.append(Issue("name", values.get("name"), "every partnership needs a name"))
    elif len(name) > MAX_NAME_CHARS:
        report.errors.append(
            Issue(
                "name", name[:40] + "…", f"a name is at most {MAX_NAME_CHARS} characters (this one has {len(name):,})"
            )
        )
    if len(clean(values.get("id"))) > MAX_ID_CHARS:
        report.errors.append(
            Issue(
                "id",
                clean(values.get("id"))[:40] + "…",
                f"an id is at most {MAX_ID_CHARS} characters (this one has {len(clean(values.get('id'))):,})",
            )
        )
    council_ids = _resolve_councils(values, register, report)
    other_partners = tuple(split_names(values.get("other_partners")))
    services, service_errors = parse_services(values.get("services"))
    report.errors += [Issue("services", e.value, e.message, e.suggestions) for e in service_errors]
    if not services and not service_errors:
        report.errors.append(Issue("services", values.get("services"), "name at least one shared service"))
    start_text, end_text = values.get("start"), values.get("end")
    if span := split_date_range(start_text):  # "2020-07-01 to 2023-03-31": a start and an end
        if clean(end_text) and parse_or_none(end_text) != parse_or_none(span[1]):
            report.errors.append(
                Issue("end", end_text, f"the start column gives a range ending {span[1]}; give the end once")
            )
        start_text, end_text = span[0], span[1]
    start = attempt("start", parse_date, start_text, "start")
    end = attempt("end", parse_date, end_text, "end")
    if start and end and date_before(end, start):
        report.errors.append(Issue("end", values.get("end"), f"ends before it starts ({start})"))
    status = _status(values, end, report, attempt)
    _check_timeline(start, status, values, register, report)
    source_date = attempt("source_date", parse_date, values.get("source_date"), "source_date")
    verified_on = attempt("verified_on", parse_date, values.get("verified_on"), "verified_on")
    _check_verified(values, source_date, verified_on, report)
    evidence = clean(values.get("evidence"))
    if len(evidence) > MAX_EVIDENCE:
        report.errors.append(
            Issue(
                "evidence",
                evidence[:60] + "…",
                f"is {len(evidence)} characters; keep the "
                f"note to {MAX_EVIDENCE} (where in the source the facts are, in your words)",
            )
        )
    status_source = _status_evidence(values, source_date, report, attempt, register, council_ids)
    _parse_savings(values, register, report, attempt)
    for s in report.savings:
        if s.council_id and council_ids is not None and s.council_id not in council_ids:
            report.errors.append(
                Issue(
                    "savings",
                    s.council_id,
                    "a council's share names a council that is not a member of this partnership",
                )
            )
    _check_derived_figures(report, council_ids)
    sources = tuple(URL.findall(clean(values.get("source_url"))))
    if _refuse_bad_links(sources, "source_url", report):
        pass
    elif clean(values.get("source_url")) and not sources:
        report.errors.append(Issue("source_url", values.get("source_url"), "not a web link (http:// or https://)"))
    elif not sources and report.savings:
        report.errors.append(Issue("source_url", None, "a savings figure needs a source link so it can be checked"))
    elif not sources:
        report.warnings.append(Issue("source_url", None, "no source link: add one so readers can check this"))
    if council_ids is not None and len(set(council_ids)) + len(other_partners) < 2:
        report.errors.append(
            Issue(
                "councils",
                values.get("councils"),
                "a partnership needs at least two partners (councils or other partners)",
            )
        )
    if report.ok and council_ids is not None and status is not None:
        report.partnership = Partnership(
            id=clean(values.get("id")),
            name=name,
            council_ids=tuple(dict.fromkeys(council_ids)),
            services=services,
            status=status,
            other_partners=other_partners,
            start=start,
            end=end,
            savings=tuple(report.savings),
            description=clean(values.get("description")),
            source_urls=sources,
            source_title=clean(values.get("source_title")),
            source_date=source_date,
            notes=clean(values.get("notes")),
            verified_on=verified_on,
            evidence=evidence,
            **status_source,
        )
        if problem := record_problem(to_record(report.partnership)):  # what the store would refuse, by column
            report.errors.append(Issue(problem[0], None, problem[1]))
            report.partnership = None
    return report


def parse_or_none(value: object) -> PartialDate | None:
    try:
        return parse_date(value)
    except ValidationError:
        return None


def _refuse_bad_links(links, column: str, report: RowReport) -> bool:
    """Each link must be one a browser can open (sharedmap.weblinks, the rule the pages draw links by)."""
    refused = False
    for link in links:
        if problem := link_problem(link):
            report.errors.append(Issue(column, link, f"not a web link a browser can open: {problem}"))
            refused = True
    return refused


def _status_evidence(
    values: dict, source_date, report: RowReport, attempt, register: AnyRegister, council_ids: list[str] | None
) -> dict:
    """The newest evidence of the status: a web link, a date no older than the source's and not in the future, and
    a note of where it says so; the link and the date go together, unless a member council confirmed the status
    itself (``status_confirmed_by``): its word is the evidence, dated, with a link only if it gave one."""
    confirmed_by = _confirmed_by(values, register, council_ids, report)
    text = clean(values.get("status_source_url"))
    links = URL.findall(text)
    if text and len(links) != 1:
        report.errors.append(Issue("status_source_url", text, "give one web link (http:// or https://)"))
    else:
        _refuse_bad_links(links, "status_source_url", report)
    when = attempt("status_source_date", parse_date, values.get("status_source_date"), "status_source_date")
    today = dt.date.today()
    if when and (when.year, when.month or 1, when.day or 1) > (today.year, today.month, today.day):
        report.errors.append(Issue("status_source_date", values.get("status_source_date"), "is in the future"))
    elif when and source_date and date_before(when, source_date):
        report.errors.append(
            Issue(
                "status_source_date",
                values.get("status_source_date"),
                f"is older than the source's date ({source_date}): the status evidence is the newest evidence",
            )
        )
    if confirmed_by and not when and not report.errors:
        report.errors.append(Issue("status_source_date", None, "a council's confirmation needs the date it was made"))
    elif not confirmed_by and bool(links) != bool(when) and not report.errors:
        missing = "status_source_date" if links else "status_source_url"
        report.errors.append(Issue(missing, None, "the status evidence needs both its link and its date"))
    evidence = clean(values.get("status_evidence"))
    if len(evidence) > MAX_EVIDENCE:
        report.errors.append(
            Issue("status_evidence", evidence[:60] + "…", f"is {len(evidence)} characters; the limit is {MAX_EVIDENCE}")
        )
    return {
        "status_source_url": links[0] if len(links) == 1 else "",
        "status_source_date": when,
        "status_evidence": evidence,
        "status_confirmed_by": confirmed_by,
    }


def _confirmed_by(values: dict, register: AnyRegister, council_ids: list[str] | None, report: RowReport) -> str:
    """The register id of the member council that confirmed the status (an id or an exact name), else ""."""
    text = clean(values.get("status_confirmed_by"))
    if not text:
        return ""
    council = register.councils.get(text)
    if council is None:
        try:
            council_id = _confident_id(register, text)
        except CouncilNotFoundError as exc:
            report.errors.append(Issue("status_confirmed_by", text, str(exc), exc.suggestions))
            return ""
    else:
        council_id = council.id
    members = set(council_ids or ())
    members |= {s.id for c in council_ids or () if c in register.councils for s in register.current_successors(c)}
    if council_ids is not None and council_id not in members:
        report.errors.append(
            Issue("status_confirmed_by", text, "only a member council of the partnership can confirm its status")
        )
        return ""
    return council_id


def _check_verified(values: dict, source_date, verified_on, report: RowReport) -> None:
    """A row cannot be checked against its source before the source existed, nor in the future."""
    if verified_on is None:
        return
    today = dt.date.today()
    if (verified_on.year, verified_on.month or 1, verified_on.day or 1) > (today.year, today.month, today.day):
        report.errors.append(
            Issue(
                "verified_on",
                values.get("verified_on"),
                "is in the future; give the date a person last checked this row against its source",
            )
        )
    elif source_date and verified_on.year < source_date.year:
        report.errors.append(
            Issue(
                "verified_on",
                values.get("verified_on"),
                f"is before the source's date ({source_date}): a source cannot be checked before it was published",
            )
        )


def _check_timeline(
    start: PartialDate | None, status: Status | None, values: dict, register: AnyRegister, report: RowReport
) -> None:
    """A partnership cannot start after one of its councils was abolished, nor be operational before it starts."""
    if start is None:
        return
    today = dt.date.today()
    if status is Status.OPERATIONAL and date_before(PartialDate(today.year, today.month, today.day), start):
        report.errors.append(
            Issue(
                "start",
                values.get("start"),
                f"the partnership is operational but starts in "
                f"the future ({start}); make its status planned, or correct the start",
            )
        )
    for entry in report.councils:
        council = register.councils.get(entry.get("id") or "")
        if council is None or council.end is None:
            continue
        ended = PartialDate(council.end.year, council.end.month, council.end.day)
        if date_before(ended, start):
            successor = entry.get("successor", {}).get("name")
            instead = f"; name {successor} instead" if successor else ""
            report.errors.append(
                Issue(
                    "councils",
                    entry["input"],
                    f"{council.name} was abolished on "
                    f"{council.end.isoformat()}, before the partnership started ({start}){instead}",
                )
            )


def _resolve_councils(values: dict, register: AnyRegister, report: RowReport) -> list[str] | None:
    cell = values.get("councils")
    if not clean(cell):
        report.errors.append(Issue("councils", cell, "list the councils in the partnership, separated by ;"))
        return None
    most = int(config.get_number("SHAREDMAP_MAX_COUNCILS_PER_CELL"))
    if count_council_pieces(cell) > most:
        report.errors.append(
            Issue(
                "councils",
                clean(cell)[:60] + "…",
                f"more than {most} names in one cell (SHAREDMAP_MAX_COUNCILS_PER_CELL); is this one partnership?",
            )
        )
        return None
    if clean(values.get("council_ids")):
        return _councils_by_id(values, register, report)
    ids: list[str] = []
    failed = False
    for name in split_councils(cell, lambda text: _confident_id(register, text)):
        try:
            found = register.resolve(name)
        except CouncilNotFoundError as exc:
            report.errors.append(Issue("councils", name, str(exc), exc.suggestions))
            report.councils.append({"input": name, "id": None, "gss": None, "name": None, "confidence": 0.0})
            failed = True
            continue
        council = found.council
        entry = {
            "input": name,
            "id": council.id,
            "gss": council.gss,
            "name": council.name,
            "confidence": round(found.confidence, 3),
            "method": found.method,
        }
        successors = [] if council.current else register.current_successors(council.id)
        if successors:
            entry["successor"] = {
                "id": successors[0].id,
                "gss": successors[0].gss,
                "name": " and ".join(s.name for s in successors),
            }
        report.councils.append(entry)
        if found.method == "fuzzy":
            report.warnings.append(
                Issue("councils", name, f"read as {council.name} ({found.confidence:.0%} match); check this is right")
            )
        ids.append(council.id)
    return None if failed else ids


def _councils_by_id(values: dict, register: AnyRegister, report: RowReport) -> list[str] | None:
    """Rows that already carry register ids (our own exports and seed) are checked, not re-guessed."""
    names = split_names(values.get("councils"))
    ids = split_names(values.get("council_ids"))
    if len(names) != len(ids):
        report.errors.append(
            Issue(
                "council_ids",
                values.get("council_ids"),
                f"{len(ids)} ids for {len(names)} council names; give one id per council",
            )
        )
        return None
    for name, council_id in zip(names, ids, strict=True):
        council = register.councils.get(council_id)
        if council is None:
            report.errors.append(Issue("council_ids", council_id, "not an id in the council register"))
            return None
        report.councils.append(
            {
                "input": name,
                "id": council.id,
                "gss": council.gss,
                "name": council.name,
                "confidence": 1.0,
                "method": "code",
            }
        )
    return ids


def _status(values: dict, end, report: RowReport, attempt) -> Status | None:
    if clean(values.get("status")):
        return attempt("status", parse_status, values.get("status"))
    inferred = Status.ENDED if end is not None else Status.OPERATIONAL
    report.warnings.append(Issue("status", None, f"no status given; read as {inferred.value}"))
    return inferred


def _parse_savings(values: dict, register: AnyRegister, report: RowReport, attempt) -> None:
    cell = values.get("savings")
    if not clean(cell):
        return
    default_kind = (
        attempt("savings_kind", parse_kind, values["savings_kind"]) if clean(values.get("savings_kind")) else None
    )
    period = clean(values.get("savings_period"))
    entries = [cell] if isinstance(cell, int | float) else re.split(r"[;\n]+", str(cell))
    for entry in entries:
        if not clean(entry):
            continue
        parsed = attempt(
            "savings", parse_savings_entry, entry, default_kind, period, lambda text: _confident_id(register, text)
        )
        if parsed:
            saving, warnings = parsed
            report.savings.append(saving)
            report.savings_read.append(clean(entry))
            report.warnings += [Issue("savings", entry, w) for w in warnings]


def _check_derived_figures(report: RowReport, council_ids: list[str] | None) -> None:
    """What a row's figures add up to stays within the limit of one figure: a figure "for each council" times
    the members (what the totals count), and the sum of the row's figures."""
    ceiling = max_amount_gbp()
    members = len(set(council_ids or ()))
    for s in report.savings:
        if s.scope is SavingsScope.EACH and s.amount_gbp * members > ceiling:
            report.errors.append(
                Issue(
                    "savings",
                    savings_text(s),
                    f"{format_gbp(s.amount_gbp)} for each council across {members} councils is "
                    f"{format_gbp(s.amount_gbp * members)}, more than the £{ceiling:,.0f} any one figure may be "
                    "(SHAREDMAP_MAX_AMOUNT_GBP)",
                )
            )
            return
    total = sum(s.amount_gbp * (members if s.scope is SavingsScope.EACH else 1) for s in report.savings)
    if len(report.savings) > 1 and total > ceiling:
        report.errors.append(
            Issue(
                "savings",
                "; ".join(savings_text(s) for s in report.savings),
                f"the row's figures add up to {format_gbp(total)}, more than the £{ceiling:,.0f} any one figure "
                "may be (SHAREDMAP_MAX_AMOUNT_GBP)",
            )
        )


def _confident_id(register: AnyRegister, text: str) -> str:
    """A council surely named by ``text``: a fuzzy match is no evidence when gluing comma pieces into one name,
    nor for a council in brackets after a figure ("(York only)" is no council)."""
    found = register.resolve(text)
    if found.method == "fuzzy":
        raise CouncilNotFoundError(text, [found.council.name], "not an exact council name")
    return found.council.id


def _flag_duplicates(reports: list[RowReport]) -> None:
    """A partnership listed twice (same id, or same name and councils) is an error on the later row."""
    seen: dict[object, int] = {}
    for report in reports:
        p = report.partnership
        if p is None:
            continue
        for key in (("id", fold_id(p.id)), ("name", fold(p.name), frozenset(p.council_ids))):
            if not key[1]:
                continue
            if key in seen:
                report.errors.append(Issue(key[0], p.id if key[0] == "id" else p.name, f"duplicate of row {seen[key]}"))
                report.partnership = None
                break
            seen[key] = report.row


def _fill_missing_ids(reports: list[RowReport]) -> None:
    """Rows without an id get one from their name, kept unique within the file."""
    taken = {r.partnership.id for r in reports if r.partnership and r.partnership.id}
    for report in reports:
        if report.partnership and not report.partnership.id:
            base = slugify(report.partnership.name) or f"row-{report.row}"
            candidate, n = base, 2
            while candidate in taken:
                candidate, n = fit_id(base, f"-{n}"), n + 1
            taken.add(candidate)
            report.partnership = report.partnership.with_changes(id=candidate)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]
