"""The seed partnerships placed on real boundaries, as they were in 2014 and as they are now."""

import pytest

from sharedmap.partnerships import SavingsKind
from sharedmap.spatial.network import attribute_savings, build_network

BOURNEMOUTH, POOLE, BCP = "E06000028", "E06000029", "E06000058"
DORSET_CC, DORSET_COUNCIL = "E10000009", "E06000059"


@pytest.fixture(scope="module")
def networks(seed, register):
    return {year: build_network(seed, register, year) for year in (2014, 2018, 2025)}


def by_id(seed, pid):
    return next(p for p in seed if p.id == pid)


def test_seed_articles_are_there_with_their_sources(seed):
    ids = {p.id: p for p in seed}
    assert len(seed) == 95 and all(p.source_urls for p in seed)
    boston = ids["SS001"]
    assert boston.council_ids == ("BOT", "ELI")
    assert [(s.amount_gbp, s.kind, s.period) for s in boston.savings[:2]] == [
        (15_400_000, SavingsKind.TARGET, "over 10 years"),
        (600_000, SavingsKind.ANNUAL, "2020/21"),
    ]
    ict = ids["SS004"]
    assert {s.council_id: s.amount_gbp for s in ict.savings if s.council_id} == {"HIN": 70_000, "BLA": 150_000}
    assert set(ids["SS003"].council_ids) == {"STS", "SHR", "WOR"}
    assert [s.amount_gbp for s in ids["SS092"].savings] == [750_000]
    assert [s.amount_gbp for s in ids["SS025"].savings] == [385_000]
    assert [s.amount_gbp for s in ids["SS094"].savings] == [300_000]


@pytest.mark.parametrize("year", [2014, 2018, 2025])
def test_every_seed_member_is_placed(networks, year):
    assert networks[year].unmatched.empty


def test_dorset_award_drawn_as_it_was_in_2014(networks):
    members = networks[2014].members.query("partnership_id == 'SS092'")
    assert set(members["gss"]) == {BOURNEMOUTH, POOLE, DORSET_CC}
    assert (members["note"] == "").all()


def test_dorset_award_drawn_as_the_successors_now(networks):
    members = networks[2025].members.query("partnership_id == 'SS092'").set_index("council_id")
    assert members.loc["BMH", "gss"] == BCP and members.loc["POL", "gss"] == BCP
    assert members.loc["DOR", "gss"] == DORSET_COUNCIL
    assert members.loc["POL", "note"] == "now part of Bournemouth, Christchurch and Poole Council"
    links = networks[2025].links.query("partnership_id == 'SS092'")
    assert len(links) == 1 and {links.iloc[0]["from_gss"], links.iloc[0]["to_gss"]} == {BCP, DORSET_COUNCIL}


def test_a_county_split_is_drawn_in_both_successors(networks):
    members = networks[2025].members.query("partnership_id == 'SS007' and council_id == 'NTH'")
    assert set(members["drawn_name"]) == {"North Northamptonshire", "West Northamptonshire"}


def test_boston_link_carries_partnership_and_savings(networks):
    link = networks[2025].links.query("partnership_id == 'SS001'").iloc[0]
    assert {link["from_gss"], link["to_gss"]} == {"E07000136", "E07000137"}
    assert link["kind"] == "pair" and link["headline_gbp"] == 15_400_000
    assert "£600,000 annual 2020/21" in link["savings"]


def test_big_partnerships_are_hubs_not_hairballs(networks):
    ypo = networks[2025].links.query("partnership_id == 'SS081'")
    assert (ypo["kind"] == "spoke").all() and len(ypo) == 13
    assert ypo["from_gss"].nunique() == 1


def test_council_shares_beat_an_equal_split(seed):
    shares = attribute_savings(by_id(seed, "SS004"), ["HIN", "BLA", "OAD"])
    assert shares[("HIN", SavingsKind.ANNUAL)] == (70_000, False)
    assert shares[("BLA", SavingsKind.ANNUAL)] == (150_000, False)
    assert ("OAD", SavingsKind.ANNUAL) not in shares  # £200k total minus £220k of shares leaves nothing to split


def test_equal_split_is_marked_estimated(networks):
    figures = networks[2025].figures.set_index("gss")
    boston = figures.loc["E07000136"]
    assert set(boston["partnership_ids"]) >= {"SS001", "SS002", "SS055"}
    assert boston["savings_target"] == pytest.approx(15_400_000 / 2 + 42_000_000 / 3)
    assert boston["estimated"]


def test_a_figure_for_each_council_is_each_councils_in_full(seed):
    shares = attribute_savings(by_id(seed, "SS021"), ["RIC", "WND"])
    assert shares == {
        ("RIC", SavingsKind.ANNUAL): (10_000_000, False),
        ("WND", SavingsKind.ANNUAL): (10_000_000, False),
    }


def test_one_councils_figure_is_not_split_across_the_members(seed):
    """Regression: SS056's York-only figure used to be divided over the four owners."""
    shares = attribute_savings(by_id(seed, "SS056"), ["YOR", "NYK", "MDB", "RCC"])
    assert shares == {("YOR", SavingsKind.ANNUAL): (208_000, False)}


def test_line_width_uses_one_kind_never_a_sum_of_kinds(register):
    from sharedmap.partnerships import Partnership, Savings, Status

    p = Partnership(
        "X1",
        "Mixed",
        ("BOT", "ELI"),
        ("ICT",),
        Status.OPERATIONAL,
        savings=(
            Savings(100_000, SavingsKind.ANNUAL, council_id="BOT"),
            Savings(2_000_000, SavingsKind.CUMULATIVE, council_id="ELI"),
        ),
    )
    link = build_network([p], register, 2025).links.iloc[0]
    assert link["headline_gbp"] == 100_000


def test_council_shares_add_back_to_the_partnership_total(seed):
    """Per-council figures never multiply a figure: for every seed partnership whose council shares do not exceed
    its total, the members' attributed figures of each kind add up to the partnership's figure of that kind."""
    from sharedmap.partnerships import SavingsScope, kind_total

    for p in seed:
        shares = attribute_savings(p, list(p.council_ids))
        for kind in (SavingsKind.ANNUAL, SavingsKind.CUMULATIVE, SavingsKind.TARGET):
            total = kind_total(p, kind)
            own = sum(s.amount_gbp for s in p.savings if s.kind is kind and s.scope is SavingsScope.COUNCIL)
            if total is None or own > total[0]:
                continue
            attributed = sum(amount for (_c, k), (amount, _e) in shares.items() if k is kind)
            assert attributed == pytest.approx(total[0]), (p.id, kind)


def test_a_grant_not_known_to_have_formed_a_partnership_is_no_line(seed, register):
    """A "funded" row keeps its members and figures in the data, but the map draws no link for it."""
    from sharedmap.partnerships import Status

    grant = next(p for p in seed if p.id == "SS001").with_changes(id="G1", status=Status.FUNDED)
    network = build_network([grant, next(p for p in seed if p.id == "SS001")], register, 2025)
    assert set(network.links["partnership_id"]) == {"SS001"}
    assert set(network.members["partnership_id"]) == {"G1", "SS001"}
