"""Reading the values officers type into spreadsheets: money, dates, services, statuses and council lists.

Each parser takes one cell's text and returns a typed value or raises ValidationError naming what was expected.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from rapidfuzz import fuzz, process

from sharedmap.errors import CouncilNotFoundError, ValidationError
from sharedmap.money import Figure, check_amount, normalise, read_figure
from sharedmap.partnerships import SERVICES, PartialDate, Savings, SavingsKind, SavingsScope, Status

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}

_KIND_WORDS: tuple[tuple[SavingsKind, tuple[str, ...]], ...] = (
    (SavingsKind.ONE_OFF_FUNDING, ("one-off", "one off", "award", "grant", "funding")),
    (SavingsKind.COMBINED_SPEND, ("combined spend", "spend", "budget", "contract value", "throughput")),
    (SavingsKind.TARGET, ("target", "expected", "expect", "projected", "forecast", "up to", "aim", "planned")),
    (SavingsKind.ANNUAL, ("annual", "annually", "per year", "a year", "per annum", "p.a.", "each year", "yearly")),
    (SavingsKind.CUMULATIVE, ("cumulative", "since", "to date", "so far", "in total", "total")),
)
_ESTIMATE_WORDS = ("estimate", "estimated", "expected", "about", "around", "approx", "up to", "projected", "forecast")
_EACH_COUNCIL = re.compile(
    r"\b(?:for|to|at)?\s*(?:each|every|per)\s+(?:member\s+|partner\s+)?(?:council|authority)\b"
    r"(?!\s+tax)",
    re.IGNORECASE,
)  # "per council tax band" is no scope
_WHOLE_PARTNERSHIP = re.compile(r"\b(?:for|across)\s+the\s+whole\s+partnership\b", re.IGNORECASE)


def clean(value: object) -> str:
    """A cell as stripped text; None, NaN and whitespace become ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    return " ".join(_CONTROL.sub("", str(value).replace("\u00a0", " ")).split())


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # but tab, CR, LF


def strip_control(text: object) -> str:
    """Text safe to print to a terminal: control characters (ANSI escapes, bidi overrides) removed."""
    return _CONTROL.sub("", str(text))


def parse_kind(text: str) -> SavingsKind:
    lowered = clean(text).lower().replace("_", " ")
    for kind in SavingsKind:
        if lowered == kind.value or lowered.replace("-", " ") == kind.value.replace("-", " "):
            return kind
    for kind, words in _KIND_WORDS:
        if any(word in lowered for word in words):
            return kind
    choices = ", ".join(k.value for k in SavingsKind)
    raise ValidationError("savings kind", text, f"not a savings kind; use one of: {choices}")


# Above these a figure of its kind is far past any council partnership on record: a warning to check, not an error.
PLAUSIBLE_GBP = {"annual": 200e6, "cumulative": 2e9, "target": 2e9, "one-off funding": 1e9, "combined spend": 5e9}


def parse_money(text: object) -> float:
    """£600,000 → 600000; £1.2m, £220k, 0.385m, £1.34bn, "half a million" (``read_money``)."""
    return read_money(text).amount


def read_money(text: object) -> Figure:
    """The figure in a cell, by ``money.read_figure``'s grammar; a number cell is that number. Refuses text with
    no figure, and any amount that is negative, in another currency, ambiguous, written with an exponent (1e308),
    not finite, or above the ceiling (max_amount_gbp)."""
    if isinstance(text, int | float) and not isinstance(text, bool) and clean(text):
        return Figure(check_amount(float(text), text), 0, 0)
    cell = normalise(clean(text))
    if len(cell) > 1000:
        raise ValidationError("savings", cell[:40] + "…", "too long for a savings figure (over 1,000 characters)")
    return read_figure(cell)


def parse_savings_entry(
    text: str,
    default_kind: SavingsKind | None = None,
    default_period: str = "",
    resolve_council: Callable[[str], str] | None = None,
) -> tuple[Savings, list[str]]:
    """One savings figure, e.g. "£15.4m target over 10 years" or "£70,000 annual (Blaby District Council)".

    Returns the entry and any warnings (such as a kind that had to be inferred).
    """
    warnings: list[str] = []
    number = isinstance(text, int | float) and not isinstance(text, bool)  # a number cell is a number, not text
    cell = "" if number else normalise(clean(text))
    figure = read_money(text if number else cell)
    amount = figure.amount
    if figure.note:
        warnings.append(figure.note)
    council_id = None
    for inside in re.findall(r"\(([^)]*)\)", cell):
        if resolve_council and inside.strip() and not re.search(r"\d|estimate", inside, re.IGNORECASE):
            named = re.sub(r"\s+only$", "", inside.strip(), flags=re.IGNORECASE)
            try:
                council_id = resolve_council(named)
            except CouncilNotFoundError:
                if named != inside.strip():  # "(X only)" says one council's figure, but X names no council surely
                    warnings.append(
                        f"({inside}) names no council surely; the figure is read as the whole "
                        "partnership's. Write the council's full name in brackets for one council's figure"
                    )
                continue  # not a council: keep it as part of the period
            cell = cell.replace(f"({inside})", " ")
    scope = SavingsScope.COUNCIL if council_id else SavingsScope.PARTNERSHIP
    cell = clean(_WHOLE_PARTNERSHIP.sub(" ", cell))  # the default scope, as the panel writes it
    each = _EACH_COUNCIL.search(cell)
    if each and not council_id:
        scope = SavingsScope.EACH
        cell = clean(cell[: each.start()] + " " + cell[each.end() :])
    lowered = cell.lower()
    if cell:
        found = read_figure(cell)  # again, where it stands once the council and the scope are taken out
        rest = clean(cell[: found.start] + " " + cell[found.end :])
    else:
        rest = ""
    kind = None
    for candidate in SavingsKind:
        if re.search(rf"\b{re.escape(candidate.value)}\b", lowered):
            kind = candidate
            rest = clean(re.sub(rf"\b{re.escape(candidate.value)}\b", " ", rest, flags=re.IGNORECASE))
            break
    if kind is None and default_kind is not None:
        kind = default_kind
    if kind is None:
        for candidate, words in _KIND_WORDS:
            used = [word for word in words if word in lowered]
            if used:
                kind = candidate
                if candidate is SavingsKind.ANNUAL:  # "p.a." says the kind, not the period
                    pattern = "|".join(re.escape(w) for w in sorted(used, key=len, reverse=True))
                    rest = clean(re.sub(rf"(?<!\w)({pattern})(?!\w)", " ", rest, flags=re.IGNORECASE))
                break
        else:
            kind = SavingsKind.TARGET if re.search(r"\bover\b.*\byears?\b", lowered) else SavingsKind.ANNUAL
            warnings.append(f"savings kind not stated for {text!r}; read as {kind.value}")
    rest = re.sub(r"\(\s*estimated?\s*\)", " ", rest, flags=re.IGNORECASE)  # as partnerships.savings_text writes it
    rest = re.sub(r"\b(about|around|approx(imately)?|c\.?|circa|some)(?=\s|$)", " ", rest, flags=re.IGNORECASE)
    rest = re.sub(r"^\s*of\b", " ", rest, flags=re.IGNORECASE)  # "£3m of savings", never "year five of a merger"
    period = clean(re.sub(r"^(in|for)\s+", "", clean(rest), flags=re.IGNORECASE)) or default_period
    if amount > PLAUSIBLE_GBP.get(kind.value, float("inf")):
        warnings.append(
            f"£{amount:,.0f} is more than any {kind.value} figure on record for a council partnership "
            f"(£{PLAUSIBLE_GBP[kind.value]:,.0f}); check the figure and its unit"
        )
    estimate = (
        figure.estimate
        or kind is SavingsKind.TARGET
        or any(word in lowered for word in _ESTIMATE_WORDS)
        or re.search(r"(?<!\w)(c\.|circa)", lowered) is not None
    )
    return Savings(amount, kind, period, council_id, estimate, scope), warnings


def parse_date(value: object, column: str = "start") -> PartialDate | None:
    """'July 2020', 'Feb 2011', '27/06/2012', '2014/15', '2020', '2020-07-01', or a spreadsheet date."""
    if isinstance(value, dt.datetime | dt.date):
        return PartialDate(value.year, value.month, value.day)
    text = clean(value)
    if not text:
        return None
    if isinstance(value, int | float) and 1900 <= value <= 2100 and float(value).is_integer():
        return PartialDate(int(value))
    lowered = text.lower().rstrip(".")
    patterns: list[tuple[str, Callable[[re.Match], PartialDate]]] = [
        (
            r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?",
            lambda m: PartialDate(int(m[1]), int(m[2]), int(m[3])),
        ),
        (r"(\d{4})-(\d{1,2})", lambda m: PartialDate(int(m[1]), int(m[2]))),
        (r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", lambda m: PartialDate(int(m[3]), int(m[2]), int(m[1]))),
        (r"(\d{1,2})[/.-](\d{4})", lambda m: PartialDate(int(m[2]), int(m[1]))),
        (r"(\d{4})\s*/\s*(\d{2}|\d{4})", lambda m: _financial_year(m)),
        (r"(\d{4})", lambda m: PartialDate(int(m[1]))),
        (
            r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{4})",
            lambda m: PartialDate(int(m[3]), _month(m[2]), int(m[1])),
        ),
        (r"([a-z]+)\.?,?\s+(\d{4})", lambda m: PartialDate(int(m[2]), _month(m[1]))),
    ]
    for pattern, build in patterns:
        match = re.fullmatch(pattern, lowered)
        if match:
            try:
                result = build(match)
                dt.date(result.year, result.month or 1, result.day or 1)
            except (KeyError, ValueError):
                break
            if not 1900 <= result.year <= 2100:
                break
            return result
    raise ValidationError(column, value, "not a date; write it like 2020, July 2020, 27/06/2012 or 2014/15")


def _month(name: str) -> int:
    """A month's name, its abbreviation, or a longer start of its name ("Sept", "Febr"); never a word that merely
    starts like one ("Junk", "Decided", "Marching")."""
    name = name.lower()
    if name in MONTHS:
        return MONTHS[name]
    for full, number in MONTHS.items():
        if len(full) > 4 and len(name) >= 3 and full.startswith(name):
            return number
    raise KeyError(name)


_RANGE = re.compile(r"\s*(.+?)\s+(?:to|until|till|-|–|—)\s+(.+?)\s*|\s*(.+?\d)\s*[–—]\s*(\d.+?)\s*", re.IGNORECASE)


def split_date_range(value: object) -> tuple[str, str] | None:
    """A cell holding two dates, "2020-07-01 to 2023-03-31" or "2019 – 2021": the start's text and the end's,
    when both read as dates; None otherwise (a financial year "2014/15" is one date)."""
    if isinstance(value, dt.date | int | float):
        return None
    match = _RANGE.fullmatch(clean(value))
    if not match:
        return None
    first, second = (match[1], match[2]) if match[1] else (match[3], match[4])
    try:
        parse_date(first)
        parse_date(second)
    except ValidationError:
        return None
    return first, second


def _financial_year(match: re.Match) -> PartialDate:
    """2014/15 is the financial year starting April 2014."""
    first, second = int(match[1]), int(match[2])
    if second not in ((first + 1) % 100, first + 1):
        raise ValueError("not consecutive years")
    return PartialDate(first, 4)


_STATUS_WORDS = {
    Status.OPERATIONAL: ("operational", "live", "active", "running", "current", "in place", "ongoing", "yes"),
    Status.PLANNED: ("planned", "proposed", "approved", "agreed", "in development", "planning", "future", "pilot"),
    Status.ENDED: ("ended", "closed", "finished", "terminated", "dissolved", "ceased", "stopped", "expired"),
    Status.FUNDED: ("funded", "grant", "funding only", "bid funded"),
}


def parse_status(text: object) -> Status:
    lowered = clean(text).lower()
    for status, words in _STATUS_WORDS.items():
        if any(lowered == w or lowered.startswith(w) for w in words):
            return status
    raise ValidationError("status", text, "not a status; use operational, planned, ended or funded")


_SERVICE_SYNONYMS = {
    "it": "ICT",
    "ict": "ICT",
    "information technology": "ICT",
    "digital": "ICT",
    "revs and bens": "Revenues and benefits",
    "revenues & benefits": "Revenues and benefits",
    "council tax and benefits": "Revenues and benefits",
    "benefits": "Revenues and benefits",
    "revenues": "Revenues and benefits",
    "legal services": "Legal",
    "human resources": "HR",
    "payroll": "HR",
    "management": "Management team",
    "senior management": "Management team",
    "chief executive": "Management team",
    "shared chief executive": "Management team",
    "environmental health": "Environmental health",
    "environmental services": "Environmental health",
    "food safety": "Environmental health",
    "pest control": "Environmental health",
    "trading standards": "Trading standards",
    "licensing": "Licensing",
    "taxi licensing": "Licensing",
    "regulatory": "Regulatory services",
    "internal audit": "Audit",
    "counter fraud": "Fraud",
    "waste collection": "Waste",
    "refuse": "Waste",
    "recycling": "Waste",
    "estates": "Property and assets",
    "property": "Property and assets",
    "facilities": "Property and assets",
    "customer service": "Customer services",
    "contact centre": "Customer services",
    "economic growth": "Economic development",
    "health integration": "Adult social care",
    "social care": "Adult social care",
    "children's social care": "Children's services",
    "childrens services": "Children's services",
    "schools": "Education",
    "accountancy": "Finance",
    "emergency planning": "Emergency planning",
    "civil contingencies": "Emergency planning",
    "resilience": "Emergency planning",
    "archives": "Archives and records",
    "records management": "Archives and records",
    "record office": "Archives and records",
    "pension": "Pensions",
    "pensions administration": "Pensions",
    "pension fund": "Pensions",
    "assessors": "Valuation",
    "valuation joint board": "Valuation",
    "electoral registration": "Valuation",
    "closed circuit television": "CCTV",
    "homelessness": "Housing",
    "housing options": "Housing",
    "car parking": "Parking",
    "parking enforcement": "Parking",
    "leisure": "Leisure and culture",
    "culture": "Leisure and culture",
    "libraries": "Leisure and culture",
    "museums": "Leisure and culture",
    "public transport": "Transport",
    "fleet": "Transport",
    "roads": "Highways",
    "highway": "Highways",
    "street lighting": "Highways",
    "democratic": "Democratic services",
    "committee services": "Democratic services",
    "elections": "Democratic services",
    "communications and marketing": "Communications",
    "press and communications": "Communications",
    "health improvement": "Public health",
    "community safety": "Community safety and justice",
    "criminal justice": "Community safety and justice",
    "youth justice": "Community safety and justice",
    "coroner": "Coroners",
    "coroner service": "Coroners",
    "police": "Police and fire",
    "fire": "Police and fire",
    "fire and rescue": "Police and fire",
    "crematorium": "Bereavement services",
    "cemeteries": "Bereavement services",
    "bereavement": "Bereavement services",
    "flood risk": "Flood and coastal",
    "land drainage": "Flood and coastal",
    "coastal management": "Flood and coastal",
    "grounds maintenance": "Parks and grounds",
    "parks": "Parks and grounds",
    "street cleansing": "Waste",
}


def parse_services(text: object) -> tuple[tuple[str, ...], list[ValidationError]]:
    """'ICT; Legal' or 'IT, HR' → controlled vocabulary; unknown terms come back as errors with suggestions."""
    found: list[str] = []
    errors: list[ValidationError] = []
    vocabulary = {s.lower(): s for s in SERVICES}
    for raw in re.split(r"[;,|/\n]+", clean(text)):
        term = clean(raw).rstrip(".")
        if not term:
            continue
        key = term.lower().replace("’", "'")
        service = vocabulary.get(key) or _SERVICE_SYNONYMS.get(key)
        if service is None:
            best = process.extractOne(key, list(vocabulary) + list(_SERVICE_SYNONYMS), scorer=fuzz.WRatio)
            if best and best[1] >= 90:
                service = vocabulary.get(best[0]) or _SERVICE_SYNONYMS[best[0]]
        if service is None:
            close = process.extract(key, list(vocabulary), scorer=fuzz.WRatio, limit=3)
            errors.append(
                ValidationError(
                    "services",
                    term,
                    "not a service in our list; use Other if none fits",
                    [vocabulary[c[0]] for c in close if c[1] >= 50],
                )
            )
        elif service not in found:
            found.append(service)
    return tuple(found), errors


def split_names(text: object) -> list[str]:
    """Split a list of names on ';', '|' or new lines; commas are handled by split_councils."""
    if not clean(text):
        return []
    return [clean(p) for p in re.split(r"[;|\r\n]+", str(text)) if clean(p)]  # split before clean() joins lines


MAX_GLUED = 4  # comma pieces tried as one name; the longest real ones ("Kingston upon Hull, City of") have two


def count_council_pieces(text: object) -> int:
    """How many names a councils cell could hold at most (every ; | , or new line a separator): checked against
    SHAREDMAP_MAX_COUNCILS_PER_CELL before the register is searched."""
    return len([p for p in re.split(r"[;|\r\n,]+", str(text)) if clean(p)]) if clean(text) else 0


def date_before(later: PartialDate, earlier: PartialDate) -> bool:
    """Whether ``later`` is surely before ``earlier``, compared at the precision both are written to: 2018 and
    October 2018 are the same year, so neither is before the other."""
    a = (later.year, later.month, later.day)
    b = (earlier.year, earlier.month, earlier.day)
    for x, y in zip(a, b, strict=True):
        if x is None or y is None:
            return False
        if x != y:
            return x < y
    return False


def split_councils(text: object, resolve: Callable[[str], object]) -> list[str]:
    """Council names from one cell. Names may hold commas ("Bournemouth, Christchurch and Poole Council"),
    so comma-separated pieces are joined back whenever the longer run names a council; ``resolve`` raises
    CouncilNotFoundError for a run that does not surely name one."""
    names: list[str] = []
    for part in split_names(text):
        pieces = [clean(p) for p in part.split(",") if clean(p)]
        i = 0
        while i < len(pieces):  # no council's name holds more than MAX_GLUED - 1 commas: linear in the pieces
            for j in range(min(len(pieces), i + MAX_GLUED), i, -1):
                candidate = ", ".join(pieces[i:j])
                if j - i == 1 or _resolves(candidate, resolve):
                    names.append(candidate)
                    i = j
                    break
    return names


def _resolves(name: str, resolve: Callable[[str], object]) -> bool:
    try:
        resolve(name)
    except CouncilNotFoundError:
        return False
    return True
