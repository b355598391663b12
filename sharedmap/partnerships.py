"""The partnership model: who shares what, since when, saving how much, according to which source."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sharedmap.register import Register

SERVICES: tuple[str, ...] = (
    "ICT",
    "Procurement",
    "Legal",
    "HR",
    "Finance",
    "Revenues and benefits",
    "Management team",
    "Waste",
    "Building control",
    "Planning",
    "Regulatory services",
    "Audit",
    "Fraud",
    "Children's services",
    "Adult social care",
    "Education",
    "Economic development",
    "Property and assets",
    "Customer services",
    "Environmental health",
    "Trading standards",
    "Licensing",
    "Emergency planning",
    "Archives and records",
    "Pensions",
    "Valuation",
    "CCTV",
    "Housing",
    "Parking",
    "Leisure and culture",
    "Transport",
    "Highways",
    "Democratic services",
    "Communications",
    "Public health",
    "Community safety and justice",
    "Police and fire",
    "Coroners",
    "Bereavement services",
    "Flood and coastal",
    "Parks and grounds",
    "Other",
)

# Services by how they are delivered: the map colours a partnership's line by its first service's group, and
# find-a-partner learns a group's own weights. One home, so both agree on where each service belongs.
SERVICE_GROUPS: dict[str, tuple[str, ...]] = {
    "Shared management": ("Management team",),
    "Corporate services": (
        "ICT",
        "HR",
        "Finance",
        "Procurement",
        "Legal",
        "Audit",
        "Customer services",
        "Property and assets",
        "Pensions",
        "Democratic services",
        "Communications",
    ),
    "Revenues, benefits and fraud": ("Revenues and benefits", "Fraud", "Valuation"),
    "Place and regulation": (
        "Waste",
        "Regulatory services",
        "Environmental health",
        "Trading standards",
        "Licensing",
        "Planning",
        "Building control",
        "Economic development",
        "Housing",
        "Parking",
        "Highways",
        "Transport",
        "CCTV",
        "Emergency planning",
        "Police and fire",
        "Coroners",
        "Bereavement services",
        "Flood and coastal",
        "Parks and grounds",
    ),
    "People's services": (
        "Children's services",
        "Adult social care",
        "Education",
        "Public health",
        "Community safety and justice",
    ),
    "Culture and records": ("Archives and records", "Leisure and culture"),
    "Other": ("Other",),
}


def group_of(service: str) -> str:
    """The group of one service ("Other" for a service in no group)."""
    return next((group for group, members in SERVICE_GROUPS.items() if service in members), "Other")


class Status(StrEnum):
    OPERATIONAL = "operational"
    PLANNED = "planned"
    ENDED = "ended"
    FUNDED = "funded"  # a grant was awarded to form it; no evidence that it formed: never drawn as a partnership


class SavingsKind(StrEnum):
    ANNUAL = "annual"
    CUMULATIVE = "cumulative"
    TARGET = "target"
    ONE_OFF_FUNDING = "one-off funding"
    COMBINED_SPEND = "combined spend"

    @property
    def is_saving(self) -> bool:
        """Funding awards and combined spend are money figures, but not savings: never add them to savings."""
        return self in (SavingsKind.ANNUAL, SavingsKind.CUMULATIVE, SavingsKind.TARGET)


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the year, month or day, as sources give them ("2020", "July 2020", "27/06/2012")."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def iso(self) -> str:
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def __str__(self) -> str:
        return self.iso()


class SavingsScope(StrEnum):
    """What a figure covers: the partnership as a whole, each member council alike, or one named council."""

    PARTNERSHIP = "whole partnership"
    EACH = "each council"
    COUNCIL = "one council"


@dataclass(frozen=True)
class Savings:
    """One money figure about a partnership, with its kind, period and scope; ``council_id`` names the council of a
    one-council figure (giving it is enough: the scope follows)."""

    amount_gbp: float
    kind: SavingsKind
    period: str = ""
    council_id: str | None = None
    estimate: bool = False
    scope: SavingsScope = SavingsScope.PARTNERSHIP

    def __post_init__(self) -> None:
        if self.council_id and self.scope is not SavingsScope.COUNCIL:
            object.__setattr__(self, "scope", SavingsScope.COUNCIL)
        elif not self.council_id and self.scope is SavingsScope.COUNCIL:
            raise ValueError("a one-council figure needs its council_id")


@dataclass(frozen=True)
class Partnership:
    id: str
    name: str
    council_ids: tuple[str, ...]
    services: tuple[str, ...]
    status: Status
    other_partners: tuple[str, ...] = ()
    start: PartialDate | None = None
    end: PartialDate | None = None
    savings: tuple[Savings, ...] = ()
    description: str = ""
    source_urls: tuple[str, ...] = ()
    source_title: str = ""
    source_date: PartialDate | None = None  # the figures are as at this date (the status too, without newer evidence)
    notes: str = ""
    verified_on: PartialDate | None = None  # when a person last checked the row against its source
    evidence: str = ""  # where in the source the councils, figure and status are stated
    # The status is its own claim: the newest public evidence of it, which may be years newer than the figures'.
    status_source_url: str = ""
    status_source_date: PartialDate | None = None
    status_evidence: str = ""
    # A council's own confirmation of the status (its register id): the evidence is the council's word, maybe unlinked.
    status_confirmed_by: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def partner_count(self) -> int:
        return len(self.council_ids) + len(self.other_partners)

    def with_changes(self, **changes) -> Partnership:
        return replace(self, **changes)


def savings_text(s: Savings, names: Mapping[str, str] | Register | None = None, explicit: bool = False) -> str:
    """The one way a figure is written, and read back by ``parsing.parse_savings_entry``: "£600,000 annual 2020/21",
    "£10m annual for each council", "£208,000 annual 2023/24 (City of York Council)", "… (estimate)".
    ``names`` turns a council id into its name (a register or a dict); without it the id is written. ``explicit``
    also names the default scope ("for the whole partnership"), as the panel and tooltips do."""
    parts = [format_gbp(s.amount_gbp), s.kind.value]
    if s.period:
        parts.append(s.period)
    if s.scope is SavingsScope.EACH:
        parts.append("for each council")
    elif s.scope is SavingsScope.PARTNERSHIP and explicit:
        parts.append("for the whole partnership")
    text = " ".join(parts)
    if s.council_id:
        text += f" ({council_name(s.council_id, names)})"
    return text + (" (estimate)" if s.estimate else "")


def council_name(council_id: str, names: Mapping[str, str] | Register | None) -> str:
    """A council's name from a register or a dict of id → name; its id when neither knows it."""
    if names is None:
        return council_id
    if isinstance(names, Mapping):
        return names.get(council_id) or council_id
    council = names.councils.get(council_id)
    return council.name if council else council_id


def savings_labels(
    p: Partnership, names: Mapping[str, str] | Register | None = None, explicit: bool = False
) -> list[str]:
    """Every savings figure of a partnership as text (``savings_text``), a council's share naming its council."""
    return [savings_text(s, names, explicit) for s in p.savings]


def kind_total(p: Partnership, kind: SavingsKind) -> tuple[float, bool] | None:
    """The partnership's figure of one kind, and whether it is an estimate: its first whole-partnership figure;
    else a figure for each council times the members; else the sum of the councils' own figures. Kinds are never
    added together."""
    entries = [s for s in p.savings if s.kind is kind]
    if not entries:
        return None
    for s in entries:
        if s.scope is SavingsScope.PARTNERSHIP:
            return s.amount_gbp, s.estimate
    for s in entries:
        if s.scope is SavingsScope.EACH:
            return s.amount_gbp * len(p.council_ids), s.estimate
    shares = {s.council_id: s for s in entries}  # a council named twice counts once: its first figure
    return sum(s.amount_gbp for s in shares.values()), any(s.estimate for s in shares.values())


def headline_by_kind(p: Partnership) -> dict[SavingsKind, float]:
    """One figure per kind (``kind_total``), in the order the kinds first appear."""
    kinds = dict.fromkeys(s.kind for s in p.savings)
    return {kind: total[0] for kind in kinds if (total := kind_total(p, kind)) is not None}


def headline_saving(p: Partnership) -> tuple[float, SavingsKind] | None:
    """The partnership's figure of the first-listed kind that is a saving (funding and spend are not savings):
    what a line's width, the minimum-saving filter and the export's headline column show, with its kind."""
    for kind, amount in headline_by_kind(p).items():
        if kind.is_saving:
            return amount, kind
    return None


def date_text(d: PartialDate | None) -> str:
    """ "27 June 2012", "July 2020", "2021" or "unknown": dates as the panel and downloads write them."""
    if d is None:
        return "unknown"
    if d.month and d.day:
        return f"{d.day} {calendar.month_name[d.month]} {d.year}"
    return f"{calendar.month_name[d.month]} {d.year}" if d.month else str(d.year)


def format_gbp(amount: float) -> str:
    """£600,000, £15.4m, £1.34bn: the way council reports write money."""
    if amount >= 1e9:
        return f"£{amount / 1e9:,.2f}bn".replace(".00bn", "bn")
    if amount >= 1e6:
        text = f"{amount / 1e6:,.2f}".rstrip("0").rstrip(".")
        return f"£{text}m"
    return f"£{amount:,.0f}"


def parse_iso_partial(text: str | None) -> PartialDate | None:
    """Inverse of ``PartialDate.iso``: "2020", "2020-07" or "2020-07-01"."""
    if not text:
        return None
    parts = [int(p) for p in str(text).split("-")]
    return PartialDate(*parts)


def to_record(p: Partnership) -> dict:
    """A JSON-ready dict of a partnership: what the store keeps and the exports write."""
    return {
        "id": p.id,
        "name": p.name,
        "council_ids": list(p.council_ids),
        "services": list(p.services),
        "status": p.status.value,
        "other_partners": list(p.other_partners),
        "start": p.start.iso() if p.start else None,
        "end": p.end.iso() if p.end else None,
        "savings": [
            {
                "amount_gbp": s.amount_gbp,
                "kind": s.kind.value,
                "period": s.period,
                "council_id": s.council_id,
                "estimate": s.estimate,
                "scope": s.scope.value,
            }
            for s in p.savings
        ],
        "description": p.description,
        "source_urls": list(p.source_urls),
        "source_title": p.source_title,
        "source_date": p.source_date.iso() if p.source_date else None,
        "notes": p.notes,
        "verified_on": p.verified_on.iso() if p.verified_on else None,
        "evidence": p.evidence,
        "status_source_url": p.status_source_url,
        "status_source_date": p.status_source_date.iso() if p.status_source_date else None,
        "status_evidence": p.status_evidence,
        "status_confirmed_by": p.status_confirmed_by,
    }


def from_record(record: dict) -> Partnership:
    return Partnership(
        id=record["id"],
        name=record["name"],
        council_ids=tuple(record["council_ids"]),
        services=tuple(record["services"]),
        status=Status(record["status"]),
        other_partners=tuple(record.get("other_partners", ())),
        start=parse_iso_partial(record.get("start")),
        end=parse_iso_partial(record.get("end")),
        savings=tuple(
            Savings(
                amount_gbp=float(s["amount_gbp"]),
                kind=SavingsKind(s["kind"]),
                period=s.get("period", ""),
                council_id=s.get("council_id"),
                estimate=bool(s.get("estimate", False)),
                scope=SavingsScope(s.get("scope") or SavingsScope.PARTNERSHIP.value),
            )
            for s in record.get("savings", ())
        ),
        description=record.get("description", ""),
        source_urls=tuple(record.get("source_urls", ())),
        source_title=record.get("source_title", ""),
        source_date=parse_iso_partial(record.get("source_date")),
        notes=record.get("notes", ""),
        verified_on=parse_iso_partial(record.get("verified_on")),
        evidence=record.get("evidence", ""),
        status_source_url=record.get("status_source_url") or "",
        status_source_date=parse_iso_partial(record.get("status_source_date")),
        status_evidence=record.get("status_evidence") or "",
        status_confirmed_by=record.get("status_confirmed_by") or "",
    )
