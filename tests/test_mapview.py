"""The folium map, inspected without a browser: local assets only, a base map a click never changes, and
st_folium's answers read back as the council or partnership clicked."""

import json
import re

import folium
import pytest
from streamlit_folium import _get_map_string, generate_js_hash

from sharedmap.maps import assets, mapview
from sharedmap.maps import payload as map_payload
from sharedmap.spatial.network import build_network, year_geometries

BOSTON, EAST_LINDSEY = "E07000136", "E07000137"


@pytest.fixture(scope="module")
def built(seed, register):
    areas = year_geometries(2025)
    network = build_network(seed, register, 2025)
    drawn = map_payload.tier_areas(areas, 2025, "ltla")
    payload = map_payload.build_view_payload(
        network, seed, register, drawn, map_payload.build_topology(drawn), "savings"
    )
    return areas, network, payload


def base_map(payload, **kwargs) -> folium.Map:
    return mapview.build_map(
        payload.councils_json,
        payload.links_json,
        payload.points_json,
        payload.legend_title,
        payload.legend_classes,
        **kwargs,
    )


def test_map_loads_only_the_apps_own_files(built):
    html = base_map(built[2]).get_root().render()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    js, css = assets.asset_urls()
    assert sorted(urls) == sorted(js + css)
    assert not re.search(r"https?://", " ".join(urls))
    assert "tileLayer" not in html


def test_tiles_only_when_configured(built):
    html = (
        base_map(built[2], tiles="https://tiles.example.org/{z}/{x}/{y}.png", tiles_attribution="Example tiles")
        .get_root()
        .render()
    )
    assert "tiles.example.org" in html and "Example tiles" in html


def test_static_url_follows_the_base_path(built):
    html = base_map(built[2], static_url="/maps/app/static").get_root().render()
    assert '"/maps/app/static/vendor/leaflet/leaflet.js"' in html


def test_the_rendered_page_is_a_tenth_of_the_naive_one(built):
    """geopandas' explore() of the same councils renders 3.24 MB; the target is at most 600 KB."""
    size = len(base_map(built[2]).get_root().render().encode())
    assert size < 600_000


def test_legend_and_attribution_are_in_the_map(built):
    script = _get_map_string(base_map(built[2]))
    assert "Annual savings" in script and "Shared management" in script
    assert "Open Government Licence v3.0" in script and "CC-BY 4.0" in script


def test_a_click_changes_the_selection_layer_not_the_base_map(built):
    """st_folium keys the component on the base map's script: equal scripts mean no rebuild in the browser."""
    areas, network, payload = built
    empty = map_payload.script_json({"type": "FeatureCollection", "features": []})
    boston = map_payload.script_json(map_payload.area_features(areas, {BOSTON}))
    partners = map_payload.script_json(map_payload.area_features(areas, {EAST_LINDSEY}))
    hashes, layers = [], []
    for selected, partner in ((empty, empty), (boston, partners)):
        m = base_map(payload)
        layers.append(mapview.selection_layer(selected, partner, empty))
        hashes.append(generate_js_hash(_get_map_string(m), "map", False))
    assert hashes[0] == hashes[1]
    assert len(layers[1]._children) == 3
    rendered = [child.data_json for child in layers[1]._children.values()]
    assert BOSTON in rendered[1] and EAST_LINDSEY in rendered[0]


def test_selection_layer_is_not_clickable(built):
    empty = map_payload.script_json({"type": "FeatureCollection", "features": []})
    layer = mapview.selection_layer(empty, empty, empty)
    assert all(not child.interactive for child in layer._children.values())


@pytest.mark.parametrize(
    ("returned", "expected"),
    [
        (None, None),
        ({}, None),
        ({"last_active_drawing": None, "last_object_clicked": None}, None),
        (
            {
                "last_active_drawing": {"type": "Feature", "properties": {"c": BOSTON, "f": "#fff"}},
                "last_object_clicked": {"lat": 52.98, "lng": -0.03},
            },
            mapview.Clicked("council", BOSTON, (52.98, -0.03)),
        ),
        ({"last_active_drawing": {"properties": {"p": "SS001", "t": "x"}}}, mapview.Clicked("partnership", "SS001")),
        ({"last_active_drawing": {"properties": {"p": "SS002", "hub": 1}}}, mapview.Clicked("partnership", "SS002")),
        ({"last_active_drawing": {"properties": {"name": "someone else's layer"}}}, None),
    ],
)
def test_clicked_target(returned, expected):
    assert mapview.clicked_target(returned) == expected


@pytest.mark.parametrize(
    ("bounds", "zoom_range"),
    [
        ((-0.2, 52.8, 0.35, 53.5), (8.0, 10.0)),  # Boston and East Lindsey
        ((-6.5, 50.0, 1.8, 55.8), (5.0, 6.5)),  # England
        ((-0.05, 52.97, -0.04, 52.98), (10.0, 10.0)),  # a point: capped
    ],
)
def test_view_for_bounds_fits_the_selection(bounds, zoom_range):
    (lat, lon), zoom = mapview.view_for_bounds(bounds)
    assert zoom_range[0] <= zoom <= zoom_range[1]
    assert bounds[1] <= lat <= bounds[3]
    assert lon >= (bounds[0] + bounds[2]) / 2  # shifted east so the legend, top right, does not hide it


def test_legend_html_escapes(built):
    html = mapview.legend_html("<b>x</b>", [("#fff", "<script>")])
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert json.loads(map_payload.script_json(html)) == html


@pytest.mark.parametrize("text", ["{{ 7 * 7 }}", "{% if true %}if{% endif %}", "{{ cycler.__init__.__globals__ }}"])
def test_text_from_the_data_is_never_run_as_a_template(seed, register, text):
    """A partnership's name reaches the page literally: the map's layers are not re-compiled as Jinja templates
    (which would evaluate braces in an uploaded name on the server)."""
    named = [seed[0].with_changes(name=f"Alliance {text}")]
    areas = year_geometries(2025)
    drawn = map_payload.tier_areas(areas, 2025, "ltla")
    payload = map_payload.build_view_payload(
        build_network(named, register, 2025),
        named,
        register,
        drawn,
        map_payload.build_topology(drawn.head(3)),
        "partnerships",
    )
    page = base_map(payload).get_root().render()
    assert json.dumps(f"Alliance {text}")[1:-1] in page
