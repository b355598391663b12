"""The static site in a real browser (Debian's Chromium), served by a plain `python -m http.server` with no app
running: the councils drawn, Boston clicked and its partnerships and savings read in the panel, the keyboard path
(Tab to the search, Enter opens the council), a council page without JavaScript, the embed, no request leaving
localhost, the app's XSS payloads staying text, and axe-core's WCAG 2.2 A/AA check on each kind of page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from browser_fixtures import COUNCIL_PATHS, FIND_POINT, LOCAL_HOSTS, axe_violations, static_server
from test_site import BOSTON, IMG, SCRIPT, hostile_and_broken

from sharedmap.changes import ChangeLine
from sharedmap.publishing.history import VersionChanges
from sharedmap.site.build import build_site

pytestmark = pytest.mark.browser
pytest.importorskip("playwright.sync_api")

SLOW_CI_MS = 45_000
BIRMINGHAM = "E08000025"  # no partnership in the table
# The shared helper's search for a visible point of a layer, in page coordinates (the map is not at the page's corner).
FIND_POINT_IN_PAGE = FIND_POINT.replace(
    "const p = window.map.latLngToContainerPoint(ll);",
    "const r = window.map.getContainer().getBoundingClientRect(), c = window.map.latLngToContainerPoint(ll);"
    " const p = {x: c.x + r.left, y: c.y + r.top};",
)
assert FIND_POINT_IN_PAGE != FIND_POINT
NO_SCRIPT_RAN = """() => typeof window.__xss === "undefined" &&
    !Array.from(document.querySelectorAll("img")).some(i => i.getAttribute("src") === "x")"""


HISTORY = [  # what the store's history would say, with a hostile name in a change line
    VersionChanges(
        9,
        "v9-browser",
        datetime(2026, 12, 4, 9, 30, tzinfo=UTC),
        "publish",
        "submission 3 from officer@boston.gov.uk",
        97,
        (
            ChangeLine("added", f"{IMG} added: Boston Borough Council sharing ICT (operational)", "SSX01", ("BOT",)),
            ChangeLine("status", "Boston and East Lindsey Strategic Alliance ended (January 2022)", "SS001", ("BOT",)),
        ),
    ),
    VersionChanges(8, "v8-browser", datetime(2026, 11, 30, 16, 0, tzinfo=UTC), "seed", "seeded", 95, ()),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory, seed, register):
    output = tmp_path_factory.mktemp("browser_site") / "site"
    build_site(output, hostile_and_broken(seed), register, "v9-browser", version=9, history=HISTORY)
    with static_server(output) as base:
        yield base


@pytest.fixture
def open_page(browser):
    """Pages in fresh contexts; every request is recorded and any that would leave localhost is stopped."""
    contexts, requests = [], []

    def record(route):
        requests.append(route.request.url)
        host = re.match(r"^\w+://([^/:]+)", route.request.url)
        if host and host.group(1) not in LOCAL_HOSTS:
            route.abort()
        else:
            route.continue_()

    def make(url: str, javascript: bool = True, viewport=(1280, 800)):
        context = browser.new_context(
            java_script_enabled=javascript, viewport={"width": viewport[0], "height": viewport[1]}
        )
        context.set_default_timeout(SLOW_CI_MS)
        context.route("**/*", record)
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda d: pytest.fail(f"a dialog opened: {d.message}"))
        page.goto(url)
        return page

    make.requests = requests
    yield make
    for context in contexts:
        context.close()
    leaving = [u for u in requests if re.match(r"^\w+://([^/:]+)", u).group(1) not in LOCAL_HOSTS]
    assert not leaving, f"requests left this machine: {leaving}"


def click_council(page, code: str) -> None:
    """Zoom to the council (small districts hide under lines at national zoom), then click a visible point of it."""
    page.evaluate(
        """(code) => window.sharedmapMap.councils.eachLayer(l => {
        if (l.feature.properties.c === code) window.map.fitBounds(l.getBounds(), {animate: false, maxZoom: 9}); })""",
        code,
    )
    spot = page.evaluate(FIND_POINT_IN_PAGE, ["c", code])
    assert spot, f"no visible point of {code}"
    page.mouse.click(spot["x"], spot["y"])


def test_the_map_draws_every_council_and_a_click_opens_its_partnerships(site, open_page):
    page = open_page(f"{site}/index.html")
    page.wait_for_function(f"document.querySelectorAll({COUNCIL_PATHS!r}).length > 300")
    assert page.evaluate(f"document.querySelectorAll({COUNCIL_PATHS!r}).length") == 361
    click_council(page, BOSTON)
    panel = page.locator("#panel")
    panel.get_by_role("heading", name="Boston Borough Council").wait_for()
    text = panel.inner_text()
    assert "Boston and East Lindsey Strategic Alliance" in text
    assert "£15.4m target over 10 years for the whole partnership (estimate)" in text
    assert "East Lindsey District Council" in text
    assert "#council=E07000136" in page.url
    outlined = page.evaluate("""() => { let n = 0; window.sharedmapMap.councils.eachLayer(l => {
        if (l.options.weight === 2.5) n++; }); return n; }""")
    assert outlined >= 1  # its partners
    assert IMG in text and SCRIPT in text  # shown as the text it is
    assert page.evaluate(NO_SCRIPT_RAN)
    assert 'iframe src="http://127.0.0.1' in page.locator("#embed-snippet").input_value()


def test_a_click_on_a_line_opens_that_partnership(site, open_page):
    page = open_page(f"{site}/index.html")
    page.wait_for_function(f"document.querySelectorAll({COUNCIL_PATHS!r}).length > 300")
    click_council(page, BOSTON)  # zoomed in, where the alliance's line is long enough to click
    spot = page.evaluate(FIND_POINT_IN_PAGE, ["p", "SS001"])
    assert spot, "no visible point of the Boston and East Lindsey line"
    page.mouse.click(spot["x"], spot["y"])
    page.locator("#panel").get_by_role("heading", name="Boston and East Lindsey Strategic Alliance", level=2).wait_for()
    assert "2 member councils on the map." in page.locator("#panel").inner_text()
    assert "#partnership=SS001" in page.url


def test_the_view_is_in_the_link(site, open_page):
    page = open_page(f"{site}/index.html#council={BOSTON}&service=Legal")
    page.locator("#panel").get_by_role("heading", name="Boston Borough Council").wait_for()
    assert page.locator("#service").input_value() == "Legal"
    assert "No partnership sharing Legal" in page.locator("#panel").inner_text()


def test_the_keyboard_reaches_the_search_and_enter_opens_the_council(site, open_page):
    page = open_page(f"{site}/index.html")
    page.wait_for_function(f"document.querySelectorAll({COUNCIL_PATHS!r}).length > 300")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "search":
            break
    assert page.evaluate("document.activeElement.id") == "search"
    page.keyboard.type("Boston")
    page.keyboard.press("Enter")
    page.locator("#panel").get_by_role("heading", name="Boston Borough Council").wait_for()
    assert page.evaluate("document.activeElement.id") == "panel"


def test_a_council_page_works_without_javascript(site, open_page):
    page = open_page(f"{site}/council/{BOSTON}.html", javascript=False)
    text = page.inner_text("main")
    assert "Boston and East Lindsey Strategic Alliance" in text and "£15.4m target over 10 years" in text
    assert IMG in text
    assert (
        page.get_by_role("link", name="See Boston Borough Council on the map").get_attribute("href")
        == f"../index.html#council={BOSTON}"
    )
    assert "1 partnership could not be shown." in page.inner_text("footer")


def test_the_embed_shows_one_council_and_its_partners(site, open_page):
    page = open_page(f"{site}/embed.html#council={BOSTON}", viewport=(600, 450))
    link = page.locator("#embed-link")
    page.wait_for_function("document.getElementById('embed-link').textContent.startsWith('Boston')")
    assert re.match(r"Boston Borough Council: \d+ shared-service partnerships", link.inner_text())
    assert link.get_attribute("target") == "_blank"
    page.wait_for_function("window.map.getZoom() >= 7")  # zoomed to Boston and its partners, not the whole UK
    assert page.evaluate("document.querySelector('.sm-legend details').open") is False
    assert page.evaluate(NO_SCRIPT_RAN)


def test_the_embed_of_a_council_with_none_recorded_says_so(site, open_page):
    page = open_page(f"{site}/embed.html#council={BIRMINGHAM}", viewport=(600, 450))
    page.wait_for_function("document.getElementById('embed-link').textContent.startsWith('Birmingham')")
    text = page.locator("#embed-link").inner_text()
    assert text == "Birmingham City Council: no shared-service partnership recorded. Open the full map"


def test_what_changed_lists_versions_newest_first_and_every_page_offers_its_feed(site, open_page):
    page = open_page(f"{site}/council/{BOSTON}.html", javascript=False)
    page.get_by_role("link", name="What changed").click()
    headings = page.locator("main h2").all_inner_texts()
    assert headings == ["Version 9: 2 changes", "Version 8: first published, 95 partnerships"]
    text = page.inner_text("main")
    assert f"{IMG} added" in text and "ended (January 2022)" in text and "4 December 2026, 09:30 UTC" in text
    assert "officer@boston.gov.uk" not in text and page.evaluate(NO_SCRIPT_RAN)
    assert page.locator('link[rel="alternate"][type="application/atom+xml"]').get_attribute("href") == "changes.atom"
    feed = open_page(f"{site}/council/{BOSTON}.atom", javascript=False)
    assert "Boston Borough Council: 2 changes in version 9" in feed.content()


@pytest.mark.parametrize(
    "path",
    ["index.html#council=E07000136", f"council/{BOSTON}.html", f"embed.html#council={BOSTON}", "what-changed.html"],
)
def test_no_wcag_violation_on_the_map_a_council_page_and_the_embed(site, open_page, path):
    page = open_page(f"{site}/{path}")
    if "#council" in path:
        page.wait_for_function(
            "location.hash && (document.querySelector('#panel h2') || "
            "document.getElementById('embed-link')).textContent.startsWith('Boston')"
        )
    assert axe_violations(page) == []


def test_the_search_finds_a_former_council_by_its_old_name_and_code(site, open_page):
    """As the app does: Forest Heath (abolished 2019) opens West Suffolk; its old GSS code does too."""
    page = open_page(f"{site}/index.html")
    page.wait_for_function(f"document.querySelectorAll({COUNCIL_PATHS!r}).length > 300")
    for text in ("Forest Heath District Council", "E07000201"):
        page.fill("#search", text)
        page.press("#search", "Enter")
        page.locator("#panel").get_by_role("heading", name="West Suffolk Council").wait_for()
        page.evaluate("document.getElementById('panel').textContent = ''")
