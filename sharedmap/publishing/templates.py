"""The blank file an officer fills in: the canonical columns, one example row, and notes on every column.

The template is what ``validate`` reads best, so it is built from the same vocabularies (``spreadsheets.FIELD_ALIASES``,
``partnerships.SERVICES``); a test checks that the template itself validates, example row and all.
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from sharedmap.parsing import _SERVICE_SYNONYMS as SERVICE_SYNONYMS
from sharedmap.partnerships import SERVICES, SavingsKind

# column: (required?, what to write)
COLUMNS: dict[str, tuple[bool, str]] = {
    "id": (
        False,
        "Leave empty for a new partnership. To update one already on the map, copy its id from the Data "
        "page (or leave it empty: a partnership with the same name is matched).",
    ),
    "name": (True, "The partnership's name, as the councils call it."),
    "councils": (
        True,
        "Every council in it, separated by semicolons. Full names or common short forms (Boston BC, "
        "E. Lindsey DC); names the register cannot place with confidence are shown with suggestions.",
    ),
    "other_partners": (False, "Partners that are not councils (NHS trusts, police, fire), separated by semicolons."),
    "services": (True, "What is shared, separated by semicolons, from the services list below (or a synonym)."),
    "status": (False, "operational, planned or ended. Empty: operational, or ended when an end date is given."),
    "start": (False, "When it started: July 2020, 2020-07, 27/06/2012, 2014/15 (financial year) or 2020."),
    "end": (False, "When it ended, in the same forms; empty while it runs."),
    "savings": (
        False,
        "Money figures, separated by semicolons, each with its kind: £600,000 annual; £15.4m target "
        "over 10 years. A figure is for the whole partnership unless it says otherwise: add 'for "
        "each council' when every council saves that much (£10m annual for each council), or the "
        "council's name in brackets when it is one council's figure (£70,000 annual (Blaby District "
        "Council)). A figure needs a source link.",
    ),
    "description": (False, "A sentence or two on what the partnership does."),
    "source_url": (False, "A public web page (http:// or https://) that readers can check the figures against."),
    "source_title": (False, "The title of that page."),
    "source_date": (False, "When that page was published."),
    "notes": (False, "Anything else a reviewer should know."),
    "verified_on": (
        False,
        "The date you last checked this row against its source (e.g. 2025-03-14): readers see "
        "it beside the row. The status is read as at the source's date; a row still running "
        "whose source is more than 3 years old is marked 'may be out of date'.",
    ),
    "evidence": (
        False,
        "A short note in your own words on where in the source the councils, figure and status "
        "are stated (e.g. 'press release, 3rd paragraph: £10m a year for each council'); up to 800 "
        "characters.",
    ),
}
EXAMPLE_ROW = {
    "id": "",
    "name": "Example: Boston and East Lindsey shared ICT (replace this row with your own)",
    "councils": "Boston Borough Council; East Lindsey District Council",
    "other_partners": "",
    "services": "ICT; Customer services",
    "status": "operational",
    "start": "April 2019",
    "end": "",
    "savings": "£250,000 annual",
    "description": "One ICT team and one customer contact centre serving both councils.",
    "source_url": "https://www.example.gov.uk/shared-ict",
    "source_title": "Shared ICT service: annual report",
    "source_date": "2023",
    "notes": "",
    "verified_on": "2025-03-14",
    "evidence": "Annual report, page 4: the two councils, one ICT team since April 2019, £250,000 a year saved.",
}
FILE_NAME = "shared-services-template"


def services_notes() -> list[tuple[str, str]]:
    """Each service of the vocabulary with the other words the checker reads as it."""
    synonyms: dict[str, list[str]] = {s: [] for s in SERVICES}
    for word, service in SERVICE_SYNONYMS.items():
        if word.lower() != service.lower():
            synonyms[service].append(word)
    return [(s, ", ".join(synonyms[s])) for s in SERVICES]


def template_csv() -> bytes:
    """The header and the example row as CSV (UTF-8 with a byte-order mark, so Excel reads £ correctly)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, list(COLUMNS))
    writer.writeheader()
    writer.writerow(EXAMPLE_ROW)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    """A workbook: the Partnerships sheet (header, example row) and a Notes sheet on each column and service."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Partnerships"
    sheet.append(list(COLUMNS))
    sheet.append([EXAMPLE_ROW[c] for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, column in zip(map(get_column_letter, range(1, len(COLUMNS) + 1)), COLUMNS, strict=True):
        sheet.column_dimensions[letter].width = 40 if column in ("name", "councils", "savings", "description") else 18
    sheet.freeze_panes = "A2"

    notes = book.create_sheet("Notes")
    notes.append(["column", "required", "what to write"])
    for column, (required, text) in COLUMNS.items():
        notes.append([column, "yes" if required else "no", text])
    notes.append([])
    notes.append(["service", "also understood", ""])
    for service, words in services_notes():
        notes.append([service, words, ""])
    notes.append([])
    notes.append(
        [
            "savings kinds",
            ", ".join(k.value for k in SavingsKind),
            "only annual, cumulative and target "
            "figures count as savings; funding awards and combined spend are shown but never added to them",
        ]
    )
    for row in notes.iter_rows():
        if row[0].value in ("column", "service", "savings kinds"):
            for cell in row:
                cell.font = Font(bold=True)
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 30
    notes.column_dimensions["C"].width = 90
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
