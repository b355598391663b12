"""The panel beside the map: a council's partnerships with partners, dates, savings and safe source links."""

import pytest

from sharedmap.errors import CouncilNotFoundError
from sharedmap.maps import panel
from sharedmap.partnerships import PartialDate
from sharedmap.spatial.network import build_network, year_geometries

BOSTON, EAST_LINDSEY = "E07000136", "E07000137"


@pytest.fixture(scope="module")
def year_2025(seed, register):
    return build_network(seed, register, 2025), year_geometries(2025)


@pytest.mark.parametrize(
    ("text", "gss"), [("Boston", BOSTON), ("BOT", BOSTON), (BOSTON, BOSTON), ("boston borough council", BOSTON)]
)
def test_select_council_by_name_id_or_code(year_2025, seed, register, text, gss):
    network, areas = year_2025
    selection = panel.select_council(text, register, network, areas, seed)
    assert selection.gss == gss and selection.title == "Boston Borough Council"
    assert "SS001" in {p.id for p in selection.partnerships}
    assert EAST_LINDSEY in selection.partner_codes and BOSTON not in selection.partner_codes


def test_former_council_is_drawn_as_its_successor(year_2025, seed, register):
    network, areas = year_2025
    selection = panel.select_council("Forest Heath", register, network, areas, seed)
    west_suffolk = register.get("FOR").successor_id
    assert selection.gss == register.get(west_suffolk).gss
    assert selection.note == f"now part of {register.get(west_suffolk).name}"
    assert selection.title == "Forest Heath District Council"
    assert [p.id for p in selection.partnerships] == ["SS014"]  # its own, not all of West Suffolk's


def test_a_split_county_keeps_its_name_and_names_both_successors(year_2025, seed, register):
    network, areas = year_2025
    selection = panel.select_council("Northamptonshire County Council", register, network, areas, seed)
    assert selection.title == "Northamptonshire County Council"
    assert "North Northamptonshire" in selection.note and "West Northamptonshire" in selection.note
    assert [p.id for p in selection.partnerships] == ["SS007"]


def test_unknown_council_has_suggestions(year_2025, seed, register):
    network, areas = year_2025
    with pytest.raises(CouncilNotFoundError, match="Hinckley and Bosworth") as caught:
        panel.select_council("Hinkley", register, network, areas, seed)
    assert caught.value.suggestions[0].startswith("Hinckley and Bosworth")


def test_select_partnership(year_2025, seed):
    network, areas = year_2025
    selection = panel.select_partnership("SS001", network, seed)
    assert selection.title == "Boston and East Lindsey Strategic Alliance"
    assert selection.partner_codes == {BOSTON, EAST_LINDSEY}
    assert panel.selection_bounds(selection, areas)[0] < 0.5
    assert panel.select_partnership("NOPE", network, seed) is None


def test_partnership_facts(year_2025, seed, register):
    network, _areas = year_2025
    boston = next(p for p in seed if p.id == "SS001")
    facts = panel.partnership_facts(boston, register, network)
    assert facts.partners == ("Boston Borough Council", "East Lindsey District Council")
    assert facts.dates == "from 1 July 2020 to 2021"
    assert facts.savings[0] == "£15.4m target over 10 years for the whole partnership (estimate)"
    assert facts.sources == (("Strategic Alliance already saving thousands for councils", boston.source_urls[0]),)
    merged = next(p for p in seed if p.id == "SS062")  # Suffolk Coastal and Waveney, now East Suffolk
    assert all(
        "now part of East Suffolk" in name for name in panel.partnership_facts(merged, register, network).partners
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.gov.uk/a", "https://example.gov.uk/a"),
        (" http://x.org ", "http://x.org"),
        ("javascript:alert(1)", None),
        ("data:text/html,<b>", None),
        ("example.gov.uk", None),
        ("https://", None),
    ],
)
def test_safe_url(url, expected):
    assert panel.safe_url(url) == expected


@pytest.mark.parametrize(
    ("date", "text"),
    [
        (None, "unknown"),
        (PartialDate(2020), "2020"),
        (PartialDate(2020, 7), "July 2020"),
        (PartialDate(2012, 6, 27), "27 June 2012"),
    ],
)
def test_date_text(date, text):
    assert panel.date_text(date) == text
