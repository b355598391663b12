"""The partnership model: who shares what, since when, saving how much, according to which source."""

from __future__ import annotations

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
    "Other",
)


class Status(StrEnum):
    OPERATIONAL = "operational"
    PLANNED = "planned"
    ENDED = "ended"


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


@dataclass(frozen=True)
class Savings:
    """One money figure about a partnership, with its kind and period; ``council_id`` is set for a per-council share."""

    amount_gbp: float
    kind: SavingsKind
    period: str = ""
    council_id: str | None = None
    estimate: bool = False

    def label(self, council_name: str | None = None) -> str:
        """"£70,000 annual 2020/21 (estimate)"; with the council's name for a council's share, as officers write it."""
        parts = [format_gbp(self.amount_gbp), self.kind.value]
        if self.period:
            parts.append(self.period)
        text = " ".join(parts)
        if council_name:
            text += f" ({council_name})"
        return text + (" (estimate)" if self.estimate else "")


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
    source_date: PartialDate | None = None  # the status and figures are as at this date
    notes: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def partner_count(self) -> int:
        return len(self.council_ids) + len(self.other_partners)

    def with_changes(self, **changes) -> Partnership:
        return replace(self, **changes)


def savings_labels(p: Partnership, register: Register) -> list[str]:
    """Every savings figure of a partnership as text, a council's share naming its council."""
    return [s.label(register.get(s.council_id).name if s.council_id else None) for s in p.savings]


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
            }
            for s in p.savings
        ],
        "description": p.description,
        "source_urls": list(p.source_urls),
        "source_title": p.source_title,
        "source_date": p.source_date.iso() if p.source_date else None,
        "notes": p.notes,
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
            )
            for s in record.get("savings", ())
        ),
        description=record.get("description", ""),
        source_urls=tuple(record.get("source_urls", ())),
        source_title=record.get("source_title", ""),
        source_date=parse_iso_partial(record.get("source_date")),
        notes=record.get("notes", ""),
    )
