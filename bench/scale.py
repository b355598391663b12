"""Scale benchmark, run by hand: the real table (95 partnerships) next to 10,000 synthetic ones.

    .venv/bin/python bench/scale.py                 # 95 real and 10,000 synthetic
    .venv/bin/python bench/scale.py --count 20000 --no-browser

For each dataset, on the 2025 councils: filter + join time (``apply_filters`` + ``network.build_network``, the
default view and a one-service view, median of 7), the map's payload (the standalone page and st_folium's component
arguments, i.e. what the websocket carries; links merged per pair of places above ``aggregate.AGGREGATE_ABOVE``),
its build time, the Map page's build time in Streamlit (AppTest: first run with empty caches, then a click), and
how long Debian's Chromium takes to draw the page (load to last council drawn, and a hover's tooltip).
The synthetic partnerships (bench/synthetic.py) live only in a temporary store, never under data/.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore")
KB = 1000


def median_time(function, rounds: int = 7) -> tuple[float, object]:
    times, result = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def join_figures(partnerships, register, areas) -> dict:
    from sharedmap.filters import Filters, apply_filters
    from sharedmap.spatial.network import build_network

    figures = {}
    for name, filters in (("default view", Filters(year=2025)), ("one service", Filters(year=2025, services=("ICT",)))):
        filter_s, kept = median_time(lambda f=filters: apply_filters(partnerships, f, register))
        join_s, network = median_time(lambda k=kept: build_network(k, register, 2025, areas))
        figures[name] = {
            "shown": len(kept),
            "filter_ms": round(filter_s * 1000, 1),
            "join_ms": round(join_s * 1000, 1),
            "filter_and_join_ms": round((filter_s + join_s) * 1000, 1),
            "links": len(network.links),
        }
    return figures


def payload_figures(partnerships, register, areas) -> tuple[dict, str]:
    from bench.map_payload import component_bytes
    from sharedmap.filters import Filters, apply_filters
    from sharedmap.maps import mapview
    from sharedmap.maps import payload as map_payload
    from sharedmap.spatial.network import build_network

    shown = apply_filters(partnerships, Filters(year=2025), register)
    network = build_network(shown, register, 2025, areas)
    drawn = map_payload.tier_areas(areas, 2025, "ltla")
    topology = map_payload.build_topology(drawn)
    build_s, payload = median_time(
        lambda: map_payload.build_view_payload(network, shown, register, drawn, topology, "partnerships"), rounds=3
    )
    base = mapview.build_map(
        payload.councils_json,
        payload.links_json,
        payload.points_json,
        payload.legend_title,
        payload.legend_classes,
        static_url=(ROOT / "static").as_uri(),
    )
    page = base.get_root().render()
    component, _click = component_bytes(base, mapview.selection_layer("{}", "{}", "{}"))
    links = json.loads(payload.links_json)["features"]
    segments = sum(
        len(f["geometry"]["coordinates"]) if f["geometry"]["type"] == "MultiLineString" else 0 for f in links
    )
    return {
        "links_merged": payload.links_aggregated,
        "link_features": len(links),
        "line_segments": segments,
        "link_kb": round(len(payload.links_json.encode()) / KB),
        "page_kb": round(len(page.encode()) / KB),
        "component_kb": round(component / KB),
        "payload_build_ms": round(build_s * 1000),
    }, page


def page_build_figures(partnerships, label: str) -> dict:
    """The Map page in Streamlit on a throw-away store holding ``partnerships``: a first run with empty caches
    (store read, join, payload, map) and a click (caches warm), in a fresh process so nothing is shared."""
    folder = Path(tempfile.mkdtemp(prefix="sharedmap-scale-"))
    url = f"sqlite:///{folder / 'store.sqlite'}"
    from sharedmap.publishing.store import Store

    store = Store.open(url)
    store.ensure_seeded(partnerships, label)
    store.close()
    script = f"""
import json, time, os
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({str(ROOT / "app.py")!r}, default_timeout=300)
t = time.perf_counter(); at.run(); first = time.perf_counter() - t
assert not at.exception, at.exception
clicks = []
for council in ("BOT", "ELI", "BOT", "ELI", "BOT"):
    at.session_state["view_council"] = council
    t = time.perf_counter(); at.run(); clicks.append(time.perf_counter() - t)
    assert not at.exception, at.exception
print(json.dumps({{"first_run_s": round(first, 2), "click_run_s": round(sorted(clicks)[2], 3)}}))
"""
    import subprocess

    env = {**os.environ, "SHAREDMAP_DATABASE_URL": url, "SHAREDMAP_EVENT_LOG": "off"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def browser_figures(page: str) -> dict:
    """Debian's Chromium opens the standalone page (file://, the app's own Leaflet): time to the last council
    drawn, and to a tooltip after hovering a council."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"browser": "playwright not installed"}
    path = Path(tempfile.mkdtemp(prefix="sharedmap-scale-")) / "map.html"
    path.write_text(page, encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files"],
        )
        tab = browser.new_page(viewport={"width": 1200, "height": 900})
        started = time.perf_counter()
        tab.goto(path.as_uri())
        tab.wait_for_function("document.querySelectorAll('.leaflet-sm-councils-pane path').length > 300", timeout=60000)
        drawn = time.perf_counter() - started
        paths = tab.evaluate("document.querySelectorAll('path').length")
        box = tab.locator(".leaflet-sm-councils-pane path").nth(150).bounding_box()
        started = time.perf_counter()
        tab.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        tab.wait_for_selector(".leaflet-tooltip", timeout=10000)
        hover = time.perf_counter() - started
        browser.close()
    return {"browser_draw_s": round(drawn, 2), "svg_paths": paths, "hover_tooltip_ms": round(hover * 1000)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000, help="synthetic partnerships (default 10,000)")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium drawing time")
    parser.add_argument("--no-page", action="store_true", help="skip the Streamlit page build time")
    args = parser.parse_args(argv)

    from bench.synthetic import synthetic_partnerships
    from sharedmap.publishing.dataset import load_seed
    from sharedmap.register import load_register
    from sharedmap.spatial.network import year_geometries

    register = load_register()
    areas = year_geometries(2025)
    generate_s, synthetic = median_time(lambda: synthetic_partnerships(args.count, register), rounds=1)
    datasets = {"real (data/partnerships.csv)": load_seed(register=register), f"synthetic ({args.count:,})": synthetic}
    results = {
        name: {"partnerships": len(partnerships), "join": join_figures(partnerships, register, areas)}
        for name, partnerships in datasets.items()
    }  # first, while nothing else runs
    for name, partnerships in datasets.items():
        row = results[name]
        row["payload"], page = payload_figures(partnerships, register, areas)
        if not args.no_page:
            row["page"] = page_build_figures(partnerships, name)
        if not args.no_browser:
            row["browser"] = browser_figures(page)
        print(json.dumps({name: row}), flush=True)
    print(f"\nsynthetic generation: {generate_s:.2f} s for {args.count:,}")
    print(
        "| | partnerships | shown (2025) | filter + join, default view | one service | links drawn | "
        "page | component args | payload build | page first run | click rerun | Chromium draw | hover |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, row in results.items():
        join, payload = row["join"], row["payload"]
        page, browser = row.get("page", {}), row.get("browser", {})
        print(
            f"| {name} | {row['partnerships']:,} | {join['default view']['shown']:,} | "
            f"{join['default view']['filter_and_join_ms']} ms | {join['one service']['filter_and_join_ms']} ms | "
            f"{payload['line_segments']:,} lines in {payload['link_features']} features"
            f"{' (merged)' if payload['links_merged'] else ''} | "
            f"{payload['page_kb']} KB | {payload['component_kb']} KB | {payload['payload_build_ms']} ms | "
            f"{page.get('first_run_s', '-')} s | {page.get('click_run_s', '-')} s | "
            f"{browser.get('browser_draw_s', '-')} s | {browser.get('hover_tooltip_ms', '-')} ms |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
