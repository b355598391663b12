"""What the officer and reviewer pages show, as plain tables and lines of text: an upload checked row by row, the
fixes on offer, a preview kind by kind, submissions, versions and the audit log.

Pure functions of the workflow's own objects, so the pages stay thin and these are tested without Streamlit.
Every result is plain text (the pages render tables as data and escape text), and each state is said in words,
not only by colour.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sharedmap.publishing.preview import (
    CHANGED,
    KINDS,
    NEW,
    UNCHANGED,
    WITHDRAWN,
    Change,
    FieldChange,
    Preview,
    figure_as_read,
    figures_text,
)
from sharedmap.publishing.store import AuditEntry, Submission, Version
from sharedmap.publishing.workflow import Upload
from sharedmap.register import Register
from sharedmap.validate import RowReport

KIND_TITLES = {NEW: "New", CHANGED: "Changed", UNCHANGED: "Unchanged", WITHDRAWN: "Withdrawn"}
KIND_HELP = {
    NEW: "not on the map yet: added when approved",
    CHANGED: "on the map; these fields change",
    UNCHANGED: "on the map exactly as in the file",
    WITHDRAWN: "on the map but not in the file: removed when approved",
}
METHODS = {
    "code": "by code",
    "exact": "exact name",
    "alias": "known other name",
    "normalised": "normalised name",
    "fuzzy": "closest spelling",
}


@dataclass(frozen=True)
class Fix:
    """An error the officer can fix on the page by picking a suggestion: ``typed`` in ``column`` of ``row``."""

    row: int
    column: str
    typed: str
    suggestions: tuple[str, ...]

    @property
    def key(self) -> tuple[int, str, str]:
        return self.row, self.column, self.typed


def result_text(report: RowReport) -> str:
    if report.errors:
        return f"{len(report.errors)} error{'s' if len(report.errors) != 1 else ''}"
    warnings = len(report.warnings)
    return f"OK, {warnings} warning{'s' if warnings != 1 else ''}" if warnings else "OK"


def council_text(entry: dict) -> str:
    """One council as the checker read it: its register name and how sure, or that it was not found."""
    if not entry.get("id"):
        return f"“{entry['input']}”: not found"
    method = entry.get("method") or ""
    how = METHODS.get(method, method)
    read_from = f"from “{entry['input']}”, " if entry["input"] != entry["name"] else ""
    text = f"{entry['name']} ({read_from}{entry['confidence']:.0%}, {how})"
    if entry.get("successor"):
        text += f", now part of {entry['successor']['name']}"
    return text


def rows_frame(upload: Upload) -> pd.DataFrame:
    """One line per row of the file: what was read and what is wrong, in words."""
    lines = []
    for r in upload.report.rows:
        p = r.partnership
        lines.append(
            {
                "row": r.row,
                "partnership": r.name,
                "result": result_text(r),
                "problems": " | ".join(f"{i.column}: {i.message}" for i in r.errors + r.warnings),
                "councils": "; ".join(council_text(c) for c in r.councils),
                "services": "; ".join(p.services) if p else "",
                "status": p.status.value if p else "",
                "start": p.start.iso() if p and p.start else "",
                "end": p.end.iso() if p and p.end else "",
                "savings": _row_figures(r),
            }
        )
    return pd.DataFrame(
        lines,
        columns=[
            "row",
            "partnership",
            "result",
            "problems",
            "councils",
            "services",
            "status",
            "start",
            "end",
            "savings",
        ],
    )


def summary_text(upload: Upload) -> str:
    rows = upload.report.rows
    bad = sum(not r.ok for r in rows)
    fixed = f" {upload.fixes} name{'s' if upload.fixes != 1 else ''} fixed on this page." if upload.fixes else ""
    if not bad:
        return f"All {len(rows)} rows of {upload.file_name} are valid.{fixed}"
    return (
        f"{bad} of {len(rows)} rows of {upload.file_name} have errors: fix them below (pick a suggestion) or in "
        f"your file, then upload it again. Nothing is submitted while any row has an error.{fixed}"
    )


def row_label(report: RowReport) -> str:
    return f"Row {report.row}: {report.name or '(no name)'} — {result_text(report)}"


def _names(report: RowReport) -> dict[str, str]:
    """The row's councils, id → name, so a one-council figure is written with its council's name."""
    return {c["id"]: c["name"] for c in report.councils if c.get("id")}


def _row_figures(report: RowReport) -> str:
    """The row's figures exactly as they will be published, each beside the text it was read from."""
    texts = report.savings_read if len(report.savings_read) == len(report.savings) else [""] * len(report.savings)
    return "; ".join(figure_as_read(s, text, _names(report)) for s, text in zip(report.savings, texts, strict=True))


def row_lines(report: RowReport) -> list[str]:
    """The row's details, one line each: councils, savings, dates, then errors and warnings spelt out."""
    p = report.partnership
    lines = [f"Council: {council_text(c)}" for c in report.councils]
    lines += [f"Saving: {figure}" for figure in _row_figures(report).split("; ") if figure]
    if p:
        lines.append(
            f"Services: {'; '.join(p.services)}. Status: {p.status.value}. "
            f"Start: {p.start.iso() if p.start else 'not given'}. End: {p.end.iso() if p.end else 'none'}."
        )
    lines += [f"Error in {i.column}: {i.message}" for i in report.errors]
    lines += [f"Warning in {i.column}: {i.message}" for i in report.warnings]
    return lines


def fixes(report: RowReport) -> list[Fix]:
    """The row's errors that a suggestion can fix: an unknown council (or service) with close names on offer."""
    return [
        Fix(report.row, i.column, str(i.value), tuple(i.suggestions))
        for i in report.errors
        if i.suggestions and isinstance(i.value, str) and i.value.strip()
    ]


def _councils(record: dict | None, register: Register) -> str:
    if not record:
        return ""
    return "; ".join(register.get(c).name if register.get(c) else c for c in record.get("council_ids", []))


def preview_frames(preview: Preview, register: Register) -> dict[str, pd.DataFrame]:
    """For each kind of change, its partnerships: the file's row, id, name, councils, the figures it will publish
    (each beside the text it was read from; a withdrawn one's published figures), and for changed ones which
    fields change."""
    frames = {}
    for kind in KINDS:
        lines = [
            {
                "row": c.row,
                "id": c.partnership_id,
                "name": c.name,
                "councils": _councils(c.record or c.base_record, register),
                "figures": c.figures(register) if c.record else figures_text(c.base_record, (), register),
                "changes": ", ".join(f.label for f in c.fields),
            }
            for c in preview.of_kind(kind)
        ]
        columns = ["row", "id", "name", "councils", "figures", "changes"]
        frame = pd.DataFrame(lines, columns=columns).astype({"row": "Int64"})
        dropped = ([] if kind == CHANGED else ["changes"]) + (["row"] if kind == WITHDRAWN else [])  # no file row
        frames[kind] = frame.drop(columns=dropped)
    return frames


def field_changes(change: Change, register: Register | None = None) -> pd.DataFrame:
    """A changed partnership field by field: what is published, and what the file says (its figures exactly, each
    beside the text it was read from)."""
    return pd.DataFrame(
        [
            {"field": f.label, "published": old, "in the file": new}
            for f in change.fields
            for old, new in [_texts(change, f, register)]
        ],
        columns=["field", "published", "in the file"],
    )


def _texts(change: Change, diff: FieldChange, register: Register | None) -> tuple[str, str]:
    """A changed field's old and new text; figures exactly on both sides, the new ones beside the file's text."""
    if diff.field == "savings":
        return figures_text(change.base_record, (), register), change.figures(register)
    return diff.texts(register)


def counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts.get(kind, 0)} {kind}" for kind in KINDS)


def submission_title(s: Submission) -> str:
    return f"Submission {s.id} from {s.submitted_by}, {s.created_at:%d %b %Y %H:%M} UTC"


def submission_details(s: Submission) -> str:
    fixed = f", {s.fixes} council name{'s' if s.fixes != 1 else ''} fixed on the page" if s.fixes else ""
    return (
        f"File {s.file_name} ({s.file_rows} rows{fixed}; SHA-256 {s.file_sha256[:12]}…), checked against "
        f"version {s.base_version}: {counts_text(s.counts)}."
    )


def submissions_frame(submissions: list[Submission]) -> pd.DataFrame:
    lines = [
        {
            "id": s.id,
            "submitted": f"{s.created_at:%Y-%m-%d %H:%M}",
            "by": s.submitted_by,
            "file": s.file_name,
            "changes": counts_text(s.counts),
            "status": s.status,
            "decided by": s.decided_by or "",
            "comment": s.decision_comment or s.comment,
            "published as": f"version {s.published_version}" if s.published_version else "",
        }
        for s in submissions
    ]
    return pd.DataFrame(
        lines, columns=["id", "submitted", "by", "file", "changes", "status", "decided by", "comment", "published as"]
    )


def version_text(v: Version, current: int | None) -> str:
    published = " (published now)" if v.number == current else ""
    return f"Version {v.number}{published}: {v.created_at:%d %b %Y %H:%M} UTC, {v.partnership_count} partnerships"


def versions_frame(versions: list[Version], current: int | None) -> pd.DataFrame:
    lines = [
        {
            "version": v.number,
            "published now": "yes" if v.number == current else "",
            "created": f"{v.created_at:%Y-%m-%d %H:%M}",
            "by": v.created_by or "(system)",
            "how": v.action
            + (f" of submission {v.submission_id}" if v.submission_id else "")
            + (f" of version {v.restored_from}" if v.restored_from else ""),
            "partnerships": v.partnership_count,
            "note": v.note,
        }
        for v in versions
    ]
    return pd.DataFrame(lines, columns=["version", "published now", "created", "by", "how", "partnerships", "note"])


def audit_frame(entries: list[AuditEntry]) -> pd.DataFrame:
    lines = [
        {
            "when": f"{e.at:%Y-%m-%d %H:%M:%S}",
            "who": e.actor or "(system)",
            "what": e.action,
            "submission": e.submission_id,
            "version": e.version,
            "file": e.file_name or "",
            "sha256": e.file_sha256 or "",
            "counts": ", ".join(f"{k} {v}" for k, v in (e.counts or {}).items()),
            "detail": e.detail or "",
        }
        for e in entries
    ]
    return pd.DataFrame(
        lines, columns=["when", "who", "what", "submission", "version", "file", "sha256", "counts", "detail"]
    ).astype({"submission": "Int64", "version": "Int64"})
