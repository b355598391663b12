"""What the static site shows, computed once per build: the map's payload (the same ``build_view_payload`` the
app draws), each council's panel (the same ``partnership_facts`` the app's panel shows), and the records it skips.

A record that cannot be rendered (a council missing from the register, a malformed figure) is left out and
logged, and the site says how many were left out: one bad row never takes the public map down.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import geopandas as gpd

from sharedmap import events
from sharedmap.errors import SharedMapError
from sharedmap.filters import Filters, apply_filters
from sharedmap.maps import payload as map_payload
from sharedmap.maps.panel import partnership_facts
from sharedmap.partnerships import Partnership
from sharedmap.register import Register
from sharedmap.spatial.network import Network, build_network

RENDER_ERRORS = (SharedMapError, KeyError, ValueError, TypeError, AttributeError, IndexError)


@dataclass(frozen=True)
class SiteData:
    """One version's map, ready to write: the payload, the panels by GSS code, the partnerships shown."""

    label: str
    year: int
    published: list[Partnership]  # every record of the version that can be rendered: the data files
    partnerships: list[Partnership]  # those on the year's map
    network: Network
    payload: map_payload.ViewPayload
    links_json: str  # the payload's links with each line's services (``s``) and one member's code (``m``)
    panels: dict[str, dict]  # GSS code -> what the panel (and the council's page) lists
    skipped: tuple[str, ...]  # ids of the records left out


def renderable(partnerships: list[Partnership], register: Register) -> tuple[list[Partnership], list[str]]:
    """The partnerships whose panel text can be built; each one that cannot is logged by id and left out."""
    kept, skipped = [], []
    for p in partnerships:
        try:
            json.dumps(asdict(partnership_facts(p, register)))
            kept.append(p)
        except RENDER_ERRORS as exc:
            skipped.append(str(getattr(p, "id", "?")))
            events.record(
                "site_record_skipped",
                "failure",
                partnership_id=str(getattr(p, "id", "?")),
                reason=f"{type(exc).__name__}: {exc}",
            )
    return kept, skipped


def site_links(links_json: str, network: Network, partnerships: list[Partnership]) -> str:
    """The links the app draws, plus what the site's browser side needs to filter and open them."""
    links = json.loads(links_json)
    services = {p.id: list(p.services) for p in partnerships}
    first = network.members.drop_duplicates("partnership_id").set_index("partnership_id")["gss"].to_dict()
    for feature in links["features"]:
        pid = feature["properties"].get("p")
        if pid in services and not feature["properties"].get("hub"):  # a hub takes its line's (mapview.LinksLayer)
            feature["properties"]["s"] = services[pid]
            feature["properties"]["m"] = first.get(pid, "")
    return map_payload.script_json(links)


def panels(partnerships: list[Partnership], network: Network, register: Register, table) -> dict[str, dict]:
    """Per drawn council: its name and type, and the facts of every partnership drawn there (with the codes of
    each one's members, so the map can outline them)."""
    by_id = {p.id: p for p in partnerships}
    codes = network.members.groupby("partnership_id")["gss"].apply(lambda s: sorted(set(s))).to_dict()
    facts = {}
    for pid, p in by_id.items():
        facts[pid] = {
            **asdict(partnership_facts(p, register, network)),
            "codes": codes.get(pid, []),
            "service_list": list(p.services),
        }
    result = {}
    for row in table.itertuples():
        ids = [pid for pid in row.partnership_ids if pid in facts]
        kind = str(row.type or "council")
        if row.ended is not None and row.ended == row.ended:  # NaN is not equal to itself
            kind = f"former {kind}, abolished {int(row.ended)}"
        result[row.code] = {
            "code": row.code,
            "name": str(row.council),
            "kind": kind,
            "savings": map_payload.council_savings_text(row._asdict()) if ids else "",
            "partnerships": [facts[pid] for pid in ids],
        }
    return result


def site_data(
    partnerships: list[Partnership],
    register: Register,
    label: str,
    year: int,
    areas: gpd.GeoDataFrame,
    topology: dict,
    tier: str = "ltla",
    measure: str = "partnerships",
) -> SiteData:
    """Everything a build writes, from one published version's partnerships."""
    kept, skipped = renderable(partnerships, register)
    shown = apply_filters(kept, Filters(year=year), register)
    network = build_network(shown, register, year, areas)
    drawn = map_payload.tier_areas(areas, year, tier)
    view = map_payload.build_view_payload(network, shown, register, drawn, topology, measure)
    return SiteData(
        label,
        year,
        kept,
        shown,
        network,
        view,
        site_links(view.links_json, network, shown),
        panels(shown, network, register, view.table),
        tuple(skipped),
    )
