"""The validate contract, checked row by row on files like officers send."""

import json

import pytest
from openpyxl import Workbook

from sharedmap.cli.commands import main
from sharedmap.errors import FileReadError
from sharedmap.validate import validate_file

MESSY_CSV = (
    "Partnership,Councils involved,Service area(s),Savings (£),Start,Status,Source,Comments\r\n"
    "Lincs alliance,Boston BC; E Lindsey DC,Management,£15.4m over 10 years,July 2020,live,"
    "https://example.org/boston,ok\r\n"
    'Leics ICT,"Hinkley & Bosworth BC, Blaby DC, Oadby & Wigston",IT,£220k,Feb 2011,,'
    "https://example.org/ict,\r\n"
    'Dorset care,"Bournemouth, Christchurch and Poole Council; Dorset Council",Adult social care,0.385m,'
    "2014/15,Planned,https://example.org/dorset,\r\n"
    "Gotham deal,Gotham City Council; Blaby DC,Legal,£10k,2020,operational,https://example.org/gotham,\r\n"
    "Tri-Council,Staffordshire CC; Shropshire; Worcestershire CC,Procurement,loads,27/06/2012,planned,"
    "https://example.org/tri,\r\n"
)


@pytest.fixture
def messy_file(tmp_path):
    path = tmp_path / "officer upload.csv"
    path.write_bytes(MESSY_CSV.encode("cp1252"))
    return path


def test_messy_windows_1252_file_row_by_row(messy_file, register):
    report = validate_file(messy_file, register)
    result = report.as_dict()
    assert result["encoding"] == "windows-1252"
    assert result["columns"]["Savings (£)"] == "savings"
    assert [r["row"] for r in result["rows"]] == [2, 3, 4, 5, 6]
    assert [r["ok"] for r in result["rows"]] == [True, True, True, False, False]
    assert result["summary"] == {"rows": 5, "ok": 3, "errors": 2}

    lincs, leics, dorset, gotham, tri = result["rows"]
    assert [c["gss"] for c in lincs["councils"]] == ["E07000136", "E07000137"]
    assert lincs["savings"] == [
        {
            "amount_gbp": 15_400_000.0,
            "kind": "target",
            "period": "over 10 years",
            "council_gss": None,
            "council_id": None,
            "estimate": True,
            "scope": "whole partnership",
        }
    ]
    assert lincs["start"] == "2020-07"
    assert leics["councils"][0]["name"] == "Hinckley and Bosworth Borough Council"
    assert 0 < leics["councils"][0]["confidence"] < 1
    assert [c["name"] for c in leics["councils"][1:]] == ["Blaby District Council", "Oadby and Wigston Borough Council"]
    assert leics["savings"][0]["amount_gbp"] == 220_000
    assert any(w["column"] == "status" for w in leics["warnings"])
    assert dorset["councils"][0]["gss"] == "E06000058"
    assert dorset["start"] == "2014-04" and dorset["savings"][0]["amount_gbp"] == 385_000

    (unknown,) = gotham["errors"]
    assert unknown["column"] == "councils" and unknown["value"] == "Gotham City Council"
    assert unknown["suggestions"]
    (unreadable,) = tri["errors"]
    assert unreadable == {
        "column": "savings",
        "value": "loads",
        "suggestions": [],
        "message": "no amount found; write it like £600,000, £1.2m or £220k",
    }


@pytest.mark.shared_data
def test_validate_command_json_contract_and_exit_code(messy_file, capsys):
    code = main(["validate", str(messy_file), "--format", "json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 1
    assert set(payload) >= {"file", "encoding", "rows", "summary"}
    assert set(payload["rows"][0]) >= {"row", "ok", "partnership", "councils", "savings", "start", "errors", "warnings"}
    assert payload["summary"]["errors"] == 2


@pytest.mark.shared_data
def test_validate_plain_report_names_row_and_column(messy_file, capsys):
    assert main(["validate", str(messy_file)]) == 1
    out = capsys.readouterr().out
    assert "[ERR] row 5: Gotham deal" in out
    assert "error in councils: Unknown council 'Gotham City Council'" in out
    assert "error in savings: no amount found" in out


@pytest.mark.shared_data
def test_valid_file_exits_zero(tmp_path, capsys):
    path = tmp_path / "good.csv"
    path.write_text(
        "\ufeffName,Councils,Services,Savings,Source\n"
        "Lincs,Boston Borough Council; East Lindsey District Council,ICT,"
        "£600000 annual,https://example.org/x\n",
        encoding="utf-8",
    )
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1 of 1 rows valid" in out
    assert "Optional columns not in this file: verified_on, evidence. verified_on is the date" in out


def test_validate_shows_scope_checking_date_and_evidence(tmp_path, capsys):
    path = tmp_path / "checked.csv"
    path.write_text(
        "Name,Councils,Services,Savings,Source,Verified on,Evidence\n"
        "Lincs,Boston Borough Council; East Lindsey District Council,ICT,"
        "£10m annual for each council,https://example.org/x,14/03/2025,Para 3: £10m a year each\n",
        encoding="utf-8",
    )
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "savings £10m annual for each council (scope: each council)" in out
    assert "checked 2025-03-14; evidence: Para 3: £10m a year each" in out
    assert "Optional columns not in this file" not in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"\x00\x01\x02binary\x00" * 10, "binary"),
        (b"just,some,words\n1,2,3\n", "no header row"),
        (b"Name,Councils\nx,Boston\n", "missing required column"),
        (b"Name,Councils,Services\n", "no rows of data"),
        (b"\xd0\xcf\x11\xe0old excel", "old Excel"),
        (b"PK\x03\x04broken zip", "not a readable XLSX"),
    ],
)
def test_unreadable_files_give_one_line_and_exit_2(tmp_path, capsys, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(FileReadError, match=message):
        validate_file(path)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_xlsx_with_title_rows_above_the_header(tmp_path, register):
    book = Workbook()
    sheet = book.active
    sheet.append(["Shared services return 2025"])
    sheet.append([])
    sheet.append(["Name of partnership", "Member councils", "Services", "Start date", "Savings", "Link"])
    sheet.append(["Lincs", "Boston; East Lindsey", "ICT; HR", None, 600000, "https://example.org/l"])
    sheet.cell(row=4, column=4).value = __import__("datetime").datetime(2020, 7, 1)
    path = tmp_path / "return.xlsx"
    book.save(path)
    report = validate_file(path, register)
    (row,) = report.rows
    assert row.row == 4 and row.ok
    assert row.partnership.start.iso() == "2020-07-01"
    assert row.partnership.services == ("ICT", "HR")
    assert row.savings[0].amount_gbp == 600_000


def test_duplicate_rows_and_single_partner_are_errors(tmp_path, register):
    path = tmp_path / "dups.csv"
    path.write_text(
        "Name,Councils,Services,Source\n"
        "A,Boston; East Lindsey,ICT,https://example.org/a\n"
        "A,Boston; East Lindsey,ICT,https://example.org/a\n"
        "B,Boston,ICT,https://example.org/b\n",
        encoding="utf-8",
    )
    rows = validate_file(path, register).rows
    assert rows[1].errors[0].message == "duplicate of row 2"
    assert "at least two partners" in rows[2].errors[0].message


def test_savings_without_a_source_cannot_be_published(tmp_path, register):
    path = tmp_path / "nosource.csv"
    path.write_text("Name,Councils,Services,Savings\nA,Boston; East Lindsey,ICT,£1m annual\n", encoding="utf-8")
    (row,) = validate_file(path, register).rows
    assert [e.column for e in row.errors] == ["source_url"]


def test_a_councils_share_on_a_row_without_councils_is_reported_not_a_crash(tmp_path, register):
    path = tmp_path / "nocouncils.csv"
    path.write_text(
        "Name,Councils,Services,Savings,Source\nA,,ICT,£100k a year (Boston Borough Council),https://example.org/a\n",
        encoding="utf-8",
    )
    (row,) = validate_file(path, register).rows
    assert [(e.column, e.message) for e in row.errors] == [
        ("councils", "list the councils in the partnership, separated by ;")
    ]


def test_status_evidence_is_read_and_checked(tmp_path, register):
    """The status is its own claim: its link and date go together, and the date is no older than the source's
    and not in the future; each refusal names the row and column."""
    path = tmp_path / "status.csv"
    head = "Name,Councils,Services,Status,Source,Source date,Status source URL,Status source date,Status evidence\n"
    councils = "Boston Borough Council; East Lindsey District Council"
    path.write_text(
        head
        + f"Good,{councils},ICT,operational,https://e.org/a,2012,https://e.org/minutes,2025-03-14,Minutes item 5\n"
        + f"Older,{councils},ICT,operational,https://e.org/a,2020,https://e.org/minutes,2015,Minutes\n"
        + f"Future,{councils},ICT,operational,https://e.org/a,2020,https://e.org/minutes,2099-01,Minutes\n"
        + f"No date,{councils},ICT,operational,https://e.org/a,2020,https://e.org/minutes,,Minutes\n"
        + f"Funded,{councils},ICT,grant,https://e.org/a,2014,,,\n",
        encoding="utf-8",
    )
    good, older, future, undated, funded = validate_file(path, register).rows
    p = good.partnership
    assert (p.status_source_url, str(p.status_source_date), p.status_evidence) == (
        "https://e.org/minutes",
        "2025-03-14",
        "Minutes item 5",
    )
    assert [(e.column, "older than the source" in e.message) for e in older.errors] == [("status_source_date", True)]
    assert [(e.column, e.message) for e in future.errors] == [("status_source_date", "is in the future")]
    assert [e.column for e in undated.errors] == ["status_source_date"]
    assert funded.ok and funded.partnership.status.value == "funded"


# What the store would refuse is refused by row and column first (issue 19) -------------------------------------


def test_a_row_the_store_would_refuse_is_named_by_row_and_column(tmp_path, seed_rows, register):
    """Before: 10,000 emoji in two cells passed validate, then the store refused the import as "constraint
    ck_record", naming no row."""
    from store_fixtures import write_csv

    from sharedmap.recordlimits import MAX_RECORD_BYTES, record_problem

    big = dict(seed_rows[0], description="🤝" * 9_000, notes="💷" * 9_000)
    report = validate_file(write_csv(tmp_path / "big.csv", [seed_rows[1], big]), register)
    errors = [(r.row, e.column, e.message) for r in report.rows for e in r.errors]
    assert len(errors) == 1 and errors[0][:2] in ((3, "description"), (3, "notes"))
    assert f"more than the {MAX_RECORD_BYTES:,} one record may hold" in errors[0][2]
    assert record_problem({"id": "x" * 81}) == ("id", "an id is at most 80 characters")


def test_ids_made_from_long_names_stay_within_the_stores_limit(tmp_path, seed_rows, register):
    from store_fixtures import write_csv

    rows = [
        dict(seed_rows[0], id="", name="Shared " + "x" * 200 + " A"),
        dict(seed_rows[1], id="", name="Shared " + "x" * 200 + " B"),
    ]
    ids = [p.id for p in validate_file(write_csv(tmp_path / "long.csv", rows), register).partnerships]
    assert len(ids) == 2 and len(set(ids)) == 2 and all(len(i) <= 80 for i in ids)


def test_a_range_in_the_start_column_gives_start_and_end(tmp_path, seed_rows, register):
    """Before: "2020-07-01 to 2023-03-31" kept its start and dropped its end."""
    from store_fixtures import write_csv

    row = dict(seed_rows[0], start="2020-07-01 to 2023-03-31", end="", status="ended")
    (p,) = validate_file(write_csv(tmp_path / "range.csv", [row]), register).partnerships
    assert (str(p.start), str(p.end)) == ("2020-07-01", "2023-03-31")


def test_invisible_characters_in_a_name_are_removed_and_said(tmp_path, seed_rows, register):
    from store_fixtures import write_csv

    row = dict(seed_rows[0], name="Boston\u200b and East Lindsey\u202e Alliance")
    report = validate_file(write_csv(tmp_path / "zw.csv", [row]), register)
    assert report.partnerships[0].name == "Boston and East Lindsey Alliance"
    assert [(w.column, w.message.split(";")[0]) for w in report.rows[0].warnings if w.column == "name"] == [
        ("name", "held 2 invisible characters (zero-width or direction marks)")
    ]
