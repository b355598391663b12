"""Figures and tables the docs state about the project, generated from the code and data that produce them.

The docs embed them with cog (``[[[cog ... ]]]`` blocks); ``dev.py test`` runs ``cog --check`` so a doc that no
longer matches its source fails CI. Figures that need a long run (the backtest) are read from the run's saved
JSON (docs/figures/), which keeps the date and the command that produced it.
"""

from __future__ import annotations

import json
from pathlib import Path

from sharedmap import config

FIGURES = config.PROJECT_ROOT / "docs" / "figures"
BACKTEST = FIGURES / "backtest.json"


def _signed(value: float, places: int = 2) -> str:
    return f"{value:+.{places}f}".replace("-", "−")


def weights_table() -> str:
    """The learned weights: all services, then each service group's (shared weight plus its adjustment)."""
    from sharedmap.partners.features import FEATURE_NAMES, FEATURES
    from sharedmap.partners.model import load_model

    model = load_model()
    groups = sorted(model.group_weights)
    lines = [
        "| reason (0–1 unless said) | all services | " + " | ".join(groups) + " |",
        "|---|---|" + "---|" * len(groups),
    ]
    for name in FEATURE_NAMES:
        shared = model.weights[name]
        cells = [_signed(shared)] + [_signed(shared + model.group_weights[g].get(name, 0.0)) for g in groups]
        lines.append(f"| {FEATURES[name].label} ({FEATURES[name].why.rstrip('.')}) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def fitted_line() -> str:
    from sharedmap.partners.model import load_model

    model = load_model()
    return (
        f"Fitted {model.trained_on[:16].replace('T', ' ')} UTC on data version {model.data_version} "
        f"({model.partnerships} partnerships, {model.cases} cases)."
    )


def _interval(m: dict, key: str) -> str:
    low, high = m[f"{key}_ci"]
    return f"{m[key]:.3f} [{low:.3f}–{high:.3f}]"


def backtest_table(path: Path = BACKTEST) -> str:
    """The backtest's four rankings side by side, from the saved run."""
    run = json.loads(Path(path).read_text(encoding="utf-8"))
    lines = ["| | hit@1 | hit@5 | hit@10 | MRR |", "|---|---|---|---|---|"]
    for method, m in run["methods"].items():
        cells = [_interval(m, k) for k in ("hit_at_1", "hit_at_5", "hit_at_10", "mrr")]
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def backtest_summary(path: Path = BACKTEST) -> str:
    run = json.loads(Path(path).read_text(encoding="utf-8"))
    skipped = "; ".join(f"{n} {why}" for why, n in run["skipped"].items()) or "none"
    diff = []
    for key, label in (("learned_minus_distance", "distance alone"), ("learned_minus_hand", "the hand weights")):
        d = run[key]
        diff.append(
            f"learned minus {label}: MRR {_signed(d['mrr'], 3)} [{_signed(d['mrr_ci'][0], 3)} to "
            f"{_signed(d['mrr_ci'][1], 3)}], hit@5 {_signed(d['hit_at_5'], 3)} [{_signed(d['hit_at_5_ci'][0], 3)} to "
            f"{_signed(d['hit_at_5_ci'][1], 3)}]"
        )
    return (
        f"Measured {run.get('measured_on', 'on the date of the saved run')} by `python -m sharedmap recommend "
        f"--backtest --format json` on {run['cases']} cases from {run['partnerships']} partnerships (skipped: "
        f"{skipped}). Paired differences on the same cases: " + "; ".join(diff) + "."
    )


def curve_table(path: Path = BACKTEST) -> str:
    run = json.loads(Path(path).read_text(encoding="utf-8"))
    curve = run["learning_curve"]
    head = " | ".join(str(point["training_partnerships"]) for point in curve)
    return "\n".join(
        [
            f"| training partnerships | {head} |",
            "|---|" + "---|" * len(curve),
            "| hit@5 | " + " | ".join(f"{p['hit_at_5']:.3f}" for p in curve) + " |",
            "| MRR | " + " | ".join(f"{p['mrr']:.3f}" for p in curve) + " |",
        ]
    )


def data_summary() -> str:
    """What `data check` says of the shipped table, as a paragraph: as at the table's newest check (its latest
    `verified_on`), so the figures change when the table does, not as the calendar turns."""
    from sharedmap.data_quality import check_validated
    from sharedmap.freshness import last_day
    from sharedmap.publishing.dataset import seed_path
    from sharedmap.register import load_register
    from sharedmap.research import load_log, log_path
    from sharedmap.validate import validate_file

    register = load_register()
    path = seed_path()
    validated = validate_file(path, register)
    checked = max(p.verified_on for p in validated.partnerships if p.verified_on)
    as_at = last_day(checked)
    report = check_validated(validated, register, as_at, research_log=load_log(log_path(path)))
    nations = ", ".join(f"{d['nation']} {d['partnerships']}" for d in report.by_nation)
    standing = ", ".join(f"{n} {s}" for s, n in report.by_status.items())
    return (
        f"As at {as_at:%-d %B %Y}, the table's newest check: "
        f"{report.partnerships} partnerships (a partnership counts once for each nation of its members: {nations}); "
        f"by standing: {standing}; {len(report.shown_current_on_old_evidence)} shown as running or planned on "
        f"evidence past the {report.stale_after_years:g}-year limit; {len(report.without_status_evidence)} without "
        f"status evidence; {len(report.forecast_flags)} firm figures flagged as forecasts; "
        f"{len(report.councils_not_searched)} of today's councils not in the research log and "
        f"{len(report.councils_without)} in no partnership (combined authorities among them); "
        f"{len(report.without_saving)} rows without a savings figure (most sources name none, and none is guessed) "
        f"and {len(report.without_start)} without a start date; {len(report.duplicates)} possible duplicates listed "
        f"for a reader; {len(report.problems)} rows breaking a rule."
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def settings_table() -> str:
    """Every setting with its default and help, from ``config.SETTINGS`` (their one home)."""
    lines = ["| setting | default | what it does |", "| --- | --- | --- |"]
    for setting in config.SETTINGS:
        value = setting.default.replace(str(config.PROJECT_ROOT.parent) + "/", "../")  # as on any checkout
        value = value.replace(str(config.PROJECT_ROOT) + "/", "")
        default = f"`{value}`" if value else "(empty)"
        lines.append(f"| `{setting.name}` | {_cell(default)} | {_cell(setting.help)} |")
    return "\n".join(lines)


def commands_table() -> str:
    """Every command and subcommand with its help line, from the command line's own parser."""
    import argparse

    from sharedmap.cli.commands import build_parser

    def subcommands(parser: argparse.ArgumentParser, prefix: str) -> list[tuple[str, str]]:
        found = []
        for action in parser._actions:  # argparse keeps subcommands here; there is no public accessor
            if isinstance(action, argparse._SubParsersAction):
                helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
                for name, sub in action.choices.items():
                    found.append((f"{prefix} {name}".strip(), helps.get(name, "")))
                    found += subcommands(sub, f"{prefix} {name}")
        return found

    lines = ["| command | what it does |", "| --- | --- |"]
    lines += [f"| `{name}` | {_cell(text)} |" for name, text in subcommands(build_parser(), "")]
    return "\n".join(lines)
