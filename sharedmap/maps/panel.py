"""What the panel beside the map shows for a selection: a council's partnerships, or one partnership, with
partners, services, status, dates, savings and sources; and which areas and lines to highlight for it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import geopandas as gpd

from sharedmap import events
from sharedmap.errors import CouncilNotFoundError
from sharedmap.freshness import Standing, freshness_text, standing, standing_text, status_date
from sharedmap.partnerships import Partnership, date_text, savings_labels
from sharedmap.register import Register
from sharedmap.spatial.network import Network, new_codes, place_council
from sharedmap.weblinks import link_problem, web_link


@dataclass(frozen=True)
class Selection:
    """A resolved selection: the council drawn (GSS code of its area this year) and the partnerships shown."""

    title: str
    gss: str | None
    council_id: str | None
    note: str
    partnerships: tuple[Partnership, ...]
    partner_codes: frozenset[str]


@dataclass(frozen=True)
class PartnershipFacts:
    id: str
    name: str
    status: str  # the standing in words: "running (evidence of March 2025)", "planned in 2014 — outcome not found"
    services: str
    partners: tuple[str, ...]  # member names, with "now part of …" where drawn as a successor
    dates: str
    savings: tuple[str, ...]
    sources: tuple[tuple[str, str], ...]  # (title, http(s) URL)
    description: str
    freshness: str = ""  # when the status was last evidenced, by whom, and when the row was checked
    stale: bool = False  # the standing is "unconfirmed": running or planned on evidence past the limit
    evidence: str = ""  # where in the source the facts are stated
    standing: str = ""  # sharedmap.freshness.Standing's value
    status_source: tuple[str, str] | None = None  # (label, http(s) URL) of the newest evidence of the status
    status_evidence: str = ""  # where in that evidence the status is stated
    left_out: tuple[str, ...] = ()  # what the record holds that cannot be shown (a link no browser can open)


_logged: set[tuple[str, tuple[str, ...]]] = set()


def safe_url(url: str) -> str | None:
    """Only web links are shown as links (sharedmap.weblinks, the rule uploads are checked by): anything else
    (javascript:, data:, an unclosed IPv6 bracket) is None, never an exception."""
    return web_link(url)


def left_out_links(p: Partnership) -> tuple[str, ...]:
    """The record's links that are not web links, each as a reader is told it was left out. A record reaches the
    store only through validation, so these are the store's own problems: logged, and listed by ``health``."""
    links = [("source link", u) for u in p.source_urls]
    if p.status_source_url:
        links.append(("status evidence link", p.status_source_url))
    return tuple(f"a {kind} that is not a web link ({problem})" for kind, u in links if (problem := link_problem(u)))


def partnership_facts(p: Partnership, register: Register, network: Network | None = None) -> PartnershipFacts:
    notes = {}
    if network is not None and not network.members.empty:
        rows = network.members[network.members["partnership_id"] == p.id]
        notes = dict(zip(rows["council_id"], rows["note"], strict=True))
    partners = []
    for council_id in p.council_ids:
        name = register.get(council_id).name
        partners.append(f"{name} ({notes[council_id]})" if notes.get(council_id) else name)
    partners += [f"{other} (not a council)" for other in p.other_partners]
    dates = f"from {date_text(p.start)}" + (f" to {date_text(p.end)}" if p.end else "")
    title = p.source_title or "Source"
    shown_urls = [url for raw in p.source_urls if (url := safe_url(raw))]
    sources = tuple((title if i == 0 else f"{title} ({i + 1})", url) for i, url in enumerate(shown_urls))
    shown = standing(p)
    status_url = safe_url(p.status_source_url) if p.status_source_url else None
    when = status_date(p)
    status_source = (f"Status evidence ({date_text(when)})", status_url) if status_url else None
    savings = tuple(savings_labels(p, register, explicit=True)) or ("no savings figure published",)
    left_out = left_out_links(p)
    if left_out and (p.id, left_out) not in _logged:  # once per record and problem, not on every view
        _logged.add((p.id, left_out))
        events.record("record_value_left_out", "failure", partnership_id=p.id, left_out="; ".join(left_out))
    return PartnershipFacts(
        p.id,
        p.name,
        standing_text(p),
        ", ".join(p.services),
        tuple(partners),
        dates,
        savings,
        sources,
        p.description,
        freshness_text(p),
        shown is Standing.UNCONFIRMED,
        p.evidence,
        shown.value,
        status_source,
        p.status_evidence,
        left_out,
    )


def member_codes(partnerships: list[Partnership] | tuple[Partnership, ...], network: Network) -> frozenset[str]:
    ids = {p.id for p in partnerships}
    return frozenset(network.members.loc[network.members["partnership_id"].isin(ids), "gss"])


def select_council(
    text: str, register: Register, network: Network, areas: gpd.GeoDataFrame, partnerships: list[Partnership]
) -> Selection:
    """A council named in the URL or search box (register id, GSS code or name), placed on this year's map:
    itself, or the successor that covers it ("now part of …"; the first one when it was split). Raises
    CouncilNotFoundError when unknown or not on this year's map."""
    council = register.resolve(text).council
    placed = place_council(council, register, areas.index, areas["name"], network.year, new_codes())
    drawn_codes = [p.drawn_gss for p in placed if p.drawn_gss]
    if not drawn_codes:
        raise CouncilNotFoundError(text, [], placed[0].reason if placed else f"not on the {network.year} map")
    note = "; ".join(p.note for p in placed if p.drawn_gss and p.note)
    area = select_area(drawn_codes[0], register, network, areas, partnerships, council_id=council.id, note=note)
    if not note:
        return area
    # A former council asked for by name: its own partnerships, drawn where its successor(s) are now.
    own = tuple(p for p in partnerships if council.id in p.council_ids)
    return replace(
        area, title=council.name, partnerships=own, partner_codes=member_codes(own, network) - set(drawn_codes)
    )


def select_area(
    gss: str,
    register: Register,
    network: Network,
    areas: gpd.GeoDataFrame,
    partnerships: list[Partnership],
    council_id: str | None = None,
    note: str = "",
) -> Selection:
    """A clicked area: every partnership drawn there, including those of councils it has since absorbed."""
    council = register.by_gss(gss)
    title = council.name if council else str(areas["name"].get(gss, gss))
    figures = network.figures.set_index("gss") if not network.figures.empty else None
    ids = set(figures["partnership_ids"].get(gss, [])) if figures is not None else set()
    chosen = tuple(p for p in partnerships if p.id in ids)
    return Selection(
        title, gss, council_id or (council.id if council else None), note, chosen, member_codes(chosen, network) - {gss}
    )


def select_partnership(pid: str, network: Network, partnerships: list[Partnership]) -> Selection | None:
    chosen = tuple(p for p in partnerships if p.id == pid)
    if not chosen:
        return None
    return Selection(chosen[0].name, None, None, "", chosen, member_codes(chosen, network))


def selection_bounds(selection: Selection, areas: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    codes = set(selection.partner_codes) | ({selection.gss} if selection.gss else set())
    chosen = areas[areas["code"].isin(codes)]
    if chosen.empty:
        return None
    west, south, east, north = (float(b) for b in chosen.total_bounds)
    return west, south, east, north
