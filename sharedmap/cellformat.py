"""What a spreadsheet cell shows a person: a number whose number format adds words or symbols is read as shown.

An officer who types 1.2 into a cell formatted `"£"0.0"m"` sees and means £1.2m; the cell's value is 1.2. Reading
the value would store £1.20. So a number whose format adds text (a unit, another currency, brackets) is read as
the text it displays, built from the number as typed; a format that only groups digits or adds a pound sign
leaves the number as it is.
"""

from __future__ import annotations

import re
from decimal import Decimal

_DATE_CODES = re.compile(r"[dhsy]|m(?![^\"]*\")", re.IGNORECASE)
_PLACEHOLDERS = set("0#?")


def shown_text(value: object, number_format: object) -> str | None:
    """The text a number cell displays when its format adds text to the number, else None (read the number).

    ``1.2`` with ``"£"0.0"m"`` → "£1.2m"; ``1200000`` with ``0.0,,"m"`` → "1.2m"; ``-5`` with ``£#,##0;(£#,##0)``
    → "(£5)"; ``5`` with ``[$€-x-euro2] #,##0`` → "€5"; ``600000`` with ``£#,##0`` → None."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not isinstance(number_format, str):
        return None
    if number_format.strip().lower() in ("", "general", "@") or value == 0:
        return None  # nothing to scale, and zero is zero however it is shown (accounting formats show "£ -")
    sections = _sections(number_format)
    section, sign = sections[0], "-" if value < 0 else ""
    if value < 0 and len(sections) > 1:
        section, sign = sections[1], ""
    parts = _tokens(section)
    if parts is None:
        return None
    before, number, after, scale = parts
    literal = (before + after).replace("£", "").strip()
    if not literal and not sign:
        return None
    if not number:
        return (before + after).strip()
    typed = Decimal(repr(abs(float(value)))).scaleb(scale)
    digits = format(typed.normalize(), "f") if typed else "0"
    return f"{sign}{before}{digits}{after}".strip()


def _sections(number_format: str) -> list[str]:
    """The format's sections (positive; negative; zero; text), split on semicolons outside quotes and brackets."""
    sections, current, quoted, bracket = [], "", False, False
    for char in number_format:
        if char == '"':
            quoted = not quoted
        elif char == "[" and not quoted:
            bracket = True
        elif char == "]" and not quoted:
            bracket = False
        if char == ";" and not quoted and not bracket:
            sections.append(current)
            current = ""
        else:
            current += char
    return [*sections, current]


def _tokens(section: str) -> tuple[str, str, str, int] | None:
    """Literal text before the number, the number's placeholders, literal text after, and the power of ten the
    format scales the number by (a thousands comma at the end divides by 1,000; % multiplies by 100). None for a
    date or a scientific format, which the reader leaves alone."""
    section = re.sub("general", "#", section, flags=re.IGNORECASE)  # the number as typed
    before, number, after = "", "", ""
    scale, i = 0, 0
    while i < len(section):
        char = section[i]
        literal = ""
        if char == '"':
            end = section.find('"', i + 1)
            end = len(section) if end < 0 else end
            literal, i = section[i + 1 : end], end + 1
        elif char == "\\" and i + 1 < len(section):
            literal, i = section[i + 1], i + 2
        elif char in "_*":
            i += 2  # "_)" pads by a character's width, "* " fills the cell: neither is text
            continue
        elif char == "[":
            end = section.find("]", i)
            end = len(section) if end < 0 else end
            code = section[i + 1 : end]
            i = end + 1
            if not code.startswith("$"):
                continue  # a colour or a condition
            literal = code[1:].split("-")[0]
        elif char in _PLACEHOLDERS or (char in ".," and number):
            number += char
            i += 1
            continue
        elif char in "eE" and number:
            return None  # scientific: the number as typed stands
        elif char == "%":
            scale += 2
            literal, i = "%", i + 1
        elif _DATE_CODES.match(char):
            return None
        else:
            literal, i = char, i + 1
        if number:
            after += literal
        else:
            before += literal
    trailing = len(number) - len(number.rstrip(","))
    return before, number, after, scale - 3 * trailing
