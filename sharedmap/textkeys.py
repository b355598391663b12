"""Names compared as people compare them: the same letters are the same name, however a program stored them.

NFKC (a full-width or decomposed letter is the letter), zero-width and direction marks removed (a reader cannot see
them), case folded, accents folded ("Ynys Môn" saved decomposed by macOS, or typed without the circumflex, is still
Ynys Môn), '&' read as 'and', and punctuation and spaces collapsed. Letters of any script stay letters.
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width characters, direction marks and overrides, the soft hyphen and the byte-order mark: not seen, not kept.
INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def strip_invisible(text: str) -> tuple[str, int]:
    """The text without invisible characters, and how many were removed."""
    stripped, count = INVISIBLE.subn("", text)
    return stripped, count


def fold(text: str) -> str:
    """The key two names are compared by: equal keys, the same name to a reader."""
    text = unicodedata.normalize("NFKC", strip_invisible(str(text))[0]).casefold().replace("&", " and ")
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def fold_id(text: str) -> str:
    """An id compared as a reader reads it: invisible characters gone, NFKC, case folded, spaces trimmed."""
    return unicodedata.normalize("NFKC", strip_invisible(str(text))[0]).casefold().strip()
