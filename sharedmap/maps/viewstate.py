"""A view of the map (filters, year, tier, measure, selection) and its round trip through the URL's query string,
so a councillor can send a colleague exactly what they see. Pure functions; the app wires them to st.query_params.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from sharedmap.filters import Filters
from sharedmap.freshness import Standing
from sharedmap.maps.payload import MEASURES, TIERS
from sharedmap.partnerships import SERVICES
from sharedmap.spatial.boundaries import LATEST_YEAR, YEARS

# Each key of the URL's query: one value, or all of a repeated key's values (st.query_params.get_all).
QueryParams = Mapping[str, str | Iterable[str]]

PARTNER_TOP_DEFAULT = 10  # suggestions Find a partner shows unless the URL asks for more
PARTNER_TOP_MAX = 30  # the most a URL may ask for
MULTI_KEYS = {
    "service": "services",
    "status": "statuses",
    "nation": "nations",
    "region": "regions",
    "type": "council_types",
}  # URL key -> Filters field


@dataclass(frozen=True)
class Options:
    """The values a URL may choose from (nations, regions and council types come from the register)."""

    services: tuple[str, ...] = SERVICES
    statuses: tuple[str, ...] = tuple(s.value for s in Standing)
    nations: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    council_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class View:
    filters: Filters = field(default_factory=lambda: Filters(year=LATEST_YEAR))
    tier: str = "ltla"
    measure: str = "partnerships"
    council: str = ""  # as written in the URL: a register id, GSS code or name; resolved by the app
    partnership: str = ""

    @property
    def year(self) -> int:
        return self.filters.year if self.filters.year is not None else LATEST_YEAR

    def selecting(self, council: str = "", partnership: str = "") -> View:
        return replace(self, council=council, partnership=partnership)


@dataclass(frozen=True)
class PartnerQuestion:
    """Find a partner's question, carried in its page's URL beside the view (``?for=Blaby&share=ICT&top=5``), so
    a councillor can send the list they see."""

    council: str = ""  # as typed: any name the register understands
    service: str = ""  # "" for any service
    top: int = PARTNER_TOP_DEFAULT


def partner_from_query(params: QueryParams) -> tuple[PartnerQuestion, list[str]]:
    """The question a link asks; unknown services and counts out of range are reported and left at the default."""
    problems: list[str] = []
    council = (_values(params, "for") or [""])[-1]
    service = ""
    if wanted := (_values(params, "share") or [""])[-1]:
        service = next(iter(_pick([wanted], SERVICES, "share", problems)), "")
    top = PARTNER_TOP_DEFAULT
    if text := (_values(params, "top") or [""])[-1]:
        if _WHOLE.fullmatch(text) and 1 <= int(text) <= PARTNER_TOP_MAX:
            top = int(text)
        else:
            problems.append(
                f"top={text!r} must be a whole number from 1 to {PARTNER_TOP_MAX}; showing {PARTNER_TOP_DEFAULT}"
            )
    return PartnerQuestion(council, service, top), problems


def partner_to_query(question: PartnerQuestion) -> dict[str, str]:
    """Only what differs from the empty question, so links stay short."""
    query = {"for": question.council.strip(), "share": question.service}
    if question.top != PARTNER_TOP_DEFAULT:
        query["top"] = str(question.top)
    return {key: value for key, value in query.items() if value}


def _values(params: QueryParams, key: str) -> list[str]:
    value = params.get(key, [])
    items = [value] if isinstance(value, str) else list(value or [])
    return [str(v).strip() for v in items if str(v).strip()]


def _pick(values: Iterable[str], allowed: Iterable[str], key: str, problems: list[str]) -> tuple[str, ...]:
    """Known values in their canonical spelling (matched case-insensitively); unknown ones reported, not kept."""
    canonical = {a.casefold(): a for a in allowed}
    kept = []
    for value in values:
        if value.casefold() in canonical:
            kept.append(canonical[value.casefold()])
        else:
            shown = ", ".join(sorted(canonical.values())) if len(canonical) <= 8 else "see the filter's list"
            problems.append(f"{key}={value!r} is not a known value ({shown}); ignored")
    return tuple(dict.fromkeys(kept))


_WHOLE = re.compile(r"[0-9]{1,6}")  # ASCII digits only: str.isdigit() accepts "²", which int() refuses
MAX_MIN_SAVINGS = 100e9  # no figure in the store is larger (migration 0002)


def view_from_query(params: QueryParams, options: Options) -> tuple[View, list[str]]:
    """The view a URL asks for, and a message for every value that was ignored. ``params`` maps each key to a
    string or a list of strings (st.query_params gives every value of a repeated key with ``get_all``)."""
    problems: list[str] = []
    year = LATEST_YEAR
    for text in _values(params, "year")[-1:]:
        if _WHOLE.fullmatch(text) and int(text) in YEARS:
            year = int(text)
        else:
            problems.append(f"year={text[:30]!r} is outside {YEARS[0]}-{YEARS[-1]}; showing {LATEST_YEAR}")
    min_savings = 0.0
    for text in _values(params, "min_savings")[-1:]:
        try:
            min_savings = float(text.replace(",", "").lstrip("£")) if len(text) <= 20 else -1.0
            if not 0 <= min_savings <= MAX_MIN_SAVINGS:  # also refuses NaN and infinity (1e309)
                raise ValueError
        except ValueError:
            problems.append(
                f"min_savings={text[:30]!r} must be an amount in pounds from 0 to {MAX_MIN_SAVINGS:,.0f}; ignored"
            )
            min_savings = 0.0
    chosen = {
        field_name: _pick(_values(params, key), getattr(options, field_name), key, problems)
        for key, field_name in MULTI_KEYS.items()
    }
    statuses = tuple(Standing(s) for s in chosen.pop("statuses"))
    hide_stale = False
    for text in _values(params, "hide_stale")[-1:]:
        if text in ("1", "0"):
            hide_stale = text == "1"
        else:
            problems.append(f"hide_stale={text!r} must be 1 or 0; ignored")
    filters = Filters(**chosen, statuses=statuses, year=year, min_savings=min_savings, hide_stale=hide_stale)
    single = {key: (_values(params, key) or [""])[-1] for key in ("tier", "measure", "council", "partnership")}
    for key, allowed, default in (("tier", TIERS, "ltla"), ("measure", MEASURES, "partnerships")):
        if single[key] and single[key] not in allowed:
            problems.append(f"{key}={single[key]!r} must be one of {', '.join(allowed)}; showing {default}")
            single[key] = default
    return View(
        filters, single["tier"] or "ltla", single["measure"] or "partnerships", single["council"], single["partnership"]
    ), problems


def view_to_query(view: View) -> dict[str, str | list[str]]:
    """The URL's query of a view: only what differs from the default view, so links stay short."""
    query: dict[str, str | list[str]] = {}
    if view.year != LATEST_YEAR:
        query["year"] = str(view.year)
    for key in ("tier", "measure"):
        if getattr(view, key) != getattr(View(), key):
            query[key] = getattr(view, key)
    for key, field_name in MULTI_KEYS.items():
        values = [str(v) for v in getattr(view.filters, field_name)]
        if values:
            query[key] = values
    if view.filters.min_savings:
        amount = view.filters.min_savings
        query["min_savings"] = f"{amount:.0f}" if amount == int(amount) else f"{amount:.2f}"
    if view.filters.hide_stale:
        query["hide_stale"] = "1"
    for key in ("council", "partnership"):
        if getattr(view, key):
            query[key] = getattr(view, key)
    return query


def same_query(current: Mapping[str, Iterable[str]], wanted: Mapping[str, str | list[str]]) -> bool:
    """Whether the URL already says what the view says (so the app does not rewrite it needlessly)."""

    def lists(query: Mapping) -> dict[str, list[str]]:
        return {k: [v] if isinstance(v, str) else list(v) for k, v in query.items()}

    return lists(current) == lists(wanted)
