"""The hostile corpus: files a careless or hostile officer could upload, each with its expected outcome in
expectations.csv. Small files are committed in files/ (``python tests/hostile/generate.py`` rewrites them); the
large ones (past the size, row and column limits, a zip bomb) are written by ``write_large`` into a temporary folder
once per test session, and by bench/hostile_files.py.
"""

from __future__ import annotations

import csv
import io
import sys
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
EXPECTATIONS = HERE / "expectations.csv"
HEADER = ["id", "name", "councils", "services", "status", "start", "end", "savings", "source_url", "description"]
COUNCILS = "Boston Borough Council; East Lindsey District Council"  # the importing officer is Boston's
SOURCE = "https://www.boston.gov.uk/partnerships"


def row(label: str, **values: object) -> dict:
    base = {
        "id": "",
        "name": f"Hostile {label}",
        "councils": COUNCILS,
        "services": "ICT",
        "status": "operational",
        "start": "2020",
        "end": "",
        "savings": "£220k annual",
        "source_url": SOURCE,
        "description": "",
    }
    return {**base, **values}


def csv_bytes(
    rows: list[dict], header: list[str] | None = None, delimiter: str = ",", encoding: str = "utf-8", line: str = "\r\n"
) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, header or HEADER, delimiter=delimiter, lineterminator=line, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(grid: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Partnerships"
    for values in grid:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def one(label: str, **values: object) -> bytes:
    return csv_bytes([row(label, **values)])


def small_files() -> dict[str, bytes]:
    """Every committed hostile file, by name."""
    good = one("good")
    files: dict[str, bytes] = {
        # Files that cannot be read at all
        "empty.csv": b"",
        "whitespace_only.csv": b"   \r\n\n\t\n",
        "old_excel.csv": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
        "binary.csv": bytes(range(256)) * 8,
        "nul_after_4k.csv": one("nul", description="x" * 5000 + "\x00" + "y"),
        "bom_then_latin1.csv": b"\xef\xbb\xbf" + one("cafe").replace(b"Hostile cafe", b"Hostile caf\xe9"),
        "utf16_odd_bytes.csv": b"\xff\xfe" + "id,name\r\n".encode("utf-16-le") + b"\x00",
        "no_header.csv": b"title,owner\r\nsomething,someone\r\n",
        "header_only.csv": csv_bytes([]),
        "missing_required_columns.csv": b"name,councils\r\nHostile missing,Boston Borough Council\r\n",
        "duplicate_name_columns.csv": csv_bytes([{**row("dup"), "title": "Second name"}], HEADER + ["title"]),
        "duplicate_services_columns.csv": csv_bytes([{**row("dup services"), "service": "HR"}], HEADER + ["service"]),
        "cell_over_csv_field_limit.csv": one("huge cell", description="z" * 140_000),
        "cell_over_cell_limit.csv": one("long cell", description="z" * 10_001),
        "too_many_columns.csv": csv_bytes(
            [{**row("wide"), **{f"extra {i}": i for i in range(80)}}], HEADER + [f"extra {i}" for i in range(80)]
        ),
        "only_commas.csv": csv_bytes([]) + b",,,,,,,,,\r\n" * 5,
        "unterminated_quote.csv": csv_bytes([row("quote")]) + b'"never closed,' + b"a" * 100,
        "bad_zip.xlsx": b"PK\x03\x04" + b"\x00" * 300,
        "zip_not_workbook.xlsx": _zip({"hello.txt": b"not a workbook"}),
        "xlsx_broken_xml.xlsx": _broken_workbook(),
        # Rows with errors, each naming its row and column
        "savings_400_nines.csv": one("nines", savings="9" * 400),
        "savings_negative.csv": one("negative", savings="£-5"),
        "savings_minus_first.csv": one("minus", savings="-£5m annual"),
        "savings_exponent.csv": one("exponent", savings="£1e308"),
        "savings_exponent_bare.csv": one("exponent bare", savings="2E+9 annual"),
        "savings_huge.csv": one("huge", savings="£999,999,999,999bn"),
        "savings_nan.csv": one("nan", savings="NaN"),
        "savings_infinity_word.csv": one("infinity", savings="Infinity"),
        "savings_long_text.csv": one("long savings", savings="about " * 300),
        "end_before_start.csv": one("end before", start="2020", end="2019"),
        "operational_future_start.csv": one("future", start="2099"),
        "abolished_council.csv": one("poole", councils="Poole Borough Council; Boston Borough Council", start="2025"),
        "id_5000_chars.csv": one("long id", id="x" * 5000),
        "name_1000_chars.csv": one("n" * 1000),
        "many_councils_commas.csv": one("commas", councils=", ".join(["Boston Borough Council"] * 400)),
        "many_unknown_councils.csv": one("unknown many", councils="; ".join(f"Nowhere {i}" for i in range(59))),
        "unknown_council.csv": one("unknown", councils="Boston Borough Council; Atlantis Council"),
        "one_partner.csv": one("alone", councils="Boston Borough Council"),
        "unknown_service.csv": one("service", services="Juggling"),
        "service_9000_chars.csv": one("service long", services="a" * 9000),
        "bad_status.csv": one("status", status="exploded"),
        "bad_date.csv": one("date", start="32/13/2020"),
        "date_year_3020.csv": one("year", start="3020"),
        "javascript_link.csv": one("link", source_url="javascript:alert(1)"),
        "savings_without_source.csv": one("no source", source_url=""),
        "duplicate_rows.csv": csv_bytes([row("twice"), row("twice")]),
        "duplicate_ids.csv": csv_bytes([row("first", id="H1"), row("second", id="H1")]),
        "xlsx_numeric_1e308.xlsx": xlsx_bytes([HEADER, [*list(row("xlsx huge").values())[:7], 1e308, SOURCE, ""]]),
        "xlsx_numeric_negative.xlsx": xlsx_bytes([HEADER, [*list(row("xlsx negative").values())[:7], -5, SOURCE, ""]]),
        # Accepted: awkward but valid, or valid with a warning
        "good.csv": good,
        "date_month_then_year.csv": one("month year", start="2018-10", end="2018", status="ended"),
        "date_year_then_month.csv": one("year month", start="2018", end="2018-10", status="ended"),
        "savings_implausible.csv": one("implausible", savings="£5bn annual"),
        "ansi_in_cells.csv": one("\x1b[2J\x1b[31mred\x1b[0m"),
        "bidi_override.csv": one("\u202eevil\u202c"),
        "formula_name.csv": one('=HYPERLINK("http://evil.example","x")'),
        "html_name.csv": one("<script>alert(1)</script><img src=x onerror=alert(1)>"),
        "emoji_name.csv": one("🤝 shared 💷"),
        "tab_separated.tsv.csv": csv_bytes([row("tabs")], delimiter="\t"),
        "semicolon_separated.csv": csv_bytes([row("semicolons")], delimiter=";"),
        "windows_1252.csv": one("£ pound").replace("£".encode(), b"\xa3"),
        "lf_line_endings.csv": csv_bytes([row("lf")], line="\n"),
        "blank_lines_between.csv": csv_bytes([row("gap one")])
        + b"\r\n\r\n,,,\r\n"
        + csv_bytes([row("gap two")]).split(b"\r\n", 1)[1],
        "newlines_in_cells.csv": one("newlines", councils="Boston Borough Council\nEast Lindsey District Council"),
        "title_rows_above_header.csv": b"Our partnerships\r\nAs at 2026\r\n\r\n" + one("title rows"),
        "xlsx_good.xlsx": xlsx_bytes([HEADER, list(row("xlsx").values())]),
        "xlsx_formula_cell.xlsx": xlsx_bytes([HEADER, [*list(row("formula").values())[:7], "=1/0", SOURCE, ""]]),
        # Issue 19: read as a person reads it (links, rows, sheets, dates, names, workbooks within a budget)
        "link_unclosed_ipv6_bracket.csv": one("ipv6", source_url="https://[evil.example/report"),
        "link_fullwidth_host.csv": one("fullwidth", source_url="https://evil\uff03.example/report"),
        "link_with_password.csv": one("password", source_url="https://user:secret@www.boston.gov.uk/x"),
        "link_bad_port.csv": one("port", source_url="https://www.boston.gov.uk:99999/x"),
        "unclosed_quote_swallows_rows.csv": csv_bytes([row("open quote", description="")])[:-2]
        + b'"Shared ICT, since 2020\r\n'
        + b"".join(csv_bytes([row(f"swallowed {i}")]).split(b"\r\n", 1)[1] for i in range(3)),
        "unclosed_quote_closed_rows_later.csv": csv_bytes([row("open quote", description="")])[:-2]
        + b'"Shared ICT, since 2020\r\n'
        + b"".join(csv_bytes([row(f"swallowed {i}")]).split(b"\r\n", 1)[1] for i in range(3))
        + b'x,5" screens,'
        + COUNCILS.encode()
        + b",ICT,operational,2020,,,,\r\n",
        "date_junk_word.csv": one("junk date", start="Junk 2020"),
        "date_decided_word.csv": one("decided date", start="Decided 2019"),
        "date_range_in_start.csv": one("range", start="2020-07-01 to 2023-03-31", status="ended", savings=""),
        "utf32_with_bom.csv": one("utf32").decode().encode("utf-32"),
        "utf32_without_bom.csv": one("utf32 bare").decode().encode("utf-32-le"),
        "utf16_without_bom.csv": one("utf16 bare").decode().encode("utf-16-le"),
        "name_zero_width.csv": one("zero\u200bwidth\u200d name"),
        "name_decomposed_welsh.csv": one("Cyd-wasanaeth Môn".replace("ô", "o\u0302")),
        "name_no_ascii_letters.csv": one("Ἑλληνικά ✓"),
        "xlsx_hidden_sheet_decoy.xlsx": _hidden_sheet_workbook(visible_too=True),
        "xlsx_only_hidden_sheet.xlsx": _hidden_sheet_workbook(visible_too=False),
        "xlsx_hidden_row.xlsx": _raw_workbook(
            [
                (1, "", HEADER),
                (2, ' hidden="1"', list(row("hidden row").values())),
                (3, "", list(row("shown").values())),
            ]
        ),
        "xlsx_stray_formatted_cell.xlsx": _raw_workbook(
            [(1, "", HEADER), (2, "", list(row("stray format").values()))],
            tail='<row r="60000" s="1"><c r="A60000" s="1"/></row>',
        ),
        "xlsx_stray_value_far_below.xlsx": _raw_workbook(
            [(1, "", HEADER), (2, "", list(row("stray value").values()))],
            tail='<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>',
        ),
        "xlsx_far_corner_cell.xlsx": _raw_workbook(
            [(1, "", HEADER), (2, "", list(row("far corner").values()))],
            tail='<row r="2"><c r="XFD2" t="inlineStr"><is><t>far</t></is></c></row>',
            dimension="A1:XFD1048576",
        ),
        "xlsx_formula_no_value.xlsx": _raw_workbook(
            [(1, "", HEADER), (2, "", list(row("formula no value").values()))],
            tail='<row r="3"><c r="A3"><f>SUM(B1:B2)</f></c></row>',
        ),
        "xlsx_many_parts.xlsx": _zip(
            {
                **_workbook_members(xlsx_bytes([HEADER, list(row("parts").values())])),
                **{f"xl/media/image{i}.bin": b"x" for i in range(600)},
            }
        ),
        "xlsx_styles_bomb.xlsx": _zip(
            {
                **_workbook_members(xlsx_bytes([HEADER, list(row("styles").values())])),
                "xl/styles.xml": b"<styleSheet>" + b"<x/>" * 3_000_000 + b"</styleSheet>",
            }
        ),
        "xlsx_shared_strings_flood.xlsx": _zip(
            {
                **_workbook_members(xlsx_bytes([HEADER, list(row("strings").values())])),
                "xl/sharedStrings.xml": b"<sst>"
                + b"".join(b"<si><t>%d</t></si>" % i for i in range(130_000))
                + b"</sst>",
            }
        ),
        # Scoping: valid files that an officer of Boston may not import
        "reuse_id_of_other_council.csv": one(
            "takeover",
            id="SS004",
            councils="Hinckley and Bosworth Borough Council; Blaby District "
            "Council; Oadby and Wigston Borough Council; Boston Borough "
            "Council",
            start="2011-02",
            savings="",
        ),
        "reuse_name_of_other_council.csv": one(
            "x",
            name="Leicestershire shared ICT service (Steria)",
            councils="Hinckley and Bosworth Borough Council; Blaby District "
            "Council; Oadby and Wigston Borough Council; Boston "
            "Borough Council",
            start="2011-02",
            savings="",
        ),
    }
    return files


def large_files() -> dict[str, bytes]:
    """The files past the size, row and column limits (and a zip bomb): too big to commit."""
    many = b"name,councils,services\r\n" + b"".join(b"P%d,A;B,ICT\r\n" % i for i in range(200_000))
    at_limit = [
        row(
            f"at limit {i}",
            councils="Boston Borough Council; East Lindsey District Council; South Holland District Council",
            savings=f"£{i + 1},000 annual",
        )
        for i in range(2000)
    ]
    return {
        "ansi_\x1b[31mfile\x1b[0m_name.csv": one("ansi file name"),  # not committed: git and editors mangle it
        "rows_200k.csv": many,  # 4.7 MB: under the size limit
        "rows_at_limit_2000.csv": csv_bytes(at_limit),
        "rows_2000_misspelt_councils.csv": csv_bytes(
            [row(f"misspelt {i}", councils="; ".join(f"Bostn Borugh {i} {j}" for j in range(59))) for i in range(2000)]
        ),
        "rows_2000_five_misspelt_councils_each.csv": csv_bytes(
            [row(f"five {i}", councils="; ".join(f"Bostn Borugh {i} {j}" for j in range(5))) for i in range(2000)]
        ),
        "size_6mb.csv": csv_bytes([row("big", description="d" * 9_000)] * 700),
        "xlsx_rows_400k.xlsx": _big_workbook(400_000),
        "xlsx_rows_100k.xlsx": _big_workbook(100_000),
        "xlsx_rows_at_limit_2000.xlsx": xlsx_bytes(
            [HEADER] + [list({**r, "name": f"Hostile xlsx {i}"}.values()) for i, r in enumerate(at_limit)]
        ),
        "xlsx_zip_bomb.xlsx": _zip({"xl/worksheets/sheet1.xml": b"<" + b"a" * 200_000_000}),
    }


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _big_workbook(rows: int) -> bytes:
    """A workbook of ``rows`` rows, its sheet XML written directly (openpyxl would take a minute to write it)."""
    from xml.sax.saxutils import escape

    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([HEADER])))
    members = {info.filename: source.read(info.filename) for info in source.infolist()}

    def cells(values: list[object]) -> str:
        return "".join(f'<c t="inlineStr"><is><t>{escape(str(v))}</t></is></c>' for v in values)

    body = [f"<row>{cells(['name', 'councils', 'services'])}</row>"]
    body += [f"<row>{cells([f'P{n}', 'A;B', 'ICT'])}</row>" for n in range(2, rows + 2)]
    members["xl/worksheets/sheet1.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + "".join(body)
        + "</sheetData></worksheet>"
    ).encode()
    return _zip(members)


def _workbook_members(data: bytes) -> dict[str, bytes]:
    source = zipfile.ZipFile(io.BytesIO(data))
    return {info.filename: source.read(info.filename) for info in source.infolist()}


def _raw_workbook(rows: list[tuple[int, str, list[object]]], tail: str = "", dimension: str = "") -> bytes:
    """A workbook whose sheet XML is written as given: (row number, extra row attributes, values) and raw XML after."""
    from xml.sax.saxutils import escape

    members = _workbook_members(xlsx_bytes([["placeholder"]]))

    def cells(values: list[object]) -> str:
        return "".join(f'<c t="inlineStr"><is><t>{escape(str(v))}</t></is></c>' for v in values)

    body = "".join(f'<row r="{n}"{extra}>{cells(values)}</row>' for n, extra, values in rows) + tail
    members["xl/worksheets/sheet1.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + (f'<dimension ref="{dimension}"/>' if dimension else "")
        + f"<sheetData>{body}</sheetData></worksheet>"
    ).encode()
    return _zip(members)


def _hidden_sheet_workbook(visible_too: bool) -> bytes:
    """A hidden sheet named for partnerships (read first by name), and with ``visible_too`` the visible one."""
    book = Workbook()
    hidden = book.active
    hidden.title = "Partnerships (old)"
    hidden.append(HEADER)
    hidden.append(list(row("from the hidden sheet", councils="Boston Borough Council; Atlantis Council").values()))
    hidden.sheet_state = "hidden"
    if visible_too:
        shown = book.create_sheet("Current")
        shown.append(HEADER)
        shown.append(list(row("from the visible sheet").values()))
    else:
        book.create_sheet("Notes").append(["Nothing here"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _broken_workbook() -> bytes:
    """A real workbook whose sheet XML is cut in half."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([HEADER, list(row("broken").values())])))
    members = {info.filename: source.read(info.filename) for info in source.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    members[sheet] = members[sheet][: len(members[sheet]) // 2]
    return _zip(members)


def write(files: dict[str, bytes], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in files.items():
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
    return paths


def read_expectations() -> dict[str, dict[str, str]]:
    """file name → {validate: ok|rows|file, import: staged|refused, message: what the output must say}; {ESC} in
    a name stands for the escape character."""
    with open(EXPECTATIONS, encoding="utf-8", newline="") as fh:
        return {r["file"].replace("{ESC}", "\x1b"): r for r in csv.DictReader(fh)}


if __name__ == "__main__":
    written = write(small_files(), FILES)
    if "--large" in sys.argv:
        written += write(large_files(), Path(sys.argv[sys.argv.index("--large") + 1]))
    print(f"wrote {len(written)} files")
