"""How the map looks: colours for councils and services, line dashes and widths, coordinate precision."""

from __future__ import annotations

import math

import pandas as pd

COORD_DECIMALS = 3  # link ends: about 100 m
ARC_BEND = 0.3  # how far each further partnership between the same two councils bows out (× their distance)

NO_DATA_COLOUR = "#e3e3e3"  # councils with no partnership (or no figure) in the view
CHOROPLETH = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")  # ColorBrewer Blues: colour-blind safe
# Link colours: Okabe & Ito's colour-blind-safe palette, one per group of services (a partnership's first service).
SERVICE_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Shared management": ("#000000", ("Management team",)),
    "Corporate services": (
        "#E69F00",
        ("ICT", "HR", "Finance", "Procurement", "Legal", "Audit", "Customer services", "Property and assets"),
    ),
    "Revenues, benefits and fraud": ("#D55E00", ("Revenues and benefits", "Fraud")),
    "Waste, regulation and planning": (
        "#009E73",
        ("Waste", "Regulatory services", "Planning", "Building control", "Economic development"),
    ),
    "People's services": ("#CC79A7", ("Children's services", "Adult social care", "Education")),
    "Other": ("#6b6b6b", ("Other",)),
}
DASHES = {"operational": "", "planned": "6 5", "ended": "1 5"}


def service_group(services: tuple[str, ...] | list[str]) -> str:
    """The group a partnership's line is coloured by: that of its first-listed service."""
    first = services[0] if services else "Other"
    return next((group for group, (_, members) in SERVICE_GROUPS.items() if first in members), "Other")


def link_weight(headline_gbp: float | None) -> float:
    """Line width grows with the log of the headline saving: £100k → 2 px, £1m → 3, £10m → 4 (at most 6)."""
    if headline_gbp is None or pd.isna(headline_gbp) or headline_gbp <= 0:
        return 1.5
    return round(min(6.0, max(2.0, 2 + math.log10(headline_gbp / 1e5))), 1)
