"""The Streamlit app through AppTest: every page runs, a link opens its view, search and selection work, and the
data's own errors are shown as messages, never tracebacks.

AppTest quirk: with a pages/ folder next to app.py it reruns a multipage app's *page* directly after the first
run, so whole-app tests make one run each, and multi-step interactions run the page (or the sidebar) on its own.
"""

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import sharedmap.app.ui  # noqa: F401  (imports pandas before AppTest puts pages/ first on sys.path: pages/statistics.py would shadow the standard library's statistics)
from sharedmap.filters import Filters, apply_filters
from sharedmap.partnerships import Status

pytestmark = pytest.mark.shared_data  # the full boundaries and register

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "map": "Who shares services with whom",
    "statistics": "Statistics",
    "data": "Data",
    "about": "About the Shared Services Map",
    "what_changed": "What changed",
    "report": "Something wrong or missing? Tell us",
}


def app(**query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def page(name: str, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def texts(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [s.value for s in at.subheader] + [c.value for c in at.caption])


def test_app_opens_on_the_map_with_filters_and_attribution():
    at = app()
    assert not at.exception and not at.error
    assert [t.value for t in at.title] == [PAGES["map"]]
    assert [m.label for m in at.sidebar.multiselect] == ["Service", "Status", "Nation", "Region", "Council type"]
    footer = " ".join(c.value for c in at.caption)
    assert "Open Government Licence v3.0" in footer and "CC-BY 4.0" in footer
    assert at.query_params == {}


@pytest.mark.parametrize(("name", "title"), PAGES.items())
def test_every_page_runs(name, title):
    at = page(name)
    assert not at.exception and not at.error
    assert [t.value for t in at.title] == [title]


def test_a_link_opens_the_same_view(seed, register):
    """A councillor's link: Boston selected, shared management only, councils as in 2024."""
    at = app(council="BOT", service="Management team", year="2024", tier="utla")
    assert not at.exception and not at.warning
    assert at.sidebar.multiselect(key="view_services").value == ["Management team"]
    assert at.sidebar.select_slider(key="view_year").value == 2024
    assert at.sidebar.radio(key="view_tier").value == "utla"
    shown = apply_filters(seed, Filters(services=("Management team",), year=2024), register)
    boston = [p.name for p in shown if "BOT" in p.council_ids]
    assert [s.value for s in at.main.subheader] == ["Boston Borough Council"]
    assert f"{len(boston)} partnerships in this view." in texts(at)
    for name in boston:
        assert f"**{name}**" in texts(at).replace("\\", "")
    assert f"{len(shown)} partnerships between UK councils" in texts(at)
    assert at.query_params == {"council": "BOT", "service": "Management team", "year": "2024", "tier": "utla"}


def test_a_bad_link_is_explained_not_fatal():
    at = app(year="1999", council="Nowhereshire", status="gone")
    assert not at.exception and not at.error
    warnings = " ".join(w.value for w in at.warning)
    assert "year='1999' is outside 2014-2025" in warnings and "status='gone'" in warnings
    assert "Unknown council 'Nowhereshire'" in warnings
    assert at.sidebar.select_slider(key="view_year").value == 2025


def test_search_finds_hinckley_from_a_misspelling():
    at = page("map")
    at.text_input(key="search").input("Hinkley").run()
    assert [b.label for b in at.button][0] == "Hinckley and Bosworth Borough Council"
    at.button(key="suggestion_0").click().run()
    assert not at.exception
    assert at.subheader[0].value == "Hinckley and Bosworth Borough Council"
    assert at.query_params["council"] == "HIN"


def test_selecting_a_partnership_then_clearing():
    at = page("map", council="Boston")
    assert at.subheader[0].value == "Boston Borough Council"
    at.button(key="show_SS001").click().run()
    assert at.subheader[0].value == "Boston and East Lindsey Strategic Alliance"
    assert at.query_params["partnership"] == "SS001" and "council" not in at.query_params
    at.button(key="clear_selection").click().run()
    assert at.subheader[0].value == "Choose a council" and at.query_params == {}


def test_data_from_sources_is_shown_literally(seed):
    """Partnership text goes through md(): markdown and HTML in a name cannot format or link."""
    at = page("map", partnership="SS002")
    card = at.markdown[2].value
    assert card.startswith("**South \\& East Lincolnshire Councils Partnership**")


def _sidebar_script():
    import streamlit as st

    from sharedmap.app import ui

    ui.sidebar()  # as app.py does; then the page asks for its view, which keeps the URL in step
    view = ui.view()
    label, everything = ui.published()
    st.markdown(f"shown: {len(ui.filtered(label, view.filters, everything)[0])}")


def test_filters_change_the_view_and_the_url(seed, register):
    at = AppTest.from_function(_sidebar_script, default_timeout=120).run()
    everything = len(apply_filters(seed, Filters(year=2025), register))
    assert at.markdown[-1].value == f"shown: {everything}"
    at.sidebar.multiselect(key="view_services").select("Waste").run()
    at.sidebar.multiselect(key="view_statuses").select("operational").run()
    waste = len(apply_filters(seed, Filters(services=("Waste",), statuses=(Status.OPERATIONAL,), year=2025), register))
    assert at.markdown[-1].value == f"shown: {waste}" and waste < everything
    assert at.query_params == {"service": "Waste", "status": "operational"}
    at.sidebar.button[0].click().run()
    assert at.markdown[-1].value == f"shown: {everything}" and at.query_params == {}


def test_a_data_error_is_a_message_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("SHAREDMAP_SHARED_DATA", str(tmp_path))
    monkeypatch.setenv("SHAREDMAP_DATA_PATH", str(tmp_path))
    st.cache_resource.clear()
    try:
        at = app()
        assert not at.exception
        assert len(at.error) == 1 and "uk_local_authorities.csv not found" in at.error[0].value
    finally:
        st.cache_resource.clear()


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert\\(1\\)\\>"),
        ("[click](javascript:alert(1))", "\\[click\\]\\(javascript\\:alert\\(1\\)\\)"),
        ("**bold** & :red[x] $x$", "\\*\\*bold\\*\\* \\& \\:red\\[x\\] \\$x\\$"),
        ("Boston Borough Council", "Boston Borough Council"),
    ],
)
def test_md_makes_data_literal(text, shown):
    from sharedmap.app.ui import md

    assert md(text) == shown


def test_streamlits_pages_folder_flag_still_means_what_leave_pages_folder_mode_assumes(tmp_path):
    """ui.leave_pages_folder_mode flips a private class attribute of Streamlit's: if a release renames it or
    stops setting it from a pages/ folder beside the main script, this fails before visitors see bare pages."""
    from streamlit.runtime.pages_manager import PagesManager

    saved = PagesManager.uses_pages_directory
    try:
        (tmp_path / "pages").mkdir()
        (tmp_path / "app.py").write_text("")
        PagesManager.uses_pages_directory = None
        PagesManager(str(tmp_path / "app.py"))
        assert PagesManager.uses_pages_directory is True
        PagesManager.uses_pages_directory = False  # what the helper does: later managers keep it off
        PagesManager(str(tmp_path / "app.py"))
        assert PagesManager.uses_pages_directory is False
    finally:
        PagesManager.uses_pages_directory = saved


def test_a_map_without_its_browser_files_says_what_is_missing_and_how_to_fix_it(tmp_path, monkeypatch):
    from sharedmap.maps import assets

    monkeypatch.setattr(assets, "VENDOR_DIR", tmp_path / "vendor")  # a checkout where `assets install` never ran
    at = page("map")
    assert not at.exception
    message = " ".join(e.value for e in at.error)
    assert "leaflet/leaflet.js" in message and "python -m sharedmap assets install" in message


def test_the_panel_says_what_each_figure_covers_and_how_fresh_it_is():
    """York's Veritau figure is York's alone; a row resting on old evidence is marked unconfirmed, and the sidebar
    hides it."""
    from sharedmap.freshness import Standing, freshness_text, standing
    from sharedmap.publishing.dataset import load_published

    _label, published = load_published()
    york = [p for p in published if "YOR" in p.council_ids]
    at = app(council="YOR")
    assert not at.exception and not at.error
    shown = texts(at).replace("\\", "")
    assert "£208,000 annual 2023/24 (City of York Council)" in shown  # SS056: York's figure alone
    links = [m.value for m in at.markdown if "Tell us" in m.value]
    assert "(<report?council=YOR>)" in links[-1] and len(links) == len(york) + 1  # each partnership, and the council
    for p in york:
        assert freshness_text(p)[1:] in shown  # the caption capitalises its first letter
    badges = [m.value for m in at.markdown].count(":orange-badge[:material/schedule: Not confirmed recently]")
    assert badges == sum(standing(p) is Standing.UNCONFIRMED for p in york) > 0
    hidden = app(council="YOR", hide_stale="1")
    assert hidden.sidebar.checkbox(key="view_hide_stale").value
    assert hidden.query_params["hide_stale"] == "1"


def test_the_data_page_reports_quality():
    at = page("data")
    assert not at.exception and not at.error
    assert "Data quality" in [h.value for h in at.header]
    labels = [m.label for m in at.metric]
    assert labels == [
        "Councils with none recorded",
        "Councils not yet searched",
        "Without a savings figure",
        "Not confirmed recently",
        "Without status evidence",
    ]
    assert "Possible duplicates" in " ".join(s.value for s in at.subheader)


def test_what_changed_lists_versions_newest_first_with_their_changes(
    configured_store, store, accounts, register, tmp_path, seed_rows
):
    from test_history import publish_end_of_alliance

    publish_end_of_alliance(store, accounts, register, tmp_path, seed_rows)
    at = page("what_changed")
    assert not at.exception and not at.error
    titles = [s.value for s in at.subheader]
    assert titles[0].startswith("Version 2:") and titles[-1].startswith("Version 1: first published")
    shown = texts(at).replace("\\", "")
    assert "Boston and East Lindsey Strategic Alliance ended (January 2022)" in shown
    assert "officer@eastlindsey.gov.uk" not in shown  # the version's note (who submitted) is not public


def test_statistics_show_freshness_by_nation_and_council_type():
    at = page("statistics")
    assert not at.exception and not at.error
    assert "How fresh the statuses are" in [s.value for s in at.subheader]
    columns = [list(frame.value.columns) for frame in at.dataframe]
    assert ["nation", "confirmed", "unconfirmed", "ended", "partnerships"] in columns
    assert ["council_type", "confirmed", "unconfirmed", "ended", "partnerships"] in columns


def test_the_map_can_be_coloured_by_evidence_age():
    at = app(measure="evidence_age")
    assert not at.exception and not at.error
    assert at.sidebar.selectbox(key=sharedmap.app.ui.K_MEASURE).value == "evidence_age"
