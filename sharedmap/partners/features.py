"""What find-a-partner knows about a (council, candidate, service, year): one number per reason, with its evidence.

The learned model weighs these numbers; the same numbers, times its weights, are the points a councillor sees.
Every feature is 0 when it does not apply, so a reason that does not apply adds nothing and is not listed.
"""

from __future__ import annotations

import csv
import functools
import math
from dataclasses import dataclass, field

from sharedmap import sources
from sharedmap.partnerships import Partnership, Status, group_of
from sharedmap.register import Council

NEAR_RANGE_KM = 60.0  # "near" falls from 1 at 0 km to 0 at this distance between centres
SIZE_RANGE = 4.0  # "similar size" falls from 1 for equal populations to 0 when one is this many times the other
RURALITY = ("Urban", "Urban with rural areas", "Rural", "Sparse and rural")  # mySociety's classes, in order

# The model's groups of services, from the map's (``partnerships.SERVICE_GROUPS``): it learns a group's own weights
# where the data has enough of it.
MODEL_GROUPS: dict[str, str] = {
    "Shared management": "management",
    "Corporate services": "back office",
    "Revenues, benefits and fraud": "back office",
    "Place and regulation": "place",
    "Culture and records": "place",
    "People's services": "people",
}
AT_A_DISTANCE = "back office"  # the group whose services need no shared roads: "councils like yours" is shown for it


@dataclass(frozen=True)
class Feature:
    label: str
    why: str


FEATURES: dict[str, Feature] = {
    "partner": Feature("already a partner of yours", "It shares (or shared) another service with you."),
    "neighbour": Feature("shares a boundary", "Councils next door share roads, residents and firms."),
    "border": Feature("long common border", "Points grow with the length of the shared border (log of km)."),
    "near": Feature("near", f"1 at 0 km between centres, falling to 0 at {NEAR_RANGE_KM:.0f} km."),
    "county": Feature("same county", "Districts of one county and their county council work county-wide already."),
    "combined_authority": Feature("same combined authority", "Members plan and commission together."),
    "region": Feature("same region", "The same English region (or the same nation outside England)."),
    "nation": Feature("same nation", "The same nation: the same laws, funding and national bodies."),
    "same_type": Feature("same type of council", "It runs the same set of services."),
    "size": Feature("similar population", f"1 for equal populations, 0 when one is {SIZE_RANGE:.0f}× the other."),
    "deprivation": Feature("similar deprivation", "1 for the same deprivation quintile, 0 for opposite ends."),
    "rurality": Feature("similar rurality", "1 for the same rural–urban class, 0 for urban against sparse."),
    "experienced": Feature("already shares this service", "It shares this service with other councils already."),
    "active": Feature("already shares services", "It shares some service with other councils already."),
}
FEATURE_NAMES = tuple(FEATURES)


def service_group(service: str | None) -> str | None:
    return MODEL_GROUPS.get(group_of(service)) if service else None


@dataclass(frozen=True)
class Labels:
    """mySociety's deprivation quintile (1 = most deprived) and rural–urban class (0 = urban) of a council."""

    imd: int | None
    rural: int | None
    imd_text: str = ""
    rural_text: str = ""


@functools.lru_cache(maxsize=1)
def load_labels() -> dict[str, Labels]:
    """Council id → its similarity labels, from the manifest's ``similarity-labels`` file."""
    found = {}
    with open(sources.source_path("similarity-labels"), encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            imd_text, rural_text = row.get("imd_quintile", "").strip(), row.get("rural_urban", "").strip()
            imd = int(imd_text[0]) if imd_text[:1].isdigit() else None
            rural = RURALITY.index(rural_text) if rural_text in RURALITY else None
            found[row["local-authority-code"].strip()] = Labels(imd, rural, imd_text, rural_text)
    return found


@dataclass
class Facts:
    """One candidate's features and the evidence behind each, for one asker and service."""

    values: dict[str, float]
    evidence: dict[str, dict] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)


def candidate_facts(
    asker: Council,
    candidate: Council,
    *,
    distance_km: float,
    border_km: float,
    neighbour: bool,
    county: str | None,
    authority: str | None,
    partnered: list[Partnership],
    running: list[Partnership],
    active: list[Partnership],
    service: str | None,
) -> Facts:
    """The features of one candidate; ``county`` and ``authority`` are the shared county's or combined
    authority's text when there is one, ``partnered`` the asker's partnerships with it, ``running`` its live
    partnerships in this service without the asker, ``active`` those in any service."""
    labels = load_labels()
    values = dict.fromkeys(FEATURE_NAMES, 0.0)
    facts = Facts(values)

    def put(name: str, value: float, text: str, evidence: dict | None = None) -> None:
        values[name] = round(float(value), 4)
        facts.texts[name] = text
        facts.evidence[name] = evidence or {}

    if partnered:
        put(
            "partner",
            1,
            "already shares with you: "
            + "; ".join(
                f"{p.name} ({', '.join(p.services)}"
                + (f", ended {p.end.year}" if p.status is Status.ENDED and p.end else "")
                + ")"
                for p in partnered
            ),
            {"partnerships": [p.id for p in partnered]},
        )
    if neighbour:
        put("neighbour", 1, f"shares a boundary with {asker.short_name}")
        put("border", math.log1p(border_km), f"{border_km:.0f} km of common border", {"km": round(border_km, 1)})
    put(
        "near",
        max(0.0, 1 - distance_km / NEAR_RANGE_KM),
        f"{distance_km:.0f} km between centres",
        {"km": round(distance_km, 1)},
    )
    if county:
        put("county", 1, county, {"county": county})
    if authority:
        put("combined_authority", 1, f"also in {authority}", {"authority": authority})
    if asker.region and asker.region == candidate.region:
        put("region", 1, f"also in {candidate.region}", {"region": candidate.region})
    if asker.nation and asker.nation == candidate.nation:
        put("nation", 1, f"also in {candidate.nation}", {"nation": candidate.nation})
    if asker.type_code == candidate.type_code:
        put("same_type", 1, f"also a {candidate.type}", {"type": candidate.type})
    if asker.population and candidate.population:
        ratio = max(asker.population, candidate.population) / min(asker.population, candidate.population)
        similar = max(0.0, 1 - math.log(ratio) / math.log(SIZE_RANGE))
        if similar > 0:
            put(
                "size",
                similar,
                f"population {candidate.population:,} against {asker.short_name}'s {asker.population:,} (2020)",
                {"population": candidate.population, "yours": asker.population},
            )
    mine, theirs = labels.get(asker.id), labels.get(candidate.id)
    if mine and theirs and mine.imd is not None and theirs.imd is not None:
        similar = 1 - abs(mine.imd - theirs.imd) / 4
        if similar > 0:
            put(
                "deprivation",
                similar,
                f"deprivation: {theirs.imd_text} (yours: {mine.imd_text})",
                {"quintile": theirs.imd, "yours": mine.imd},
            )
    if mine and theirs and mine.rural is not None and theirs.rural is not None:
        similar = 1 - abs(mine.rural - theirs.rural) / 3
        if similar > 0:
            put(
                "rurality",
                similar,
                f"rural–urban class {theirs.rural_text} (yours: {mine.rural_text})",
                {"class": theirs.rural_text, "yours": mine.rural_text},
            )
    if running and service:  # with no service chosen this is "active" below, counted once
        put(
            "experienced",
            1,
            f"already shares {service}: " + "; ".join(p.name for p in running),
            {"partnerships": [p.id for p in running]},
        )
    if active:
        put(
            "active",
            1,
            "already shares services: " + "; ".join(p.name for p in active),
            {"partnerships": [p.id for p in active]},
        )
    return facts
