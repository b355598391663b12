"""The map in a real browser (Debian's Chromium driven by Playwright) against a real `streamlit run app.py`:
councils drawn, tooltips with savings, a click on Boston lists its partnership with East Lindsey without
rebuilding the map, a link reproduces a view, and no request leaves this machine.

One server and one browser for the whole module; a screenshot of the map is saved under test-output/.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from sharedmap import assets, mapdata, panel
from sharedmap.boundaries import load_councils
from sharedmap.filters import Filters, apply_filters
from sharedmap.network import build_network, year_geometries

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
OUTPUT = ROOT / "test-output"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
BOSTON, BOSTON_ID = "E07000136", "BOT"
ALLIANCE = "Boston and East Lindsey Strategic Alliance"

# A point of a layer where that layer, and nothing drawn over it, is under the mouse (a link or dot may cover
# a council's middle); in the map's frame coordinates.
FIND_POINT = """([key, value]) => {
  let target = null;
  window.map.eachLayer(l => { if (!target && l._path && l.options.interactive !== false && l.feature &&
                                  l.feature.properties[key] === value) target = l; });
  if (!target) return null;
  const candidates = [];
  if (target instanceof L.Polygon || !(target instanceof L.Polyline)) {
    const b = target.getBounds();
    for (let i = 1; i < 20; i++) for (let j = 1; j < 20; j++)
      candidates.push(L.latLng(b.getSouth() + (b.getNorth() - b.getSouth()) * i / 20,
                               b.getWest() + (b.getEast() - b.getWest()) * j / 20));
  } else {
    const lines = L.LineUtil.isFlat(target.getLatLngs()) ? [target.getLatLngs()] : target.getLatLngs();
    for (const line of lines) for (let k = 1; k < line.length; k++) for (let t = 0.3; t < 0.75; t += 0.05)
      candidates.push(L.latLng(line[k - 1].lat + (line[k].lat - line[k - 1].lat) * t,
                               line[k - 1].lng + (line[k].lng - line[k - 1].lng) * t));
  }
  for (const ll of candidates) {
    const p = window.map.latLngToContainerPoint(ll);
    if (document.elementFromPoint(p.x, p.y) === target._path) return {x: p.x, y: p.y};
  }
  return null;
}"""
# Every visible text of the page (outside the map's frame) with its contrast against the background it sits on,
# alpha blended; those under WCAG 2.2 AA (4.5:1, or 3:1 for large text) are returned.
LOW_CONTRAST = r"""() => {
  const parse = c => {
    const p = c.match(/rgba?\(([^)]+)\)/)[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const blend = (fg, bg) => [0, 1, 2].map(i => fg[i] * fg[3] + bg[i] * (1 - fg[3])).concat([1]);
  const background = el => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    return layers.reverse().reduce((bg, c) => blend(c, bg), [255, 255, 255, 1]);
  };
  const lum = c => {
    const a = c.slice(0, 3).map(v => (v /= 255) <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
    return 0.2126 * a[0] + 0.7152 * a[1] + 0.0722 * a[2];
  };
  const skip = '[data-testid="stSkipToContent"], [data-testid="stIconMaterial"], [data-testid="stSliderThumbValue"]';
  const low = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement, text = walker.currentNode.textContent.trim();
    if (!text || !el || el.closest(skip)) continue;
    const s = getComputedStyle(el), r = el.getBoundingClientRect();
    if (s.visibility === "hidden" || s.display === "none" || !r.width || !r.height || s.opacity === "0") continue;
    const bg = background(el), fg = blend(parse(s.color), bg);
    const ratio = (Math.max(lum(fg), lum(bg)) + 0.05) / (Math.min(lum(fg), lum(bg)) + 0.05);
    const size = parseFloat(s.fontSize), large = size >= 24 || (parseInt(s.fontWeight) >= 700 && size >= 18.66);
    if (ratio < (large ? 3 : 4.5)) low.push([text.slice(0, 40), Math.round(ratio * 100) / 100, s.color]);
  }
  return low;
}"""
COUNT = "document.querySelectorAll(%r).length"
COUNCIL_PATHS, LINK_PATHS = ".leaflet-sm-councils-pane path", ".leaflet-sm-links-pane path.leaflet-interactive"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`streamlit run app.py` on a free localhost port, stopped after the module."""
    missing = assets.missing_files()
    if missing:
        pytest.fail(f"map assets missing ({', '.join(missing)}): run `python -m sharedmap assets install`")
    port = free_port()
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not start:\n{log.read_text()}")
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed (apt-get install chromium; dev.py does it as root)")
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture()
def visit(browser, server):
    """Open a path of the app; every request of the page (and its frames) is recorded and must stay local."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))

    def open_path(path: str = "/", with_map: bool = True):
        page = context.new_page()
        page.goto(server + path)
        return page, map_frame(page) if with_map else None

    yield open_path
    context.close()
    leaving = [url for url in requests if urlsplit(url).scheme in ("http", "https", "ws", "wss")
               and urlsplit(url).hostname not in LOCAL_HOSTS]
    assert requests and not leaving, f"requests left localhost: {leaving}"


def map_frame(page):
    """The st_folium frame once its councils are drawn."""
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "st_folium" in frame.url:
                try:
                    if frame.evaluate("window.map ? " + COUNT % COUNCIL_PATHS + " : 0"):
                        return frame
                except playwright_api.Error:
                    pass
        page.wait_for_timeout(200)
    pytest.fail("the map did not draw its councils")


def point_of(frame, key: str, value: str) -> dict:
    spot = frame.evaluate(FIND_POINT, [key, value])
    assert spot, f"no visible point of {key}={value}"
    box = frame.frame_element().bounding_box()
    return {"x": box["x"] + spot["x"], "y": box["y"] + spot["y"]}


def tooltip_text(page, frame, point) -> str:
    page.mouse.move(point["x"], point["y"])
    frame.wait_for_selector(".leaflet-tooltip", timeout=5000)
    return frame.evaluate("Array.from(document.querySelectorAll('.leaflet-tooltip')).map(t => t.innerText).join('|')")


def drawn_links(seed, register, filters: Filters) -> int:
    """Clickable line and hub features the map draws for these filters, from the library."""
    shown = apply_filters(seed, filters, register)
    return len(mapdata.link_features(build_network(shown, register, filters.year), shown)["features"])


def test_first_visit_to_a_page_gets_the_apps_frame(visit):
    """The module's first request: Streamlit would run pages/statistics.py bare (old pages/ folder mode) until
    app.py has run once; the app switches that off, so the sidebar and the link's filter are there."""
    page, _frame = visit("/statistics?service=Waste", with_map=False)
    page.get_by_role("heading", name="Statistics", exact=True).wait_for(timeout=15000)
    page.get_by_role("heading", name="Filters").wait_for(timeout=5000)
    assert page.get_by_text("Waste", exact=True).count() >= 1
    assert page.get_by_role("link", name="Map").count() == 1


def test_map_draws_every_council_and_its_links(visit, seed, register):
    page, frame = visit("/")
    assert frame.evaluate(COUNT % COUNCIL_PATHS) == len(load_councils(2025, "ltla")) == 361
    assert frame.evaluate(COUNT % LINK_PATHS) == drawn_links(seed, register, Filters(year=2025))
    assert "Number of partnerships" in frame.inner_text(".sm-legend")
    assert "OGL v3" in frame.inner_text(".leaflet-control-attribution")
    assert "Map of UK councils" in frame.get_attribute(".leaflet-container", "aria-label")
    OUTPUT.mkdir(exist_ok=True)
    page.wait_for_timeout(500)
    page.screenshot(path=str(OUTPUT / "map.png"))


def test_hover_shows_savings_for_a_council_and_a_link(visit):
    page, frame = visit("/")
    frame.evaluate("window.map.setView([53.1, 0.0], 9, {animate: false})")
    text = tooltip_text(page, frame, point_of(frame, "c", BOSTON))
    assert "Boston Borough Council" in text and "partnerships shown" in text and "£" in text
    page.mouse.move(1, 1)
    text = tooltip_text(page, frame, point_of(frame, "p", "SS001"))
    assert ALLIANCE in text and "£15.4m target over 10 years (estimate)" in text and "annual" in text


def test_click_boston_lists_east_lindsey_without_rebuilding_the_map(visit):
    page, frame = visit("/")
    frame.evaluate("window.map.setView([53.0, 0.0], 9, {animate: false}); window.map.__probe = 'kept'")
    page.mouse.click(**point_of(frame, "c", BOSTON))
    page.get_by_role("heading", name="Boston Borough Council").wait_for(timeout=15000)
    card = page.get_by_text(ALLIANCE, exact=True)
    card.wait_for(timeout=5000)
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
    page.get_by_role("heading", name=ALLIANCE).wait_for(timeout=15000)
    assert "partnership=SS001" in page.url


def test_a_link_with_council_and_filters_reproduces_the_view(visit, seed, register):
    filters = Filters(services=("Management team",), year=2022)
    page, frame = visit(f"/?council={BOSTON_ID}&service=Management+team&year=2022")
    page.get_by_role("heading", name="Boston Borough Council").wait_for(timeout=15000)
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
    page.get_by_role("heading", level=1).first.wait_for(timeout=15000)
    page.wait_for_timeout(500)
    assert page.evaluate(LOW_CONTRAST) == []
