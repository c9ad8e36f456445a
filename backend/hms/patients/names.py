"""Normalised forms of names and phone numbers, used for search and duplicate detection.

A normalised name is lowercased (casefolded), stripped of accents and of punctuation, with
single spaces: "  José-María O'Neil " -> "jose maria oneil". Normalising in Python (not with
PostgreSQL's unaccent) keeps SQLite, MySQL and PostgreSQL behaving the same.
"""

import re
import unicodedata

_APOSTROPHES = re.compile("['\u2019\u2018`\u00b4]")
_WORD = re.compile(r"[^\W_]+")


def name_normalise(value: str) -> str:
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = stripped.casefold()
    folded = _APOSTROPHES.sub("", folded)
    # Letters outside a-z with no decomposition (ø, ł, æ) are kept as they are.
    return " ".join(_WORD.findall(folded))


def phone_digits(value: str) -> str:
    """Only the digits of a phone number: "+1 (555) 010-0199" -> "15550100199"."""
    return "".join(ch for ch in (value or "") if ch.isdigit())[:20]


def full_name_norm(first: str, last: str) -> str:
    return " ".join(part for part in (name_normalise(first), name_normalise(last)) if part)


def reverse_name_norm(first: str, last: str) -> str:
    return " ".join(part for part in (name_normalise(last), name_normalise(first)) if part)
