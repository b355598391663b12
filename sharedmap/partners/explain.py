"""Answers a councillor can question: why not that council, which councils are like ours, and the plain text."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sharedmap.errors import ValidationError
from sharedmap.partners.features import AT_A_DISTANCE, FEATURES, service_group
from sharedmap.partners.model import LearnedModel
from sharedmap.partners.recommend import (
    DEFAULT_TOP,
    PartnerContext,
    Recommendation,
    candidate_table,
    compatible,
    council_for,
    find_partners,
    weights_table,
)

LIKE_YOURS = ("same_type", "size", "deprivation", "rurality")  # what "like yours" means, whatever the distance


@dataclass(frozen=True)
class WhyNot:
    council: str
    other: str
    service: str | None
    rank: int | None  # its place among every candidate; None when it cannot be suggested at all
    of: int
    score: float | None
    answer: str  # one sentence
    compared_with: str  # the suggestion it is measured against (the last of the list shown)
    kept_down: list[dict]  # reasons where it scores less than that one: kind, label, points, theirs, gap, text

    def as_dict(self) -> dict:
        return asdict(self)


def why_not(
    context: PartnerContext,
    council_id: str,
    other_name: str,
    service: str | None,
    model: LearnedModel | None,
    top: int = DEFAULT_TOP,
) -> WhyNot:
    """Where ``other_name`` ranks for the asker, and the reasons that keep it below the last suggestion shown."""
    register = context.register
    asker = register.get(council_id)
    other, _note = council_for(context, other_name)
    if other.id == asker.id:
        raise ValidationError("why-not", other_name, f"that is {asker.name} itself")
    found = find_partners(context, council_id, service, top=None, model=model)
    what = service or "any service"
    sharing = {s.council.id for s in found.already_sharing}
    if other.id in sharing:
        return WhyNot(
            asker.name,
            other.name,
            service,
            None,
            len(found.suggestions),
            None,
            f"{other.name} already shares {what} with {asker.short_name}: it is listed apart, not suggested.",
            "",
            [],
        )
    if not compatible(context, asker, other, service):
        rule = (
            "districts are not suggested for upper-tier services"
            if other.type_code == "NMD" and service
            else "a district pairs with its own county only"
        )
        return WhyNot(
            asker.name,
            other.name,
            service,
            None,
            len(found.suggestions),
            None,
            f"{other.name} is not a natural partner for {what}: {rule}.",
            "",
            [],
        )
    ids = [s.council.id for s in found.suggestions]
    rank = ids.index(other.id) + 1
    mine = found.suggestions[rank - 1]
    bar = found.suggestions[min(top, len(ids)) - 1] if rank > top else found.suggestions[0]
    theirs = {r.kind: r for r in mine.reasons}
    best = {r.kind: r for r in bar.reasons}
    kept: list[dict[str, Any]] = []
    for kind in dict.fromkeys([*best, *theirs]):
        own, bars = (theirs[kind].points if kind in theirs else 0.0), (best[kind].points if kind in best else 0.0)
        gap = round(bars - own, 2)
        if gap > 0:
            label = FEATURES[kind].label if kind in FEATURES else kind
            kept.append(
                {
                    "kind": kind,
                    "label": label,
                    "points": own,
                    "theirs": bars,
                    "gap": gap,
                    "text": theirs[kind].text if kind in theirs else "does not apply",
                }
            )
    kept.sort(key=lambda row: -row["gap"])
    answer = f"{other.name} ranks {rank} of {len(ids)} for {what} (score {mine.score:.2f}), "
    if rank == 1:
        answer += "first: nothing keeps it down."
    elif rank <= top:
        answer += f"in the top {top}; {bar.council.name}, first, scores {bar.score:.2f}."
    else:
        answer += f"outside the top {top}; {bar.council.name}, the last shown, scores {bar.score:.2f}."
    return WhyNot(asker.name, other.name, service, rank, len(ids), mine.score, answer, bar.council.name, kept)


def shared_at_a_distance(service: str | None) -> bool:
    """Services that need no shared roads (back office), or none chosen: worth a list regardless of distance."""
    return service is None or service_group(service) == AT_A_DISTANCE


def councils_like_yours(
    context: PartnerContext, council_id: str, service: str | None, top: int = DEFAULT_TOP
) -> list[dict]:
    """Councils most like the asker by type, size, deprivation and rurality, however far away (each 0-1, added)."""
    _sharing, candidates = candidate_table(context, council_id, service)
    rows: list[dict[str, Any]] = []
    for c in candidates:
        values = c.facts.values
        likeness = round(sum(values[k] for k in LIKE_YOURS), 2)
        rows.append(
            {
                "gss": c.gss,
                "name": c.council.name,
                "id": c.council.id,
                "likeness": likeness,
                "distance_km": round(c.distance_km, 1),
                "reasons": [
                    {"kind": k, "text": c.facts.texts[k], "value": values[k]} for k in LIKE_YOURS if values[k] > 0
                ],
            }
        )
    rows.sort(key=lambda row: (-row["likeness"], row["name"]))
    return rows[:top]


def format_recommendation(found: Recommendation, like_yours: list[dict] | None = None) -> str:
    """The plain-text answer: who to call first, each reason with its points against the average candidate (what
    sets this council apart), then how the score works."""
    what = found.service or "any service"
    lines = [f"Partners for {found.council.name} ({found.gss}): {what}, councils of {found.year}"]
    if found.note:
        lines.append(f"Note: {found.note}")
    if found.already_sharing:
        lines.append("Already sharing " + ("this service" if found.service else "services") + " with you:")
        lines += [f"  {s.council.name}: " + "; ".join(p.name for p in s.partnerships) for s in found.already_sharing]
    lines.append("Suggestions:")
    for number, suggestion in enumerate(found.suggestions, 1):
        lines.append(f"{number:>3}. {suggestion.council.name} ({suggestion.gss})  score {suggestion.score:.2f}")
        lines += [f"        {reason.relative:+.2f}  {reason.text}" for reason in suggestion.reasons]
    if like_yours:
        lines.append("Councils like yours (type, size, deprivation, rurality; any distance):")
        lines += [
            f"  {row['name']} ({row['distance_km']:.0f} km)  likeness {row['likeness']:.2f}: "
            + "; ".join(r["text"] for r in row["reasons"])
            for row in like_yours
        ]
    if found.model:
        lines.append(
            f"How the score works (learned from {found.model.partnerships} partnerships, fitted "
            f"{found.model.trained_on}; points per unit of each reason, for {what}):"
        )
    else:
        lines.append("How the score works (hand-set points per reason, added up):")
    lines += [f"  {w['points']:>+5.2f}  {w['label']}: {w['why']}" for w in weights_table(found.model, found.service)]
    return "\n".join(lines)


def format_why_not(answer: WhyNot) -> str:
    lines = [answer.answer]
    if answer.kept_down:
        lines.append(f"What keeps it below {answer.compared_with} (points: it / {answer.compared_with}):")
        lines += [
            f"  {row['label']}: {row['points']:+.2f} / {row['theirs']:+.2f} ({row['text']})" for row in answer.kept_down
        ]
    return "\n".join(lines)
