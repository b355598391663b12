"""`python -m sharedmap data check`: the data-quality report on the shipped partnerships table (or any file).

Exit codes: 0 when no row breaks a rule, 1 when one does (no source, a council the register cannot place, a
figure mixing kinds, or any other error that stops the row validating), 2 when the file cannot be read.
"""

from __future__ import annotations

import argparse
import sys

from sharedmap.cli.output import print_json

SHOWN = 12  # lines of each list printed in the text report; --format json has them all


def add_commands(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("data", help="check the partnerships table: coverage, gaps, stale rows, duplicates")
    actions = group.add_subparsers(dest="action", required=True)
    check = actions.add_parser("check", help="the data-quality report; exit 1 when a row breaks a rule")
    check.add_argument("--file", help="the table to check (default: SHAREDMAP_PARTNERSHIPS, data/partnerships.csv)")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.set_defaults(handler=_check)


def _check(args: argparse.Namespace) -> int:
    from sharedmap.data_quality import check_validated
    from sharedmap.errors import FileReadError
    from sharedmap.publishing.dataset import seed_path
    from sharedmap.register import load_register
    from sharedmap.research import load_log, log_path
    from sharedmap.validate import validate_file

    register = load_register()
    path = args.file or str(seed_path())
    try:
        validated = validate_file(path, register)
    except FileReadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        log = load_log(log_path(path))
    except FileReadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report = check_validated(validated, register, research_log=log)
    if args.format == "json":
        print_json({"file": path, **report.as_dict()})
    else:
        print(format_report(path, len(validated.rows), report.as_dict()))
    return 0 if report.ok else 1


def _listed(title: str, items: list[str]) -> list[str]:
    more = f" … and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return [f"{title}: {len(items)}" + (f" ({', '.join(items[:SHOWN])}{more})" if items else "")]


def format_report(path: str, rows: int, r: dict) -> str:
    lines = [f"{path}: {rows} rows, {r['partnerships']} valid partnerships"]
    for key, label in (("by_nation", "nation"), ("by_region", "region"), ("by_council_type", "council_type")):
        counts = ", ".join(f"{d[label]} {d['partnerships']}" for d in r[key])
        lines.append(f"By {label.replace('_', ' ')} (a partnership counts once in each of its members'): {counts}")
    lines.append("By standing (what the map shows today): " + ", ".join(f"{k} {n}" for k, n in r["by_status"].items()))
    lines += _listed("Today's councils with no partnership recorded", [c["name"] for c in r["councils_without"]])
    lines += _listed(
        "Today's councils not in the research log (not yet searched)", [c["name"] for c in r["councils_not_searched"]]
    )
    lines += _listed("... of which in no partnership either", [c["name"] for c in r["councils_neither"]])
    lines += _listed("Rows without a savings figure", r["without_saving"])
    lines += _listed("Rows without a start date", r["without_start"])
    lines += _listed(
        f"Rows shown as unconfirmed (running or planned, status evidence over {r['stale_after_years']:g} years old)",
        r["stale"],
    )
    lines += _listed("Rows shown as running or planned on evidence past that limit", r["shown_current_on_old_evidence"])
    lines += _listed("Rows without status evidence (link, date and note)", r["without_status_evidence"])
    lines += _listed("Firm figures the row's own words give as a forecast", [f["id"] for f in r["forecast_flags"]])
    for column, ids in r["untraced"].items():
        lines += _listed(f"Rows without {column}", ids)
    lines.append(f"Possible duplicates: {len(r['duplicates'])}")
    lines += [
        f"  {' / '.join(d['ids'])}: {d['why']}; {', '.join(d['services']) or 'no service in common'}"
        for d in r["duplicates"]
    ]
    domains = ", ".join(f"{d['domain']} {d['partnerships']}" for d in r["sources_by_domain"][:SHOWN])
    lines.append(f"Sources by domain ({len(r['sources_by_domain'])} domains): {domains}")
    lines.append("Sources by year: " + ", ".join(f"{d['year']} {d['partnerships']}" for d in r["sources_by_year"]))
    if r["problems"]:
        lines.append(f"Rows breaking a rule: {len(r['problems'])}")
        lines += [f"  row {p['row'] or '?'} {p['id'] or ''} [{p['rule']}]: {p['message']}" for p in r["problems"]]
    else:
        lines.append("No row breaks a rule (every row has a source, known councils and figures of one kind).")
    return "\n".join(lines)
