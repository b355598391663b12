"""The map in a real browser (Debian's Chromium driven by Playwright) against a real `streamlit run app.py`:
councils drawn, tooltips with savings, a click on Boston lists its partnership with East Lindsey without
rebuilding the map, a link reproduces a view, and no request leaves this machine.

One server and one browser for the whole module; a screenshot of the map is saved under test-output/.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from browser_fixtures import (
    COUNCIL_PATHS,
    COUNT,
    LINK_PATHS,
    LOCAL_HOSTS,
    LOW_CONTRAST,
    OUTPUT,
    map_frame,
    point_of,
    streamlit_servers,
    tooltip_text,
)

from sharedmap.filters import Filters, apply_filters
from sharedmap.maps import assets, panel, payload
from sharedmap.spatial.boundaries import load_councils
from sharedmap.spatial.network import build_network, year_geometries

pytestmark = pytest.mark.browser
pytest.importorskip("playwright.sync_api")

BOSTON, BOSTON_ID = "E07000136", "BOT"
ALLIANCE = "Boston and East Lindsey Strategic Alliance"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`streamlit run app.py` on a free localhost port, stopped after the module."""
    missing = assets.missing_files()
    if missing:
        pytest.fail(f"map assets missing ({', '.join(missing)}): run `python -m sharedmap assets install`")
    with streamlit_servers(tmp_path_factory.mktemp("streamlit"), (None, ())) as (base,):
        yield base


@pytest.fixture()
def visit(browser, server):
    """Open a path of the app; every request of the page (and its frames) is recorded and must stay local."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(45_000)  # waits end when their text shows; this only bounds a slow, loaded machine
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))

    def open_path(path: str = "/", with_map: bool = True, width: int | None = None):
        page = context.new_page()
        if width:
            page.set_viewport_size({"width": width, "height": 900})
        page.goto(server + path)
        return page, map_frame(page) if with_map else None

    yield open_path
    context.close()
    leaving = [
        url
        for url in requests
        if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).hostname not in LOCAL_HOSTS
    ]
    assert requests and not leaving, f"requests left localhost: {leaving}"


def drawn_links(seed, register, filters: Filters) -> int:
    """Clickable line and hub features the map draws for these filters, from the library."""
    shown = apply_filters(seed, filters, register)
    return len(payload.link_features(build_network(shown, register, filters.year), shown)["features"])


def test_first_visit_to_a_page_gets_the_apps_frame(visit):
    """The module's first request: Streamlit would run pages/statistics.py bare (old pages/ folder mode) until
    app.py has run once; the app switches that off, so the sidebar and the link's filter are there."""
    page, _frame = visit("/statistics?service=Waste", with_map=False)
    page.get_by_role("heading", name="Statistics", exact=True).wait_for()
    page.get_by_role("heading", name="Filters").wait_for()
    assert page.get_by_text("Waste", exact=True).count() >= 1
    assert page.get_by_role("link", name="Map").count() == 1


def test_map_draws_every_council_and_its_links(visit, seed, register):
    page, frame = visit("/")
    assert frame.evaluate(COUNT % COUNCIL_PATHS) == len(load_councils(2025, "ltla")) == 361
    assert frame.evaluate(COUNT % LINK_PATHS) == drawn_links(seed, register, Filters(year=2025))
    assert "Number of partnerships" in frame.inner_text(".sm-legend")
    assert "Open Government Licence v3.0" in frame.inner_text(".leaflet-control-attribution")
    assert "Map of UK councils" in frame.get_attribute(".leaflet-container", "aria-label")
    OUTPUT.mkdir(exist_ok=True)
    page.wait_for_timeout(500)
    page.screenshot(path=str(OUTPUT / "map.png"))


def test_on_a_phone_the_key_starts_folded_and_opens_from_the_keyboard(visit):
    page, frame = visit("/", width=390)
    key = frame.locator(".sm-legend details")
    assert key.get_attribute("open") is None and not frame.get_by_text("Number of partnerships").is_visible()
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "map-phone.png"))
    frame.locator(".sm-legend summary").focus()
    page.keyboard.press("Enter")
    frame.get_by_text("Number of partnerships").wait_for()
    assert key.get_attribute("open") is not None


def test_hover_shows_savings_for_a_council_and_a_link(visit):
    page, frame = visit("/")
    frame.evaluate("window.map.setView([53.1, 0.0], 9, {animate: false})")
    text = tooltip_text(page, frame, point_of(frame, "c", BOSTON))
    assert "Boston Borough Council" in text and "partnerships shown" in text and "£" in text
    page.mouse.move(1, 1)
    text = tooltip_text(page, frame, point_of(frame, "p", "SS001"))
    assert ALLIANCE in text and "£15.4m target over 10 years for the whole partnership (estimate)" in text
    assert "annual" in text and "running in 2020 — not confirmed since" in text


def test_click_boston_lists_east_lindsey_without_rebuilding_the_map(visit):
    page, frame = visit("/")
    frame.evaluate("window.map.setView([53.0, 0.0], 9, {animate: false}); window.map.__probe = 'kept'")
    page.mouse.click(**point_of(frame, "c", BOSTON))
    page.get_by_role("heading", name="Boston Borough Council").wait_for()
    card = page.get_by_text(ALLIANCE, exact=True)
    card.wait_for()
    assert page.get_by_text("Partners: Boston Borough Council; East Lindsey District Council").count() >= 1
    assert "council=BOT" in page.url
    assert frame.evaluate("window.map.__probe") == "kept"  # same map object: the base map was not rebuilt
    frame.wait_for_function("document.querySelectorAll('.leaflet-sm-selected-pane path').length >= 2")
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "map-boston.png"))


def test_click_a_link_shows_that_partnership(visit):
    page, frame = visit("/")
    frame.evaluate("window.map.setView([53.1, 0.0], 9, {animate: false})")
    page.mouse.click(**point_of(frame, "p", "SS001"))
    page.get_by_role("heading", name=ALLIANCE).wait_for()
    assert "partnership=SS001" in page.url


def test_a_link_with_council_and_filters_reproduces_the_view(visit, seed, register):
    filters = Filters(services=("Management team",), year=2022)
    page, frame = visit(f"/?council={BOSTON_ID}&service=Management+team&year=2022")
    page.get_by_role("heading", name="Boston Borough Council").wait_for()
    shown = apply_filters(seed, filters, register)
    network = build_network(shown, register, 2022)
    selection = panel.select_council(BOSTON_ID, register, network, year_geometries(2022), shown)
    assert selection.partnerships and selection.partner_codes
    assert frame.evaluate(COUNT % COUNCIL_PATHS) == len(load_councils(2022, "ltla"))
    assert frame.evaluate(COUNT % LINK_PATHS) == drawn_links(seed, register, filters)
    for p in selection.partnerships:
        assert page.get_by_text(p.name, exact=True).count() >= 1
    assert page.get_by_text("Management team", exact=True).count() >= 1  # the chosen filter, in the sidebar
    highlighted = 1 + len(selection.partner_codes)  # Boston and each partner, outlined
    frame.wait_for_function(f"document.querySelectorAll('.leaflet-sm-selected-pane path').length == {highlighted}")


@pytest.mark.parametrize("path", ["/?council=BOT", "/statistics", "/data", "/about"])
def test_text_contrast_meets_wcag_aa(visit, path):
    page, _frame = visit(path, with_map=path.startswith("/?"))
    page.get_by_role("heading", level=1).first.wait_for()
    page.wait_for_timeout(500)
    assert page.evaluate(LOW_CONTRAST) == []
