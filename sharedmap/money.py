"""Reading one money figure as a person writes it, by one grammar: currency, sign, digits, magnitude, range.

A figure is read exactly or refused, never read as another number: "£1,2m" is neither £12m nor £1.2m until its
writer says which, "(£5m)" is an accountant's negative, "€5m" is not pounds, "£3m-£5m" is an estimate and not a
firm £3m. Every refusal spells out what was read, so the officer can write it the one way it reads.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import NoReturn

from sharedmap.errors import ValidationError

STORE_CEILING_GBP = 100e9  # the store's own constraint (migration 0002); the setting cannot raise it
NEGATIVE = "the amount is negative; a saving is written as a positive figure"
MINUS = "-\u2212\u2010\u2011\u2012\u2013\u2014\u2015\ufe58\ufe63\uff0d\u2796"  # hyphen-minus, minus, every dash
_M = f"[{re.escape(MINUS)}]"
MAGNITUDES = {
    "k": 3,
    "thousand": 3,
    "thousands": 3,
    "m": 6,
    "mn": 6,
    "mil": 6,
    "mill": 6,
    "mln": 6,
    "million": 6,
    "millions": 6,
    "b": 9,
    "bn": 9,
    "bil": 9,
    "bln": 9,
    "billion": 9,
    "billions": 9,
    "tn": 12,
    "trillion": 12,
    "trillions": 12,
}
_MAG = "|".join(sorted(MAGNITUDES, key=len, reverse=True))
_POUNDS = r"£|(?<![a-z])gbp(?![a-z])"
# Other currencies, refused by name: a figure in them is not a figure in pounds.
FOREIGN = {
    "€": "euros",
    "eur": "euros",
    "euro": "euros",
    "euros": "euros",
    "$": "dollars",
    "us$": "US dollars",
    "a$": "Australian dollars",
    "c$": "Canadian dollars",
    "nz$": "New Zealand dollars",
    "hk$": "Hong Kong dollars",
    "usd": "US dollars",
    "dollar": "dollars",
    "dollars": "dollars",
    "cad": "Canadian dollars",
    "aud": "Australian dollars",
    "nzd": "New Zealand dollars",
    "¥": "yen",
    "yen": "yen",
    "jpy": "yen",
    "cny": "yuan",
    "rmb": "yuan",
    "chf": "Swiss francs",
    "franc": "francs",
    "francs": "francs",
    "₹": "rupees",
    "inr": "rupees",
    "rupee": "rupees",
    "rupees": "rupees",
    "sek": "kronor",
    "nok": "kroner",
    "dkk": "kroner",
    "pln": "zloty",
    "₽": "roubles",
    "₩": "won",
    "¢": "cents",
    "cent": "cents",
    "cents": "cents",
}
_FOREIGN = re.compile(
    r"(?:\b(?:US|A|C|NZ|HK))?\$|€|¥|₹|₽|₩|¢|\b(?:eur|euros?|usd|dollars?|cad|aud|nzd|yen|jpy|cny|rmb|chf|francs?|inr|rupees?|sek|nok|dkk"
    r"|pln|cents?)\b",
    re.IGNORECASE,
)
# Digits with what people put between them: commas and points (read below), and spaces, apostrophes or
# underscores between groups of three (a space only before exactly three digits, so "£5 2020" is two numbers).
_DIGITS = r"(?:[0-9]+(?:[,.][0-9]+|['’_][0-9]+| [0-9]{3}(?![0-9]))*|\.[0-9]+)"
_FIGURE = re.compile(
    rf"(?P<lead>(?<![^\s(:\[]){_M}\s*)?(?:(?P<cur>{_POUNDS})\s*(?P<mid>{_M}\s*)?)?(?P<open>\(\s*)?(?P<cur2>£)?\s*"
    rf"(?:(?<=gbp)|(?<![A-Za-z0-9.,'’_]))(?P<num>{_DIGITS})(?![0-9])"
    rf"(?:\s*(?P<mag>{_MAG})(?![A-Za-z]))?(?P<close>\s*\))?(?P<trail>{_M}(?=\s*$|[\s;,)]))?"
    rf"(?P<plus>\s*\+)?(?P<pounds>\s+(?:pounds?|sterling|gbp)\b)?",
    re.IGNORECASE,
)
_RANGE_JOIN = re.compile(rf"\s*(?:{_M}|\bto\b|\band\b)\s*", re.IGNORECASE)
_BEFORE = re.compile(
    r"(?:\bup\s*to|\bless\s+than|\bunder|\bbelow|\bat\s+most|\bmore\s+than|\bover|\bat\s+least|\bin\s+excess\s+of"
    r"|\bnearly|\balmost|\broughly|\bapprox(?:imately|\.)?|\babout|\baround|\bcirca|\bc\.|~|\bbetween)\s*$",
    re.IGNORECASE,
)
_UNITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
_TEENS = ("thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_WORD_VALUES = {
    **{w: i for i, w in enumerate(_UNITS)},
    **{w: 13 + i for i, w in enumerate(_TEENS)},
    **{w: 20 + 10 * i for i, w in enumerate(_TENS)},
    "a": 1,
    "an": 1,
}
_CONNECTORS = ("and", "of")
_NUMBER_WORDS = sorted({*_WORD_VALUES, "hundred", "half", "quarter", "quarters"}, key=len, reverse=True)
_W_FIRST = "|".join(_NUMBER_WORDS)
_W_ANY = "|".join([*_NUMBER_WORDS, *_CONNECTORS])
_WORDS = re.compile(
    rf"\b(?P<words>(?:{_W_FIRST})(?:[\s-]+(?:{_W_ANY})){{0,9}}?)[\s-]+(?P<mag>thousand|millions?|billions?|trillion)\b(?:\s+pounds?\b)?"
    rf"|\b(?P<small>(?:{_W_FIRST})(?:[\s-]+(?:{_W_ANY})){{0,9}}?)\s+(?P<unit>pounds?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Figure:
    """A money figure as read: the amount in pounds, where it stands in the (normalised) text, whether the text
    makes it an estimate (a range, "up to", "over"), and a note on how it was read when that is not plain."""

    amount: float
    start: int
    end: int
    estimate: bool = False
    note: str = ""


def normalise(text: str) -> str:
    """Full-width and compatibility forms as their plain letters (＄, ５, non-breaking and thin spaces)."""
    return unicodedata.normalize("NFKC", text)


def read_figure(text: str) -> Figure:
    """The one figure in ``text`` (already normalised), or ValidationError("savings", …) saying what was read."""
    refuse = _refuser(text)
    if re.search(r"[0-9][eE][-+]?[0-9]", text):
        refuse("write the amount in full, like £1.2m or £600,000, not with an exponent")
    foreign = _FOREIGN.search(text)
    if foreign:
        name = FOREIGN.get(foreign.group(0).lower(), "another currency")
        refuse(f"{foreign.group(0)!r} is {name}, not pounds; give the figure in pounds (£)")
    candidates = [m for m in _FIGURE.finditer(text) if _is_money(text, m)]
    figures = [m for m in candidates if _is_figure(m)]
    if not figures:
        words = [m for m in _WORDS.finditer(text) if not any(_overlaps(m, c) for c in candidates)]
        if words:
            return _read_words(text, words, refuse)
        figures = [m for m in candidates if not _is_year_or_count(text, m)][:1]
        if not figures:
            refuse("no amount found; write it like £600,000, £1.2m or £220k")
    first = figures[0]
    second = _range_end(text, first, candidates)
    opening = _range_start(text, first, candidates)
    if opening is not None and second is None:  # "3-5m": the bare 3 opens a range the 5m closes
        first, second = opening, first
    others = [m for m in figures[1:] if m is not second]
    if others:
        refuse(
            f"two figures in one entry ({first.group(0).strip()!r} and {others[0].group(0).strip()!r}); "
            "put each figure in its own entry, separated by ';'"
        )
    before = _BEFORE.search(text[: first.start()])
    start = before.start() if before else _start(first)
    if second is None:
        _refuse_sign(first, refuse)
        amount = _amount(first, None, refuse)
        return Figure(amount, start, first.end(), bool(first.group("plus") or before))
    _refuse_sign(first, refuse, as_range_start=True)
    _refuse_sign(second, refuse, in_range=True)
    low, high = _amount(first, second.group("mag"), refuse), _amount(second, None, refuse)
    written = text[first.start() : second.end()].strip()
    if low > high:
        refuse(f"{written!r} is a range that runs downwards ({_gbp(low)} to {_gbp(high)}); write the smaller first")
    note = f"{written!r} is a range: read as its lower end, {_gbp(low)}, an estimate"
    return Figure(low, start, second.end(), True, note)


def pound_figures(text: str) -> list[tuple[int, int, float]]:
    """Every figure with a pound sign in a piece of prose (an evidence note), as (start, end, amount); one that
    cannot be read for certain (a range's end, "£1,2m") is left out rather than guessed."""
    found = []
    for m in _FIGURE.finditer(normalise(text)):
        if not (m.group("cur") or m.group("cur2")):
            continue
        try:
            amount = _amount(m, None, _refuser(m.group(0)))
        except ValidationError:
            continue
        found.append((_start(m), m.end(), amount))
    return found


def _refuser(text: str) -> Callable[[str], NoReturn]:
    def refuse(message: str) -> NoReturn:
        raise ValidationError("savings", text, message)

    return refuse


def _overlaps(a: re.Match, b: re.Match) -> bool:
    return a.start() < b.end() and b.start() < a.end()


def _is_figure(m: re.Match) -> bool:
    """A number is surely money when it carries a pound sign, a magnitude or the word pounds."""
    return bool(m.group("cur") or m.group("cur2") or m.group("mag") or m.group("pounds"))


def _start(m: re.Match) -> int:
    """Where the figure begins: an opening bracket that does not close round it belongs to the words."""
    if m.group("open") and not m.group("close"):
        return m.start("cur2") if m.group("cur2") else m.start("num")
    return m.start()


def _is_money(text: str, m: re.Match) -> bool:
    """A number inside a word or code ("T18", "2nd", "B2B") is no amount."""
    after = text[m.end() : m.end() + 1]
    return not (after.isalpha() and not m.group("mag") and not m.group("pounds"))


def _is_year_or_count(text: str, m: re.Match) -> bool:
    """A bare number (no £, no magnitude) that is a year, a count of years, months or councils, a share, or part
    of a date or a range of years."""
    following = text[m.end() : m.end() + 10].lower().lstrip()
    if re.fullmatch(r"(19|20)[0-9][0-9]", m.group("num")):
        return True
    return following.startswith(("year", "month", "week", "day", "/", "%", *MINUS, "to ", "council", "partner"))


def _range_end(text: str, first: re.Match, candidates: list[re.Match]) -> re.Match | None:
    """The figure after ``first`` that ends a range with it ("£3m-£5m", "£3m to £5m", "£3-5m", "between £3m and
    £5m"), if there is one: a figure in pounds, or a bare number after a figure in pounds."""
    between = re.search(r"between\s*$", text[: first.start()], re.IGNORECASE) is not None
    for m in candidates:
        if m.start() < first.end():
            continue
        gap = text[first.start() : first.end()][len(first.group(0).rstrip(MINUS)) :] if first.group("trail") else ""
        gap += text[first.end() : m.start()] + (m.group("lead") or "")
        joint = _RANGE_JOIN.fullmatch(gap)
        if not joint or (joint.group(0).strip().lower() == "and" and not between):
            return None
        if _is_figure(m) or (first.group("cur") or first.group("cur2")) and not _is_year_or_count(text, m):
            return m
        return None
    return None


def _range_start(text: str, last: re.Match, candidates: list[re.Match]) -> re.Match | None:
    """A bare number just before ``last`` that opens a range with it ("3-5m", "3 to 5 million"), if there is one."""
    earlier = [m for m in candidates if m.end() <= last.start()]
    if not earlier or _is_figure(earlier[-1]) or re.fullmatch(r"(19|20)[0-9][0-9]", earlier[-1].group("num")):
        return None
    opening = earlier[-1]
    gap = (opening.group("trail") or "") + text[opening.end() : last.start()] + (last.group("lead") or "")
    joint = _RANGE_JOIN.fullmatch(gap)
    between = re.search(r"between\s*$", text[: opening.start()], re.IGNORECASE) is not None
    if not joint or (joint.group(0).strip().lower() == "and" and not between):
        return None
    if gap.strip() in MINUS and gap != gap.strip():  # "year 3 - £5m": a range, or a label and its figure?
        written = text[opening.start() : last.end()].strip()
        _refuser(text)(f"{written!r} could be a range or a number and a figure; write a range as £3m-£5m")
    return opening


def _refuse_sign(m: re.Match, refuse, in_range: bool = False, as_range_start: bool = False) -> None:
    written = m.group(0).strip()
    if m.group("open") and m.group("close"):
        refuse(f"{NEGATIVE} ({written!r} is in brackets, as accounts write a negative figure)")
    lead = m.group("lead") or ""
    if (lead and lead == lead.rstrip() and not in_range) or m.group("mid"):
        refuse(f"{NEGATIVE} ({written!r} has a minus sign)")
    if m.group("trail") and not as_range_start:
        refuse(f"{NEGATIVE} ({written!r} ends in a minus sign)")


def _amount(m: re.Match, mag: str | None, refuse) -> float:
    written = m.group(0).strip()
    following = re.match(r"[ ]+([0-9]+)(?![0-9])", m.string[m.end() :])
    if following and not m.group("mag") and not re.fullmatch(r"(19|20)[0-9][0-9]", following.group(1)):
        refuse(f"{(written + following.group(0))!r} has its digits grouped unevenly; write it like £1,234,567 or £1.2m")
    magnitude = (m.group("mag") or mag or "").lower()
    value = _digits(m.group("num"), written, magnitude, refuse)
    return check_amount(float(value.scaleb(MAGNITUDES.get(magnitude, 0))), written)


def _digits(raw: str, written: str, magnitude: str, refuse) -> Decimal:
    """The number the digits say, by UK rules: commas between thousands, a point before decimals; spaces,
    apostrophes or underscores between groups of three. Anything else is refused with the readings spelt out."""
    grouping = set(re.sub(r"[0-9.]", "", raw))
    if raw.count(".") > 1:
        refuse(
            f"{written!r} has points between groups of digits, as some countries write thousands; write "
            f"£{raw.replace('.', ',')} with commas, or use one decimal point"
        )
    if len(grouping) > 1:
        marks = " and ".join(sorted(repr(s) for s in grouping))
        refuse(f"{written!r} mixes {marks} between its digits; write it like £1,234,567")
    whole, _, fraction = raw.partition(".")
    if fraction and grouping and raw.index(".") < max(raw.rfind(s) for s in grouping):
        refuse(
            f"{written!r} has a point between thousands and a decimal comma, as some countries write; "
            "in the UK write £1,234.50"
        )
    groups = re.split(r"[,'’_ ]", whole)
    if len(groups) > 1 and (not groups[0] or any(len(g) != 3 for g in groups[1:])):
        if grouping == {","} and len(groups) == 2 and not fraction:
            point, joined = f"{groups[0]}.{groups[1]}", groups[0] + groups[1]
            unit = MAGNITUDES.get(magnitude, 0)
            refuse(
                f"{written!r} has a comma where the UK writes a decimal point: it could be £{point}{magnitude} "
                f"({_gbp(float(Decimal(point).scaleb(unit)))}) or £{joined}{magnitude} "
                f"({_gbp(float(Decimal(joined).scaleb(unit)))}); write it with a point, or in full with commas "
                "between thousands"
            )
        refuse(f"{written!r} has its digits grouped unevenly; write it like £1,234,567 or £1.2m")
    if fraction and not magnitude and len(fraction) > 2:
        digits = "".join(groups)
        refuse(
            f"{written!r} has {len(fraction)} decimal places, which pounds never have: write "
            f"£{int(digits + fraction):,} or £{digits}.{fraction[:2]} (or add m or k)"
        )
    return Decimal("".join(groups) + ("." + fraction if fraction else ""))


def _read_words(text: str, words: list[re.Match], refuse) -> Figure:
    if len(words) > 1:
        refuse(f"two figures in one entry ({words[0].group(0)!r} and {words[1].group(0)!r}); give one per entry")
    m = words[0]
    written = m.group(0)
    preceding = re.findall(r"[a-z]+", text[: m.start()].lower())[-2:]
    while preceding and preceding[-1] in _CONNECTORS:
        preceding.pop()
    if preceding and preceding[-1] in _NUMBER_WORDS and preceding[-1] not in ("a", "an"):  # more words than read
        refuse(f"cannot read {text.strip()!r} as one number for certain; write it in figures, like £1.5m")
    phrase = re.sub(r"[\s-]+", " ", (m.group("words") or m.group("small") or "").lower()).strip()
    value = _word_value(phrase)
    if value is None:
        refuse(f"cannot read {written!r} as a number for certain; write it in figures, like £1.5m")
    amount = float(Decimal(str(value)).scaleb(MAGNITUDES.get((m.group("mag") or "").lower(), 0)))
    before = _BEFORE.search(text[: m.start()])
    return Figure(check_amount(amount, written), before.start() if before else m.start(), m.end(), bool(before))


_FRACTIONS = {"half a": 0.5, "a half": 0.5, "quarter of a": 0.25, "a quarter of a": 0.25, "three quarters of a": 0.75}
_AND_FRACTIONS = {" and a half": 0.5, " and a quarter": 0.25, " and three quarters": 0.75}


def _word_value(phrase: str) -> float | None:
    """ "half a" → 0.5, "a quarter of a" → 0.25, "two and a half" → 2.5, "one hundred and fifty" → 150; None for
    words that make no one number ("twenty twenty", "and a")."""
    if phrase in _FRACTIONS:
        return _FRACTIONS[phrase]
    extra = 0.0
    for tail, part in _AND_FRACTIONS.items():
        if phrase.endswith(tail):
            extra, phrase = part, phrase[: -len(tail)]
    total, last = 0, ""
    for word in phrase.split():
        if word == "and" and last == "hundred":
            continue
        if word == "hundred" and last == "unit" and total < 10:
            total, last = total * 100, "hundred"
            continue
        value = _WORD_VALUES.get(word)
        if value is None:
            return None
        kind = "tens" if value >= 20 else "teen" if value >= 10 else "unit"
        if last in ("", "hundred") or (last == "tens" and kind == "unit" and value > 0):
            total, last = total + value, kind
        else:
            return None
    return total + extra if last else None


def _gbp(amount: float) -> str:
    return f"£{amount:,.0f}" if amount == int(amount) else f"£{amount:,.2f}"


def max_amount_gbp() -> float:
    """The ceiling on one money figure: SHAREDMAP_MAX_AMOUNT_GBP, never above the store's constraint."""
    from sharedmap import config

    return min(config.get_number("SHAREDMAP_MAX_AMOUNT_GBP"), STORE_CEILING_GBP)


def check_amount(amount: float, text: object) -> float:
    """The amount, if it is a finite figure from zero up to the ceiling; else a ValidationError saying which."""
    if amount != amount or amount in (float("inf"), float("-inf")):
        raise ValidationError("savings", text, "not a finite amount of money")
    if amount < 0:
        raise ValidationError("savings", text, NEGATIVE)
    ceiling = max_amount_gbp()
    if amount > ceiling:
        raise ValidationError(
            "savings",
            text,
            f"more than the £{ceiling:,.0f} any one figure may be (SHAREDMAP_MAX_AMOUNT_GBP): read as {_gbp(amount)}",
        )
    return amount
