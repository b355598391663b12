"""How heavy and how fast the map is: run by hand, `.venv/bin/python bench/map_payload.py`.

Prints, for the same 361 current councils of the shared boundary file:
- page bytes of the naive way, ``GeoDataFrame.explore()``, and of our full-UK map (councils, partnership lines,
  tooltips, legend): both as a standalone HTML page, and ours as the st_folium component's arguments (what the
  app sends through the websocket);
- what one click sends instead (the selection layer only), and the one-time, cacheable Leaflet files;
- cold build time (nothing cached, fresh process) and warm rerun time of the Map page for a click (AppTest).

explore() needs matplotlib and mapclassify, which the app itself does not: `pip install -r bench/requirements.txt`.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore")

KB = 1000


def cold_build() -> tuple[float, object, object, object, object]:
    """Everything from the files on disk to the rendered base map, as the first visitor after a start pays."""
    started = time.perf_counter()
    from sharedmap.filters import Filters, apply_filters
    from sharedmap.maps import mapview
    from sharedmap.maps import payload as map_payload
    from sharedmap.publishing.dataset import load_published
    from sharedmap.register import load_register
    from sharedmap.spatial.network import build_network, year_geometries

    register = load_register()
    _label, partnerships = load_published(register)
    shown = apply_filters(partnerships, Filters(year=2025), register)
    network = build_network(shown, register, 2025)
    areas = year_geometries(2025)
    drawn = map_payload.tier_areas(areas, 2025, "ltla")
    payload = map_payload.build_view_payload(
        network, shown, register, drawn, map_payload.build_topology(drawn), "partnerships"
    )
    base = mapview.build_map(
        payload.councils_json, payload.links_json, payload.points_json, payload.legend_title, payload.legend_classes
    )
    base.get_root().render()
    return time.perf_counter() - started, base, network, areas, shown


def component_bytes(base, selection) -> tuple[int, int]:
    """Bytes of st_folium's arguments for this map, and of the part a click changes (the selection layer)."""
    from streamlit_folium import _get_feature_group_string, _get_header, _get_html, _get_map_string

    base.render()
    args = {"script": _get_map_string(base), "header": _get_header(base), "html": _get_html(base)}
    js, css = [u for _, u in base.default_js], [u for _, u in base.default_css]
    feature_group = _get_feature_group_string(selection, map=base)
    whole = json.dumps({**args, "js_links": js, "css_links": css, "feature_group": feature_group})
    return len(whole.encode()), len(feature_group.encode())


def naive_bytes() -> int:
    from sharedmap.spatial.boundaries import load_councils

    councils = load_councils(None, "ltla")
    assert len(councils) == 361, len(councils)
    try:
        page = councils.explore()
    except ImportError as exc:
        sys.exit(f"{exc}\nInstall the baseline's extras: .venv/bin/pip install -r bench/requirements.txt")
    return len(page.get_root().render().encode())


def warm_click_seconds(rounds: int = 6) -> list[float]:
    """Map page reruns after a click (the selection alternates between two councils), caches warm."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "map.py"), default_timeout=120).run()
    times = []
    for i in range(rounds):
        at.session_state["view_council"] = ("BOT", "ELI")[i % 2]
        started = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - started)
        assert not at.exception, at.exception
    return times


def main() -> None:
    from sharedmap.maps import assets, mapview, panel
    from sharedmap.maps import payload as map_payload

    cold, base, network, areas, shown = cold_build()
    ours_html = len(base.get_root().render().encode())
    from sharedmap.register import load_register

    register = load_register()
    chosen = panel.select_council("BOT", register, network, areas, shown)
    ids = {p.id for p in chosen.partnerships}
    links = map_payload.link_features(
        type(network)(
            network.year,
            network.members,
            network.links[network.links["partnership_id"].isin(ids)],
            network.figures,
            network.unmatched,
        ),
        list(chosen.partnerships),
    )
    selection = mapview.selection_layer(
        map_payload.script_json(map_payload.area_features(areas, {chosen.gss})),
        map_payload.script_json(map_payload.area_features(areas, chosen.partner_codes)),
        map_payload.script_json(links),
    )
    ours_component, click_bytes = component_bytes(base, selection)
    naive = naive_bytes()
    vendor = sum((assets.VENDOR_DIR / path).stat().st_size for a in assets.ASSETS for path in (*a.js, *a.css))
    warm = warm_click_seconds()

    print("Map payload, full UK (361 current councils, 2025 boundaries)")
    print(f"  naive GeoDataFrame.explore() page:       {naive / KB:8.0f} KB  (1.00)")
    print(
        f"  ours, standalone page (all layers):      {ours_html / KB:8.0f} KB  ({ours_html / naive:.2f} of naive, "
        f"{naive / ours_html:.1f}x smaller)"
    )
    print(f"  ours, st_folium component arguments:     {ours_component / KB:8.0f} KB  ({ours_component / naive:.2f})")
    print(f"  a click (selection layer only):          {click_bytes / KB:8.1f} KB  ({click_bytes / naive:.4f})")
    print(f"  Leaflet + topojson-client, cached once:  {vendor / KB:8.0f} KB")
    print(f"  target <= 600 KB: {'met' if max(ours_html, ours_component) <= 600 * KB else 'NOT met'}")
    print("Time")
    print(f"  cold build (files to rendered map):      {cold:8.2f} s")
    print(
        f"  warm rerun for a click (median of {len(warm)}):   {statistics.median(warm):8.3f} s  "
        f"(min {min(warm):.3f}, max {max(warm):.3f})"
    )


if __name__ == "__main__":
    main()
