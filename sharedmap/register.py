"""The council register (mySociety's list of current and former UK councils) and resolving names to councils.

Partnerships name councils as people write them; the map joins on GSS codes. ``Register.resolve`` turns a name,
GSS code or register id into one council, or raises ``CouncilNotFoundError`` with suggestions: never a silent guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import pandas as pd

from sharedmap.errors import CouncilNotFoundError, RegisterError
from sharedmap.names import Match, NameIndex, distinct_names, names_no_place, simple_key, split_alt_names
from sharedmap.sources import source_path

# Readable council types by register code; every other code (SRA, CC) reads "other".
TYPE_NAMES: dict[str, str] = {
    "CTY": "county", "NMD": "district", "UA": "unitary", "MD": "metropolitan district", "LBO": "London borough",
    "WPA": "Welsh unitary", "SCO": "Scottish unitary", "NID": "Northern Ireland district", "COMB": "combined authority",
}  # fmt: skip
# Kind words a council answers to because of its type, whatever its names say.
TYPE_KINDS: dict[str, frozenset[str]] = {
    "CTY": frozenset({"county"}),
    "MD": frozenset({"metropolitan", "borough", "district"}),
    "LBO": frozenset({"london", "borough"}),
    "CC": frozenset({"city"}),
}
REGISTER_COLUMNS = (
    "local-authority-code", "official-name", "nice-name", "gss-code", "start-date", "end-date", "replaced-by",
    "nation", "region", "local-authority-type", "county-la", "combined-authority", "alt-names", "former-gss-codes",
    "pop-2020", "lat", "long",
)  # fmt: skip
NAME_LOOKUP_COLUMNS = ("la-name", "local-authority-code")
GSS_LOOKUP_COLUMNS = ("gss-code", "local-authority-code")
GSS_PATTERN = re.compile(r"^[EWSN]\d{8}$", re.IGNORECASE)
ID_PATTERN = re.compile(r"^(?:[A-Z]{3,4}|NIR-[A-Z])$")
FORMER_NOTE = re.compile(r"\s*\(former, ended \d{4}-\d{2}-\d{2}\)$")
# A fuzzy match is accepted only when it scores at least this (0-100) and beats the next council by the margin.
FUZZY_ACCEPT = 85.0
FUZZY_MARGIN = 5.0


@dataclass(frozen=True)
class Council:
    """One council from the register. ``end`` is the last day it existed: the register sometimes gives its
    successor's first day instead, which we move back a day so that a council and its successor never overlap."""

    id: str
    name: str
    short_name: str
    gss: str
    type: str
    type_code: str
    nation: str
    region: str
    county_id: str | None = None
    county_name: str | None = None
    combined_authority: str | None = None
    start: date | None = None
    end: date | None = None
    successor_id: str | None = None
    population: int | None = None
    lat: float | None = None
    lon: float | None = None
    former_gss: tuple[str, ...] = ()
    alt_names: tuple[str, ...] = ()
    successor_ids: tuple[str, ...] = ()  # all successors; ``successor_id`` is set only when there is exactly one

    @property
    def current(self) -> bool:
        return self.end is None

    def exists_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Resolution:
    """How a written name was resolved: the council, how sure we are (0-1), by which method, and the runners-up."""

    input: str
    council: Council
    confidence: float
    method: str  # "code", "exact", "alias", "normalised" or "fuzzy"
    suggestions: list[tuple[str, float]] = field(default_factory=list)


# Short names councils use for themselves that the register does not record.
COMMON_SHORT_NAMES = {"BCP Council": "BPC", "BCP": "BPC", "BANES": "BAS", "B&NES": "BAS", "RBKC": "KEC"}


class Register:
    """All councils by register id, with lookups by GSS code and by name."""

    def __init__(self, councils: Iterable[Council], gss_lookup: Mapping[str, str] | None = None) -> None:
        """``gss_lookup`` maps extra (e.g. former) GSS codes to ids; each council's own codes are always known."""
        self.councils: dict[str, Council] = {c.id: c for c in councils}
        self._gss = {code.upper(): cid for code, cid in (gss_lookup or {}).items() if code}
        for council in self.councils.values():
            for code in (council.gss, *council.former_gss):
                if code:
                    self._gss.setdefault(code.upper(), council.id)
        spellings = [(c.name, c.id, True) for c in self.councils.values()]
        spellings += [(c.short_name, c.id, True) for c in self.councils.values()]
        spellings += [(alt, c.id, False) for c in self.councils.values() for alt in c.alt_names]
        spellings += [(alt, cid, False) for alt, cid in COMMON_SHORT_NAMES.items() if cid in self.councils]
        kinds = {c.id: TYPE_KINDS.get(c.type_code, frozenset()) for c in self.councils.values()}
        self._index = NameIndex(spellings, kinds)

    def __len__(self) -> int:
        return len(self.councils)

    def get(self, council_id: str) -> Council:
        try:
            return self.councils[council_id]
        except KeyError:
            raise CouncilNotFoundError(council_id, [], "no council with that register id") from None

    def by_gss(self, code: str) -> Council | None:
        """The council with this current or former GSS code, or None."""
        council_id = self._gss.get(code.strip().upper())
        return self.councils.get(council_id) if council_id else None

    def successor_chain(self, council_id: str) -> list[Council]:
        """The councils that replaced this one in turn, oldest first, ending with a current council ([] if current).

        Raises RegisterError when the council was split between several successors or ended with none.
        """
        chain: list[Council] = []
        seen = {council_id}  # to stop, with an error, should the register's successors ever loop
        council = self.get(council_id)
        while not council.current:
            if len(council.successor_ids) != 1:
                raise RegisterError(self._no_single_successor(council))
            council = self.get(council.successor_ids[0])
            if council.id in seen:
                raise RegisterError(f"replaced-by: the register's successors loop back to {council.id}")
            seen.add(council.id)
            chain.append(council)
        return chain

    def current_successor(self, council_id: str) -> Council:
        """The current council that took over this one (itself if current); e.g. Forest Heath -> West Suffolk."""
        chain = self.successor_chain(council_id)
        return chain[-1] if chain else self.get(council_id)

    def current_successors(self, council_id: str) -> tuple[Council, ...]:
        """Every current council that took over part of this one: two for a county split, none if it has no heir."""
        council = self.get(council_id)
        if council.current:
            return (council,)
        found: dict[str, Council] = {}
        for successor_id in council.successor_ids:
            found.update((c.id, c) for c in self.current_successors(successor_id))
        return tuple(found.values())

    def _no_single_successor(self, council: Council) -> str:
        if not council.successor_ids:
            return f"{council.name} ({council.id}) ended on {council.end} and the register names no successor"
        names = " and ".join(self.get(cid).name for cid in council.successor_ids)
        return f"{council.name} ({council.id}) was split between {names}; use current_successors()"

    def in_year(self, year: int) -> list[Council]:
        """Councils in existence on 1 April of ``year``, the day reorganisations take effect; this matches the
        ONS boundary years (Forest Heath, ended 31 March 2019, is in 2018 and not in 2019). Start dates in the
        register before 2006 are often when it was first recorded, so years before that are unreliable."""
        day = date(year, 4, 1)
        return [c for c in self.councils.values() if c.exists_on(day)]

    def to_frame(self) -> pd.DataFrame:
        """One row per council; tuples joined with "; " (names may contain commas)."""
        rows = []
        for council in self.councils.values():
            row = asdict(council)
            row["former_gss"] = "; ".join(council.former_gss)
            row["alt_names"] = "; ".join(council.alt_names)
            row["successor_ids"] = "; ".join(council.successor_ids)
            row["current"] = council.current
            rows.append(row)
        frame = pd.DataFrame(rows)
        frame["population"] = frame["population"].astype("Int64")
        return frame

    def resolve(self, name: str, fuzzy: bool = True, normalise: bool = True) -> Resolution:
        """One council for a name, GSS code or register id; CouncilNotFoundError with suggestions otherwise.
        Without ``fuzzy`` (or ``normalise``), a name that only a fuzzy search (or normalising it) could place is
        refused without that search: for callers that bound the work one file can cause."""
        text = FORMER_NOTE.sub("", " ".join(str(name).split()))  # suggestions carry this note; take them back
        if not text:
            raise CouncilNotFoundError(str(name), [], "the name is empty")
        if ID_PATTERN.match(text) and text in self.councils:
            return Resolution(str(name), self.councils[text], 1.0, "code")
        if GSS_PATTERN.match(text):
            council = self.by_gss(text)
            if council is None:
                raise CouncilNotFoundError(text, [], "no council has that GSS code in the register")
            return Resolution(str(name), council, 1.0, "code")
        match = self._index.known(text)
        if not match and normalise and names_no_place(text):
            raise CouncilNotFoundError(str(name), [], "it does not say which council, only words like 'Borough'")
        match = match or (self._index.normalised(text) if normalise else None)
        if match:
            return self._decide(str(name), match)
        if not fuzzy or not normalise:
            raise CouncilNotFoundError(
                str(name),
                [],
                "not looked up: too many names in this file were not exact council names; correct those above first",
            )
        return self._fuzzy(str(name), text)

    def suggest(self, name: str, limit: int = 5) -> list[tuple[str, float]]:
        """The closest councils' official names with a similarity score (0-1), best first."""
        return [(self.councils[cid].name, round(score / 100, 3)) for cid, score in self._index.fuzzy(name, limit)]

    def _decide(self, name: str, match: Match) -> Resolution:
        best = max(match.scores.values())
        top = sorted(cid for cid, score in match.scores.items() if score == best)
        if len(top) > 1:
            described = [self.describe(cid) for cid in top]
            raise CouncilNotFoundError(name, described, "it matches more than one council equally well")
        return Resolution(name, self.councils[top[0]], round(best / 100, 3), match.method)

    def _fuzzy(self, name: str, text: str) -> Resolution:
        ranked = self._index.fuzzy(text, limit=6)
        suggestions = [(self.councils[cid].name, round(score / 100, 3)) for cid, score in ranked]
        if not ranked:
            raise CouncilNotFoundError(name, [], "no council name is anywhere near it")
        best_id, best = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0  # the second-best score
        if best >= FUZZY_ACCEPT and best - runner_up >= FUZZY_MARGIN:
            confidence = min(round(best / 100, 3), 0.99)
            return Resolution(name, self.councils[best_id], confidence, "fuzzy", suggestions[1:])
        if best >= FUZZY_ACCEPT:
            reason = f"{self.describe(best_id)} and {self.describe(ranked[1][0])} match about equally well"
        else:
            reason = "no council name is close enough to be sure"
        raise CouncilNotFoundError(name, [self.describe(cid) for cid, _ in ranked[:5]], reason)

    def describe(self, council_id: str) -> str:
        """A council's official name, marked when it no longer exists, for messages and suggestions."""
        council = self.get(council_id)
        return council.name if council.current else f"{council.name} (former, ended {council.end})"

    def resolution_record(self, resolution: Resolution) -> dict[str, object]:
        """A plain dict of a resolution for JSON output and tables, with the successor of a former council."""
        council = resolution.council
        record: dict[str, object] = {
            "input": resolution.input,
            "name": council.name,
            "id": council.id,
            "gss": council.gss,
            "type": council.type,
            "current": council.current,
            "confidence": resolution.confidence,
            "method": resolution.method,
            "successors": [],
        }
        if council.end is not None:  # a former council
            record["end"] = council.end.isoformat()
            record["successors"] = [c.name for c in self.current_successors(council.id)]
        if resolution.suggestions:
            record["suggestions"] = [name for name, _score in resolution.suggestions]
        return record


def _read_table(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise RegisterError(f"{path}: cannot be read as a CSV file ({exc})") from exc
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise RegisterError(f"{path}: missing column(s) {', '.join(missing)}; expected the mySociety register format")
    return frame.map(str.strip)


_T = TypeVar("_T")
_DATE_EXPECTED = "a date (YYYY-MM-DD)"


def _whole_number(value: str) -> int:
    return int(float(value))


def _parse(row: Mapping[str, str], column: str, convert: Callable[[str], _T], expected: str = "a number") -> _T | None:
    """The cell converted, None when empty; a value that does not convert is an error naming the council."""
    value = row[column]
    if not value:
        return None
    try:
        return convert(value)
    except ValueError:
        council_id = row["local-authority-code"]
        raise RegisterError(f"{column}: expected {expected} for {council_id} (got {value!r})") from None


def councils_from_frame(frame: pd.DataFrame, names: pd.DataFrame | None = None) -> list[Council]:
    """Councils from the register's rows, linked to their successors and counties.

    ``names`` (the name lookup) adds recorded spellings to ``alt_names`` and helps split alt-names containing commas.
    """
    spellings: dict[str, list[str]] = {}
    if names is not None:
        for name, cid in zip(names["la-name"], names["local-authority-code"], strict=True):
            spellings.setdefault(cid, []).append(name)
    councils = []
    for row in frame.to_dict("records"):
        cid = row["local-authority-code"]
        known = spellings.get(cid, [])
        successors = tuple(s.strip() for s in row["replaced-by"].split(",") if s.strip())
        alts = split_alt_names(row["alt-names"], {simple_key(name) for name in known}) + known
        councils.append(
            Council(
                id=cid,
                name=row["official-name"],
                short_name=row["nice-name"] or row["official-name"],
                gss=row["gss-code"],
                type=TYPE_NAMES.get(row["local-authority-type"], "other"),
                type_code=row["local-authority-type"],
                nation=row["nation"],
                region=row["region"],
                county_id=row["county-la"] or None,
                combined_authority=row["combined-authority"] or None,
                start=_parse(row, "start-date", date.fromisoformat, expected=_DATE_EXPECTED),
                end=_parse(row, "end-date", date.fromisoformat, expected=_DATE_EXPECTED),
                successor_id=successors[0] if len(successors) == 1 else None,
                successor_ids=successors,
                population=_parse(row, "pop-2020", _whole_number),
                lat=_parse(row, "lat", float),
                lon=_parse(row, "long", float),
                former_gss=tuple(c.strip() for c in row["former-gss-codes"].split(",") if c.strip()),
                alt_names=distinct_names(alts, exclude=(row["official-name"], row["nice-name"])),
            )
        )
    return _link(councils)


def _link(councils: list[Council]) -> list[Council]:
    """Check ids and references; name each council's county; give a former council without a region its
    successors' (when they agree); end a council the day before its successor starts."""
    by_id: dict[str, Council] = {}
    for council in councils:
        if council.id in by_id:
            raise RegisterError(f"local-authority-code: {council.id!r} appears more than once")
        by_id[council.id] = council
    for council in councils:
        for ref, column in [(s, "replaced-by") for s in council.successor_ids] + [(council.county_id, "county-la")]:
            if ref and ref not in by_id:
                raise RegisterError(f"{column}: {council.id} refers to {ref!r}, which is not in the register")
        if council.successor_ids and council.end is None:
            raise RegisterError(f"end-date: {council.id} has a successor (replaced-by) but no end date")

    def region_of(council: Council, depth: int = 0) -> str:
        if council.region or depth > len(by_id):
            return council.region
        found = {region_of(by_id[s], depth + 1) for s in council.successor_ids} - {""}
        return found.pop() if len(found) == 1 else ""

    linked = []
    for council in councils:
        end = council.end
        if end is not None and any(by_id[s].start == end for s in council.successor_ids):
            end -= timedelta(days=1)
        county = by_id.get(council.county_id or "")
        linked.append(replace(council, region=region_of(council), end=end, county_name=county.name if county else None))
    return linked


def read_register(
    register_csv: str | Path, names_csv: str | Path | None = None, gss_csv: str | Path | None = None
) -> Register:
    """A register from the three mySociety files; the lookups are optional (names and GSS codes then come from
    the register alone)."""
    register_csv = Path(register_csv)
    frame = _read_table(register_csv, REGISTER_COLUMNS)
    names = _read_table(Path(names_csv), NAME_LOOKUP_COLUMNS) if names_csv else None
    gss = _read_table(Path(gss_csv), GSS_LOOKUP_COLUMNS) if gss_csv else None
    ids = set(frame["local-authority-code"])
    for table, path in ((names, names_csv), (gss, gss_csv)):
        if table is not None:
            unknown = sorted(set(table["local-authority-code"]) - ids)
            if unknown:
                raise RegisterError(f"{path}: local-authority-code {', '.join(unknown)} not in {register_csv.name}")
    councils = councils_from_frame(frame, names)
    return Register(
        councils, None if gss is None else dict(zip(gss["gss-code"], gss["local-authority-code"], strict=True))
    )


@lru_cache(maxsize=8)
def _cached_register(paths: tuple[Path, Path | None, Path | None], stamps: tuple[int, ...]) -> Register:
    return read_register(*paths)


def load_register(
    register_csv: str | Path | None = None, names_csv: str | Path | None = None, gss_csv: str | Path | None = None
) -> Register:
    """The register, cached per path and file modification time: calling it again is cheap, an edited file is read
    afresh. With no paths, all three files are found through the source search path; with ``register_csv`` given,
    only the lookups given alongside it are used."""
    if register_csv is None:
        register_csv = source_path("council-register")
        names_csv = names_csv or source_path("council-names")
        gss_csv = gss_csv or source_path("council-gss-codes")
    paths = (Path(register_csv), Path(names_csv) if names_csv else None, Path(gss_csv) if gss_csv else None)
    try:
        stamps = tuple(path.stat().st_mtime_ns if path else 0 for path in paths)
    except OSError as exc:
        raise RegisterError(f"cannot read the council register: {exc}") from exc
    return _cached_register(paths, stamps)
