"""What the browser tests share: Debian's Chromium (one per test module, driven by Playwright), real
`streamlit run app.py` servers on free localhost ports, and helpers that read the map's frame (a point of a layer,
its tooltip) and check text contrast against WCAG 2.2 AA.

Loaded for every test through ``pytest_plugins`` in conftest.py; the browser fixture skips when Playwright or
Chromium is missing, saying why.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OUTPUT = ROOT / "test-output"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
COUNT = "document.querySelectorAll(%r).length"
COUNCIL_PATHS, LINK_PATHS = ".leaflet-sm-councils-pane path", ".leaflet-sm-links-pane path.leaflet-interactive"

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
# alpha blended; those under WCAG 2.2 AA (4.5:1, or 3:1 for large text) are returned. Text of inactive (disabled)
# controls is exempt in WCAG, and text clipped to 1 px is for screen readers only.
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
  const skip = '[data-testid="stSkipToContent"], [data-testid="stIconMaterial"], [data-testid="stSliderThumbValue"], ' +
               'button:disabled';
  const low = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement, text = walker.currentNode.textContent.trim();
    if (!text || !el || el.closest(skip)) continue;
    const s = getComputedStyle(el), r = el.getBoundingClientRect();
    if (s.visibility === "hidden" || s.display === "none" || r.width <= 1 || r.height <= 1 || s.opacity === "0")
      continue;
    const bg = background(el), fg = blend(parse(s.color), bg);
    const ratio = (Math.max(lum(fg), lum(bg)) + 0.05) / (Math.min(lum(fg), lum(bg)) + 0.05);
    const size = parseFloat(s.fontSize), large = size >= 24 || (parseInt(s.fontWeight) >= 700 && size >= 18.66);
    if (ratio < (large ? 3 : 4.5)) low.push([text.slice(0, 40), Math.round(ratio * 100) / 100, s.color]);
  }
  return low;
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(port: int, log: Path, env: dict[str, str] | None = None, options: Sequence[str] = ()) -> subprocess.Popen:
    """Start `streamlit run app.py` on 127.0.0.1:port (not waiting for it), its output going to ``log``."""
    with open(log, "w") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",
                "none",
                *options,
            ],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        )


def wait_until_healthy(process: subprocess.Popen, base: str, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start:\n{log.read_text()}")
            time.sleep(0.3)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@contextmanager
def streamlit_servers(
    folder: Path, *setups: tuple[dict[str, str] | None, Sequence[str]], ports: Sequence[int] | None = None
) -> Iterator[list[str]]:
    """One server per (environment, options) setup, started together; their base URLs; all stopped afterwards."""
    ports = list(ports or [free_port() for _ in setups])
    started = []
    try:
        for i, ((env, options), port) in enumerate(zip(setups, ports, strict=True)):
            started.append(
                (
                    launch(port, folder / f"server-{i}.log", env, options),
                    f"http://127.0.0.1:{port}",
                    folder / f"server-{i}.log",
                )
            )
        for process, base, log in started:
            wait_until_healthy(process, base, log)
        yield [base for _, base, _ in started]
    finally:
        for process, _, _ in started:
            stop(process)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, for one test module: Playwright's sync API keeps an event loop running in this
    thread while it is open, which would stop later tests from using asyncio.run."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed (apt-get install chromium; dev.py does it as root)")
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()


def map_frame(page, timeout: float = 45):
    """The st_folium frame once its councils are drawn."""
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "st_folium" in frame.url:
                try:
                    if frame.evaluate("window.map ? " + COUNT % COUNCIL_PATHS + " : 0"):
                        return frame
                except Error:
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
    frame.wait_for_selector(".leaflet-tooltip", timeout=15000)
    return frame.evaluate("Array.from(document.querySelectorAll('.leaflet-tooltip')).map(t => t.innerText).join('|')")


@contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """A plain `python -m http.server` over ``folder`` (no app running); its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(base + "/", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("python -m http.server did not start")
                time.sleep(0.1)
        yield base
    finally:
        stop(process)


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
AXE_RUN = """async (tags) => (await axe.run(document, {runOnly: {type: "tag", values: tags}})).violations
  .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}))"""


def axe_violations(page_or_frame) -> list[dict]:
    """axe-core's WCAG 2.2 A/AA violations on a loaded page (axe-core from the npm registry, integrity checked,
    fetched once into test-output/vendor)."""
    from sharedmap.maps import assets

    assets.install_one(assets.AXE_CORE, assets.TEST_VENDOR_DIR)
    page_or_frame.add_script_tag(path=str(assets.TEST_VENDOR_DIR / assets.AXE_CORE.js[0]))
    return page_or_frame.evaluate(AXE_RUN, AXE_TAGS)
