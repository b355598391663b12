"""What changed between two versions, in words: endings with their date, figures added, partnerships added and
withdrawn, councils joining and leaving, status evidenced again; each line naming the councils it concerns."""

from __future__ import annotations

import pytest

from sharedmap.changes import ADDED, EVIDENCE, MEMBERS, SAVINGS, STATUS, WITHDRAWN, describe_changes
from sharedmap.partnerships import PartialDate, Partnership, Savings, SavingsKind, Status

NAMES = {"EHA": "East Hampshire District Council", "HAA": "Havant Borough Council", "SWL": "Swale Borough Council"}
EHH = Partnership(
    "SS219", "East Hampshire and Havant partnership", ("EHA", "HAA"), ("Management team",), Status.OPERATIONAL
)
MKS = Partnership("SS300", "Mid Kent Services", ("MAI", "TUN"), ("ICT", "Legal"), Status.OPERATIONAL)


def texts(old, new):
    return [line.text for line in describe_changes(old, new, NAMES)]


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (
            [EHH],
            [EHH.with_changes(status=Status.ENDED, end=PartialDate(2022, 1))],
            "East Hampshire and Havant partnership ended (January 2022)",
        ),
        (
            [MKS],
            [MKS.with_changes(savings=(Savings(1.2e6, SavingsKind.ANNUAL, "2024/25"),))],
            "Savings of Mid Kent Services: £1.2m annual 2024/25 added",
        ),
        (
            [MKS],
            [MKS.with_changes(council_ids=("MAI", "TUN", "SWL"))],
            "Swale Borough Council joined Mid Kent Services",
        ),
        ([MKS], [MKS.with_changes(council_ids=("MAI",))], "TUN left Mid Kent Services"),
        ([MKS], [MKS.with_changes(services=("ICT", "Legal", "HR"))], "Services of Mid Kent Services: HR added"),
        (
            [],
            [EHH],
            "East Hampshire and Havant partnership added: East Hampshire District Council and Havant Borough "
            "Council sharing Management team (operational)",
        ),
        ([EHH, MKS], [MKS], "East Hampshire and Havant partnership withdrawn from the map"),
        (
            [EHH.with_changes(status=Status.PLANNED)],
            [EHH.with_changes(status_source_date=PartialDate(2025, 3))],
            "East Hampshire and Havant partnership now running (evidence of March 2025)",
        ),
        (
            [EHH],
            [EHH.with_changes(status_source_date=PartialDate(2026, 12, 4), status_source_url="https://x.gov.uk/a")],
            "Status of East Hampshire and Havant partnership evidenced again: operational as at 4 December 2026",
        ),
        ([MKS], [MKS.with_changes(description="Now also legal.")], "Mid Kent Services: description updated"),
    ],
)
def test_each_change_is_said_in_words(old, new, said):
    assert said in texts(old, new)


def test_an_unchanged_version_says_nothing():
    assert describe_changes([EHH, MKS], [EHH, MKS]) == []


def test_each_line_names_its_kind_and_every_council_it_concerns():
    new = [MKS.with_changes(council_ids=("MAI", "SWL"), savings=(Savings(5e5, SavingsKind.ANNUAL),)), EHH]
    lines = describe_changes([MKS], new)
    kinds = {line.kind for line in lines}
    assert kinds == {MEMBERS, SAVINGS, ADDED}
    joined = next(line for line in lines if line.text.startswith("SWL joined"))
    assert set(joined.council_ids) == {"MAI", "TUN", "SWL"}  # members before and after: TUN's feed says it too
    assert next(line for line in lines if line.kind == ADDED).council_ids == ("EHA", "HAA")
    assert {line.kind for line in describe_changes([EHH], [])} == {WITHDRAWN}
    assert {line.kind for line in describe_changes([EHH], [EHH.with_changes(status=Status.ENDED)])} == {STATUS}
    evidenced = EHH.with_changes(status_source_date=PartialDate(2026))
    assert {line.kind for line in describe_changes([EHH], [evidenced])} == {EVIDENCE}
