"""Council-name normalisation and the name index that resolution searches (known spellings, normalised forms, fuzzy).

People write council names many ways: "Hinkley & Bosworth BC", "LB Richmond", "Kingston upon Hull, City of".
Every known spelling is reduced to a *clean* form (case, accents, punctuation, "&", abbreviations such as BC/DC/CC
expanded) and a *core* form (the place name without "Borough Council", "London Borough of", ...). The words stripped
from the core are kept as the name's *kinds* ("county", "city", ...), which tell "Dorset County Council" from
"Dorset Council" when their cores collide.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

# Abbreviations of council types, expanded token by token. "CC" is ambiguous, so it yields both readings.
TYPE_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "bc": ("borough council",),
    "dc": ("district council",),
    "cc": ("county council", "city council"),
    "mbc": ("metropolitan borough council",),
    "mdc": ("metropolitan district council",),
    "cbc": ("county borough council",),
    "lbc": ("london borough council",),
    "lb": ("london borough",),
    "rb": ("royal borough",),
    "boro": ("borough",),
    "ca": ("combined authority",),
    "cca": ("combined county authority",),
}
# Other shortenings: points of the compass, "Gt", "Co" (Durham) and the usual county abbreviations.
WORD_ABBREVIATIONS: dict[str, str] = {
    "n": "north", "s": "south", "e": "east", "w": "west",
    "ne": "north east", "nw": "north west", "se": "south east", "sw": "south west",
    "gt": "great", "co": "county", "saint": "st", "&": "and", "+": "and",
    "beds": "bedfordshire", "berks": "berkshire", "bucks": "buckinghamshire", "cambs": "cambridgeshire",
    "derbys": "derbyshire", "glos": "gloucestershire", "hants": "hampshire", "herts": "hertfordshire",
    "lancs": "lancashire", "leics": "leicestershire", "lincs": "lincolnshire", "northants": "northamptonshire",
    "notts": "nottinghamshire", "oxon": "oxfordshire", "shrops": "shropshire", "staffs": "staffordshire",
    "warks": "warwickshire", "wilts": "wiltshire", "worcs": "worcestershire", "yorks": "yorkshire",
}  # fmt: skip


def _longest_first(*phrases: str) -> tuple[str, ...]:
    return tuple(sorted(phrases, key=len, reverse=True))


# Tried longest first, so "metropolitan borough council" goes before "borough council".
_CORE_PREFIXES = _longest_first(
    "city and county of the city of",
    "city and county of",
    "metropolitan borough of",
    "london borough of",
    "royal borough of",
    "borough council of",
    "council of the",
    "borough of",
    "city of",
    "county of",
    "county",
    "the",
)
_CORE_SUFFIXES = _longest_first(
    "metropolitan borough council",
    "metropolitan district council",
    "city and district council",
    "city and district",
    "county borough council",
    "borough council",
    "district council",
    "county council",
    "city council",
    "london borough council",
    "london borough",
    "royal borough",
    "unitary authority",
    "corporation",
    "council",
    "city of",
    "county of",
    "ua",
    "county",
    "city",
    "borough",
    "district",
)
FUZZY_FLOOR = 50.0  # scores below this are not even worth suggesting
KIND_WORDS = frozenset({"county", "city", "borough", "district", "metropolitan", "london", "royal"})
GENERIC_WORDS = KIND_WORDS | {"council", "corporation", "of", "the", "and", "authority", "combined", "unitary"}
COUNCIL_WORDS = ("council", "borough", "district", "county", "metropolitan", "london", "royal", "corporation")

_APOSTROPHES = re.compile(r"['\u2018\u2019`]")
_NON_WORD = re.compile(r"[^a-z0-9&+]+")


@dataclass(frozen=True)
class NameForm:
    """One reading of a name: its clean form, its core (place name) and the kind words stripped from it."""

    clean: str
    core: str
    kinds: frozenset[str]
    respelt: bool = False  # a council word was misspelt ("Councl")


def _tokens(name: str, spell: bool = True) -> list[str]:
    """Lower case, accents and apostrophes dropped, "St." = "St", hyphens and other punctuation as spaces;
    with ``spell``, misspelt council words put right ("Councl", "Boroug")."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = _APOSTROPHES.sub("", text).replace("&", " & ").replace("+", " + ")
    tokens = [WORD_ABBREVIATIONS.get(tok, tok) for tok in _NON_WORD.split(text) if tok]
    return [spell_council_word(tok) for tok in tokens] if spell else tokens


def spell_council_word(token: str) -> str:
    """A word of five letters or more one slip away from a council word ("distric") is taken to be that word."""
    if len(token) < 5 or token in COUNCIL_WORDS:
        return token
    found = process.extractOne(token, COUNCIL_WORDS, scorer=fuzz.ratio, score_cutoff=85)
    return found[0] if found else token


def clean_variants(name: str) -> list[str]:
    """Every clean reading of ``name``: more than one only when an abbreviation is ambiguous ("CC")."""
    tokens = _tokens(name)
    variants = [""]
    for position, tok in enumerate(tokens):
        expansions = TYPE_ABBREVIATIONS.get(tok, (tok,)) if len(tokens) > 1 else (tok,)
        if position == 0 and tok in ("lb", "rb") and len(tokens) > 1:
            expansions = tuple(f"{expansion} of" for expansion in expansions)
        variants = [f"{done} {exp}".strip() for done in variants for exp in expansions]
    return list(dict.fromkeys(variants))


def split_core(clean: str) -> tuple[str, frozenset[str]]:
    """The place name inside a clean name, and the kind words ("county", "city", ...) stripped around it."""
    core = clean
    stripped: list[str] = []
    changed = True
    while changed:  # until a pass strips nothing: "the city of york council" takes two
        changed = False
        for prefix in _CORE_PREFIXES:
            if core.startswith(prefix + " "):
                core = core[len(prefix) + 1 :]
                stripped.append(prefix)
                changed = True
        for suffix in _CORE_SUFFIXES:
            if core.endswith(" " + suffix):
                core = core[: -len(suffix) - 1]
                stripped.append(suffix)
                changed = True
    kinds = frozenset(word for part in stripped for word in part.split() if word in KIND_WORDS)
    return core, kinds


def name_forms(name: str) -> list[NameForm]:
    """All readings of a name, ready to look up: clean, core and kinds for each clean variant."""
    respelt = _tokens(name) != _tokens(name, spell=False)
    forms = []
    for clean in clean_variants(name):
        core, kinds = split_core(clean)
        forms.append(NameForm(clean, core, kinds, respelt))
    return forms


def names_no_place(name: str) -> bool:
    """True for names made only of council words ("Council", "London Borough"): there is nothing to go on."""
    return all(token in GENERIC_WORDS for token in " ".join(clean_variants(name)).split())


def simple_key(name: str) -> str:
    """Case and spacing only: how official names and known spellings are matched as they stand."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class Match:
    """Candidates found by one stage of the search: ids with the score (0-100) and how they were found."""

    method: str
    scores: dict[str, float]


class NameIndex:
    """Precomputed tables of every known name so that a lookup is a few dict hits and one rapidfuzz pass."""

    def __init__(self, names: Iterable[tuple[str, str, bool]], kinds_by_id: dict[str, frozenset[str]]) -> None:
        """``names`` holds (name, council id, is_official_or_nice_name); ``kinds_by_id`` adds kinds from the type."""
        self.exact: dict[str, set[str]] = defaultdict(set)
        self.alias: dict[str, set[str]] = defaultdict(set)
        self.clean: dict[str, set[str]] = defaultdict(set)
        self.core: dict[str, set[str]] = defaultdict(set)
        self.kinds: dict[str, set[str]] = defaultdict(set)
        for council_id, kinds in kinds_by_id.items():
            self.kinds[council_id].update(kinds)
        for name, council_id, official in names:
            (self.exact if official else self.alias)[simple_key(name)].add(council_id)
            for form in name_forms(name):
                self.clean[form.clean].add(council_id)
                if form.core:
                    self.core[form.core].add(council_id)
                self.kinds[council_id].update(form.kinds)
        self._cores = _FuzzyTable(self.core)
        self._cleans = _FuzzyTable(self.clean, partial=False)

    def known(self, name: str) -> Match | None:
        """An official name, nice name or recorded spelling, ignoring only case and spacing."""
        key = simple_key(name)
        if key in self.exact or key in self.alias:
            ids = self.exact.get(key, set()) | self.alias.get(key, set())
            return Match("exact" if key in self.exact else "alias", dict.fromkeys(ids, 100.0))
        return None

    def normalised(self, name: str) -> Match | None:
        """Clean forms first (score 100); then cores, where councils whose kinds agree with the name's ("County"
        Council) score 95. A unique core whose kinds disagree scores 90 ("Bolsover Borough Council" is a district),
        but not when the disagreement comes from one reading of an ambiguous abbreviation ("CC"). A misspelt
        council word ("Councl") costs 3."""
        forms = name_forms(name)
        penalty = 3.0 if forms[0].respelt else 0.0
        ids = {cid for form in forms for cid in self.clean.get(form.clean, ())}
        if ids:
            return Match("normalised", dict.fromkeys(ids, 100.0 - penalty))
        scores: dict[str, float] = {}
        for form in forms:
            found = self.core.get(form.core, set())
            agreeing = {cid for cid in found if form.kinds <= self.kinds[cid]}
            scores.update(dict.fromkeys(agreeing, 95.0 - penalty))
            if not agreeing and len(forms) == 1:
                scores.update(dict.fromkeys(found, 90.0 - penalty))
        return Match("normalised", scores) if scores else None

    def fuzzy(self, name: str, limit: int = 5) -> list[tuple[str, float]]:
        """Councils whose names are most like this one, best first, scored 0-100.

        Place names (cores) are compared first; whole clean names too, at nine tenths, so that a slip in the
        council words ("London Borough ofHounslow") still finds its council but "Gotham City Council" gains
        nothing from sharing "City Council". Councils whose kinds contradict the name's ("LB Richmond" against
        Richmondshire district) lose a tenth.
        """
        best: dict[str, float] = {}
        for form in name_forms(name):
            for table, query, weight in ((self._cores, form.core or form.clean, 1.0), (self._cleans, form.clean, 0.9)):
                for ids, score in table.closest(query, limit * 8):
                    for cid in ids:
                        adjusted = score * weight * (1.0 if form.kinds <= self.kinds[cid] else 0.9)
                        best[cid] = max(best.get(cid, 0.0), adjusted)
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
        return ranked[:limit]


class _FuzzyTable:
    """Names (with their council ids) sorted by length, scored against a query with rapidfuzz in one pass.

    The score is the better of ratio and token_sort_ratio; with ``partial``, a query much shorter than a name may
    also match part of it at 90% ("Brighton" for "Brighton and Hove"). Not WRatio: its token-set parts give 85 to
    any two names sharing a word such as "and", and it would let "Bath and NE Somerset" match "Somerset".
    """

    def __init__(self, table: dict[str, set[str]], partial: bool = True) -> None:
        self.partial = partial
        self.names = sorted(table, key=len)
        self.ids = [sorted(table[name]) for name in self.names]
        self.lengths = np.array([len(name) for name in self.names])

    def closest(self, query: str, limit: int) -> list[tuple[list[str], float]]:
        if not self.names or not query:
            return []
        scores = np.maximum(self._scores(query, fuzz.ratio), self._scores(query, fuzz.token_sort_ratio))
        longer = int(np.searchsorted(self.lengths, 1.5 * len(query))) if self.partial else len(self.names)
        scores[longer:] = np.maximum(scores[longer:], 0.9 * self._scores(query, fuzz.partial_ratio, start=longer))
        top = np.argpartition(-scores, min(limit, len(scores) - 1))[:limit]
        return [(self.ids[index], float(scores[index])) for index in top if scores[index] >= FUZZY_FLOOR]

    def _scores(self, query: str, scorer, start: int = 0) -> np.ndarray:
        return process.cdist([query], self.names[start:], scorer=scorer, processor=None, dtype=np.float32)[0]


def split_alt_names(text: str, known: set[str]) -> list[str]:
    """Split the register's comma-separated ``alt-names`` although names contain commas themselves.

    A comma followed by a space belongs to a name ("Newry, Mourne and Down"); other commas separate names, except
    that fragments joining up into a recorded spelling are kept together ("rhondda,cynon,taff"). ``known`` holds
    the council's recorded spellings as ``simple_key`` forms.
    """
    parts = [part.strip() for part in re.split(r",(?! )", text) if part.strip()]
    names: list[str] = []
    start = 0  # the first part not yet in a name
    while start < len(parts):
        end = next(
            (end for end in range(len(parts), start + 1, -1) if simple_key(",".join(parts[start:end])) in known),
            start + 1,
        )
        names.append(",".join(parts[start:end]))
        start = end
    return names


def distinct_names(names: Iterable[str], exclude: Iterable[str] = ()) -> tuple[str, ...]:
    """First spelling of each name, ignoring case and spacing, leaving out the ``exclude`` names."""
    seen = {simple_key(name) for name in exclude}
    kept = []
    for name in names:
        if simple_key(name) not in seen:
            seen.add(simple_key(name))
            kept.append(name)
    return tuple(kept)
