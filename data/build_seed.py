"""Write data/partnerships.csv from the researched table in ../shared/data/partnerships_research.csv.

Run once by hand (`.venv/bin/python data/build_seed.py`) when the research table changes. Every row keeps its
source; figures that the research table keeps only in its notes (a second savings figure, a council's share)
are added below with the note they come from, so each one stays traceable.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sharedmap import config  # noqa: E402
from sharedmap.partnerships import format_gbp  # noqa: E402
from sharedmap.register import load_register  # noqa: E402

OUT = Path(__file__).resolve().parent / "partnerships.csv"
COLUMNS = [
    "id",
    "name",
    "councils",
    "council_ids",
    "other_partners",
    "services",
    "status",
    "start",
    "end",
    "savings",
    "description",
    "source_url",
    "source_title",
    "source_date",
    "notes",
]
KINDS = {
    "target": "target",
    "annual": "annual",
    "cumulative": "cumulative",
    "one_off_funding": "one-off funding",
    "spend": "combined spend",
}
# Research tags outside our controlled vocabulary, mapped to the nearest service in it.
SERVICE_MAP = {
    "Environmental health": "Regulatory services",
    "Health integration": "Adult social care",
    "Transport": "Other",
    "Emergency planning": "Other",
}
# Further savings figures stated in the research table's savings_note for that row.
EXTRA_SAVINGS = {
    "SS001": ["£600,000 annual 2020/21", "£1.2m annual expected in 2021/22"],
    "SS004": ["£70,000 annual (Hinckley and Bosworth Borough Council)", "£150,000 annual (Blaby District Council)"],
    "SS012": [
        "£2.9m annual per year (South Hams District Council)",
        "£1.5m annual per year (West Devon Borough Council)",
    ],
}


def savings_cell(row: dict) -> str:
    entries = []
    if row["savings_gbp"]:
        amount = format_gbp(float(row["savings_gbp"]))
        entries.append(" ".join(filter(None, [amount, KINDS[row["savings_kind"]], row["savings_period"]])))
    return "; ".join(entries + EXTRA_SAVINGS.get(row["id"], []))


def services_cell(text: str) -> str:
    mapped = [SERVICE_MAP.get(s.strip(), s.strip()) for s in text.split(";") if s.strip()]
    return "; ".join(dict.fromkeys(mapped))


def main() -> None:
    register = load_register()
    research = config.shared_data_dir() / "partnerships_research.csv"
    with open(research, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with open(OUT, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            names = [n.strip() for n in row["councils"].split(";") if n.strip()]
            writer.writerow(
                {
                    "id": row["id"],
                    "name": row["name"],
                    "councils": "; ".join(names),
                    "council_ids": "; ".join(register.resolve(n).council.id for n in names),
                    "other_partners": row["other_partners"],
                    "services": services_cell(row["services"]),
                    "status": row["status"],
                    "start": row["start_date"],
                    "end": row["end_date"],
                    "savings": savings_cell(row),
                    "description": row["description"],
                    "source_url": row["source_url"],
                    "source_title": row["source_title"],
                    "source_date": row["source_date"],
                    "notes": row["savings_note"],
                }
            )
    print(f"wrote {len(rows)} partnerships to {OUT}")


if __name__ == "__main__":
    main()
