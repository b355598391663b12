"""How the map looks: colours for councils and services, line dashes and widths, coordinate precision."""

from __future__ import annotations

import math

import pandas as pd

from sharedmap import partnerships

COORD_DECIMALS = 3  # link ends: about 100 m
ARC_BEND = 0.3  # how far each further partnership between the same two councils bows out (× their distance)

NO_DATA_COLOUR = "#e3e3e3"  # councils with no partnership (or no figure) in the view
CHOROPLETH = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")  # ColorBrewer Blues: colour-blind safe
# Link colours: Okabe & Ito's colour-blind-safe palette, one per group of services (a partnership's first service).
GROUP_COLOURS: dict[str, str] = {
    "Shared management": "#000000",
    "Corporate services": "#E69F00",
    "Revenues, benefits and fraud": "#D55E00",
    "Place and regulation": "#009E73",
    "People's services": "#CC79A7",
    "Culture and records": "#0072B2",
    "Other": "#6b6b6b",
}
SERVICE_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    group: (GROUP_COLOURS[group], members) for group, members in partnerships.SERVICE_GROUPS.items()
}
# Line dashes by standing (sharedmap.freshness): unconfirmed is a dash-dot, apart from both running and planned.
DASHES = {"operational": "", "planned": "6 5", "unconfirmed": "10 4 2 4", "ended": "1 5"}


def service_group(services: tuple[str, ...] | list[str]) -> str:
    """The group a partnership's line is coloured by: that of its first-listed service."""
    return partnerships.group_of(services[0]) if services else "Other"


def link_weight(headline_gbp: float | None) -> float:
    """Line width grows with the log of the headline saving: £100k → 2 px, £1m → 3, £10m → 4 (at most 6)."""
    if headline_gbp is None or pd.isna(headline_gbp) or headline_gbp <= 0:
        return 1.5
    return round(min(6.0, max(2.0, 2 + math.log10(headline_gbp / 1e5))), 1)
