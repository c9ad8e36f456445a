"""Prescription safety checks: allergies (drug and class), duplicate therapy, drug-drug
interactions (data/interactions.csv, which names its sources) and dose outside the usual range.

Each problem is a `SafetyWarning` with a severity: `severe` blocks prescribing unless the
doctor overrides it with a reason; `moderate` and `low` inform. The checks work on `DrugRef`s,
so they serve both the formulary (prescribing) and drugs recognised in free text (the
prescription assistant), where only names may be known.
"""

import csv
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from hms.patients.models import Allergy, AllergyStatus
from hms.patients.names import name_normalise
from hms.pharmacy.drug_classes import _singular, normalise_class
from hms.pharmacy.models import DOSES_PER_DAY, Drug
from hms.pharmacy.selectors import active_prescription_items_for_patient


class Severity:
    SEVERE = "severe"
    MODERATE = "moderate"
    LOW = "low"

    ORDER = {"severe": 0, "moderate": 1, "low": 2}


INTERACTIONS_FILE = Path(__file__).resolve().parent / "data" / "interactions.csv"

# Allergy to one class, drug of another that can cross-react: (allergy class, drug class).
# Penicillin/cephalosporin ~1-2 % cross-reactivity; aspirin-exacerbated respiratory disease
# and NSAID hypersensitivity cross-react across COX-1 inhibitors (WHO Model Formulary 2008).
CROSS_REACTIVE_CLASSES = {
    ("penicillin", "cephalosporin"),
    ("cephalosporin", "penicillin"),
    ("salicylate", "nsaid"),
    ("nsaid", "salicylate"),
}

MASS_IN_MG = {
    "mcg": Decimal("0.001"),
    "microgram": Decimal("0.001"),
    "micrograms": Decimal("0.001"),
    "ug": Decimal("0.001"),
    "mg": Decimal(1),
    "g": Decimal(1000),
    "gram": Decimal(1000),
    "grams": Decimal(1000),
}
VOLUME_IN_ML = {"ml": Decimal(1), "l": Decimal(1000)}
COUNT_UNIT_ALIASES = {
    "tab": "tablet",
    "tabs": "tablet",
    "tablets": "tablet",
    "cap": "capsule",
    "caps": "capsule",
    "capsules": "capsule",
    "vials": "vial",
    "ampoules": "ampoule",
    "puffs": "puff",
    "drops": "drop",
}


def ingredient_names(generic_name: str) -> frozenset[str]:
    """Normalised ingredient names of a (possibly combination) generic name:
    "Amoxicillin/clavulanic acid" -> {"amoxicillin", "clavulanic acid", "amoxicillin ...}."""
    parts = re.split(r"\s*(?:/|\+|,|\band\b|\bwith\b)\s*", generic_name, flags=re.IGNORECASE)
    names = {name_normalise(p) for p in parts if p.strip()}
    names.add(name_normalise(generic_name))
    return frozenset(n for n in names if n)


@dataclass(frozen=True)
class DrugRef:
    """What the checks need to know about one drug."""

    name: str
    ingredients: frozenset[str]
    classes: frozenset[str] = frozenset()
    brand: str = ""
    drug: Drug | None = field(default=None, compare=False, hash=False)

    @classmethod
    def from_drug(cls, drug: Drug, *, synonyms: Iterable[str] = ()) -> "DrugRef":
        ingredients = set(ingredient_names(drug.generic_name))
        ingredients.update(name_normalise(s) for s in synonyms if s)
        classes = {normalise_class(drug.drug_class)} if drug.drug_class else set()
        return cls(
            name=drug.generic_name,
            ingredients=frozenset(ingredients),
            classes=frozenset(classes),
            brand=name_normalise(drug.brand_name),
            drug=drug,
        )

    def matches_name(self, norm: str) -> bool:
        return norm in self.ingredients or (bool(self.brand) and norm == self.brand)


@dataclass
class ProposedItem:
    drug: DrugRef
    dose: Decimal | None = None
    dose_unit: str = ""
    frequency: str | None = None


@dataclass(frozen=True)
class SafetyWarning:
    code: str  # allergy, allergy_class, allergy_cross_reactivity, duplicate_drug, ...
    severity: str
    message: str
    drug: str  # the drug the warning is about (name)
    other: str = ""  # the other drug or the allergy substance
    detail: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "drug": self.drug,
            "other": self.other,
            "detail": self.detail,
        }


def has_severe(warnings: Iterable[SafetyWarning]) -> bool:
    return any(w.severity == Severity.SEVERE for w in warnings)


# --- Allergies -------------------------------------------------------------------------------


def check_allergies(items: list[ProposedItem], allergies) -> list[SafetyWarning]:
    """`allergies`: the patient's live Allergy rows (status active)."""
    warnings = []
    for item in items:
        ref = item.drug
        for allergy in allergies:
            substance = allergy.substance_norm or name_normalise(allergy.substance)
            as_class = normalise_class(allergy.substance)
            mild = allergy.severity == "mild"
            reaction = f" ({allergy.reaction})" if allergy.reaction else ""
            # A patient-reported allergy counts as soon as it is reported; the message says
            # it is not yet confirmed by a clinician.
            recorded = (
                "Patient-reported (unconfirmed)"
                if getattr(allergy, "patient_reported", False)
                else "Recorded"
            )
            if ref.matches_name(substance) or ref.matches_name(
                " ".join(map(_singular, substance.split()))
            ):
                warnings.append(
                    SafetyWarning(
                        code="allergy",
                        severity=Severity.MODERATE if mild else Severity.SEVERE,
                        message=f"{recorded} allergy to {allergy.substance}{reaction}: "
                        f"{ref.name} contains it.",
                        drug=ref.name,
                        other=allergy.substance,
                        detail={"allergy_severity": allergy.severity},
                    )
                )
            elif as_class in ref.classes:
                warnings.append(
                    SafetyWarning(
                        code="allergy_class",
                        severity=Severity.MODERATE if mild else Severity.SEVERE,
                        message=f"{recorded} allergy to {allergy.substance}{reaction}: {ref.name} "
                        f"belongs to the same class ({as_class}).",
                        drug=ref.name,
                        other=allergy.substance,
                        detail={"allergy_severity": allergy.severity, "class": as_class},
                    )
                )
            else:
                allergy_classes = {as_class} | _classes_of_named_drug(substance)
                crossed = next(
                    (
                        (a, d)
                        for a in allergy_classes
                        for d in ref.classes
                        if (a, d) in CROSS_REACTIVE_CLASSES
                    ),
                    None,
                )
                if crossed:
                    warnings.append(
                        SafetyWarning(
                            code="allergy_cross_reactivity",
                            severity=Severity.SEVERE
                            if allergy.severity == "severe"
                            else Severity.MODERATE,
                            message=f"{recorded} allergy to {allergy.substance}{reaction}: "
                            f"{ref.name} ({crossed[1]}) can cross-react with {crossed[0]}s.",
                            drug=ref.name,
                            other=allergy.substance,
                            detail={"allergy_severity": allergy.severity, "classes": crossed},
                        )
                    )
    return warnings


def _classes_of_named_drug(norm_name: str) -> set[str]:
    """The classes of formulary drugs with this ingredient name (an allergy to "amoxicillin"
    implies the penicillin class for cross-reactivity)."""
    return {
        normalise_class(c)
        for c in Drug.objects.filter(generic_name_norm=norm_name)
        .exclude(drug_class="")
        .values_list("drug_class", flat=True)[:5]
    }


# --- Duplicate therapy -----------------------------------------------------------------------


def check_duplicates(
    items: list[ProposedItem], current: list[tuple[DrugRef, str]]
) -> list[SafetyWarning]:
    """`current`: the patient's current therapy as (DrugRef, label) pairs."""
    warnings = []
    seen: list[tuple[DrugRef, str]] = list(current)
    for item in items:
        ref = item.drug
        for other, label in seen:
            shared = ref.ingredients & other.ingredients
            if shared:
                warnings.append(
                    SafetyWarning(
                        code="duplicate_drug",
                        severity=Severity.SEVERE,
                        message=f"Duplicate therapy: {ref.name} duplicates {other.name} ({label}).",
                        drug=ref.name,
                        other=other.name,
                        detail={"with": label},
                    )
                )
                continue
            same_class = ref.classes & other.classes
            if same_class:
                cls = sorted(same_class)[0]
                warnings.append(
                    SafetyWarning(
                        code="duplicate_class",
                        severity=Severity.MODERATE,
                        message=f"Therapeutic duplication: {ref.name} and {other.name} "
                        f"({label}) are both {cls}s.",
                        drug=ref.name,
                        other=other.name,
                        detail={"with": label, "class": cls},
                    )
                )
        seen.append((ref, "same prescription"))
    return warnings


# --- Interactions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Interaction:
    a: str
    b: str
    severity: str
    effect: str


@cache
def interaction_table() -> tuple[Interaction, ...]:
    rows = []
    with INTERACTIONS_FILE.open(encoding="utf-8") as handle:
        lines = (line for line in handle if line.strip() and not line.startswith("#"))
        for row in csv.DictReader(lines):
            severity = row["severity"].strip()
            if severity not in Severity.ORDER:
                raise ValueError(f"Unknown severity {severity!r} in {INTERACTIONS_FILE.name}")
            rows.append(
                Interaction(
                    a=row["drug_a"].strip().lower(),
                    b=row["drug_b"].strip().lower(),
                    severity=severity,
                    effect=row["effect"].strip(),
                )
            )
    return tuple(rows)


def _side_matches(side: str, ref: DrugRef) -> bool:
    if side.startswith("class:"):
        return normalise_class(side[len("class:") :]) in ref.classes
    return name_normalise(side) in ref.ingredients


def check_interactions(
    items: list[ProposedItem], current: list[tuple[DrugRef, str]]
) -> list[SafetyWarning]:
    warnings = []
    seen: list[tuple[DrugRef, str]] = list(current)
    for item in items:
        ref = item.drug
        for other, label in seen:
            if ref.ingredients & other.ingredients:
                continue  # the same drug: duplicate therapy says it
            for row in interaction_table():
                if (_side_matches(row.a, ref) and _side_matches(row.b, other)) or (
                    _side_matches(row.b, ref) and _side_matches(row.a, other)
                ):
                    warnings.append(
                        SafetyWarning(
                            code="interaction",
                            severity=row.severity,
                            message=f"Interaction between {ref.name} and {other.name} "
                            f"({label}): {row.effect}",
                            drug=ref.name,
                            other=other.name,
                            detail={"with": label, "rule": [row.a, row.b]},
                        )
                    )
                    break
        seen.append((ref, "same prescription"))
    return warnings


# --- Dose ------------------------------------------------------------------------------------


def dose_in_drug_units(*, drug: Drug, dose: Decimal, unit: str) -> Decimal | None:
    """The dose expressed in the drug's `dose_unit`, or None when it cannot be converted."""
    unit = (unit or "").strip().lower()
    unit = COUNT_UNIT_ALIASES.get(unit, unit)
    target = drug.dose_unit.strip().lower()
    if unit in MASS_IN_MG and target in MASS_IN_MG:
        return dose * MASS_IN_MG[unit] / MASS_IN_MG[target]
    if unit in VOLUME_IN_ML and target in VOLUME_IN_ML:
        return dose * VOLUME_IN_ML[unit] / VOLUME_IN_ML[target]
    if unit == target:
        return dose
    dispensing_unit = COUNT_UNIT_ALIASES.get(drug.unit.lower(), drug.unit.lower())
    if drug.strength_amount and (
        unit == dispensing_unit or (unit in VOLUME_IN_ML and dispensing_unit in VOLUME_IN_ML)
    ):
        in_units = dose * VOLUME_IN_ML[unit] if unit in VOLUME_IN_ML else dose
        return in_units * drug.strength_amount
    return None


def _fmt(value: Decimal) -> str:
    try:
        text = f"{value.quantize(Decimal('0.01')).normalize():f}"
    except InvalidOperation:
        text = str(value)
    return text


def check_dose(items: list[ProposedItem]) -> list[SafetyWarning]:
    warnings = []
    for item in items:
        drug = item.drug.drug
        if drug is None or item.dose is None:
            continue
        amount = dose_in_drug_units(drug=drug, dose=item.dose, unit=item.dose_unit)
        if amount is None:
            continue
        unit = drug.dose_unit
        per_day = DOSES_PER_DAY.get(item.frequency) if item.frequency else None
        if drug.max_daily_dose and per_day is not None and amount * per_day > drug.max_daily_dose:
            warnings.append(
                SafetyWarning(
                    code="dose_above_max_daily",
                    severity=Severity.SEVERE,
                    message=f"{drug.generic_name}: {_fmt(amount * per_day)} {unit} a day is above "
                    f"the maximum of {_fmt(drug.max_daily_dose)} {unit} a day.",
                    drug=drug.generic_name,
                    detail={
                        "daily_dose": _fmt(amount * per_day),
                        "max_daily_dose": _fmt(drug.max_daily_dose),
                        "unit": unit,
                    },
                )
            )
        if drug.usual_dose_max and amount > drug.usual_dose_max:
            warnings.append(
                SafetyWarning(
                    code="dose_above_usual",
                    severity=Severity.MODERATE,
                    message=f"{drug.generic_name}: a dose of {_fmt(amount)} {unit} is above the "
                    f"usual range ({_fmt(drug.usual_dose_min or Decimal(0))}-"
                    f"{_fmt(drug.usual_dose_max)} {unit}).",
                    drug=drug.generic_name,
                    detail={"dose": _fmt(amount), "usual_max": _fmt(drug.usual_dose_max)},
                )
            )
        elif drug.usual_dose_min and amount < drug.usual_dose_min:
            warnings.append(
                SafetyWarning(
                    code="dose_below_usual",
                    severity=Severity.LOW,
                    message=f"{drug.generic_name}: a dose of {_fmt(amount)} {unit} is below the "
                    f"usual range ({_fmt(drug.usual_dose_min)}-"
                    f"{_fmt(drug.usual_dose_max or drug.usual_dose_min)} {unit}).",
                    drug=drug.generic_name,
                    detail={"dose": _fmt(amount), "usual_min": _fmt(drug.usual_dose_min)},
                )
            )
    return warnings


def proposed_items(items: list[dict]) -> list[ProposedItem]:
    """Prescription items as given to the services ({drug: Drug, dose, dose_unit, ...})."""
    return [
        ProposedItem(
            drug=DrugRef.from_drug(item["drug"]),
            dose=item.get("dose"),
            dose_unit=item.get("dose_unit") or item["drug"].dose_unit,
            frequency=item.get("frequency"),
        )
        for item in items
    ]


# --- All checks for one patient ----------------------------------------------------------------


def check_for_patient(
    *,
    patient,
    items: list[ProposedItem],
    exclude_prescription_id: int | None = None,
    exclude_item_ids: Collection[int] = (),
) -> list[SafetyWarning]:
    """Every check, against the patient's active allergies (patient-reported ones included)
    and current therapy (or, without a patient, the checks among the items only). Items in
    `exclude_item_ids` (current medicines a renewal replaces) are not current therapy. Most
    severe first."""

    allergies: list = []
    current: list[tuple[DrugRef, str]] = []
    if patient is not None:
        allergies = list(Allergy.objects.filter(patient=patient, status=AllergyStatus.ACTIVE))
        for existing in active_prescription_items_for_patient(patient):
            if existing.prescription_id == exclude_prescription_id or existing.pk in set(
                exclude_item_ids
            ):
                continue
            label = f"current prescription of {existing.start_date:%Y-%m-%d}"
            current.append((DrugRef.from_drug(existing.drug), label))
    warnings = [
        *check_allergies(items, allergies),
        *check_duplicates(items, current),
        *check_interactions(items, current),
        *check_dose(items),
    ]
    warnings.sort(key=lambda w: Severity.ORDER[w.severity])
    return warnings


def prescription_safety_warnings(*, patient, items: list[dict]) -> list[SafetyWarning]:
    """The warnings prescribing these items would raise (nothing is written)."""
    return check_for_patient(patient=patient, items=proposed_items(items))
