from sharedmap.filters import Filters, apply_filters
from sharedmap.freshness import Standing
from sharedmap.partnerships import Status


def ids(seed, register, **kwargs):
    return {p.id for p in apply_filters(seed, Filters(**kwargs), register)}


def test_no_filters_keeps_everything(seed, register):
    assert len(ids(seed, register)) == len(seed)


def test_service_and_status(seed, register):
    """The status filter reads the standing: a row said to be running on old evidence is "unconfirmed"."""
    found = ids(seed, register, services=("ICT",), statuses=(Standing.UNCONFIRMED,))
    assert "SS004" in found and "SS001" not in found
    assert not ids(seed, register, services=("ICT",), statuses=(Standing.OPERATIONAL,)) & {"SS004"}
    ended = ids(seed, register, statuses=(Standing.ENDED,))
    assert ended == {p.id for p in seed if p.status is Status.ENDED}


def test_year_hides_partnerships_not_started_yet(seed, register):
    assert "SS001" not in ids(seed, register, year=2019)
    assert "SS001" in ids(seed, register, year=2020)


def test_nation_and_minimum_savings(seed, register):
    scottish = ids(seed, register, nations=("Scotland",))
    assert "SS091" in scottish and "SS001" not in scottish
    big = ids(seed, register, min_savings=10_000_000)
    assert "SS001" in big and "SS004" not in big


def test_council_filter_finds_boston_partnerships(seed, register):
    assert {"SS001", "SS002"} <= ids(seed, register, council_ids=("BOT",))


def test_minimum_saving_never_adds_kinds(register):
    """Regression: an annual share and a cumulative share were summed, passing a threshold neither reaches."""
    from sharedmap.partnerships import Partnership, Savings, SavingsKind

    mixed = Partnership(
        "X1",
        "Mixed",
        ("BOT", "ELI"),
        ("ICT",),
        Status.OPERATIONAL,
        savings=(
            Savings(600_000, SavingsKind.ANNUAL, council_id="BOT"),
            Savings(600_000, SavingsKind.CUMULATIVE, council_id="ELI"),
        ),
    )
    assert apply_filters([mixed], Filters(min_savings=1_000_000), register) == []
    assert apply_filters([mixed], Filters(min_savings=500_000), register) == [mixed]
