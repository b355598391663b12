"""The pure path on the small committed fixture (tests/data/lincolnshire): boundaries, register, name resolution and
the join, on any checkout, without ../shared/data."""

from __future__ import annotations

import pytest

from sharedmap.errors import CouncilNotFoundError
from sharedmap.partnerships import Partnership, Savings, SavingsKind, Status
from sharedmap.register import load_register
from sharedmap.spatial.network import build_network, year_geometries

BOSTON, EAST_LINDSEY = "E07000136", "E07000137"


@pytest.fixture
def only_the_fixture(lincolnshire, monkeypatch, tmp_path):
    """The search path holds the fixture and nothing else."""
    monkeypatch.setenv("SHAREDMAP_DATA_PATH", str(lincolnshire))
    monkeypatch.setenv("SHAREDMAP_SHARED_DATA", str(tmp_path / "no-shared-data"))
    return lincolnshire


def test_the_fixture_draws_lincolnshire(only_the_fixture):
    areas = year_geometries(2025)
    assert set(areas.loc[areas["layer"] == "ltla", "name"]) == {
        "Boston",
        "East Lindsey",
        "Lincoln",
        "North Kesteven",
        "South Holland",
        "South Kesteven",
        "West Lindsey",
    }
    assert areas.loc[BOSTON, "geometry"].touches(areas.loc[EAST_LINDSEY, "geometry"]) or areas.loc[
        BOSTON, "geometry"
    ].intersects(areas.loc[EAST_LINDSEY, "geometry"])


def test_names_resolve_against_the_fixture_register(only_the_fixture):
    register = load_register()
    assert register.resolve("Boston BC").council.id == "BOT"
    assert register.resolve("E07000137").council.name.startswith("East Lindsey")
    with pytest.raises(CouncilNotFoundError):
        register.resolve("York")  # not in the fixture


def test_a_partnership_is_joined_onto_the_fixture_map(only_the_fixture):
    register = load_register()
    alliance = Partnership(
        "T1",
        "Boston and East Lindsey",
        ("BOT", "ELI"),
        ("Management team",),
        Status.OPERATIONAL,
        savings=(Savings(600_000, SavingsKind.ANNUAL, "2020/21"),),
    )
    network = build_network([alliance], register, 2025)
    assert set(network.members["gss"]) == {BOSTON, EAST_LINDSEY}
    assert len(network.links) == 1 and network.unmatched.empty
