"""The data-quality report: coverage by nation, region and council type, gaps, stale rows, possible duplicates,
sources by domain and year, and the rules a row must not break (no source, unresolvable council, kind mixing).

One engine behind `python -m sharedmap data check` (on the shipped table, so rows that do not even validate are
reported) and the Data page's section (on the published version). Pure functions: no Streamlit, no printing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from sharedmap.freshness import Standing, is_stale, last_day, stale_after_years, standing, status_date
from sharedmap.money import normalise, pound_figures
from sharedmap.parsing import _KIND_WORDS
from sharedmap.partnerships import Partnership, Savings, SavingsKind
from sharedmap.register import TYPE_NAMES, Register
from sharedmap.research import Searched
from sharedmap.validate import ValidationReport
from sharedmap.weblinks import link_host


@dataclass(frozen=True)
class Problem:
    """A row that breaks a rule: the command exits 1 while any is left."""

    row: int | None  # the row of the file, when checking a file
    id: str
    rule: str  # "source", "council", "kind", "invalid"
    message: str


@dataclass
class QualityReport:
    partnerships: int
    by_nation: list[dict]
    by_region: list[dict]
    by_council_type: list[dict]
    councils_without: list[dict]
    without_saving: list[str]
    without_start: list[str]
    stale: list[str]  # running or planned on evidence past the limit: shown as "unconfirmed"
    stale_after_years: float
    by_status: dict[str, int]  # by standing, what the map shows today
    shown_current_on_old_evidence: list[str]  # shown as running or planned on evidence past the limit: must be none
    without_status_evidence: list[str]
    forecast_flags: list[dict]  # a firm figure the row's own words give as a forecast
    councils_not_searched: list[dict]  # today's councils with no line in the research log
    councils_neither: list[dict]  # ... and in no partnership either
    untraced: dict[str, list[str]]  # rows lacking a source date, a checking date (verified_on) or an evidence note
    duplicates: list[dict]
    sources_by_domain: list[dict]
    sources_by_year: list[dict]
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if k != "problems"}
        return {**data, "ok": self.ok, "problems": [p.__dict__ for p in self.problems]}


_KIND_PATTERNS = tuple(
    (kind, re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)")) for kind, words in _KIND_WORDS
)


def _words_of(text: str) -> set[SavingsKind]:
    """The kinds a figure's period speaks of, by the words the parser reads kinds from."""
    lowered = text.lower()
    return {kind for kind, pattern in _KIND_PATTERNS if lowered and pattern.search(lowered)}


def kind_mixing(s: Savings) -> str | None:
    """Why a figure mixes kinds, or None: annual with cumulative words, a saving with funding or spend words, or
    one-off funding said to recur. (A target "per year" is a target of annual savings: that is one kind.)"""
    said = _words_of(s.period) | {s.kind}
    if {SavingsKind.ANNUAL, SavingsKind.CUMULATIVE} <= said:
        return f"{s.kind.value} figure whose period ({s.period!r}) speaks of another kind: annual and cumulative"
    if s.kind.is_saving and said & {SavingsKind.ONE_OFF_FUNDING, SavingsKind.COMBINED_SPEND}:
        return f"a saving whose period ({s.period!r}) speaks of funding or spend, which are not savings"
    if s.kind is SavingsKind.ONE_OFF_FUNDING and SavingsKind.ANNUAL in said:
        return f"one-off funding whose period ({s.period!r}) says it recurs"
    return None


FORECAST_WORDS = re.compile(
    r"\b(?:up to|expect(?:s|ed|ing)?|potential(?:ly)?|predict(?:s|ed)?|forecast(?:s|ed)?|projected|anticipated|"
    r"aim(?:s|ed|ing)?|target(?:s|ed)?|could (?:save|deliver)|would (?:save|deliver)|estimated|plans? to save)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+")
_CLAUSE_BREAK = re.compile(r",|;|\bbut\b|\bwhile\b|\bwhereas\b")


def _amounts(text: str) -> list[float]:
    """The pound amounts written in a piece of prose: "£1.2m", "£600,000", "£3 million"."""
    return [round(amount, 2) for _, _, amount in pound_figures(text)]


def forecast_flags(p: Partnership) -> list[dict]:
    """Firm figures (neither a target nor an estimate) that the row's own evidence or notes state, in one sentence,
    beside a forecast word ("up to", "expected", "potential", ...): a forecast stored as a saving, until a person
    reads the source and either marks the figure an estimate or rewords the note."""
    flags = []
    sentences = [s for text in (p.evidence, p.notes) for s in _SENTENCE_END.split(text) if s]
    forecasts = {s.amount_gbp for s in p.savings if s.estimate or s.kind is SavingsKind.TARGET}
    for s in p.savings:
        if not s.kind.is_saving or s.estimate or s.kind is SavingsKind.TARGET or s.amount_gbp in forecasts:
            continue  # a forecast of the same amount is recorded as one: the firm figure rests on another sentence
        for sentence in sentences:
            if (word := _forecast_beside(sentence, s.amount_gbp)) is not None:
                flags.append({"id": p.id, "figure": s.amount_gbp, "word": word, "sentence": sentence[:200]})
                break
    return flags


def _forecast_beside(sentence: str, amount: float) -> str | None:
    """A forecast word said of this amount: within a few words before it ("up to £42m") or after it ("£1.2m
    expected"), with no other amount in between."""
    sentence = normalise(sentence)  # the positions pound_figures gives
    money = pound_figures(sentence)
    for i, (at, stop, figure) in enumerate(money):
        if abs(figure - amount) > 0.005 * amount:
            continue
        start = max(money[i - 1][1] if i else 0, at - 40)
        end = min(money[i + 1][0] if i + 1 < len(money) else len(sentence), stop + 30)
        before = _CLAUSE_BREAK.split(sentence[start:at])[-1]
        after = _CLAUSE_BREAK.split(sentence[stop:end])[0]
        for side in (before, after):
            if word := FORECAST_WORDS.search(side):
                return word.group(0)
    return None


def row_problems(p: Partnership, row: int | None = None) -> list[Problem]:
    found = []
    if not p.source_urls:
        found.append(Problem(row, p.id, "source", "no source link: every row must name a public source"))
    for s in p.savings:
        if (why := kind_mixing(s)) is not None:
            found.append(Problem(row, p.id, "kind", why))
    for flag in forecast_flags(p):
        found.append(
            Problem(
                row,
                p.id,
                "forecast",
                f"£{flag['figure']:,.0f} is stored as a firm saving, but the row's own words say "
                f"{flag['word']!r}: {flag['sentence']!r}; read the source and mark it an estimate or target",
            )
        )
    return found


def possible_duplicates(partnerships: list[Partnership]) -> list[dict]:
    """Pairs that may be one arrangement twice: the same councils sharing a service, or a funding-only row (a
    grant) whose councils all belong to another partnership: a grant that funded a partnership belongs in that
    partnership's row as its one-off funding figure (docs/data.md). Rows are grouped by their councils, and only
    grant rows are compared beyond their group, so 10,000 rows take well under a second."""
    pairs: dict[tuple[str, str], dict] = {}

    def add(a: Partnership, b: Partnership, why: str) -> None:
        first, second = sorted((a, b), key=lambda p: p.id)
        pairs.setdefault(
            (first.id, second.id),
            {
                "ids": [first.id, second.id],
                "names": [first.name, second.name],
                "services": sorted(set(a.services) & set(b.services)),
                "why": why,
            },
        )

    same: dict[frozenset[str], list[Partnership]] = defaultdict(list)
    by_council: dict[str, list[Partnership]] = defaultdict(list)
    for p in partnerships:
        same[frozenset(p.council_ids)].append(p)
        for c in set(p.council_ids):
            by_council[c].append(p)
    for group in same.values():
        for a, b in combinations(group, 2):
            if set(a.services) & set(b.services):
                add(a, b, "same councils")
    for grant in (p for p in partnerships if _funding_only(p) and p.council_ids):
        members = set(grant.council_ids)
        for other in by_council[grant.council_ids[0]]:
            if other is not grant and not _funding_only(other) and members <= set(other.council_ids):
                add(grant, other, f"{grant.id} records funding for councils of the other")
    return sorted(pairs.values(), key=lambda d: d["ids"])


def _funding_only(p: Partnership) -> bool:
    return bool(p.savings) and all(s.kind is SavingsKind.ONE_OFF_FUNDING for s in p.savings)


# Combined authorities and the GLA are made of councils: they are swept through their members.
NOT_SWEPT = (TYPE_NAMES["COMB"],)
NOT_SWEPT_IDS = ("GLA",)


def _council(c) -> dict:
    return {"id": c.id, "name": c.name, "type": c.type, "region": c.region or c.nation}


def _counted(counter: Counter, key: str) -> list[dict]:
    return [
        {key: k or "Unknown", "partnerships": n} for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def quality_report(
    partnerships: list[Partnership],
    register: Register,
    today: dt.date | None = None,
    problems: list[Problem] | None = None,
    research_log: dict[str, Searched] | None = None,
) -> QualityReport:
    """The report on parsed partnerships; ``problems`` adds those found while reading a file (invalid rows), and
    ``research_log`` (sharedmap.research) tells which councils were searched."""
    by: dict[str, Counter] = {"nation": Counter(), "region": Counter(), "type": Counter()}
    covered: set[str] = set()
    for p in partnerships:
        members = [register.get(c) for c in p.council_ids]
        for attribute, counter in by.items():
            counter.update({getattr(c, attribute) for c in members})  # once per partnership, not per member
        covered |= {s.id for c in p.council_ids for s in register.current_successors(c)} | set(p.council_ids)
    without = sorted(
        (c for c in register.councils.values() if c.current and c.id not in covered),
        key=lambda c: (c.nation, c.region, c.name),
    )
    domains: Counter[str] = Counter()
    years: Counter[str] = Counter()
    for p in partnerships:
        domains.update({link_host(u) for u in p.source_urls})
        years[str(p.source_date.year) if p.source_date else "no date"] += 1
    years_limit = stale_after_years()
    today = today or dt.date.today()
    shown = {p.id: standing(p, today, years_limit) for p in partnerships}
    old = [
        p.id
        for p in partnerships
        if shown[p.id] in (Standing.OPERATIONAL, Standing.PLANNED)
        and ((when := status_date(p)) is None or (today - last_day(when)).days > years_limit * 365.25)
    ]
    log = research_log or {}
    current = sorted(
        (c for c in register.councils.values() if c.current and c.type not in NOT_SWEPT and c.id not in NOT_SWEPT_IDS),
        key=lambda c: (c.nation, c.region, c.name),
    )
    not_searched = [c for c in current if c.id not in log]
    found = list(problems or [])
    for p in partnerships:
        found += row_problems(p)
    return QualityReport(
        partnerships=len(partnerships),
        by_nation=_counted(by["nation"], "nation"),
        by_region=_counted(by["region"], "region"),
        by_council_type=_counted(by["type"], "council_type"),
        councils_without=[_council(c) for c in without],
        without_saving=[p.id for p in partnerships if not any(s.kind.is_saving for s in p.savings)],
        without_start=[p.id for p in partnerships if p.start is None],
        stale=[p.id for p in partnerships if is_stale(p, today, years_limit)],
        stale_after_years=years_limit,
        by_status={s.value: sum(v is s for v in shown.values()) for s in Standing},
        shown_current_on_old_evidence=old,
        without_status_evidence=[
            p.id
            for p in partnerships
            if not ((p.status_source_url or p.status_confirmed_by) and p.status_source_date and p.status_evidence)
        ],  # a council's own confirmation is evidence without a link
        forecast_flags=[flag for p in partnerships for flag in forecast_flags(p)],
        councils_not_searched=[_council(c) for c in not_searched],
        councils_neither=[_council(c) for c in not_searched if c.id not in covered],
        untraced={
            "source_date": [p.id for p in partnerships if p.source_date is None],
            "verified_on": [p.id for p in partnerships if p.verified_on is None],
            "evidence": [p.id for p in partnerships if not p.evidence],
        },
        duplicates=possible_duplicates(partnerships),
        sources_by_domain=[{"domain": d, "partnerships": n} for d, n in domains.most_common()],
        sources_by_year=[{"year": y, "partnerships": n} for y, n in sorted(years.items())],
        problems=found,
    )


def check_validated(
    report: ValidationReport,
    register: Register,
    today: dt.date | None = None,
    research_log: dict[str, Searched] | None = None,
) -> QualityReport:
    """The report on a checked file: its invalid rows (e.g. a council the register cannot place) are problems
    too, and the rules are checked with each row's number in the file."""
    invalid = []
    rows = {r.partnership.id: r.row for r in report.rows if r.partnership is not None and r.ok}
    for r in report.rows:
        for issue in r.errors:
            rule = (
                "council"
                if issue.column in ("councils", "council_ids")
                else "source"
                if issue.column == "source_url"
                else "invalid"
            )
            invalid.append(
                Problem(
                    r.row,
                    r.partnership.id if r.partnership else "",
                    rule,
                    f"{issue.column}: {issue.message} ({issue.value!r})",
                )
            )
    result = quality_report(report.partnerships, register, today, invalid, research_log)
    result.problems = [
        Problem(rows.get(p.id, p.row), p.id, p.rule, p.message) if p.row is None else p for p in result.problems
    ]
    return result
