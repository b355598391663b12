"""Find a partner: a ranked list of councils to share a service with, each with the reasons and their evidence.

The score is a plain sum of points, one per reason, so a councillor can see and repeat why a council is on the list.
The points come from the learned model (``sharedmap.partners.model``) when one is given, else from the hand-set
``WEIGHTS`` (kept as the backtest's yardstick). Councils already sharing the service with the asker are listed
apart, not suggested.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz, process, utils

from sharedmap.errors import ValidationError
from sharedmap.freshness import standing_text
from sharedmap.parsing import parse_services
from sharedmap.partners.context import (
    LATEST_YEAR,
    PartnerContext,
    build_context,
    compatible,
    council_for,
    county_text,
)
from sharedmap.partners.features import FEATURES, NEAR_RANGE_KM, Facts, candidate_facts
from sharedmap.partners.model import LearnedModel
from sharedmap.partnerships import SERVICES, Partnership, Status, savings_text
from sharedmap.register import Council, Register
from sharedmap.spatial.neighbours import TOUCH_TOLERANCE_M

SIMILAR_POPULATION_RATIO = 1.5  # "similar population": the larger is at most this many times the smaller
DEFAULT_TOP = 10


@dataclass(frozen=True)
class Weight:
    points: float
    label: str
    why: str


WEIGHTS: dict[str, Weight] = {
    "partner": Weight(
        3.0,
        "already a partner of yours",
        "It already shares another service with you: the trust, contacts and governance exist.",
    ),
    "neighbour": Weight(
        3.0,
        "shares a boundary",
        "Services are easiest to share across a common border: the same roads, residents and firms.",
    ),
    "county": Weight(
        2.0,
        "same county",
        "Districts of one county, and their county council, already work to county-wide arrangements.",
    ),
    "combined_authority": Weight(
        1.0, "same combined authority", "Members of a combined authority already plan and commission together."
    ),
    "similar": Weight(
        1.0,
        "same type, similar population",
        "A council of the same type and size runs the same services at a similar scale.",
    ),
    "near": Weight(
        2.0,
        "near",
        f"Full points at 0 km, falling to none at {NEAR_RANGE_KM:.0f} km between centres: shared staff "
        "and vans travel less.",
    ),
    "experienced": Weight(
        0.5,
        "already runs a shared service",
        "It already shares this service with others: a team and a contract you could join (a weak "
        "sign it wants you, hence half a point).",
    ),
}


@dataclass(frozen=True)
class Reason:
    kind: str  # a key of WEIGHTS
    text: str
    points: float
    evidence: dict = field(default_factory=dict)
    relative: float = 0.0  # points against the average candidate of the same question: a trait all share counts 0


@dataclass(frozen=True)
class Suggestion:
    council: Council
    gss: str  # the council's area code in the chosen year
    name: str
    score: float
    distance_km: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Sharing:
    """A council already sharing the service with the asker, and through which partnerships."""

    council: Council
    gss: str
    name: str
    partnerships: tuple[Partnership, ...]
    evidence: tuple[dict, ...]  # each partnership as ``partnership_evidence`` gives it


@dataclass(frozen=True)
class Recommendation:
    council: Council
    gss: str
    year: int
    service: str | None
    suggestions: list[Suggestion]
    already_sharing: list[Sharing]
    note: str = ""  # e.g. "Forest Heath District Council is now part of West Suffolk Council"
    model: LearnedModel | None = None  # None: the hand-set weights

    def as_dict(self) -> dict:
        """The JSON shape of the command line and downloads."""
        return {
            "council": {"gss": self.gss, "name": self.council.name, "id": self.council.id},
            "service": self.service,
            "year": self.year,
            "note": self.note,
            "suggestions": [
                {
                    "gss": s.gss,
                    "name": s.council.name,
                    "id": s.council.id,
                    "score": s.score,
                    "distance_km": round(s.distance_km, 1),
                    "reasons": [
                        {
                            "kind": r.kind,
                            "text": r.text,
                            "points": r.points,
                            "against_average": r.relative,
                            "evidence": r.evidence,
                        }
                        for r in s.reasons
                    ],
                }
                for s in self.suggestions
            ],
            "already_sharing": [
                {"gss": s.gss, "name": s.council.name, "id": s.council.id, "partnerships": list(s.evidence)}
                for s in self.already_sharing
            ],
            "weights": weights_table(self.model, self.service),
            "scoring": "learned" if self.model else "hand weights",
            "model": self.model.summary() if self.model else None,
        }


@dataclass(frozen=True)
class Candidate:
    """A council that could be suggested, with what the learned model reads about it."""

    council: Council
    gss: str
    distance_km: float
    facts: Facts


def weights_table(model: LearnedModel | None = None, service: str | None = None) -> list[dict]:
    """The weights as rows (kind, points, label, why), for the page, the CLI and the JSON output: the learned
    model's points per unit of each feature for the service when there is a model, else the hand weights."""
    if model is None:
        return [{"kind": kind, "points": w.points, "label": w.label, "why": w.why} for kind, w in WEIGHTS.items()]
    weights = model.weights_for(service)
    return [
        {"kind": kind, "points": round(weights[kind], 2), "label": f.label, "why": f.why}
        for kind, f in FEATURES.items()
    ]


def partnership_evidence(p: Partnership, register: Register) -> dict:
    return {
        "id": p.id,
        "name": p.name,
        "services": list(p.services),
        "status": standing_text(p),
        "savings": saving_figures(p, register),
    }


def saving_figures(p: Partnership, register: Register) -> str:
    """The partnership's savings figures (not funding or spend), each with its scope (``savings_text``)."""
    return "; ".join(savings_text(s, register) for s in p.savings if s.kind.is_saving)


def resolve_service(text: str | None) -> str | None:
    """A service as uploads read it (any case, the synonyms: "IT", "payroll", "archives"); ValidationError with the
    closest otherwise."""
    if text is None or not text.strip():
        return None
    read, errors = parse_services(text)
    if len(read) == 1 and not errors:
        return read[0]
    close = [
        name
        for name, _score, _i in process.extract(
            text, SERVICES, processor=utils.default_process, scorer=fuzz.ratio, limit=3
        )
    ]
    raise ValidationError(
        "service",
        text,
        f"not a service of the vocabulary; did you mean {', '.join(close)}? All services: {', '.join(SERVICES)}",
        close,
    )


def relations(
    context: PartnerContext, asker: Council, service: str | None, ignore: frozenset[str]
) -> tuple[dict[str, list[Partnership]], dict[str, list[Partnership]]]:
    """Who already shares ``service`` (any when None) with the asker, and who shares something else or did."""
    sharing: dict[str, list[Partnership]] = {}
    partnered: dict[str, list[Partnership]] = {}
    for p in context.by_council.get(asker.id, ()):
        if p.id in ignore:
            continue
        live = context.running(p) and (service is None or service in p.services)
        for other in context.members[p.id] - {asker.id}:
            (sharing if live else partnered).setdefault(other, []).append(p)
    return sharing, partnered


def candidate_table(
    context: PartnerContext, council_id: str, service: str | None, ignore: frozenset[str] = frozenset()
) -> tuple[dict[str, list[Partnership]], list[Candidate]]:
    """Those already sharing the service with the asker, and every other council it could be offered, with the
    features the learned model reads (``ignore``: partnerships left out of the evidence)."""
    register, areas = context.register, context.areas
    asker = register.get(council_id)
    own_code = context.places[asker.id]
    sharing, partnered = relations(context, asker, service, ignore)
    found = []
    for candidate_id, code in context.places.items():
        candidate = register.get(candidate_id)
        if candidate_id == asker.id or candidate_id in sharing or not compatible(context, asker, candidate, service):
            continue
        live = [
            p
            for p in context.by_council.get(candidate_id, ())
            if p.id not in ignore
            and context.running(p)
            and asker.id not in context.members[p.id]
            and len(context.members[p.id]) > 1
        ]
        county = county_text(context, asker, candidate)
        authority = None
        if asker.combined_authority and asker.combined_authority == candidate.combined_authority:
            known = register.councils.get(asker.combined_authority)
            authority = known.name if known else asker.combined_authority
        distance = areas.distance_km(own_code, code)
        facts = candidate_facts(
            asker,
            candidate,
            distance_km=distance,
            border_km=areas.border_km(own_code, code),
            neighbour=code in areas.neighbours[own_code],
            county=county[0] if county else None,
            authority=authority,
            partnered=partnered.get(candidate_id, []),
            running=[p for p in live if service is None or service in p.services],
            active=live,
            service=service,
        )
        found.append(Candidate(candidate, code, distance, facts))
    return sharing, found


def learned_reasons(
    context: PartnerContext, candidate: Candidate, model: LearnedModel, service: str | None
) -> tuple[Reason, ...]:
    """The reasons that apply, each worth its feature's value times the model's weight for the service."""
    points = model.points(candidate.facts.values, service)
    reasons = []
    for kind, text in candidate.facts.texts.items():
        evidence = dict(candidate.facts.evidence.get(kind, {}))
        if "partnerships" in evidence:
            evidence["partnerships"] = [
                partnership_evidence(context.partnerships[pid], context.register) for pid in evidence["partnerships"]
            ]
        reasons.append(Reason(kind, text, points[kind], evidence))
    return tuple(sorted(reasons, key=lambda r: -abs(r.points)))


def find_partners(
    context: PartnerContext,
    council_id: str,
    service: str | None = None,
    top: int | None = DEFAULT_TOP,
    ignore: frozenset[str] = frozenset(),
    note: str = "",
    model: LearnedModel | None = None,
) -> Recommendation:
    """Rank the councils of the context's year as partners for ``council_id`` in ``service`` (any when None),
    by the learned ``model`` or, without one, by the hand weights.

    Partnerships in ``ignore`` are left out of the evidence (the backtest hides the one it tests).
    ``top=None`` ranks every candidate.
    """
    register = context.register
    asker = register.get(council_id)
    sharing, candidates = candidate_table(context, council_id, service, ignore)
    _sharing, partnered = relations(context, asker, service, ignore)
    suggestions = []
    for candidate in candidates:
        if model is None:
            reasons = tuple(
                candidate_reasons(
                    context, asker, candidate.council, service, partnered.get(candidate.council.id, []), ignore
                )
            )
        else:
            reasons = learned_reasons(context, candidate, model, service)
        score = round(sum(r.points for r in reasons), 2)
        suggestions.append(
            Suggestion(
                candidate.council,
                candidate.gss,
                context.areas.names[candidate.gss],
                score,
                candidate.distance_km,
                reasons,
            )
        )
    suggestions = against_the_field(suggestions)
    suggestions.sort(key=lambda s: (-s.score, s.distance_km, s.name))
    already = [
        Sharing(
            register.get(cid),
            context.places[cid],
            context.areas.names[context.places[cid]],
            tuple(ps),
            tuple(partnership_evidence(p, register) for p in ps),
        )
        for cid, ps in sharing.items()
    ]
    already.sort(key=lambda s: s.name)
    return Recommendation(
        asker,
        context.places[asker.id],
        context.year,
        service,
        suggestions if top is None else suggestions[:top],
        already,
        note,
        model,
    )


def against_the_field(suggestions: list[Suggestion]) -> list[Suggestion]:
    """Each reason's points less the average candidate's for that reason (a candidate without it counts 0), so
    the list says why this council beats the others: "also in England" is worth about nothing when nearly every
    candidate is. The score, and so the order, is unchanged."""
    if not suggestions:
        return suggestions
    totals: dict[str, float] = {}
    for s in suggestions:
        for r in s.reasons:
            totals[r.kind] = totals.get(r.kind, 0.0) + r.points
    mean = {kind: total / len(suggestions) for kind, total in totals.items()}
    return [
        replace(
            s,
            reasons=tuple(
                sorted(
                    (replace(r, relative=round(r.points - mean[r.kind], 2) + 0.0) for r in s.reasons),
                    key=lambda r: -r.relative,
                )
            ),
        )
        for s in suggestions
    ]


def recommend(
    name: str,
    partnerships: Iterable[Partnership],
    register: Register,
    service: str | None = None,
    top: int = DEFAULT_TOP,
    year: int = LATEST_YEAR,
    model: LearnedModel | None = None,
) -> Recommendation:
    """Suggestions for a council named as people write it (any spelling the register resolves)."""
    context = build_context(partnerships, register, year)
    council, note = council_for(context, name)
    return find_partners(context, council.id, resolve_service(service), top, note=note, model=model)


def candidate_reasons(
    context: PartnerContext,
    asker: Council,
    candidate: Council,
    service: str | None,
    partnered: list[Partnership],
    ignore: frozenset[str],
) -> list[Reason]:
    """Every reason this candidate suits the asker, each worth its weight's points."""
    reasons = []
    if partnered:
        reasons.append(_partner_reason(partnered, context.register))
    own_code, code = context.places[asker.id], context.places[candidate.id]
    if code in context.areas.neighbours[own_code]:
        reasons.append(
            _reason(
                "neighbour",
                f"shares a boundary with {asker.short_name}",
                {"year": context.year, "tolerance_m": TOUCH_TOLERANCE_M},
            )
        )
    county = county_text(context, asker, candidate)
    if county:
        reasons.append(_reason("county", county[0], {"county": county[1]}))
    if asker.combined_authority and asker.combined_authority == candidate.combined_authority:
        authority = context.register.councils.get(asker.combined_authority)
        authority_name = authority.name if authority else asker.combined_authority
        reasons.append(_reason("combined_authority", f"also in {authority_name}", {"authority": authority_name}))
    if _similar(asker, candidate):
        reasons.append(
            _reason(
                "similar",
                f"also a {candidate.type}, population {candidate.population:,} against "
                f"{asker.short_name}'s {asker.population:,} (2020)",
                {"type": candidate.type, "population": candidate.population, "your_population": asker.population},
            )
        )
    distance = context.areas.distance_km(own_code, code)
    near = WEIGHTS["near"].points * max(0.0, 1 - distance / NEAR_RANGE_KM)
    reasons.append(Reason("near", f"{distance:.0f} km between centres", round(near, 2), {"km": round(distance, 1)}))
    running = [
        p
        for p in context.by_council.get(candidate.id, ())
        if p.id not in ignore
        and context.running(p)
        and (service is None or service in p.services)
        and asker.id not in context.members[p.id]
        and len(context.members[p.id]) > 1
    ]
    if running:
        reasons.append(_experienced_reason(context, candidate, running, service))
    return reasons


def _reason(kind: str, text: str, evidence: dict) -> Reason:
    return Reason(kind, text, WEIGHTS[kind].points, evidence)


def _partner_reason(partnered: list[Partnership], register: Register) -> Reason:
    parts = []
    for p in partnered:
        ended = f", ended {p.end.year}" if p.status is Status.ENDED and p.end else ""
        parts.append(f"{p.name} ({', '.join(p.services)}{ended})")
    return _reason(
        "partner",
        "already shares with you: " + "; ".join(parts),
        {"partnerships": [partnership_evidence(p, register) for p in partnered]},
    )


def _experienced_reason(
    context: PartnerContext, candidate: Council, running: list[Partnership], service: str | None
) -> Reason:
    parts = []
    for p in running:
        others = sorted(context.register.get(cid).short_name for cid in context.members[p.id] - {candidate.id})
        savings = saving_figures(p, context.register)
        parts.append(f"{p.name} with {', '.join(others)}" + (f" ({savings})" if savings else ""))
    what = f"already shares {service}" if service else "already shares services"
    return _reason(
        "experienced",
        f"{what}: " + "; ".join(parts),
        {"partnerships": [partnership_evidence(p, context.register) for p in running]},
    )


def _similar(asker: Council, candidate: Council) -> bool:
    if asker.type_code != candidate.type_code or not asker.population or not candidate.population:
        return False
    low, high = sorted((asker.population, candidate.population))
    return high <= SIMILAR_POPULATION_RATIO * low
