"""Does find-a-partner work? Hide each real partnership, ask for partners of each member, see where the others rank.

A case is one member of one partnership asking for partners in the partnership's service, in the year the
partnership started (so its members all existed; clamped to the boundary years, the current year when the start is
unknown). The hidden partnership is left out of the evidence, so it cannot leak. The other members it must find are
its targets, less any that already share that service with it through another partnership (the tool lists those
apart as "already sharing"; a case with none left is skipped). Reported: hit@5 (a target in the top five) and the
mean reciprocal rank of the best-ranked target, next to a baseline ranking the same candidates by distance alone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sharedmap.partners.recommend import CURRENT_YEAR, FIRST_YEAR, PartnerContext, build_context, find_partners
from sharedmap.partnerships import Partnership
from sharedmap.register import Register

HIT_AT = 5


@dataclass(frozen=True)
class BacktestCase:
    partnership_id: str
    council_id: str
    service: str
    year: int
    targets: tuple[str, ...]
    rank: int | None  # best rank of a target among the suggestions (1 = first); None when no target is a candidate
    baseline_rank: int | None


@dataclass(frozen=True)
class BacktestResult:
    cases: list[BacktestCase]
    skipped: dict[str, int]  # why partnerships or cases were left out → how many

    def figures(self) -> dict:
        """hit@5 and mean reciprocal rank of the recommender and of the distance-only baseline."""
        return {
            "cases": len(self.cases),
            "partnerships": len({c.partnership_id for c in self.cases}),
            f"hit_at_{HIT_AT}": _hit_rate([c.rank for c in self.cases]),
            "mrr": _mrr([c.rank for c in self.cases]),
            f"baseline_hit_at_{HIT_AT}": _hit_rate([c.baseline_rank for c in self.cases]),
            "baseline_mrr": _mrr([c.baseline_rank for c in self.cases]),
            "skipped": dict(self.skipped),
        }

    def as_dict(self) -> dict:
        return {**self.figures(), "case_list": [asdict(c) for c in self.cases]}


def case_year(p: Partnership) -> int:
    """The year a partnership's members chose each other, within the years the boundaries cover."""
    return CURRENT_YEAR if p.start is None else min(max(p.start.year, FIRST_YEAR), CURRENT_YEAR)


def case_service(p: Partnership) -> str:
    """The partnership's first named service; "Other" only when it names nothing else."""
    return next((s for s in p.services if s != "Other"), p.services[0] if p.services else "Other")


def run_backtest(partnerships: list[Partnership], register: Register) -> BacktestResult:
    contexts: dict[int, PartnerContext] = {}
    cases: list[BacktestCase] = []
    skipped: dict[str, int] = {}  # why → how many
    for p in partnerships:
        year = case_year(p)
        if year not in contexts:
            contexts[year] = build_context(partnerships, register, year)
        context = contexts[year]
        members = context.members[p.id]
        if len(members) < 2:
            reason = "partnerships with fewer than two councils on the boundaries of their year"
            skipped[reason] = skipped.get(reason, 0) + 1
            continue
        service = case_service(p)
        for council_id in sorted(members):
            case = run_case(context, p, council_id, service)
            if case is None:
                reason = "cases whose partners all share that service with it elsewhere"
                skipped[reason] = skipped.get(reason, 0) + 1
            else:
                cases.append(case)
    return BacktestResult(cases, skipped)


def run_case(context: PartnerContext, p: Partnership, council_id: str, service: str) -> BacktestCase | None:
    found = find_partners(context, council_id, service, top=None, ignore=frozenset({p.id}))
    sharing = {s.council.id for s in found.already_sharing}
    targets = tuple(sorted(context.members[p.id] - {council_id} - sharing))
    if not targets:
        return None
    ranked = [s.council.id for s in found.suggestions]
    by_distance = [s.council.id for s in sorted(found.suggestions, key=lambda s: (s.distance_km, s.name))]
    return BacktestCase(p.id, council_id, service, context.year, targets,
                        _best_rank(ranked, targets), _best_rank(by_distance, targets))


def _best_rank(ranked: list[str], targets: tuple[str, ...]) -> int | None:
    positions = [ranked.index(t) + 1 for t in targets if t in ranked]
    return min(positions) if positions else None


def _hit_rate(ranks: list[int | None]) -> float:
    return round(sum(1 for r in ranks if r is not None and r <= HIT_AT) / len(ranks), 3) if ranks else 0.0


def _mrr(ranks: list[int | None]) -> float:
    return round(sum(1 / r for r in ranks if r is not None) / len(ranks), 3) if ranks else 0.0


def format_backtest(result: BacktestResult) -> str:
    figures = result.figures()
    lines = [f"Backtest: {figures['cases']} cases from {figures['partnerships']} partnerships"]
    lines += [f"  skipped {count} {why}" for why, count in figures["skipped"].items()]
    lines += [
        f"{'':<16} {'hit@' + str(HIT_AT):>7} {'MRR':>7}",
        f"{'find-a-partner':<16} {figures[f'hit_at_{HIT_AT}']:>7.3f} {figures['mrr']:>7.3f}",
        f"{'distance only':<16} {figures[f'baseline_hit_at_{HIT_AT}']:>7.3f} {figures['baseline_mrr']:>7.3f}",
    ]
    return "\n".join(lines)
