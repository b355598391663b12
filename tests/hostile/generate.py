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
        "tab_separated.tsv.csv": csv_bytes([row("tab delimited")], delimiter="\t"),
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
    files.update(issue19_files())
    return files


def _money(name: str, savings: str, **values: object) -> tuple[str, bytes]:
    return f"money_{name}.csv", one(f"money {name}", savings=savings, **values)


def _link(name: str, url: str) -> tuple[str, bytes]:
    return f"link_{name}.csv", one(f"link {name}", source_url=url)


def _date(name: str, **values: object) -> tuple[str, bytes]:
    return f"date_{name}.csv", one(f"date {name}", **values)


def _current_councils(count: int) -> str:
    """Boston and the first ``count - 1`` other current councils of the register, for a figure "for each council"."""
    from sharedmap.register import load_register

    names = sorted(
        c.name for c in load_register().councils.values() if c.current and c.name != "Boston Borough Council"
    )
    return "; ".join(["Boston Borough Council", *names[: count - 1]])


def issue19_files() -> dict[str, bytes]:
    """Issue 19's further files, tried as a new user would: every money notation the issue lists and its cousins,
    links a URL parser refuses, date words and ranges, CSV and XLSX structure."""
    money = dict(
        [
            _money("decimal_comma", "£1,2m"),
            _money("space_grouping", "£1 000 000"),
            _money("apostrophe_grouping", "£1'000'000"),
            _money("underscore_grouping", "£1_000_000"),
            _money("point_grouping", "£1.234.567"),
            _money("mil_word", "£2.5 mil"),
            _money("millions_plural", "£3 millions"),
            _money("trillion", "£1 trillion"),
            _money("bracket_after_sign", "£ (500k)"),
            _money("brackets_around", "(£5m)"),
            _money("en_dash_minus", "\u2013£5m"),
            _money("trailing_minus_sign", "£5m\u2212"),
            _money("euro", "€5m"),
            _money("us_dollar", "US$2m"),
            _money("range", "£3m-£5m"),
            _money("range_words", "between £3m and £5m a year"),
            _money("up_to", "up to £2m"),
            _money("half_a_million", "half a million pounds"),
            _money("five_million_pounds", "five million pounds"),
            _money("comma_thousands_pence", "£1,234,567.89"),
            _money("zero", "£0"),
            _money("two_points", "£1.2.3m"),
            _money("indian_grouping", "£1,23,456"),
            _money("dollar_bare", "$5m"),
            _money("yen", "¥100m"),
            _money("gbp_code_after", "2m GBP"),
            _money("fullwidth_digits", "£\uff15m"),
            _money("arabic_indic_digits", "£\u0665m"),
            _money("vulgar_half", "£\u00bdm"),
            _money("sum_of_two", "£5m + £2m"),
            _money("over_limit_in_full", "£10,000,000,001"),
            _money("mn_suffix", "£4mn"),
            _money("bn_upper", "£1.5BN"),
            _money("pence_only", "50p"),
            _money(
                "9bn_each_of_40_councils", "£9bn for each council", councils=_current_councils(40), services="Waste"
            ),
        ]
    )
    links = dict(
        [
            _link("javascript", "javascript:alert(document.cookie)"),
            _link("data_uri", "data:text/html,<script>alert(1)</script>"),
            _link("idn_homograph_host", "https://b\u043eston.gov.uk/partnerships"),
            _link("punycode_host", "https://xn--bston-3ve.gov.uk/partnerships"),
            _link("scheme_relative", "//evil.example/report"),
            _link("ftp", "ftp://files.boston.gov.uk/report.pdf"),
            _link("no_host", "https:///report"),
            _link("space_in_host", "https://evil example/report"),
            _link("user_only", "https://admin@www.boston.gov.uk/"),
            _link("backslash_host", "https://www.boston.gov.uk\\@evil.example/"),
            _link("fullwidth_hash_host", "https://www.boston.gov.uk\uff03.evil.example/"),
            _link("ipv6_loopback", "https://[::1]/admin"),
            _link("port_zero", "https://www.boston.gov.uk:0/"),
            _link("upper_case_scheme", "HTTPS://WWW.BOSTON.GOV.UK/partnerships"),
            _link("newline_inside", "https://www.boston.gov.uk/\nhttps://evil.example/"),
            _link("very_long", "https://www.boston.gov.uk/" + "a" * 5000),
        ]
    )
    dates = dict(
        [
            _date("juneteenth_word", start="Juneteenth 2020"),
            _date("mayday_word", start="Mayday 2019"),
            _date("marchioness_word", start="Marchioness 2018"),
            _date("augustine_word", start="Augustine 2017"),
            _date("en_dash_range_in_start", start="2019\u20132021"),
            _date("words_range_in_start", start="1 April 2020 to 31 March 2023"),
            _date("quarter", start="Q3 2020"),
            _date("financial_year", start="FY2020/21"),
            _date("february_30", start="2020-02-30"),
            _date("month_13", start="2020-13"),
            _date("ambiguous_short", start="01/02/03"),
            _date("season_word", start="spring 2021"),
            _date("end_before_start", start="2021-05", end="2019-01"),
        ]
    )
    header = one("header").split(b"\r\n", 1)[0]

    def body(label: str) -> bytes:
        return one(label).split(b"\r\n", 1)[1]

    structure = {
        "csv_mixed_line_endings.csv": _mixed_line_endings(),
        "csv_cr_only_line_endings.csv": csv_bytes([row("cr only 1"), row("cr only 2")], line="\r"),
        "csv_nul_first_byte.csv": b"\x00" + one("nul first"),
        "csv_nul_inside_cell.csv": one("nul cell", description="before\x00after"),
        "csv_two_boms.csv": b"\xef\xbb\xbf\xef\xbb\xbf" + one("two boms"),
        "csv_bom_utf8_then_utf16.csv": b"\xef\xbb\xbf" + one("utf8 bom utf16").decode().encode("utf-16-le"),
        "csv_very_long_line_many_commas.csv": header
        + b"\r\n"
        + body("many commas").rstrip(b"\r\n")
        + b"," * 4000
        + b"\r\n",
        "csv_long_line_under_limits.csv": one("long description", description="word " * 1990),
        "csv_pipe_delimited.csv": csv_bytes([row("pipes")], delimiter="|"),
        "csv_tab_delimited_tabs_in_cell.csv": csv_bytes(
            [row("tabs in cell", description="one\ttwo\tthree")], delimiter="\t"
        ),
        "csv_header_repeated_as_row.csv": csv_bytes([row("header again"), dict(zip(HEADER, HEADER, strict=True))]),
        "csv_row_with_extra_cells.csv": header + b"\r\n" + body("extra cells").rstrip(b"\r\n") + b",extra,cells\r\n",
        "csv_row_with_missing_cells.csv": header + b"\r\n,Hostile short row,Boston Borough Council; East Lindsey "
        b"District Council\r\n",
        "csv_quote_inside_unquoted_cell.csv": header
        + b"\r\n"
        + body("quote inside").replace(b"Hostile quote inside", b'Hostile say "hi" there'),
        "csv_invalid_utf8_surrogate.csv": one("surrogate").replace(b"Hostile surrogate", b"Hostile \xed\xa0\x80"),
        "csv_overlong_utf8.csv": one("overlong").replace(b"Hostile overlong", b"Hostile \xc0\xaf"),
        "csv_bell_and_backspace.csv": one("bell", description="ring\x07\x08 twice"),
        "csv_blank_rows_between.csv": csv_bytes([row("blank 1")])
        + b",,,,,,,,,\r\n\r\n   \r\n"
        + csv_bytes([row("blank 2")]).split(b"\r\n", 1)[1],
        "csv_cp1252_smart_quotes.csv": one("smart").replace(b"Hostile smart", b"Hostile \x93smart\x94 \x96 quotes"),
        "csv_bidi_override_name.csv": one("bidi", name="Hostile \u202egnp.exe"),
    }
    workbooks = {
        "xlsx_money_number_format_millions.xlsx": _number_format_workbook(1.2, '"£"0.0"m"'),
        "xlsx_money_plain_number.xlsx": _number_format_workbook(1_200_000, '"£"#,##0'),
        "xlsx_very_hidden_sheet.xlsx": _hidden_sheet_workbook(False, state="veryHidden"),
        "xlsx_hidden_row_in_middle.xlsx": _raw_workbook(
            [
                (1, "", HEADER),
                (2, "", list(row("shown 1").values())),
                (3, ' hidden="1"', list(row("hidden 2").values())),
                (4, "", list(row("shown 3").values())),
            ]
        ),
        "xlsx_hidden_column.xlsx": _hidden_column_workbook(),
        "xlsx_formula_savings_no_value.xlsx": _raw_formula_workbook(),
        "xlsx_styles_60k_formats.xlsx": _zip(
            {
                **_workbook_members(xlsx_bytes([HEADER, list(row("styles 60k").values())])),
                "xl/styles.xml": b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b'<cellXfs count="60000">' + b'<xf numFmtId="0"/>' * 60_000 + b"</cellXfs></styleSheet>",
            }
        ),
        "xlsx_shared_strings_one_huge_string.xlsx": _zip(
            {
                **_workbook_members(xlsx_bytes([HEADER, list(row("one huge").values())])),
                "xl/sharedStrings.xml": b"<sst><si><t>" + b"x" * 30_000_000 + b"</t></si></sst>",
            }
        ),
        "xlsx_ratio_bomb_in_doc_props.xlsx": _zip(
            {
                **_workbook_members(xlsx_bytes([HEADER, list(row("props bomb").values())])),
                "docProps/custom.xml": b" " * 50_000_000,
            }
        ),
        "xlsx_2000_parts.xlsx": _zip(
            {
                **_workbook_members(xlsx_bytes([HEADER, list(row("2000 parts").values())])),
                **{f"customXml/item{i}.xml": b"<a/>" for i in range(2000)},
            }
        ),
        "xlsx_path_traversal_part.xlsx": _zip(
            {**_workbook_members(xlsx_bytes([HEADER, list(row("traversal").values())])), "../../evil.txt": b"x"}
        ),
        "xlsx_macro_part.xlsx": _zip(
            {**_workbook_members(xlsx_bytes([HEADER, list(row("macro").values())])), "xl/vbaProject.bin": b"\0" * 512}
        ),
        "xlsx_dimension_lies.xlsx": _raw_workbook(
            [(1, "", HEADER), (2, "", list(row("dimension lies").values()))], dimension="A1:XFD1048576"
        ),
        "xlsx_merged_header.xlsx": _merged_workbook(),
        "xlsx_date_serial_start.xlsx": xlsx_bytes([HEADER, list(row("serial date", start=43922).values())]),
    }
    return {**money, **links, **dates, **structure, **workbooks}


def _mixed_line_endings() -> bytes:
    """Three rows ended CRLF, LF and CR in one file, as a file edited on three systems is."""
    lines = csv_bytes([row("mixed 1"), row("mixed 2"), row("mixed 3")]).split(b"\r\n")
    return lines[0] + b"\r\n" + lines[1] + b"\n" + lines[2] + b"\r" + lines[3] + b"\r\n"


def _number_format_workbook(value: float, number_format: str) -> bytes:
    """A savings cell holding ``value``, shown through ``number_format`` as the officer wrote it ("£1.2m")."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Partnerships"
    sheet.append(HEADER)
    sheet.append(list(row(f"format {number_format} {value}", savings=value).values()))
    sheet.cell(row=2, column=HEADER.index("savings") + 1).number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _hidden_column_workbook() -> bytes:
    """The savings column hidden: a figure nobody sees in Excel would be published."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Partnerships"
    sheet.append(HEADER)
    sheet.append(list(row("hidden column", savings="£9bn annual").values()))
    sheet.column_dimensions["H"].hidden = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _raw_formula_workbook() -> bytes:
    """A savings cell that is a formula with no saved value (written by a script, never opened in Excel)."""
    data = _raw_workbook([(1, "", HEADER), (2, "", list(row("formula savings", savings="PLACEHOLDER").values()))])
    members = _workbook_members(data)
    sheet = "xl/worksheets/sheet1.xml"
    members[sheet] = members[sheet].replace(
        b'<c t="inlineStr"><is><t>PLACEHOLDER</t></is></c>', b"<c><f>SUM(1000000,200000)</f></c>"
    )
    return _zip(members)


def _merged_workbook() -> bytes:
    """A title merged across the first row above the header, as a report template has."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Partnerships"
    sheet.append(["Shared services, Boston Borough Council"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.append(HEADER)
    sheet.append(list(row("merged title").values()))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


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


def _hidden_sheet_workbook(visible_too: bool, state: str = "hidden") -> bytes:
    """A hidden sheet named for partnerships (read first by name), and with ``visible_too`` the visible one."""
    book = Workbook()
    hidden = book.active
    hidden.title = "Partnerships (old)"
    hidden.append(HEADER)
    hidden.append(list(row("from the hidden sheet", councils="Boston Borough Council; Atlantis Council").values()))
    hidden.sheet_state = state
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
