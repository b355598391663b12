"""Downloads: CSV no spreadsheet will run as formulas, and GeoJSON that carries its licence."""

import csv
import io
import json

import pytest

from sharedmap import exports
from sharedmap.partnerships import Partnership, Savings, SavingsKind, Status
from sharedmap.spatial.network import build_network


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 1205 314200", "'+44 1205 314200"),
        ("-2", "'-2"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("Boston = East Lindsey", "Boston = East Lindsey"),
        ("", ""),
        (-5.0, -5.0),
        (12, 12),
        (None, None),
    ],
)
def test_neutralise(value, expected):
    assert exports.neutralise(value) == expected


@pytest.fixture(scope="module")
def hostile(seed):
    """A real partnership whose text an attacker has edited into formulas."""
    base = next(p for p in seed if p.id == "SS001")
    return base.with_changes(
        name='=HYPERLINK("http://evil.example","click")',
        description="@SUM(1+1)*cmd|' /C calc'!A0",
        notes="-1+1",
        savings=(Savings(600_000, SavingsKind.ANNUAL, "+2020/21"),),
    )


def test_csv_neutralises_every_formula_cell(hostile, seed, register):
    data = exports.partnerships_csv([hostile, *seed[:3]], register)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 4
    assert rows[0]["name"] == '\'=HYPERLINK("http://evil.example","click")'
    assert rows[0]["description"].startswith("'@SUM")
    assert rows[0]["savings"] == "£600,000 annual +2020/21"
    assert rows[0]["headline_saving_gbp"] == "600000.0"
    for row in rows:
        assert not any(cell.startswith(exports.FORMULA_STARTS) for cell in row.values())


def test_frame_has_one_readable_row_per_partnership(seed, register):
    frame = exports.partnerships_frame(seed, register)
    assert len(frame) == len(seed)
    boston = frame.set_index("id").loc["SS001"]
    assert boston["councils"] == "Boston Borough Council; East Lindsey District Council"
    assert boston["headline_saving_gbp"] == 15_400_000


def test_geojson_places_members_and_names_its_licence(seed, register):
    network = build_network(seed, register, 2025)
    collection = json.loads(exports.partnerships_geojson(seed, register, network))
    assert len(collection["features"]) == len(seed)
    attribution = " ".join(collection["attribution"])
    assert "Open Government Licence" in attribution and "CC-BY 4.0" in attribution and "mySociety" in attribution
    boston = next(f for f in collection["features"] if f["id"] == "SS001")
    assert boston["geometry"]["type"] == "MultiPoint" and len(boston["geometry"]["coordinates"]) == 2
    assert [c["name"] for c in boston["properties"]["councils"]] == [
        "Boston Borough Council",
        "East Lindsey District Council",
    ]
    assert boston["properties"]["savings_text"][0] == "£15.4m target over 10 years (estimate)"


def test_geojson_of_an_unplaced_partnership_has_no_geometry(register):
    lonely = Partnership("X9", "Not drawn", ("BOT",), ("ICT",), Status.PLANNED)
    network = build_network([lonely], register, 2025)
    network.members = network.members.iloc[0:0]
    feature = json.loads(exports.partnerships_geojson([lonely], register, network))["features"][0]
    assert feature["geometry"] is None and feature["properties"]["name"] == "Not drawn"


def test_an_exported_csv_uploads_again_unchanged(seed, register):
    """Officers edit our export and send it back: every partnership, council share and note must survive."""
    from sharedmap.validate import validate_file

    report = validate_file(exports.partnerships_csv(seed, register), register, filename="export.csv")
    assert report.ok
    assert report.partnerships == seed


def test_downloads_carry_scope_checking_evidence_and_freshness(seed, register):
    from sharedmap.freshness import standing
    from sharedmap.partnerships import PartialDate

    york = next(p for p in seed if p.id == "SS056").with_changes(
        verified_on=PartialDate(2025, 3, 14), evidence="Article, 4th paragraph: £208k for York in 2023/24"
    )
    row = exports.partnerships_frame([york], register).iloc[0]
    assert row["savings"] == "£208,000 annual 2023/24 (City of York Council)"
    assert (row["verified_on"], row["status_date"]) == ("2025-03-14", "2024-05")
    assert row["evidence"].startswith("Article") and row["standing"] == standing(york).value
    assert (row["headline_saving_gbp"], row["headline_saving_kind"]) == (208_000, "annual")
    network = build_network([york], register, 2025)
    props = json.loads(exports.partnerships_geojson([york], register, network))["features"][0]["properties"]
    assert props["verified_on"] == "2025-03-14" and props["savings"][0]["scope"] == "one council"
    assert props["standing"] == standing(york).value and props["status_source_url"] == ""


def test_headline_column_never_adds_kinds(register):
    """Regression: with only council shares, shares of different kinds were summed into the headline."""
    mixed = Partnership(
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
    row = exports.partnerships_frame([mixed], register).iloc[0]
    assert (row["headline_saving_gbp"], row["headline_saving_kind"]) == (100_000, "annual")


def test_an_xlsx_export_opens_whatever_characters_a_name_holds(seed, register):
    """Before: a name with U+FFFF made a workbook that would not open (and a control character raised)."""
    from sharedmap.spreadsheets import read_table

    odd = seed[0].with_changes(name="Shared\uffff services\x01 \ufffe(test)", description="tab\there")
    table = read_table(exports.partnerships_xlsx([odd], register), "export.xlsx")  # a strict XML parser reads it
    assert [values["name"] for _row, values in table.rows] == ["Shared services (test)"]
    assert table.rows[0][1]["description"] == "tab\there"
