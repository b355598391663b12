"""Merged links for large views: partnerships between the same two places become one line with their count, large
partnerships meet at one hub per region, and 10,000 synthetic partnerships still fit the 600 KB map payload."""

from __future__ import annotations

import json

import pytest

from bench.synthetic import synthetic_partnerships
from sharedmap.filters import Filters, apply_filters
from sharedmap.maps import aggregate, mapview, style
from sharedmap.maps import payload as map_payload
from sharedmap.spatial.network import build_network, year_geometries

BOSTON, EAST_LINDSEY = "E07000136", "E07000137"
PAYLOAD_LIMIT = 600_000


@pytest.fixture(scope="module")
def areas():
    return year_geometries(2025)


def copies(p, count: int, services=None):
    return [p.with_changes(id=f"{p.id}-{i}", services=services or p.services) for i in range(count)]


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, (1, 1, "1 partnership")),
        (3, (3, 3, "3 partnerships")),
        (5, (4, 5, "4 to 5 partnerships")),
        (12, (10, 19, "10 to 19 partnerships")),
        (250, (20, None, "20 or more partnerships")),
    ],
)
def test_count_classes(count, expected):
    low, high, _width = aggregate.count_class(count)
    assert (low, high, aggregate.count_label(low, high)) == expected


def test_partnerships_between_the_same_two_councils_become_one_line(seed, register, areas):
    boston = next(p for p in seed if p.id == "SS001")  # Boston and East Lindsey, a pair
    merged = copies(boston, 3, ("ICT",)) + copies(boston, 1, ("Waste",))
    network = build_network(merged, register, 2025, areas)
    features = aggregate.aggregated_link_features(network, merged, register)["features"]
    assert len(features) == 1
    (line,) = features
    ends = {tuple(point) for point in line["geometry"]["coordinates"][0]}
    expected = {tuple(round(float(v), 3) for v in areas.loc[code, ["lon", "lat"]]) for code in (BOSTON, EAST_LINDSEY)}
    assert ends == expected
    assert line["properties"]["k"] == style.SERVICE_GROUPS["Corporate services"][0]  # 3 ICT beat 1 waste
    assert line["properties"]["t"][0].startswith("4 to 5 partnerships between the two councils")
    assert "p" not in line["properties"] and mapview.clicked_target({"last_active_drawing": line}) is None


def test_large_partnerships_meet_at_one_hub_per_region(seed, register, areas):
    large = [p for p in seed if len(p.council_ids) >= 4]
    network = build_network(large, register, 2025, areas)
    features = aggregate.aggregated_link_features(network, large, register)["features"]
    hubs = [f for f in features if f["properties"].get("hub")]
    regions = {aggregate._region(p, register) for p in large}
    assert len(hubs) == len(regions)
    spokes = sum(len(f["geometry"]["coordinates"]) for f in features if not f["properties"].get("hub"))
    assert spokes == len(
        network.links[["from_gss", "to_gss"]]
        .assign(
            region=[
                aggregate._region(next(p for p in large if p.id == pid), register)
                for pid in network.links["partnership_id"]
            ]
        )[["region", "to_gss"]]
        .drop_duplicates()
    )


def test_the_real_table_is_drawn_one_line_per_partnership(seed, register, areas):
    network = build_network(seed, register, 2025, areas)
    drawn = map_payload.tier_areas(areas, 2025, "ltla")
    payload = map_payload.build_view_payload(
        network, seed, register, drawn, map_payload.build_topology(drawn.head(5)), "partnerships"
    )
    assert not payload.links_aggregated
    assert payload.links_json == map_payload.script_json(map_payload.link_features(network, seed))


def test_ten_thousand_partnerships_fit_the_map_payload(register, areas):
    shown = apply_filters(synthetic_partnerships(10_000, register), Filters(year=2025), register)
    network = build_network(shown, register, 2025, areas)
    drawn = map_payload.tier_areas(areas, 2025, "ltla")
    payload = map_payload.build_view_payload(
        network, shown, register, drawn, map_payload.build_topology(drawn), "partnerships"
    )
    assert payload.links_aggregated
    links = json.loads(payload.links_json)["features"]
    lines = sum(len(f["geometry"]["coordinates"]) for f in links if f["geometry"]["type"] == "MultiLineString")
    assert lines < len(network.links) / 5  # thousands of partnerships, far fewer lines
    page = (
        mapview.build_map(
            payload.councils_json,
            payload.links_json,
            payload.points_json,
            payload.legend_title,
            payload.legend_classes,
        )
        .get_root()
        .render()
    )
    assert len(page.encode()) <= PAYLOAD_LIMIT
