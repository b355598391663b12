"""One rule for what a figure is: every notation a person uses reads back exactly, or is refused saying what was
read — never another number. Each case of issue 19's money bullet is here, beside the property that covers them."""

from __future__ import annotations

import contextlib
import io
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from store_fixtures import write_csv

from sharedmap.cellformat import shown_text
from sharedmap.errors import ValidationError
from sharedmap.money import pound_figures
from sharedmap.parsing import parse_money, parse_savings_entry
from sharedmap.partnerships import SavingsKind
from sharedmap.publishing import review_tables as tables
from sharedmap.publishing import workflow
from sharedmap.spreadsheets import read_table
from sharedmap.validate import validate_file

# Issue 19: each was stored as another number, with no warning.
MISREAD = [
    ("£1 000 000", 1_000_000),
    ("£1'000'000", 1_000_000),
    ("£1_000_000", 1_000_000),
    ("£2.5 mil", 2_500_000),
    ("£3 millions", 3_000_000),
    ("£1000,000", 1_000_000),
    ("half a million", 500_000),
    ("five million pounds", 5_000_000),
    ("a quarter of a million", 250_000),
    ("two and a half million pounds", 2_500_000),
    ("one hundred and twenty-five thousand pounds", 125_000),
    ("savings of half a million pounds", 500_000),
    ("£０.５m", 500_000),  # full-width digits, as pasted from some PDFs
    ("GBP3.5m", 3_500_000),  # not 5m: the digits after a point are never a figure of their own
]


@pytest.mark.parametrize(("text", "amount"), MISREAD)
def test_notations_read_as_written(text, amount):
    assert parse_money(text) == amount


REFUSED = [
    ("£1,2m", r"it could be £1\.2m \(£1,200,000\) or £12m \(£12,000,000\)"),
    ("£12,50", "it could be £12.50"),
    ("£1.234.567", "points between groups of digits"),
    ("£1.234", "3 decimal places"),
    ("1.234,50", "decimal comma"),
    ("£1 trillion", "more than the £10,000,000,000 any one figure may be"),
    ("£ (500k)", "the amount is negative.*in brackets"),
    ("(£5m)", "the amount is negative.*in brackets"),
    ("–£5m", "the amount is negative.*minus sign"),
    ("—£5m", "the amount is negative.*minus sign"),
    ("\u2212£5m", "the amount is negative.*minus sign"),
    ("£5m−", "the amount is negative.*ends in a minus sign"),
    ("£5m-", "the amount is negative.*ends in a minus sign"),
    ("£ -5", "the amount is negative"),
    ("€5m", "'€' is euros, not pounds"),
    ("US$2m", "'US\\$' is US dollars, not pounds"),
    ("$2m", "'\\$' is dollars"),
    ("EUR 5m", "is euros"),
    ("5 million euros", "is euros"),
    ("2m dollars", "is dollars"),
    ("£5m annual and £2m one-off", "two figures in one entry"),
    ("twenty twenty million", "cannot read 'twenty twenty million'"),
    ("twelve " * 11 + "million", "as one number for certain"),  # more words than are read at once
    ("£5m-£3m", "runs downwards"),
    ("£1 00 000", "grouped unevenly"),
    ("v2.5m", "no amount found"),
    ("year 3 - £5m", "could be a range or a number and a figure"),
]


@pytest.mark.parametrize(("text", "message"), REFUSED)
def test_what_cannot_be_read_for_certain_is_refused_saying_what_was_read(text, message):
    with pytest.raises(ValidationError, match=message) as refused:
        parse_savings_entry(text)
    assert refused.value.column == "savings" and refused.value.value == text


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("£3m-£5m", 3e6),
        ("£3m to £5m", 3e6),
        ("£3–5m", 3e6),
        ("3-5m", 3e6),
        ("3 to 5 million pounds", 3e6),
        ("between £300k and £1.2m", 3e5),
        ("£300k – £1.2m", 3e5),
    ],
)
def test_a_range_is_an_estimate_at_its_lower_end_never_a_firm_figure(text, amount):
    saving, warnings = parse_savings_entry(f"{text} annual")
    assert (saving.amount_gbp, saving.estimate, saving.kind) == (amount, True, SavingsKind.ANNUAL)
    assert any("is a range: read as its lower end" in w for w in warnings)


@pytest.mark.parametrize("text", ["up to £5m", "over £5m a year", "£5m+", "at least £5m annual", "c. £5m"])
def test_up_to_and_its_kin_make_an_estimate(text):
    saving, _ = parse_savings_entry(text)
    assert saving.amount_gbp == 5e6 and saving.estimate


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("Savings - £5m annual", "Savings"),  # a dash with a space after it separates words
        ("£600 000 annual 2020/21", "2020/21"),
        ("£17m cumulative over ten years (2007-2017)", "over ten years (2007-2017)"),
        ("£4.4m annual (T18 programme 2013-2018)", "(T18 programme 2013-2018)"),
    ],
)
def test_dashes_years_and_codes_beside_a_figure_are_words(text, period):
    saving, _ = parse_savings_entry(text)
    assert saving.period == period and not saving.estimate


def test_zero_is_a_figure_as_the_docs_say():
    """docs/officers.md: "a finite amount from £0 up to the ceiling"; it was refused as "must be more than zero"."""
    saving, _ = parse_savings_entry("£0 annual 2020/21")
    assert saving.amount_gbp == 0 and saving.period == "2020/21"


def test_prose_figures_for_the_quality_checks():
    assert [amount for _, _, amount in pound_figures("up to £42m, and £1,2m or £600,000 later")] == [42e6, 600_000]


# The property: an amount written in every notation a person uses reads back exactly, or is refused.
WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


def notations(pence: int) -> list[str]:
    pounds, rest = divmod(pence, 100)
    amount = Decimal(pence) / 100
    written = [f"£{pounds:,}", f"£{pounds}", f"GBP {pounds:,}", f"{pounds:,} pounds", f"£{pounds:,} annual 2020/21"]
    written += [f"£{pounds:,}".replace(",", sep) for sep in (" ", "'", "_")]
    written += [f"about £{pounds:,}", f"£{pounds:,} for each council", f"£{pounds:,}.{rest:02d}"] if not rest else []
    if rest:
        written = [f"£{amount:,.2f}", f"£{amount:.2f}", f"{amount:,.2f} pounds"]
    for unit, power in (("k", 3), ("m", 6), ("mn", 6), (" mil", 6), (" million", 6), ("bn", 9), (" billion", 9)):
        scaled = amount.scaleb(-power)
        written += [f"£{_plain(scaled)}{unit}", f"{_plain(scaled)}{unit}", f"£{_plain(scaled)}{unit} a year"]
    if pence % 100_000_000 == 0 and 1 <= pounds // 1_000_000 <= len(WORDS):
        written.append(f"{WORDS[pounds // 1_000_000 - 1]} million pounds")
    return written


AMOUNTS = st.one_of(
    st.integers(0, 10_000_000_000).map(lambda pounds: pounds * 100),
    st.integers(0, 99_999).map(lambda k: k * 100_000 * 100),  # round thousands, as councils report them
    st.integers(1, 12).map(lambda m: m * 1_000_000 * 100),
    st.integers(0, 100_000_000),  # with pence
)


@settings(max_examples=200, deadline=None)
@given(AMOUNTS)
def test_any_amount_in_any_notation_reads_back_exactly(pence):
    for text in notations(pence):
        assert parse_savings_entry(text)[0].amount_gbp == pytest.approx(pence / 100, rel=1e-12, abs=0.001), text


@settings(max_examples=50, deadline=None)
@given(st.integers(10_000_000_001, 10**15).map(lambda pounds: pounds * 100))
def test_any_amount_past_the_limit_in_any_notation_is_refused(pence):
    for text in notations(pence):
        with pytest.raises(ValidationError, match="any one figure may be"):
            parse_savings_entry(text)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 5_000_000_000),
    st.integers(1, 5_000_000_000),
    st.sampled_from(["£{}-£{}", "£{} to £{}", "£{} – £{}", "between £{} and £{}", "£{}—£{}"]),
)
def test_a_range_in_any_notation_is_an_estimate_at_its_lower_end(low, more, pattern):
    saving, _ = parse_savings_entry(pattern.format(f"{low:,}", f"{low + more:,}") + " annual")
    assert (saving.amount_gbp, saving.estimate) == (low, True)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 10_000_000_000), st.sampled_from(["-£{}", "£-{}", "–£{}", "£{}−", "(£{})", "£ ({})", "−{}k"]))
def test_a_negative_amount_in_any_notation_is_refused(pounds, pattern):
    with pytest.raises(ValidationError, match="the amount is negative"):
        parse_money(pattern.format(f"{pounds:,}"))


@settings(max_examples=200, deadline=None)
@given(st.integers(1_000, 10_000_000_000))
def test_a_european_notation_is_never_another_number(pounds):
    """1.234.567,00 and 1 234 567,00: read exactly or refused, never £1.23 or £123,456,700."""
    european = f"{pounds:,}".replace(",", ".") + ",00"
    for text in (f"£{european}", f"£{european.replace('.', ' ')}", f"£{pounds:,}".replace(",", ".")):
        with contextlib.suppress(ValidationError):
            assert parse_money(text) == pounds, text


# A spreadsheet cell whose number format shows text: read as the officer sees it.
@pytest.mark.parametrize(
    ("value", "number_format", "shown"),
    [
        (1.2, '"£"0.0"m"', "£1.2m"),
        (1.2, "£0.0\\m", "£1.2m"),
        (1_234_567, '0.0,,"m"', "1.234567m"),
        (-5, "£#,##0;(£#,##0)", "(£5)"),
        (5, "[$€-x-euro2] #,##0", "€ 5"),
        (2020, '0"/21"', "2020/21"),
        (600_000, "£#,##0", None),
        (600_000, "#,##0", None),
        (1.2, "General", None),
        (0, '_-[$£-809]* #,##0.00_-;\\-[$£-809]* #,##0.00_-;_-[$£-809]* "-"??_-;_-@_-', None),
        (5, '_-[$£-809]* #,##0.00_-;\\-[$£-809]* #,##0.00_-;_-[$£-809]* "-"??_-;_-@_-', None),
    ],
)
def test_a_number_format_that_adds_text_is_read_as_shown(value, number_format, shown):
    assert shown_text(value, number_format) == shown


def _workbook(rows: list[tuple[object, str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["name", "councils", "services", "savings", "source_url"])
    for number, (value, number_format) in enumerate(rows, start=2):
        sheet.append([f"P{number}", "Boston Borough Council; East Lindsey District Council", "ICT", value, "https://x"])
        sheet.cell(number, 4).number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_cell_of_1_2_formatted_as_millions_is_1_2_million(tmp_path, register):
    data = _workbook([(1.2, '"£"0.0"m"'), (600_000, "£#,##0"), (5, '"€"0"m"')])
    assert [values["savings"] for _, values in read_table(data, "f.xlsx").rows] == ["£1.2m", 600_000, "€5m"]
    path = tmp_path / "formatted.xlsx"
    path.write_bytes(data)
    rows = validate_file(path, register).as_dict()["rows"]
    assert [r["savings"][0]["amount_gbp"] for r in rows[:2]] == [1_200_000, 600_000]
    assert "'€' is euros" in rows[2]["errors"][0]["message"]


# Derived figures stay inside the limit of one figure.
def test_a_figure_for_each_council_times_its_members_stays_in_the_limit(tmp_path, register):
    councils = [c.name for c in register.councils.values() if c.current and "," not in c.name][:60]
    row = {"name": "Everyone", "councils": "; ".join(councils), "services": "ICT", "source_url": "https://x.gov.uk"}
    path = write_csv(tmp_path / "each.csv", [{**row, "savings": "£9bn annual for each council"}])
    result = validate_file(path, register).as_dict()["rows"][0]
    assert not result["ok"]
    message = next(e["message"] for e in result["errors"] if e["column"] == "savings")
    assert message.startswith("£9bn for each council across 60 councils is £540bn, more than the £10,000,000,000")


def test_the_sum_of_a_rows_figures_stays_in_the_limit(tmp_path, register):
    row = {"name": "Big", "councils": "Boston Borough Council; East Lindsey District Council", "services": "ICT"}
    savings = "£6bn combined spend; £6bn cumulative"
    path = write_csv(tmp_path / "sum.csv", [{**row, "savings": savings, "source_url": "https://x.gov.uk"}])
    result = validate_file(path, register).as_dict()["rows"][0]
    assert any("the row's figures add up to £12bn" in e["message"] for e in result["errors"])


# The reviewer sees what will be published: each figure exactly, beside the text it was read from.
def test_a_new_rows_preview_shows_its_figures_beside_what_they_were_read_from(tmp_path, register, store, accounts):
    officer = accounts["officer@boston.gov.uk"]
    row = {
        "name": "Brand new shared ICT",
        "councils": "Boston Borough Council; East Lindsey District Council",
        "services": "ICT",
        "savings": "£1.2m annual; £1000,000 one-off funding 2014",
        "source_url": "https://x.gov.uk/a",
    }
    upload = workflow.read_upload(write_csv(tmp_path / "new.csv", [row]), register)
    assert tables.rows_frame(upload)["savings"].iloc[0] == (
        "£1,200,000 annual (read from '£1.2m annual'); £1,000,000 one-off funding 2014 (read from "
        "'£1000,000 one-off funding 2014')"
    )
    preview = workflow.preview_upload(store, officer, upload, register, withdraw_missing=False)
    new = tables.preview_frames(preview, register)["new"]
    assert new.iloc[0]["figures"].startswith("£1,200,000 annual (read from '£1.2m annual')")
    staged = workflow.submit(store, officer, upload, register, withdraw_missing=False)
    stored = workflow.submission_preview(store, staged.id).of_kind("new")[0]
    assert stored.figures(register).startswith("£1,200,000 annual (read from '£1.2m annual')")
