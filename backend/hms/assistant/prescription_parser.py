"""The local, deterministic analyser: find drug names (the `drug-named-entity-recognition`
package, plus the hospital's formulary names) and parse each one's dose, route, frequency,
duration and quantity from the text that follows it.

Works line by line ("Amoxicillin 500 mg PO TDS x 7 days", "Paracetamol 1 g every 6 hours when
needed for pain, max 4 g/day"); a line naming two drugs is split at the second name.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from hms.core.warmup import load_once
from hms.patients.names import name_normalise
from hms.pharmacy.models import Drug

NUMBER_WORDS = {
    "half": Decimal("0.5"),
    "one": Decimal(1),
    "two": Decimal(2),
    "three": Decimal(3),
    "four": Decimal(4),
    "five": Decimal(5),
    "six": Decimal(6),
    "ten": Decimal(10),
}
UNIT_ALIASES = {
    "mg": "mg",
    "milligram": "mg",
    "milligrams": "mg",
    "mcg": "mcg",
    "µg": "mcg",
    "ug": "mcg",
    "microgram": "mcg",
    "micrograms": "mcg",
    "g": "g",
    "gram": "g",
    "grams": "g",
    "gm": "g",
    "ml": "ml",
    "mls": "ml",
    "l": "l",
    "unit": "unit",
    "units": "unit",
    "iu": "unit",
    "tab": "tablet",
    "tabs": "tablet",
    "tablet": "tablet",
    "tablets": "tablet",
    "cap": "capsule",
    "caps": "capsule",
    "capsule": "capsule",
    "capsules": "capsule",
    "puff": "puff",
    "puffs": "puff",
    "drop": "drop",
    "drops": "drop",
    "sachet": "sachet",
    "sachets": "sachet",
    "patch": "patch",
    "suppository": "suppository",
    "suppositories": "suppository",
}
COUNT_UNITS = {"tablet", "capsule", "puff", "drop", "sachet", "patch", "suppository"}
MASS_UNITS = {"mg", "mcg", "g", "unit"}

_NUMBER = r"(\d+(?:[.,]\d+)?|half|one|two|three|four|five|six|ten)"
DOSE = re.compile(
    _NUMBER
    + r"\s*("
    + "|".join(sorted(map(re.escape, UNIT_ALIASES), key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)
_PER_DAY = r"\s+(?:a|per|each)\s+day\b"
_X_DAILY = r"\s*x\s*(?:a\s+)?(?:day|daily)\b"
# (alternatives, frequency code) in priority order.
FREQUENCIES = [
    ([r"\bq\.?\s?4\s?h\b", r"\bevery\s+4\s+hours?\b", r"\b4[- ]hourly\b"], "q4h"),
    ([r"\bq\.?\s?6\s?h\b", r"\bevery\s+6\s+hours?\b", r"\b6[- ]hourly\b"], "q6h"),
    ([r"\bq\.?\s?8\s?h\b", r"\bevery\s+8\s+hours?\b", r"\b8[- ]hourly\b"], "q8h"),
    ([r"\bq\.?\s?12\s?h\b", r"\bevery\s+12\s+hours?\b", r"\b12[- ]hourly\b"], "q12h"),
    (
        [r"\bq\.?d\.?s\.?\b", r"\bq\.?i\.?d\.?\b", r"\bfour\s+times" + _PER_DAY, r"\b4" + _X_DAILY],
        "qds",
    ),
    (
        [
            r"\bt\.?d\.?s\.?\b",
            r"\bt\.?i\.?d\.?\b",
            r"\bthree\s+times" + _PER_DAY,
            r"\bthrice\s+daily\b",
            r"\b3" + _X_DAILY,
        ],
        "tds",
    ),
    (
        [
            r"\bb\.?d\.?\b",
            r"\bb\.?i\.?d\.?\b",
            r"\btwice\s+(?:a\s+day|daily)\b",
            r"\btwo\s+times" + _PER_DAY,
            r"\b2" + _X_DAILY,
        ],
        "bd",
    ),
    (
        [
            r"\bnocte\b",
            r"\bat\s+night\b",
            r"\bat\s+bedtime\b",
            r"\bh\.?s\.?\b",
            r"\bbefore\s+bed\b",
        ],
        "nocte",
    ),
    ([r"\bmane\b", r"\bin\s+the\s+morning\b", r"\bevery\s+morning\b"], "mane"),
    ([r"\bonce\s+(?:a\s+)?week(?:ly)?\b", r"\bweekly\b"], "weekly"),
    ([r"\bstat\b", r"\bimmediately\b", r"\bsingle\s+dose\b", r"\bonce\s+only\b"], "stat"),
    (
        [
            r"\bo\.?d\.?\b",
            r"\bq\.?d\.?\b",
            r"\bonce\s+(?:a\s+day|daily)\b",
            r"\bdaily\b",
            r"\bevery\s+day\b",
        ],
        "od",
    ),
    (
        [
            r"\bp\.?r\.?n\.?\b",
            r"\bas\s+(?:needed|required)\b",
            r"\bwhen\s+(?:needed|required)\b",
            r"\bif\s+needed\b",
        ],
        "prn",
    ),
]
FREQUENCIES = [(re.compile("|".join(alts), re.IGNORECASE), code) for alts, code in FREQUENCIES]
PRN = re.compile(FREQUENCIES[-1][0].pattern, re.IGNORECASE)
ROUTES = [
    (r"\bp\.?o\.?\b|\bby\s+mouth\b|\borally\b|\boral\b|\bswallow", "oral"),
    (r"\bi\.?v\.?\b|\bintravenous(?:ly)?\b", "iv"),
    (r"\bi\.?m\.?\b|\bintramuscular(?:ly)?\b", "im"),
    (r"\bs\.?c\.?\b|\bsubcut(?:aneous(?:ly)?)?\b", "sc"),
    (r"\bs\.?l\.?\b|\bsublingual(?:ly)?\b|\bunder\s+the\s+tongue\b", "sublingual"),
    (r"\binhal(?:ed|er|ation)\b|\bpuffs?\b", "inhaled"),
    (r"\bp\.?r\.?\b(?!n)|\brectal(?:ly)?\b", "rectal"),
    (r"\btopical(?:ly)?\b|\bapply\b|\bto\s+the\s+skin\b", "topical"),
    (r"\beye\b|\bophthalmic\b", "ophthalmic"),
]
ROUTES = [(re.compile(pattern, re.IGNORECASE), code) for pattern, code in ROUTES]
DURATION = re.compile(
    r"(?:\bfor\b|\bx\b|\u00d7)\s*(\d+)\s*(days?|d\b|weeks?|wks?|months?)", re.IGNORECASE
)
QUANTITY = re.compile(
    r"(?:\bqty\b|\bquantity\b|\bdisp(?:ense)?\b|\bsupply\b|#)\s*[:=]?\s*(\d+)", re.IGNORECASE
)
WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-']*")


@dataclass
class ParsedDrug:
    name: str  # normalised (canonical) name
    matched_text: str
    start: int
    end: int
    synonyms: frozenset[str] = frozenset()
    formulary_drug: object = None
    dose: Decimal | None = None
    dose_unit: str = ""
    strength: str = ""
    route: str = ""
    frequency: str = ""
    as_needed: bool = False
    duration_days: int | None = None
    quantity: int | None = None
    instructions: str = ""
    extra: dict = field(default_factory=dict)


def _number(text: str) -> Decimal | None:
    text = text.lower().replace(",", ".")
    if text in NUMBER_WORDS:
        return NUMBER_WORDS[text]
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


@load_once
def drug_recogniser():
    """The package's `find_drugs`. Importing it loads its drug dictionary (seconds): done once
    per process, when the server starts (hms.core.warmup) or else on the first analysis."""
    from drug_named_entity_recognition import find_drugs

    find_drugs(["paracetamol"], is_ignore_case=True)  # its first call builds lookups too
    return find_drugs


def recognise(text: str) -> list[tuple[dict, int, int]]:
    """Drug mentions in `text` as (package drug record, char start, char end)."""
    words = list(WORD.finditer(text))
    if not words:
        return []
    found = drug_recogniser()([w.group() for w in words], is_ignore_case=True)
    mentions = []
    for record, first, last in found:
        last = max(first, min(last, len(words)) - 1)
        mentions.append((record, words[first].start(), words[last].end()))
    mentions.sort(key=lambda m: m[1])
    return mentions


def _formulary_index():
    """Normalised generic and brand names of active formulary drugs -> Drug."""
    index = {}
    for drug in Drug.objects.filter(active=True).order_by("id"):
        index.setdefault(drug.generic_name_norm, drug)
        if drug.brand_name:
            index.setdefault(name_normalise(drug.brand_name), drug)
    return index


def _match_formulary(names: set[str], index: dict):
    for name in sorted(names, key=len, reverse=True):
        if name in index:
            return index[name]
    return None


def parse_sig(sig: str, drug: ParsedDrug) -> None:
    """Fill the dose, route, frequency, duration and quantity from the text after a name."""
    doses = [(m, _number(m.group(1)), UNIT_ALIASES[m.group(2).lower()]) for m in DOSE.finditer(sig)]
    doses = [(m, value, unit) for m, value, unit in doses if value is not None]
    strength = next(((m, v, u) for m, v, u in doses if u in MASS_UNITS | {"ml"}), None)
    count = next(((m, v, u) for m, v, u in doses if u in COUNT_UNITS), None)
    if count is not None:
        drug.dose, drug.dose_unit = count[1], count[2]
        if strength is not None and strength[0].start() < count[0].start():
            drug.strength = f"{strength[1].normalize():f} {strength[2]}"
    elif strength is not None:
        # "500 mg ... 1 g": the later mass dose is the dose, the first the strength.
        masses = [(m, v, u) for m, v, u in doses if u in MASS_UNITS | {"ml"}]
        chosen = masses[0]
        drug.dose, drug.dose_unit = chosen[1], chosen[2]
    for pattern, code in FREQUENCIES:
        if pattern.search(sig):
            drug.frequency = code
            break
    drug.as_needed = bool(PRN.search(sig))
    if drug.as_needed and not drug.frequency:
        drug.frequency = "prn"
    for pattern, code in ROUTES:
        if pattern.search(sig):
            drug.route = code
            break
    if match := DURATION.search(sig):
        amount, unit = int(match.group(1)), match.group(2).lower()
        drug.duration_days = amount * (
            7 if unit.startswith("w") else 30 if unit.startswith("m") else 1
        )
    if match := QUANTITY.search(sig):
        drug.quantity = int(match.group(1))
    drug.instructions = " ".join(sig.split())[:300]


def parse(text: str) -> list[ParsedDrug]:
    """Every drug named in the text with what the text says about taking it."""
    index = _formulary_index()
    drugs: list[ParsedDrug] = []
    for line_match in re.finditer(r"[^\n;]+", text):
        line, offset = line_match.group(), line_match.start()
        mentions = []
        for record, start, end in recognise(line):
            synonyms = {name_normalise(s) for s in record.get("synonyms", []) if s}
            canonical = name_normalise(record["name"])
            names = synonyms | {canonical, name_normalise(line[start:end])}
            formulary = _match_formulary(names, index)
            mentions.append((start, end, record["name"], frozenset(names), formulary))
        # Formulary names the package does not know (local brands, combinations).
        lowered = name_normalise(line)
        for norm, drug in index.items():
            if any(m[4] is drug for m in mentions) or not norm:
                continue
            if norm not in lowered:
                continue
            name_pattern = re.escape(norm).replace(r"\ ", r"[\W_]+")
            hit = re.search(r"(?<!\w)" + name_pattern + r"(?!\w)", line, re.IGNORECASE)
            if hit:
                mentions.append(
                    (hit.start(), hit.end(), drug.generic_name, frozenset({norm}), drug)
                )
        mentions.sort(key=lambda m: m[0])
        # Drop mentions inside an earlier one (e.g. "clavulanic acid" inside a combination).
        kept = []
        for mention in mentions:
            if kept and mention[0] < kept[-1][1]:
                continue
            kept.append(mention)
        for i, (start, end, name, names, formulary) in enumerate(kept):
            sig_end = kept[i + 1][0] if i + 1 < len(kept) else len(line)
            drug = ParsedDrug(
                name=formulary.generic_name if formulary is not None else name,
                matched_text=line[start:end],
                start=offset + start,
                end=offset + end,
                synonyms=names,
                formulary_drug=formulary,
            )
            parse_sig(line[end:sig_end], drug)
            if not drug.route and formulary is not None:
                drug.route = formulary.route
            drugs.append(drug)
    return drugs
