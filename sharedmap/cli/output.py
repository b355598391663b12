"""Plain-text reports for the command line: what a person reads in a terminal or an e-mail."""

from __future__ import annotations

import json
import sys

from sharedmap.parsing import strip_control
from sharedmap.partnerships import SavingsKind, format_gbp, savings_text
from sharedmap.validate import ValidationReport


def format_validation(report: ValidationReport) -> str:
    lines = [f"{report.file} ({report.encoding})"]
    mapped = ", ".join(f"{header!r} → {field}" for header, field in report.columns.items())
    lines.append(f"Columns: {mapped}")
    if report.ignored_columns:
        lines.append("Ignored columns: " + ", ".join(repr(c) for c in report.ignored_columns))
    lines.append("")
    for row in report.rows:
        mark = "ok " if row.ok else "ERR"
        lines.append(f"[{mark}] row {row.row}: {row.name or '(no name)'}")
        for council in row.councils:
            if council.get("id"):
                extra = f" → now {council['successor']['name']}" if council.get("successor") else ""
                lines.append(
                    f"        council {council['input']!r} = {council['name']} ({council['gss']}, "
                    f"{council['confidence']:.0%}){extra}"
                )
        names = {c["id"]: c["name"] for c in row.councils if c.get("id")}
        for saving in row.savings:
            lines.append(f"        savings {savings_text(saving, names)} (scope: {saving.scope.value})")
        p = row.partnership
        if p is not None and (p.verified_on or p.evidence):
            checked = f"checked {p.verified_on}" if p.verified_on else "not dated"
            lines.append(f"        {checked}" + (f"; evidence: {p.evidence}" if p.evidence else ""))
        for issue in row.errors:
            listed = issue.suggestions and "Did you mean" not in issue.message
            hint = f" Suggestions: {'; '.join(issue.suggestions)}." if listed else ""
            lines.append(f"    error in {issue.column}: {issue.message.rstrip('.')}.{hint}")
        for issue in row.warnings:
            lines.append(f"    warning in {issue.column}: {issue.message}")
    ok = sum(r.ok for r in report.rows)
    lines += ["", f"{ok} of {len(report.rows)} rows valid; {len(report.rows) - ok} with errors."]
    missing = [c for c in ("verified_on", "evidence") if c not in report.columns.values()]
    if missing:
        lines.append(f"Optional columns not in this file: {', '.join(missing)}. " + NEW_COLUMNS_HELP)
    return strip_control("\n".join(lines))  # a file's text (and its name) may hold terminal escape codes


NEW_COLUMNS_HELP = (
    "verified_on is the date a person last checked the row against its source; evidence is a short "
    "note, in your own words, of where in the source the councils, figure and status are stated. "
    "Readers see both beside the row. A figure is for the whole partnership unless it says 'for each "
    "council' or names one council in brackets."
)


def format_summary(summary: dict) -> str:
    lines = [
        f"Published version {summary['version']}, partnerships active in {summary['year']}",
        f"Partnerships: {summary['partnerships']} "
        + "("
        + ", ".join(f"{n} {s}" for s, n in summary["by_status"].items())
        + ")",
        f"Councils involved: {summary['councils_involved']} "
        f"({summary['current_councils_involved']} of today's councils)",
        f"Confirmed running (status evidence within the limit): {summary['confirmed_running']}",
        "Money figures by kind (never add different kinds together, nor an estimate to an achieved figure):",
    ]
    for kind, figures in summary["savings_by_kind"].items():
        if figures["partnerships"]:
            lines.append(
                f"  {kind:<16} {format_gbp(figures['total_gbp']):>10} "
                f"{'achieved' if SavingsKind(kind).is_saving else 'stated'} across {figures['partnerships']} "
                "partnerships"
            )
        if figures["estimated_partnerships"]:
            lines.append(
                f"  {kind:<16} {format_gbp(figures['estimated_gbp']):>10} estimated across "
                f"{figures['estimated_partnerships']} partnerships"
            )
    lines.append("Partnerships by service:")
    lines += [f"  {s['service']:<24} {s['partnerships']}" for s in summary["by_service"]]
    return "\n".join(lines)


def print_json(payload: object) -> None:
    json.dump(payload, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
