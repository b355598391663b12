"""What the officer and reviewer pages show, as tables and lines, from real uploads and previews."""

from __future__ import annotations

import pytest
from store_fixtures import write_csv

from sharedmap.publishing import review_tables as tables
from sharedmap.publishing import workflow
from sharedmap.publishing.preview import Preview, Uploaded, compare

MESSY = {
    "name": "Lincolnshire shared waste",
    "councils": "Lindsey DC; Boston BC; Bostn",
    "services": "Waste; Bins",
    "status": "live",
    "start": "July 2024",
    "savings": "£220k annual",
    "source_url": "https://x.gov.uk/a",
}


@pytest.fixture
def messy(tmp_path, register, seed_rows):
    path = write_csv(tmp_path / "messy.csv", [seed_rows[0], {**dict.fromkeys(seed_rows[0], ""), **MESSY}])
    return workflow.read_upload(path, register)


@pytest.mark.parametrize(
    ("entry", "text"),
    [
        (
            {"input": "Boston", "id": "BOT", "name": "Boston Borough Council", "confidence": 1.0, "method": "exact"},
            "Boston Borough Council (from “Boston”, 100%, exact name)",
        ),
        (
            {"input": "Bostn", "id": "BOT", "name": "Boston Borough Council", "confidence": 0.909, "method": "fuzzy"},
            "Boston Borough Council (from “Bostn”, 91%, closest spelling)",
        ),
        (
            {
                "input": "Boston Borough Council",
                "id": "BOT",
                "name": "Boston Borough Council",
                "confidence": 1.0,
                "method": "exact",
            },
            "Boston Borough Council (100%, exact name)",
        ),
        (
            {
                "input": "Forest Heath",
                "id": "FOR",
                "name": "Forest Heath District Council",
                "confidence": 1.0,
                "method": "exact",
                "successor": {"id": "WSK", "name": "West Suffolk Council"},
            },
            "Forest Heath District Council (from “Forest Heath”, 100%, exact name), now part of West Suffolk Council",
        ),
        ({"input": "Hinkley", "id": None, "name": None, "confidence": 0.0}, "“Hinkley”: not found"),
    ],
)
def test_council_text(entry, text):
    assert tables.council_text(entry) == text


def test_every_row_is_described_in_words(messy):
    frame = tables.rows_frame(messy)
    assert list(frame["row"]) == [2, 3] and list(frame["result"]) == ["OK", "2 errors"]
    assert frame["councils"].iloc[1] == (
        "“Lindsey DC”: not found; Boston Borough Council (from “Boston BC”, 100%, "
        "normalised name); Boston Borough Council (from “Bostn”, 91%, closest "
        "spelling)"
    )
    assert frame["services"].iloc[0] == "Management team; Other" and frame["savings"].iloc[1] == (
        "£220,000 annual (read from '£220k annual')"
    )
    assert "councils: Unknown council 'Lindsey DC'" in frame["problems"].iloc[1]
    assert tables.summary_text(messy).startswith("1 of 2 rows of messy.csv have errors")
    assert tables.row_label(messy.report.rows[1]) == "Row 3: Lincolnshire shared waste — 2 errors"
    lines = tables.row_lines(messy.report.rows[1])
    assert (
        lines[0] == "Council: “Lindsey DC”: not found" and "Saving: £220,000 annual (read from '£220k annual')" in lines
    )
    assert [line.split(":")[0] for line in lines if line.startswith(("Error", "Warning"))] == [
        "Error in councils",
        "Error in services",
        "Warning in councils",
    ]


def test_fixes_offer_the_suggestions_and_apply(messy, register, tmp_path):
    offered = tables.fixes(messy.report.rows[1])
    assert [(f.key, f.suggestions[:2]) for f in offered] == [
        ((3, "councils", "Lindsey DC"), ("East Lindsey District Council", "West Lindsey District Council")),
        ((3, "services", "Bins"), offered[1].suggestions[:2]),
    ]
    assert tables.fixes(messy.report.rows[0]) == []
    path = tmp_path / "messy.csv"
    fixed = workflow.read_upload(
        path, register, fixes={offered[0].key: offered[0].suggestions[0], (3, "services", "Bins"): "Waste"}
    )
    assert fixed.ok and fixed.fixes == 2
    assert tables.summary_text(fixed) == "All 2 rows of messy.csv are valid. 2 names fixed on this page."


def test_preview_tables_by_kind_with_changed_fields(seed_partnerships, register):
    first, second = seed_partnerships[:2]
    edited = first.with_changes(description="New text", services=("Waste",))
    preview = compare(
        seed_partnerships[:3],
        [
            Uploaded(2, edited, True),
            Uploaded(3, second, True),
            Uploaded(4, second.with_changes(id="", name="Brand new"), False),
        ],
        1,
        withdraw=lambda p: True,
    )
    frames = tables.preview_frames(preview, register)
    assert {kind: len(frame) for kind, frame in frames.items()} == {
        "new": 1,
        "changed": 1,
        "unchanged": 1,
        "withdrawn": 1,
    }
    assert frames["changed"].iloc[0]["changes"] == "services, description"
    assert frames["changed"].iloc[0]["councils"] == "Boston Borough Council; East Lindsey District Council"
    assert "row" not in frames["withdrawn"] and list(frames["new"]["row"]) == [4]
    changed = tables.field_changes(preview.of_kind("changed")[0])
    assert changed.to_dict("records")[1] == {
        "field": "description",
        "published": first.description,
        "in the file": "New text",
    }
    assert tables.counts_text(preview.counts) == "1 new, 1 changed, 1 unchanged, 1 withdrawn"
    assert tables.field_changes(preview.of_kind("new")[0]).empty
    assert all(frame.empty for frame in tables.preview_frames(Preview(1), register).values())
