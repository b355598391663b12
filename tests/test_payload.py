"""The map's payload built from the real seed on the real boundaries: compact, escaped, and complete."""

import json
import math

import pandas as pd
import pytest
import shapely

from sharedmap.errors import BoundaryDataError
from sharedmap.maps import payload as map_payload
from sharedmap.maps import style
from sharedmap.partnerships import Partnership, Savings, SavingsKind, Status
from sharedmap.spatial.network import build_network, year_geometries

BOSTON, EAST_LINDSEY, SOUTH_HOLLAND, LINCOLNSHIRE = "E07000136", "E07000137", "E07000140", "E10000019"
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def areas():
    return year_geometries(2025)


@pytest.fixture(scope="module")
def network(seed, register):
    return build_network(seed, register, 2025)


@pytest.fixture(scope="module")
def views(seed, register, network, areas):
    """The payload of each tier's view of 2025, as the app builds it."""
    built = {}
    for tier in map_payload.TIERS:
        drawn = map_payload.tier_areas(areas, 2025, tier)
        built[tier] = (
            drawn,
            map_payload.build_view_payload(
                network, seed, register, drawn, map_payload.build_topology(drawn), "partnerships"
            ),
        )
    return built


@pytest.mark.parametrize(
    ("values", "money", "expected"),
    [
        ([0, 1, 1, 2, 3], False, [1, 2, 3]),
        ([0, 0], False, []),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], False, [1, 2, 4, 6, 8]),
        ([12_345, 54_321, 98_765, 250_000, 1_234_567], True, [12_000, 54_000, 99_000, 250_000]),
    ],
)
def test_breaks_for(values, money, expected):
    assert map_payload.breaks_for(pd.Series(values, dtype=float), money) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, style.NO_DATA_COLOUR),
        (float("nan"), style.NO_DATA_COLOUR),
        (1, style.CHOROPLETH[0]),
        (2, style.CHOROPLETH[1]),
        (3.5, style.CHOROPLETH[2]),
        (99, style.CHOROPLETH[2]),
    ],
)
def test_colour_for_uses_the_class_whose_lower_bound_is_reached(value, expected):
    assert map_payload.colour_for(value, [1, 2, 3]) == expected


@pytest.mark.parametrize(
    ("breaks", "measure", "expected"),
    [
        ([1, 2, 3, 5], "partnerships", ["None recorded", "1", "2", "3 to 4", "5 or more"]),
        ([50_000, 1_200_000], "savings", ["None recorded", "£50,000 to under £1.2m", "£1.2m or more"]),
        (
            [0, 1, 2, 3, 6],
            "evidence_age",
            [
                "No running or planned partnership",
                "under 1 year",
                "1 to under 2 years",
                "2 to under 3 years",
                "3 to under 6 years",
                "6 years or more, or undated",
            ],
        ),
    ],
)
def test_legend_classes(breaks, measure, expected):
    assert [label for _, label in map_payload.legend_classes(breaks, map_payload.MEASURES[measure])] == expected


@pytest.mark.parametrize(
    ("services", "group"),
    [
        (("Management team", "Other"), "Shared management"),
        (("ICT", "HR"), "Corporate services"),
        (("Revenues and benefits",), "Revenues, benefits and fraud"),
        (("Waste",), "Place and regulation"),
        (("Adult social care",), "People's services"),
        ((), "Other"),
        (("Not a service",), "Other"),
    ],
)
def test_service_group_is_that_of_the_first_service(services, group):
    assert style.service_group(services) == group


@pytest.mark.parametrize(
    ("gbp", "weight"),
    [(None, 1.5), (0, 1.5), (50_000, 2.0), (100_000, 2.0), (1_000_000, 3.0), (15_400_000, 4.2), (1e12, 6.0)],
)
def test_link_weight_grows_with_the_log_of_the_saving(gbp, weight):
    assert style.link_weight(gbp) == weight


def test_script_json_cannot_close_the_script_tag():
    text = map_payload.script_json({"t": f"</script>{HOSTILE}&'"})
    assert "<" not in text and ">" not in text and "&" not in text and "'" not in text
    assert json.loads(text) == {"t": f"</script>{HOSTILE}&'"}


@pytest.mark.shared_data
def test_topology_stores_a_shared_border_once(areas):
    lincolnshire = areas[areas["code"].isin([BOSTON, EAST_LINDSEY, SOUTH_HOLLAND])]
    topo = map_payload.build_topology(lincolnshire)
    geometries = {g["properties"]["c"]: g for g in topo["objects"]["councils"]["geometries"]}
    assert set(geometries) == {BOSTON, EAST_LINDSEY, SOUTH_HOLLAND}

    def arcs_of(geometry):
        flat = json.dumps(geometry["arcs"]).replace("[", " ").replace("]", " ").replace(",", " ").split()
        return {int(a) if int(a) >= 0 else ~int(a) for a in flat}

    assert arcs_of(geometries[BOSTON]) & arcs_of(geometries[EAST_LINDSEY])  # the same arc, used by both
    assert len(map_payload.script_json(topo)) < len(lincolnshire.to_json()) / 3


def test_drop_small_parts_keeps_the_largest():
    big, islet = shapely.box(0, 0, 1, 1), shapely.box(5, 5, 5.001, 5.001)
    assert map_payload.drop_small_parts(shapely.multipolygons([big, islet])).equals(big)
    assert map_payload.drop_small_parts(islet).equals(islet)


def test_every_council_of_the_year_is_drawn_with_colour_and_tooltip(views):
    drawn, payload = views["ltla"]
    topo = json.loads(payload.councils_json)
    geometries = topo["objects"]["councils"]["geometries"]
    assert len(geometries) == len(drawn) == 361
    assert all(g["properties"]["f"].startswith("#") and g["properties"]["t"] for g in geometries)


def test_payload_fits_the_budget(views):
    """The full-UK view with links and tooltips: the issue's target is 600 KB sent to the browser."""
    _drawn, payload = views["ltla"]
    assert len(payload.councils_json) + len(payload.links_json) + len(payload.points_json) < 600_000


def test_boston_tooltip_gives_its_partnerships_and_savings(views, network):
    _drawn, payload = views["ltla"]
    row = payload.table.set_index("code").loc[BOSTON]
    figures = network.figures.set_index("gss").loc[BOSTON]
    assert row["partnerships"] == figures["partnerships"] == 3
    title, kind, count, savings = map_payload.council_tooltip(row)
    assert (title, kind, count) == ("Boston Borough Council", "district", "3 partnerships shown")
    assert savings.startswith("£")


def test_county_is_a_point_below_and_an_area_above(views):
    """Lincolnshire County Council shares counter-fraud work with Boston: drawn in both tiers' views."""
    ltla_table, utla_table = views["ltla"][1].table.set_index("code"), views["utla"][1].table.set_index("code")
    assert ltla_table.loc[LINCOLNSHIRE, "drawn_as"] == "point" and ltla_table.loc[BOSTON, "drawn_as"] == "area"
    assert utla_table.loc[LINCOLNSHIRE, "drawn_as"] == "area" and utla_table.loc[BOSTON, "drawn_as"] == "point"
    for tier in map_payload.TIERS:
        links = json.loads(views[tier][1].links_json)["features"]
        assert any(f["properties"]["p"] == "SS055" for f in links)


def test_one_line_feature_per_partnership_and_a_hub_for_big_ones(views, network):
    features = json.loads(views["ltla"][1].links_json)["features"]
    lines = [f for f in features if not f["properties"].get("hub")]
    hubs = {f["properties"]["p"] for f in features if f["properties"].get("hub")}
    assert sorted(f["properties"]["p"] for f in lines) == sorted(network.links["partnership_id"].unique())
    assert hubs == set(network.links.loc[network.links["kind"] == "spoke", "partnership_id"])
    # a hub carries only its partnership's id: its tooltip, colour and services are its line's, not sent twice
    assert all(f["properties"] == {"p": f["properties"]["p"], "hub": 1} for f in features if f["properties"].get("hub"))


def test_tooltips_are_plain_text_lines_and_script_safe(register):
    """The browser sets each line as text (mapview's smTip), so a name is shown as written and never runs; inside
    the page's script the payload is \\u-escaped (script_json)."""
    p = Partnership(
        "X1",
        HOSTILE,
        ("BOT", "ELI"),
        ("Waste",),
        Status.PLANNED,
        savings=(Savings(250_000, SavingsKind.TARGET, "by 2027", estimate=True),),
    )
    tooltip = map_payload.link_tooltip(p)
    assert tooltip[:2] == [HOSTILE, "Waste · planned, on an undated source — not confirmed"]
    assert "£250,000 target by 2027 for the whole partnership (estimate)" in tooltip
    assert "<" not in map_payload.script_json(tooltip) and json.loads(map_payload.script_json(tooltip)) == tooltip
    row = {
        "council": HOSTILE,
        "type": "district",
        "ended": None,
        "partnerships": 1,
        "savings_annual": 0,
        "savings_cumulative": 0,
        "savings_target": 0,
        "estimated": False,
    }
    assert map_payload.council_tooltip(row)[0] == HOSTILE and "<" not in map_payload.script_json(row["council"])


@pytest.mark.parametrize(("year", "former", "ended"), [(2014, "FOR", 2019), (2019, "AYL", 2020)])
def test_any_year_draws_its_own_councils(register, seed, year, former, ended):
    """Boundaries as they were that year; a council abolished since says so in its tooltip."""
    network = build_network(seed, register, year)
    drawn = map_payload.tier_areas(year_geometries(year), year, "ltla")
    payload = map_payload.build_view_payload(
        network, seed, register, drawn, map_payload.build_topology(drawn), "savings"
    )
    geometries = json.loads(payload.councils_json)["objects"]["councils"]["geometries"]
    assert len(geometries) == len(drawn) and all(g["properties"]["t"] for g in geometries)
    tooltips = {g["properties"]["c"]: g["properties"]["t"] for g in geometries}
    assert f"former district, abolished {ended}" in tooltips[register.get(former).gss]


def test_unknown_tier_and_measure_are_refused(areas, network, seed, register):
    with pytest.raises(BoundaryDataError, match="tier must be one of ltla, utla"):
        map_payload.tier_areas(areas, 2025, "parish")
    with pytest.raises(BoundaryDataError, match="measure must be one of"):
        map_payload.build_view_payload(network, seed, register, areas.head(2), {}, "happiness")


@pytest.mark.shared_data
def test_area_features_are_rounded(areas):
    collection = map_payload.area_features(areas, {BOSTON})
    coordinates = json.dumps(collection["features"][0]["geometry"]["coordinates"])
    assert all(
        len(part.split(".")[-1]) <= 3
        for part in coordinates.replace("]", "").replace("[", "").split(", ")
        if "." in part
    )


def test_partnerships_joining_the_same_councils_do_not_hide_each_other(views):
    """High Peak and Staffordshire Moorlands are in two partnerships (a 2013 bid, then their alliance)."""
    features = {
        f["properties"]["p"]: f
        for f in json.loads(views["ltla"][1].links_json)["features"]
        if not f["properties"].get("hub")
    }
    first = features["SS026"]["geometry"]["coordinates"]
    assert len(first) == 1 and len(first[0]) == 2  # the first between them: straight
    second = features["SS027"]["geometry"]["coordinates"]
    assert len(second) == 1 and len(second[0]) == 9  # the second: an arc between the same two ends
    assert {tuple(second[0][0]), tuple(second[0][-1])} == {tuple(first[0][0]), tuple(first[0][-1])}


def test_three_councils_meet_at_a_hub(views):
    """Boston, East Lindsey and South Holland almost line up: three spokes read clearly where a triangle of
    pair lines would lie on top of one another."""
    features = [f for f in json.loads(views["ltla"][1].links_json)["features"] if f["properties"]["p"] == "SS002"]
    lines = next(f for f in features if f["geometry"]["type"] == "MultiLineString")["geometry"]["coordinates"]
    hub = next(f for f in features if f["geometry"]["type"] == "Point")["geometry"]["coordinates"]
    assert len(lines) == 3 and all(line[0] == hub for line in lines)


@pytest.mark.parametrize(("bend", "middle"), [(0.0, [1.0, 0.0]), (0.25, [1.0, 0.25]), (-0.25, [1.0, -0.25])])
def test_curved(bend, middle):
    points = map_payload.curved((0.0, 0.0), (2.0, 0.0), bend, steps=4)
    assert points[0] == [0.0, 0.0] and points[-1] == [2.0, 0.0] and points[2] == middle


def test_a_north_south_arc_bows_as_far_on_the_map_as_an_east_west_one():
    lat = 53.0
    squash = math.cos(math.radians(lat))  # a degree of longitude, in degrees of latitude, on the map
    north_south = map_payload.curved((0.0, lat - 0.5), (0.0, lat + 0.5), 0.3, steps=2)[1]
    east_west = map_payload.curved((-0.5 / squash, lat), (0.5 / squash, lat), 0.3, steps=2)[1]
    assert abs(north_south[0]) * squash == pytest.approx(abs(east_west[1] - lat), rel=0.02)


def test_councils_can_be_coloured_by_how_recently_their_partnerships_were_evidenced(seed, register, network, areas):
    from sharedmap.freshness import years_since_evidence

    drawn = map_payload.tier_areas(areas, 2025, "ltla")
    view = map_payload.build_view_payload(
        network, seed, register, drawn, map_payload.build_topology(drawn), "evidence_age"
    )
    assert view.legend_title == "Years since its newest status evidence"
    assert map_payload.evidence_breaks() == [0, 1, 2, 3, 6]  # around the 3-year limit (the default setting)
    table = view.table.set_index("code")
    running = [p for p in seed if BOSTON in network.members[network.members.partnership_id == p.id].gss.tolist()]
    ages = [years_since_evidence(p) for p in running if p.status in (Status.OPERATIONAL, Status.PLANNED)]
    newest = min(6.0 if a is None else a for a in ages)
    assert table.loc[BOSTON, "evidence_years"] == pytest.approx(newest)
    fills = {
        g["properties"]["c"]: g["properties"]["f"]
        for g in json.loads(view.councils_json)["objects"]["councils"]["geometries"]
    }
    assert fills[BOSTON] == map_payload.colour_for(newest, [0, 1, 2, 3, 6]) != style.NO_DATA_COLOUR
    nothing = table[table["partnerships"] == 0].index[0]
    assert math.isnan(table.loc[nothing, "evidence_years"]) and fills[nothing] == style.NO_DATA_COLOUR


def test_evidence_of_today_is_the_freshest_class_not_no_data():
    assert map_payload.colour_for(0.0, [0, 1, 2, 3, 6]) == style.CHOROPLETH[0]
    assert map_payload.colour_for(0.0, [1, 2, 3]) == style.NO_DATA_COLOUR  # zero partnerships stays no data
