"""Neighbours and counties worked out from the real boundaries of the shared TopoJSON."""

import pytest

from sharedmap.spatial.neighbours import areas_of_year, find_neighbours, relate_areas, year_areas

BOSTON, EAST_LINDSEY, SOUTH_HOLLAND, NORTH_KESTEVEN = "E07000136", "E07000137", "E07000140", "E07000139"
LINCOLNSHIRE, ISLE_OF_WIGHT, HAMPSHIRE, NEW_FOREST = "E10000019", "E06000046", "E10000014", "E07000091"
BLABY, HINCKLEY, OADBY = "E07000129", "E07000132", "E07000135"
FOREST_HEATH, ST_EDMUNDSBURY, WEST_SUFFOLK, SUFFOLK = "E07000201", "E07000204", "E07000245", "E10000029"
SHEFFIELD_REGISTER, SHEFFIELD_2025 = "E08000019", "E08000039"


@pytest.fixture(scope="module")
def areas_2025(shared_data):
    return year_areas(2025)


@pytest.fixture(scope="module")
def lincolnshire_and_wight(shared_data):
    """A handful of real 2025 areas: three Lincolnshire districts, their county, and an island."""
    areas = areas_of_year(2025)
    return areas[areas["code"].isin([BOSTON, EAST_LINDSEY, SOUTH_HOLLAND, LINCOLNSHIRE, ISLE_OF_WIGHT])]


def test_small_real_set_touching_nested_and_island(lincolnshire_and_wight):
    neighbours, inside = relate_areas(lincolnshire_and_wight)
    assert neighbours == {
        BOSTON: {EAST_LINDSEY, SOUTH_HOLLAND},
        EAST_LINDSEY: {BOSTON},
        SOUTH_HOLLAND: {BOSTON},
        LINCOLNSHIRE: frozenset(),  # its districts lie inside it: nested, not neighbours
        ISLE_OF_WIGHT: frozenset(),
    }
    assert inside == {BOSTON: LINCOLNSHIRE, EAST_LINDSEY: LINCOLNSHIRE, SOUTH_HOLLAND: LINCOLNSHIRE}


def test_the_tolerance_is_what_keeps_an_island_an_island(shared_data):
    areas = areas_of_year(2025)
    near_solent = areas[areas["code"].isin([ISLE_OF_WIGHT, HAMPSHIRE, NEW_FOREST])]
    assert find_neighbours(near_solent)[ISLE_OF_WIGHT] == frozenset()
    assert find_neighbours(near_solent, tolerance_m=2_000)[ISLE_OF_WIGHT] == {HAMPSHIRE, NEW_FOREST}


@pytest.mark.parametrize(
    ("code", "touches", "does_not_touch"),
    [
        (BOSTON, {EAST_LINDSEY, SOUTH_HOLLAND, NORTH_KESTEVEN}, {LINCOLNSHIRE}),
        (BLABY, {HINCKLEY, OADBY}, set()),
        (ISLE_OF_WIGHT, set(), {HAMPSHIRE, NEW_FOREST}),
    ],
)
def test_neighbours_of_the_current_year(areas_2025, code, touches, does_not_touch):
    assert touches <= areas_2025.neighbours[code]
    assert not does_not_touch & areas_2025.neighbours[code]


def test_island_councils_have_no_land_neighbours(areas_2025):
    islands = {areas_2025.names[code] for code, near in areas_2025.neighbours.items() if not near}
    assert {"Isle of Wight", "Isles of Scilly", "Orkney Islands", "Shetland Islands"} <= islands
    assert len(islands) < 10


def test_neighbours_are_symmetric(areas_2025):
    assert all(code in areas_2025.neighbours[other] for code, near in areas_2025.neighbours.items() for other in near)


@pytest.mark.parametrize(
    ("year", "district", "county", "neighbour"),
    [(2018, FOREST_HEATH, SUFFOLK, ST_EDMUNDSBURY), (2025, WEST_SUFFOLK, SUFFOLK, None)],
)
def test_the_year_decides_the_areas_and_counties(shared_data, year, district, county, neighbour):
    areas = year_areas(year)
    assert areas.county[district] == county
    assert (FOREST_HEATH in areas) is (year < 2019)
    if neighbour:
        assert neighbour in areas.neighbours[district]


def test_distance_between_centres_in_km(areas_2025):
    assert 20 < areas_2025.distance_km(BOSTON, EAST_LINDSEY) < 45
    assert areas_2025.distance_km(BOSTON, EAST_LINDSEY) == areas_2025.distance_km(EAST_LINDSEY, BOSTON)


@pytest.mark.parametrize(("year", "expected"), [(2024, SHEFFIELD_REGISTER), (2025, SHEFFIELD_2025)])
def test_code_only_changes_are_followed(shared_data, year, expected):
    assert year_areas(year).code_for((SHEFFIELD_REGISTER,)) == expected


def test_areas_are_computed_once_per_year(areas_2025):
    assert year_areas(2025) is areas_2025
