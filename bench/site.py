"""The public map as a static site against Streamlit, side by side in one run: `.venv/bin/python bench/site.py`.

In Debian's headless Chromium, one server at a time on this machine, each opened by two new visitors (fresh
browser contexts, so nothing is cached in the browser; the second finds the server warm):
- the naive baseline: every 2025 council as GeoJSON through folium and st_folium (bench/naive_app.py);
- the app's Map page started as `streamlit run app.py` (caches cold) and as `python -m sharedmap serve` (warmed);
- the static site (`python -m sharedmap site build`) under a plain `python -m http.server`.
Map ready: when the number of drawn shapes stops changing (measured from navigation to the last change). Bytes:
everything received (HTTP bodies and headers, websocket frames), and for the site also each file gzipped.
Then: click → panel on the site; the build of the real table; 10,000 synthetic partnerships (bench/synthetic.py)
built and opened; axe-core's WCAG 2.2 A/AA violations on the site's pages and the app's.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
KB = 1000
SHAPES = "document.querySelectorAll('path.leaflet-interactive').length"
STABLE_S, TIMEOUT_S = 1.5, 120
CLICK_TO_PANEL = """async (code) => {
  window.__t1 = null;
  const panel = document.getElementById("panel");
  new MutationObserver((_, obs) => { const h = panel.querySelector("h2");
    if (h && h.textContent === window.__want) { window.__t1 = performance.now(); obs.disconnect(); } })
    .observe(panel, {childList: true, subtree: true});
  document.addEventListener("mousedown", () => { window.__t0 = performance.now(); }, {capture: true, once: true});
}"""


ZOOM_TO = """(code) => window.sharedmapMap.councils.eachLayer(l => {
  if (l.feature.properties.c === code) window.map.fitBounds(l.getBounds(), {animate: false, maxZoom: 9}); })"""


def wait_ready(page, started: float) -> tuple[float, int]:
    """Seconds from navigation until the shapes last changed (and then stayed put for STABLE_S), and their count."""
    last_count, last_change = -1, started
    deadline = time.perf_counter() + TIMEOUT_S
    while time.perf_counter() < deadline:
        count = 0
        for frame in page.frames:
            with contextlib.suppress(Exception):  # a frame replaced while we ask: counted next time
                count += frame.evaluate(SHAPES)
        now = time.perf_counter()
        if count != last_count:
            last_count, last_change = count, now
        elif count > 300 and now - last_change >= STABLE_S:
            return last_change - started, count
        time.sleep(0.03)
    raise RuntimeError(f"the map never settled ({last_count} shapes)")


def visit(browser, url: str) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    received = {"http": 0, "ws": 0, "requests": 0, "urls": []}

    def finished(event):
        received["http"] += event["encodedDataLength"]

    def sent(event):
        received["requests"] += 1
        received["urls"].append(event["request"]["url"])

    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.requestWillBeSent", sent)
    cdp.on(
        "Network.webSocketFrameReceived",
        lambda e: received.__setitem__("ws", received["ws"] + len(e["response"]["payloadData"])),
    )
    started = time.perf_counter()
    page.goto(url, wait_until="commit")
    ready, shapes = wait_ready(page, started)
    return {
        "ready_s": round(ready, 2),
        "shapes": shapes,
        "bytes": received["http"] + received["ws"],
        "requests": received["requests"],
        "urls": received["urls"],
        "page": page,
        "context": context,
    }


def wait_http(url: str, process: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped: {process.args}") from None
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def start(command: list[str], url: str, env: dict, log: Path, cwd: Path = ROOT) -> tuple[subprocess.Popen, float]:
    started = time.perf_counter()
    with open(log, "w") as out:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    wait_http(url, process)
    return process, time.perf_counter() - started


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def two_visitors(browser, url: str, axe: bool = False) -> dict:
    first = visit(browser, url)
    violations = None
    if axe:
        from browser_fixtures import axe_violations

        violations = axe_violations(first["page"])
    first["context"].close()
    second = visit(browser, url)
    second["context"].close()
    return {"first": first, "next": second, "axe": violations}


def site_gzip_bytes(folder: Path, urls: list[str], base: str) -> int:
    total = 0
    for url in urls:
        path = folder / url.removeprefix(base + "/").split("#")[0].split("?")[0]
        if path.is_file():
            total += len(gzip.compress(path.read_bytes(), 6))
    return total


def click_figures(page) -> list[float]:
    """Click → panel in the browser, for councils of different sizes: from mousedown to the panel's heading."""
    from test_browser_site import FIND_POINT_IN_PAGE

    times = []
    for code, name in (
        ("E07000136", "Boston Borough Council"),
        ("E07000137", "East Lindsey District Council"),
        ("E08000025", "Birmingham City Council"),
        ("E06000052", "Cornwall Council"),
    ):
        page.evaluate(ZOOM_TO, code)
        page.evaluate(f"window.__want = {json.dumps(name)}")
        page.evaluate(CLICK_TO_PANEL, code)
        spot = page.evaluate(FIND_POINT_IN_PAGE, ["c", code])
        if not spot:
            continue
        page.mouse.click(spot["x"], spot["y"])
        page.wait_for_function("window.__t1 !== null", timeout=10000)
        times.append(round(page.evaluate("window.__t1 - window.__t0"), 1))
    return times


def build(partnerships, register, output: Path, label: str) -> float:
    from sharedmap.site.build import build_site

    started = time.perf_counter()
    build_site(output, partnerships, register, label)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=10_000)
    args = parser.parse_args(argv)
    from browser_fixtures import CHROMIUM, FLAGS, axe_violations, free_port
    from playwright.sync_api import sync_playwright
    from synthetic import synthetic_partnerships

    from sharedmap.publishing.dataset import load_seed
    from sharedmap.register import load_register

    register = load_register()
    seed = load_seed(register=register)
    tmp = Path(tempfile.mkdtemp(prefix="bench-site-"))
    results: dict = {}
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SHAREDMAP_EVENT_LOG": "off",
        "SHAREDMAP_SITE_DIR": "off",
        "SHAREDMAP_DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite'}",
        "PYTHONUNBUFFERED": "1",
    }
    build_times = [build(seed, register, tmp / "site", "real") for _ in range(3)]
    results["build_real_s"] = round(statistics.median(build_times), 2)
    naive_dir = tmp / "naive"
    naive_dir.mkdir()
    shutil.copy(ROOT / "bench" / "naive_app.py", naive_dir / "naive_app.py")
    (naive_dir / "static").symlink_to(ROOT / "static")
    streamlit_flags = [
        "--server.headless=true",
        "--browser.gatherUsageStats=false",
        "--server.fileWatcherType=none",
        "--server.enableStaticServing=true",
        "--server.address=127.0.0.1",
    ]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        runs = {
            "naive": (
                [sys.executable, "-m", "streamlit", "run", str(naive_dir / "naive_app.py"), *streamlit_flags],
                "",
                False,
            ),
            "app_cold": ([sys.executable, "-m", "streamlit", "run", "app.py", *streamlit_flags], "", True),
            "app_serve": ([sys.executable, "-m", "sharedmap", "serve"], "", False),
        }
        for name, (command, path, axe) in runs.items():
            port = free_port()
            command = [*command, f"--server.port={port}"] if name != "app_serve" else [*command, "--port", str(port)]
            process, started_s = start(command, f"http://127.0.0.1:{port}/_stcore/health", env, tmp / f"{name}.log")
            try:
                found = two_visitors(browser, f"http://127.0.0.1:{port}/{path}", axe)
                if axe:
                    for page_path in ("about", "data"):
                        context = browser.new_context(viewport={"width": 1280, "height": 800})
                        page = context.new_page()
                        page.goto(f"http://127.0.0.1:{port}/{page_path}")
                        page.get_by_role("heading", level=1).first.wait_for(timeout=60000)
                        page.wait_for_timeout(1500)
                        found[f"axe_{page_path}"] = axe_violations(page)
                        context.close()
            finally:
                stop(process)
            found["start_s"] = round(started_s, 1)
            results[name] = found
        for name, folder in (("site", tmp / "site"),):
            port = free_port()
            process, _ = start(
                [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(folder)],
                f"http://127.0.0.1:{port}/",
                env,
                tmp / "http.log",
            )
            base = f"http://127.0.0.1:{port}"
            try:
                found = two_visitors(browser, f"{base}/index.html")
                found["gzip"] = site_gzip_bytes(folder, found["first"]["urls"], base)
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                page = context.new_page()
                page.goto(f"{base}/index.html")
                page.wait_for_function(f"{SHAPES} > 300")
                found["click_ms"] = click_figures(page)
                found["axe"] = {}
                for path in ("index.html#council=E07000136", "council/E07000136.html", "embed.html#council=E07000136"):
                    page.goto(f"{base}/{path}")
                    page.wait_for_timeout(800)
                    found["axe"][path] = axe_violations(page)
                context.close()
            finally:
                stop(process)
            results[name] = found
        synthetic = [*seed, *synthetic_partnerships(args.synthetic, register)]
        results["build_synthetic_s"] = round(build(synthetic, register, tmp / "scale", "synthetic"), 2)
        port = free_port()
        process, _ = start(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(tmp / "scale")],
            f"http://127.0.0.1:{port}/",
            env,
            tmp / "http2.log",
        )
        try:
            found = visit(browser, f"http://127.0.0.1:{port}/index.html")
            found["gzip"] = site_gzip_bytes(tmp / "scale", found["urls"], f"http://127.0.0.1:{port}")
            found["context"].close()
            results["synthetic"] = found
        finally:
            stop(process)
        browser.close()
    report(results, args.synthetic)
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


def report(results: dict, synthetic: int) -> None:
    base_first, base_next = results["naive"]["first"]["ready_s"], results["naive"]["next"]["ready_s"]
    print("| | map ready, first visitor | map ready, next visitor | received, first visit | requests |")
    print("|---|---|---|---|---|")
    for name, label in (
        ("naive", "naive Streamlit + folium"),
        ("app_cold", "app's Map page, `streamlit run`"),
        ("app_serve", "app's Map page, `serve` (warmed)"),
        ("site", "static site, http.server"),
    ):
        first, second = results[name]["first"], results[name]["next"]
        print(
            f"| {label} | {first['ready_s']} s ({first['ready_s'] / base_first:.2f}×) | {second['ready_s']} s "
            f"({second['ready_s'] / base_next:.2f}×) | {first['bytes'] / KB:.0f} KB | {first['requests']} |"
        )
    site = results["site"]
    print(
        f"\nstatic site, first visit: {site['first']['bytes'] / KB:.0f} KB received, {site['gzip'] / KB:.0f} KB "
        f"with gzip; shapes {site['first']['shapes']}"
    )
    print(f"click → panel (ms, Boston, East Lindsey, Birmingham, Cornwall): {site['click_ms']}")
    print(
        f"site build, real table: {results['build_real_s']} s; {synthetic:,} synthetic + real: "
        f"{results['build_synthetic_s']} s; its first visit {results['synthetic']['bytes'] / KB:.0f} KB "
        f"({results['synthetic']['gzip'] / KB:.0f} KB gzipped), ready in {results['synthetic']['ready_s']} s"
    )
    print(
        f"server start to healthy: app_cold {results['app_cold']['start_s']} s, app_serve "
        f"{results['app_serve']['start_s']} s"
    )
    print("\naxe-core WCAG 2.2 A/AA violations:")
    for path, found in site["axe"].items():
        print(f"  site {path}: {len(found)} {[(v['id'], v['impact']) for v in found]}")
    for key, label in (("axe", "app Map page"), ("axe_about", "app About page"), ("axe_data", "app Data page")):
        found = results["app_cold"].get(key) or []
        print(f"  {label}: {len(found)} {[(v['id'], v['impact'], len(v['nodes'])) for v in found]}")


if __name__ == "__main__":
    sys.exit(main())
