"""National totals that the Statistics page and `python -m sharedmap summary` both show.

Savings of different kinds (annual, cumulative, target) are never added together, and one-off funding and
combined spend are reported apart from savings: that is how the sources state them.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from sharedmap.partnerships import Partnership, SavingsKind, Status
from sharedmap.register import Register


def headline_by_kind(p: Partnership) -> dict[SavingsKind, float]:
    """One figure per kind: the partnership-wide figure listed first, else the sum of council shares."""
    result: dict[SavingsKind, float] = {}
    for kind in SavingsKind:
        entries = [s for s in p.savings if s.kind is kind]
        totals = [s.amount_gbp for s in entries if s.council_id is None]
        if totals:
            result[kind] = totals[0]
        elif entries:
            result[kind] = sum(s.amount_gbp for s in entries)
    return result


def primary_region(p: Partnership, register: Register) -> str:
    """The region (or nation) of the first-named council, as the research table counts them."""
    council = register.get(p.council_ids[0])
    return council.region or council.nation or "Unknown"


def national_summary(partnerships: list[Partnership], register: Register) -> dict:
    councils = {c for p in partnerships for c in p.council_ids}
    current = {s.id for c in councils for s in register.current_successors(c)}
    savings: dict[str, dict] = {k.value: {"total_gbp": 0.0, "partnerships": 0} for k in SavingsKind}
    by_service: Counter[str] = Counter()
    annual_by_service: defaultdict[str, float] = defaultdict(float)
    for p in partnerships:
        headline = headline_by_kind(p)
        for kind, amount in headline.items():
            savings[kind.value]["total_gbp"] += amount
            savings[kind.value]["partnerships"] += 1
        for service in p.services:
            by_service[service] += 1
            annual_by_service[service] += headline.get(SavingsKind.ANNUAL, 0.0)
    return {
        "partnerships": len(partnerships),
        "by_status": {s.value: sum(p.status is s for p in partnerships) for s in Status},
        "councils_involved": len(councils),
        "current_councils_involved": len(current),
        "savings_by_kind": savings,
        "by_service": [
            {"service": s, "partnerships": n, "annual_savings_gbp": annual_by_service[s]}
            for s, n in by_service.most_common()
        ],
        "by_region": [{"region": r, "partnerships": n} for r, n in
                      Counter(primary_region(p, register) for p in partnerships).most_common()],
        "by_start_year": [{"year": y, "partnerships": n} for y, n in
                          sorted(Counter(p.start.year for p in partnerships if p.start).items())],
        "no_start_date": sum(p.start is None for p in partnerships),
    }
