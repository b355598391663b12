"""National totals that the Statistics page and `python -m sharedmap summary` both show.

Savings of different kinds (annual, cumulative, target) are never added together, one-off funding and combined
spend are reported apart from savings, and an estimate is never added to an achieved figure: that is how the
sources state them. Counts are by standing (sharedmap.freshness): only partnerships confirmed running count as
running; a grant not known to have formed a partnership ("funded") is no partnership. A partnership's figure is
counted once: by service, only partnerships whose figure is for that one service are summed (a figure for a
five-service partnership cannot be split between its services without guessing), and every total follows the
figure's scope (``partnerships.kind_total``).
"""

from __future__ import annotations

from collections import Counter

from sharedmap.freshness import Standing, standing
from sharedmap.partnerships import Partnership, SavingsKind, kind_total
from sharedmap.register import Register


def primary_region(p: Partnership, register: Register) -> str:
    """The region (or nation) of the first-named council, as the research table counts them."""
    council = register.get(p.council_ids[0])
    return council.region or council.nation or "Unknown"


def _by_service(partnerships: list[Partnership]) -> list[dict]:
    """Per service: how many partnerships share it, and the annual savings of the single-service ones only."""
    counts: Counter[str] = Counter()
    alone: Counter[str] = Counter()
    annual_alone: dict[str, float] = {}
    for p in partnerships:
        counts.update(p.services)
        annual = _achieved(p, SavingsKind.ANNUAL)
        if len(p.services) == 1 and annual is not None:
            alone[p.services[0]] += 1
            annual_alone[p.services[0]] = annual_alone.get(p.services[0], 0) + annual
    return [
        {
            "service": s,
            "partnerships": n,
            "single_service_with_annual_saving": alone[s],
            "annual_savings_single_service_gbp": annual_alone.get(s, 0),
        }
        for s, n in counts.most_common()
    ]


def _achieved(p: Partnership, kind: SavingsKind) -> float | None:
    """The partnership's figure of a kind when it is stated as achieved (not an estimate), else None."""
    total = kind_total(p, kind)
    return total[0] if total is not None and not total[1] else None


FRESHNESS = {  # the columns of the freshness tables, from a partnership's standing
    "confirmed": (Standing.OPERATIONAL, Standing.PLANNED),  # running or planned on evidence within the limit
    "unconfirmed": (Standing.UNCONFIRMED,),
    "ended": (Standing.ENDED,),
}


def freshness_by(shown: dict[str, Standing], partnerships: list[Partnership], register: Register, attribute: str):
    """Per nation (``attribute`` "nation") or council type ("type"): how many partnerships are confirmed within
    the limit, unconfirmed or ended. A partnership counts once in each nation or type of its members, so the rows
    add up to more than the total."""
    counts: dict[str, Counter[str]] = {}
    for p in partnerships:
        groups = {getattr(register.get(c), attribute) or "Unknown" for c in p.council_ids}
        column = next((name for name, standings in FRESHNESS.items() if shown[p.id] in standings), None)
        for group in groups:
            tally = counts.setdefault(group, Counter())
            tally["partnerships"] += 1
            if column:
                tally[column] += 1
    key = "council_type" if attribute == "type" else attribute
    rows = [
        {key: group, **{c: tally[c] for c in FRESHNESS}, "partnerships": tally["partnerships"]}
        for group, tally in counts.items()
    ]
    return sorted(rows, key=lambda r: (-r["partnerships"], r[key]))


def national_summary(partnerships: list[Partnership], register: Register) -> dict:
    shown = {p.id: standing(p) for p in partnerships}
    funded = [p for p in partnerships if shown[p.id] is Standing.FUNDED]
    partnerships = [p for p in partnerships if shown[p.id] is not Standing.FUNDED]
    councils = {c for p in partnerships for c in p.council_ids}
    current = {s.id for c in councils for s in register.current_successors(c)}
    blank = {"total_gbp": 0.0, "partnerships": 0, "estimated_gbp": 0.0, "estimated_partnerships": 0}
    savings: dict[str, dict] = {k.value: dict(blank) for k in SavingsKind}
    for p in partnerships + funded:
        for kind in dict.fromkeys(s.kind for s in p.savings):
            total = kind_total(p, kind)
            if total is None:
                continue
            amount, estimate = total
            figures = savings[kind.value]
            figures["estimated_gbp" if estimate else "total_gbp"] += amount
            figures["estimated_partnerships" if estimate else "partnerships"] += 1
    return {
        "partnerships": len(partnerships),
        "by_status": {s.value: sum(v is s for v in shown.values()) for s in Standing},
        "confirmed_running": sum(v is Standing.OPERATIONAL for v in shown.values()),
        "councils_involved": len(councils),
        "current_councils_involved": len(current),
        "savings_by_kind": savings,
        "by_service": _by_service(partnerships),
        "by_region": [
            {"region": r, "partnerships": n}
            for r, n in Counter(primary_region(p, register) for p in partnerships).most_common()
        ],
        "by_start_year": [
            {"year": y, "partnerships": n}
            for y, n in sorted(Counter(p.start.year for p in partnerships if p.start).items())
        ],
        "no_start_date": sum(p.start is None for p in partnerships),
        "freshness_by_nation": freshness_by(shown, partnerships, register, "nation"),
        "freshness_by_council_type": freshness_by(shown, partnerships, register, "type"),
    }
