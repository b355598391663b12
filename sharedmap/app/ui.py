"""The Streamlit helpers of the public pages: cached loaders (keyed by the published version label), the shared
sidebar, session-state keys, the URL round trip, and small renderers the pages share. With ui_officer.py (the
officers' pages), the only sharedmap modules that import Streamlit; logic lives in the other modules."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Literal, TypedDict

import pandas as pd
import streamlit as st

from sharedmap import config, events, freshness, renderable, sources
from sharedmap.data_quality import QualityReport
from sharedmap.data_quality import quality_report as build_quality_report
from sharedmap.errors import (
    CouncilNotFoundError,
    StoreUnavailableError,
)
from sharedmap.exports import partnerships_frame
from sharedmap.filters import Filters, apply_filters
from sharedmap.maps import assets, mapview, panel, payload, viewstate
from sharedmap.maps.panel import Selection
from sharedmap.maps.viewstate import MULTI_KEYS, Options, View
from sharedmap.partners.model import LearnedModel, ModelFileError, load_model
from sharedmap.partners.recommend import PartnerContext, build_context
from sharedmap.partnerships import Partnership
from sharedmap.publishing.dataset import LastGood, load_published, seed_path, unshown
from sharedmap.register import TYPE_NAMES, Register, load_register
from sharedmap.report_links import REPORT_LABEL, report_url
from sharedmap.research import load_log, log_path
from sharedmap.spatial.network import Network, build_network, year_geometries

# Session-state keys, in one place.
K_YEAR = "view_year"
K_TIER = "view_tier"
K_MEASURE = "view_measure"
K_MIN_SAVINGS = "view_min_savings"
K_HIDE_STALE = "view_hide_stale"
K_MULTI = {field_name: f"view_{field_name}" for field_name in MULTI_KEYS.values()}  # services, statuses, ...
K_COUNCIL = "view_council"
K_PARTNERSHIP = "view_partnership"
K_URL_READ = "url_read"
K_URL_PROBLEMS = "url_problems"
K_PARTNER_COUNCIL = "partner_council"
K_PARTNER_SERVICE = "partner_service"
K_PARTNER_TOP = "partner_top"
ANY_SERVICE = "Any service"  # Find a partner's service picker, when no service is chosen
K_LAST_CLICK = "map_last_click"
K_LAST_ROW = "table_last_row"
K_SEARCH = "search"
K_SEARCH_RESULT = "search_result"
MAP_KEY = "map"
K_DATA_LABEL = "data_label"  # the version this run showed
K_FALLBACK = "data_fallback"  # the last good version, when the store could not be reached
K_UNSHOWN = "data_unshown"  # how many records this run left out
ATTRIBUTION_SHORT = sources.credits()  # from geo/sources.json, like every other attribution


events.configure()  # the app's structured event log (SHAREDMAP_EVENT_LOG); the command line stays quiet


@st.cache_resource(show_spinner="Loading the council register…")
def register() -> Register:
    return load_register()


def published() -> tuple[str, list[Partnership]]:
    """What a public page shows (see ``_published``), with a warning above it when records were left out."""
    label, partnerships = _published()
    if left_out := st.session_state.get(K_UNSHOWN, 0):
        st.warning(
            f"{renderable.unshown_text(left_out)}: the site's operators have been told.", icon=":material/report:"
        )
    return label, partnerships


def _published() -> tuple[str, list[Partnership]]:
    """The published version label and partnerships, asked of the store on every run (one small query), so a
    new publication shows at once: the caches below are keyed by its label. While the store cannot be reached,
    the last version this process read (``store_banner`` says so); with none, the error goes to the page."""
    try:
        label, partnerships = load_published(register())
        st.session_state[K_FALLBACK] = None
    except StoreUnavailableError as exc:
        good = exc.last_good
        if not isinstance(good, LastGood):  # no version read yet by this process: nothing to fall back on
            raise
        st.session_state[K_FALLBACK] = good
        label = good.label
        partnerships = list(good.partnerships)
    st.session_state[K_DATA_LABEL] = label
    return label, _drawable(label, tuple(partnerships))


def _drawable(label: str, partnerships: tuple[Partnership, ...]) -> list[Partnership]:
    """The partnerships the pages can draw; the count of those left out (unreadable or unrenderable records,
    logged once each by ``drawable``) goes to ``store_banner``."""
    shown, left_out = _checked(label, partnerships)
    all_left_out = [*left_out, *(unshown(label) if st.session_state.get(K_FALLBACK) is None else [])]
    renderable.log_unshown(all_left_out, label)
    st.session_state[K_UNSHOWN] = len(all_left_out)
    return list(shown)


@st.cache_resource(show_spinner=False, max_entries=4)
def _checked(label: str, _partnerships: tuple[Partnership, ...]) -> tuple[tuple[Partnership, ...], tuple]:
    shown, left_out = renderable.drawable(_partnerships, register(), label)
    return tuple(shown), tuple(left_out)


def store_banner(placeholder) -> None:
    """Fill the frame's placeholder (top of every page) when this run showed the last good version because the
    store could not be reached: visitors see what they are looking at, officers why their actions fail."""
    good: LastGood | None = st.session_state.get(K_FALLBACK)
    if good is None:
        return
    when = (
        f"published at {good.published_at:%H:%M} UTC on {good.published_at:%-d %B %Y}"
        if good.published_at
        else "last read by this server"
    )
    placeholder.warning(
        f"The live data store cannot be reached; showing the version {when} ({good.label}) — "
        "officer actions are paused until it is back.",
        icon=":material/cloud_off:",
    )


@st.cache_resource(show_spinner=False)
def options() -> Options:
    councils = register().councils.values()
    return Options(
        nations=tuple(sorted({c.nation for c in councils if c.nation})),
        regions=tuple(sorted({c.region for c in councils if c.region})),
        council_types=tuple(t for t in TYPE_NAMES.values() if t != "combined authority"),
    )


@st.cache_resource(show_spinner="Loading boundaries…", max_entries=4)
def areas(year: int):
    return year_geometries(year)


@st.cache_resource(show_spinner="Simplifying boundaries…", max_entries=8)
def topology(year: int, tier: str) -> dict:
    return payload.build_topology(payload.tier_areas(areas(year), year, tier))


@st.cache_resource(show_spinner=False, max_entries=32)
def filtered(label: str, filters: Filters, _partnerships: list[Partnership]) -> tuple[list[Partnership], Network]:
    """The partnerships a view shows and their network on that year's map. ``_partnerships`` is the version
    ``label`` names (from ``published()``): the entry is keyed by the label, so a new version misses."""
    kept = apply_filters(_partnerships, filters, register())
    year = _map_year(filters)
    return kept, build_network(kept, register(), year, areas(year))


@st.cache_resource(show_spinner="Drawing the map…", max_entries=32)
def view_payload(
    label: str, filters: Filters, tier: str, measure: str, _partnerships: list[Partnership]
) -> payload.ViewPayload:
    kept, network = filtered(label, filters, _partnerships)
    year = _map_year(filters)
    drawn = payload.tier_areas(areas(year), year, tier)
    return payload.build_view_payload(network, kept, register(), drawn, topology(year, tier), measure)


def _map_year(filters: Filters) -> int:
    """The year whose boundaries the map is drawn on: every view's filters carry one (``View.filters`` sets it)."""
    if filters.year is None:
        raise ValueError("a map needs the year of its boundaries, but these filters have none")
    return filters.year


@st.cache_resource(show_spinner=False, max_entries=4)
def quality_report(label: str, _partnerships: list[Partnership]) -> QualityReport:
    """The data-quality report on published version ``label`` (``_partnerships``; the Data page's section), with
    the research log shipped beside the table (which councils were searched)."""
    return build_quality_report(_partnerships, register(), research_log=load_log(research_log()))


def research_log() -> Path:
    """The research log beside the seed table (it may be absent: an officer's upload has none)."""
    return log_path(seed_path())


@st.cache_resource(show_spinner="Finding neighbours…", max_entries=4)
def partner_context(label: str, year: int, _partnerships: list[Partnership]) -> PartnerContext:
    """Find-a-partner's councils, neighbours and partnerships of a year, for the published version ``label``
    (``_partnerships`` is that version: keyed by the label, not hashed)."""
    return build_context(_partnerships, register(), year)


@st.cache_resource(show_spinner=False)
def partner_model() -> LearnedModel | None:
    """The learned weights, read (never fitted) once per process; None, with the page saying so, without a file."""
    try:
        return load_model()
    except ModelFileError:
        return None


def _read_url() -> None:
    """At the start of a session, the URL's view becomes the widgets' state (once: afterwards the widgets rule)."""
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    view, problems = viewstate.view_from_query(params, options())
    st.session_state[K_YEAR] = view.year
    st.session_state[K_TIER] = view.tier
    st.session_state[K_MEASURE] = view.measure
    st.session_state[K_MIN_SAVINGS] = view.filters.min_savings
    st.session_state[K_HIDE_STALE] = view.filters.hide_stale
    for field_name, key in K_MULTI.items():
        st.session_state[key] = [str(v) for v in getattr(view.filters, field_name)]
    st.session_state[K_COUNCIL] = view.council
    st.session_state[K_PARTNERSHIP] = view.partnership
    question, more = viewstate.partner_from_query(params)
    st.session_state[K_PARTNER_COUNCIL] = question.council
    st.session_state[K_PARTNER_TOP] = question.top
    st.session_state[K_PARTNER_SERVICE] = question.service or ANY_SERVICE
    st.session_state[K_URL_PROBLEMS] = problems + more
    st.session_state[K_URL_READ] = True


def _clear_filters() -> None:
    for key in K_MULTI.values():
        st.session_state[key] = []
    st.session_state[K_MIN_SAVINGS] = 0.0
    st.session_state[K_HIDE_STALE] = False


def current_view() -> View:
    state = st.session_state
    chosen = {field_name: tuple(state.get(key, [])) for field_name, key in K_MULTI.items()}
    chosen["statuses"] = tuple(freshness.Standing(s) for s in chosen["statuses"])
    filters = Filters(
        **chosen,
        year=int(state.get(K_YEAR, viewstate.LATEST_YEAR)),
        min_savings=float(state.get(K_MIN_SAVINGS) or 0.0),
        hide_stale=bool(state.get(K_HIDE_STALE)),
    )
    return View(
        filters,
        state.get(K_TIER, "ltla"),
        state.get(K_MEASURE, "partnerships"),
        state.get(K_COUNCIL, ""),
        state.get(K_PARTNERSHIP, ""),
    )


def partner_question() -> viewstate.PartnerQuestion:
    """Find a partner's question as its widgets hold it (they are away while another page shows: defaults then)."""
    state = st.session_state
    state.setdefault(K_PARTNER_TOP, viewstate.PARTNER_TOP_DEFAULT)
    service = state.get(K_PARTNER_SERVICE, ANY_SERVICE)
    return viewstate.PartnerQuestion(
        state.get(K_PARTNER_COUNCIL, ""), "" if service == ANY_SERVICE else service, int(state[K_PARTNER_TOP])
    )


def sync_url(view: View, page_query: dict[str, str] | None = None) -> None:
    wanted = {**viewstate.view_to_query(view), **(page_query or {})}
    current = {key: st.query_params.get_all(key) for key in st.query_params}
    if not viewstate.same_query(current, wanted):
        st.query_params.from_dict(wanted)


# Typing "ICT" then Enter must pick ICT alone, not "select all 3 fuzzy matches".
class _MultiOptions(TypedDict):
    filter_mode: Literal["fuzzy", "contains", "prefix"]
    select_all: bool


MULTI_OPTIONS: _MultiOptions = {"filter_mode": "contains", "select_all": False}


def sidebar() -> View:
    """The filters every public page shares, read from the URL at first; the page's ``view()`` then puts them
    in the URL."""
    if K_URL_READ not in st.session_state:
        _read_url()
    opts = options()
    with st.sidebar:
        st.header("Filters")
        st.select_slider(
            "Councils as they were in",
            viewstate.YEARS,
            key=K_YEAR,
            help="Boundaries of that year; councils abolished since are shown as they were.",
        )
        st.multiselect("Service", opts.services, key=K_MULTI["services"], placeholder="All services", **MULTI_OPTIONS)
        st.multiselect("Status", opts.statuses, key=K_MULTI["statuses"], placeholder="Any status", **MULTI_OPTIONS)
        st.multiselect("Nation", opts.nations, key=K_MULTI["nations"], placeholder="All nations", **MULTI_OPTIONS)
        st.multiselect("Region", opts.regions, key=K_MULTI["regions"], placeholder="All regions", **MULTI_OPTIONS)
        st.multiselect(
            "Council type", opts.council_types, key=K_MULTI["council_types"], placeholder="All types", **MULTI_OPTIONS
        )
        st.number_input(
            "Minimum saving (£)",
            min_value=0.0,
            step=50_000.0,
            format="%.0f",
            key=K_MIN_SAVINGS,
            help="The partnership's figure of its first-listed kind of saving (annual, cumulative "
            "or target); kinds are never added together.",
        )
        st.checkbox(
            "Hide partnerships not confirmed recently",
            key=K_HIDE_STALE,
            help=f"Said to be running or planned, but the newest evidence of that is more than "
            f"{freshness.stale_after_years():g} years old (or undated): shown as 'unconfirmed'.",
        )
        st.button("Clear filters", on_click=_clear_filters)
        st.subheader("Map")
        st.radio("Councils drawn", list(payload.TIERS), format_func=payload.TIERS.get, key=K_TIER)
        st.selectbox(
            "Colour councils by", list(payload.MEASURES), key=K_MEASURE, format_func=lambda k: payload.MEASURES[k].label
        )
    for problem in st.session_state.get(K_URL_PROBLEMS, []):
        st.warning(f"Link: {problem}")
    return current_view()


def leave_pages_folder_mode() -> None:
    """Until app.py's st.navigation has run once in a server process, Streamlit treats a project with a pages/
    folder as an old-style multipage app: a first visitor opening /statistics gets that file run bare, without
    the app's frame. Switch that mode off and run again, through app.py, at the same address.

    Streamlit offers no public switch for this (its own code calls the flag "a relic"), so this sets the private
    class attribute; tests/test_app.py pins what it means and fails loudly when a Streamlit release changes it."""
    from streamlit.runtime.pages_manager import PagesManager

    if getattr(PagesManager, "uses_pages_directory", None):
        PagesManager.uses_pages_directory = False
        st.rerun()


def view(asks_for_partners: bool = False) -> View:
    """The current view, with the URL kept in step (with Find a partner's question too on that page); every public
    page calls this once. A page run on its own (without the sidebar) reads the URL."""
    leave_pages_folder_mode()
    if K_URL_READ not in st.session_state:
        _read_url()
    current = current_view()
    sync_url(current, viewstate.partner_to_query(partner_question()) if asks_for_partners else None)
    return current


def select(council: str = "", partnership: str = "") -> None:
    """Make a council (register id or GSS code) or a partnership the selection; the URL follows."""
    st.session_state[K_COUNCIL] = council
    st.session_state[K_PARTNERSHIP] = partnership


def open_on_map(council: str) -> None:
    """Go to the Map page on ``council`` keeping the year and filters: the link carries the view, read afresh."""
    wanted = viewstate.view_to_query(current_view().selecting(council=council))
    st.session_state.pop(K_URL_READ, None)
    st.switch_page("pages/map.py", query_params=wanted)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def md(text: object) -> str:
    """Text from the data, made literal for st.markdown (no links, emphasis, directives or HTML from data)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def report_link(council: str | None = None, partnership: str | None = None) -> str:
    """Markdown for the app's own report page, the council or partnership filled in (ids are URL-encoded)."""
    return f":material/flag: [{REPORT_LABEL}](<{report_url(council, partnership, base='')}>)"


def footer() -> None:
    version = st.session_state.get(K_DATA_LABEL)
    st.caption(
        ATTRIBUTION_SHORT + ". See About for sources and licences." + (f" Data version {version}." if version else "")
    )


def require_map_assets() -> None:
    """Stop the page with what is missing and the command that fixes it, instead of an empty map."""
    problem = assets.missing_message()
    if problem:
        st.error(problem)
        st.stop()


def static_url() -> str:
    """Where Streamlit serves ./static for this server (respecting server.baseUrlPath)."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}{assets.STATIC_URL}" if base else assets.STATIC_URL


def tiles() -> dict:
    """Basemap tiles only when configured: none by default, so the map needs no third-party server."""
    return {
        "tiles": config.get("SHAREDMAP_TILES") or None,
        "tiles_attribution": config.get("SHAREDMAP_TILES_ATTRIBUTION") or None,
    }


def resolve_selection(view: View, register: Register, network: Network, areas, partnerships) -> Selection | None:
    """The view's selected partnership or council on this year's map; a warning (not an error) when unknown."""
    if view.partnership:
        found = panel.select_partnership(view.partnership, network, partnerships)
        if found is None:
            st.warning(f"Partnership {md(view.partnership)} is not in this view (check the filters).")
        return found
    if not view.council:
        return None
    if view.council in areas.index:
        return panel.select_area(view.council, register, network, areas, partnerships)
    try:
        return panel.select_council(view.council, register, network, areas, partnerships)
    except CouncilNotFoundError as exc:
        st.warning(str(exc))
        return None


def selection_layer(selection: Selection | None, network: Network, areas):
    """The small layer a click changes, and where to centre the map on it (None: leave the view alone)."""
    if selection is None:
        empty = payload.script_json({"type": "FeatureCollection", "features": []})
        return mapview.selection_layer(empty, empty, empty), None, None
    key = (
        st.session_state.get(K_DATA_LABEL, ""),
        network.year,
        selection.gss or "",
        tuple(sorted(selection.partner_codes)),
        tuple(p.id for p in selection.partnerships),
    )
    selected_json, partners_json, links_json, center, zoom = _selection_parts(key, selection, network, areas)
    return mapview.selection_layer(selected_json, partners_json, links_json), list(center) if center else None, zoom


@st.cache_resource(show_spinner=False, max_entries=512)
def _selection_parts(key: tuple, _selection: Selection, _network: Network, _areas):
    """The selection layer's three GeoJSON texts and where to centre the map: the same for every visitor who
    selects the same council in the same data version (``key``; the other arguments are not hashed), so worked
    out once."""
    ids = {p.id for p in _selection.partnerships}
    links = payload.link_features(
        replace(_network, links=_network.links[_network.links["partnership_id"].isin(ids)]),
        list(_selection.partnerships),
    )
    selected = {_selection.gss} if _selection.gss else set()
    parts = (
        payload.script_json(payload.area_features(_areas, selected)),
        payload.script_json(payload.area_features(_areas, _selection.partner_codes)),
        payload.script_json(links),
    )
    bounds = panel.selection_bounds(_selection, _areas)
    if bounds is None:
        return (*parts, None, None)
    center, zoom = mapview.view_for_bounds(bounds)
    return (*parts, tuple(center), zoom)


def handle_click(clicked: mapview.Clicked | None, register: Register) -> None:
    """A new click on the map becomes the selection (st_folium repeats its last answer on every rerun); normally
    ``on_map_change`` has taken it before the page ran, and this finds nothing new."""
    if _take_click(clicked, register):
        st.rerun()


def on_map_change() -> None:
    """st_folium's on_change (it keeps its answer under MAP_KEY): the click becomes the selection before the page
    runs, so the panel is drawn in the same run, not in a second one."""
    _take_click(mapview.clicked_target(st.session_state.get(MAP_KEY)), register())


def _take_click(clicked: mapview.Clicked | None, register: Register) -> bool:
    if clicked is None:
        return False
    key = (clicked.kind, clicked.value, clicked.where)
    if st.session_state.get(K_LAST_CLICK) == key:
        return False
    st.session_state[K_LAST_CLICK] = key
    if clicked.kind == "partnership":
        select(partnership=clicked.value)
    else:
        council = register.by_gss(clicked.value)
        select(council=council.id if council else clicked.value)
    return True


def _search(register: Register) -> None:
    text = st.session_state.get(K_SEARCH, "").strip()
    st.session_state[K_SEARCH_RESULT] = None
    if not text:
        return
    try:
        select(council=register.resolve(text).council.id)
    except CouncilNotFoundError as exc:
        names = [name for name, _score in register.suggest(text, 5)]
        st.session_state[K_SEARCH_RESULT] = {"text": text, "reason": str(exc), "suggestions": names}


def _pick(register: Register, name: str) -> None:
    select(council=register.resolve(name).council.id)
    st.session_state[K_SEARCH_RESULT] = None


def search_box(register: Register) -> None:
    """Find a council by name with the register's resolver (the same one validation uses): "Hinkley" offers
    Hinckley and Bosworth."""
    st.text_input(
        "Find a council",
        key=K_SEARCH,
        placeholder="e.g. Boston, Hinckley, E07000136",
        on_change=_search,
        args=(register,),
    )
    result = st.session_state.get(K_SEARCH_RESULT)
    if result:
        st.markdown(f"No council is certainly called “{md(result['text'])}”. Did you mean:")
        for i, name in enumerate(result["suggestions"]):
            st.button(name, key=f"suggestion_{i}", on_click=_pick, args=(register, name))


def _money(label: str):
    return st.column_config.NumberColumn(f"{label} (£)", format="localized")


def councils_table(table: pd.DataFrame) -> None:
    """The map's councils as a table (its text alternative); picking a row selects that council."""
    shown = table.sort_values(["partnerships", "council"], ascending=[False, True]).reset_index(drop=True)
    shown = shown[
        [
            "council",
            "type",
            "partnerships",
            "savings_annual",
            "savings_cumulative",
            "savings_target",
            "estimated",
            "evidence_years",
            "code",
            "council_id",
        ]
    ]
    event = st.dataframe(
        shown,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key="councils_table",
        column_config={
            "savings_annual": _money("annual savings"),
            "savings_cumulative": _money("savings to date"),
            "savings_target": _money("savings target"),
            "estimated": "shares estimated",
            "evidence_years": st.column_config.NumberColumn("years since newest status evidence", format="%.1f"),
            "code": "GSS code",
            "council_id": "id",
        },
    )
    rows = event.selection.rows if event else []
    if rows:
        picked = shown.iloc[rows[0]]
        if st.session_state.get(K_LAST_ROW) != picked["code"]:
            st.session_state[K_LAST_ROW] = picked["code"]
            select(council=picked["council_id"] or picked["code"])
            st.rerun()


def partnerships_table(partnerships: list[Partnership], register: Register) -> None:
    frame = partnerships_frame(partnerships, register)
    st.dataframe(frame[["name", "councils", "services", "status", "start", "end", "savings"]], hide_index=True)
