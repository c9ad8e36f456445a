"""Formulary writes: drugs and the values derived from them."""

from django.db import transaction

from hms.accounts.models import User
from hms.core.errors import ApplicationError, ConflictError
from hms.core.models import AuditAction
from hms.core.services import audit_record
from hms.patients.names import name_normalise
from hms.pharmacy import safety
from hms.pharmacy.models import Drug, DrugDosePreset, Frequency, Route

DRUG_FIELDS = (
    "generic_name",
    "brand_name",
    "form",
    "strength",
    "route",
    "atc_code",
    "drug_class",
    "unit",
    "dose_unit",
    "strength_amount",
    "usual_dose_min",
    "usual_dose_max",
    "max_daily_dose",
    "reorder_level",
    "price",
    "currency",
)


def drug_set_derived(drug: Drug) -> None:
    """Tidy the names and fill the normalised fields a drug is searched and checked by."""
    drug.generic_name = drug.generic_name.strip()
    drug.generic_name_norm = name_normalise(drug.generic_name)
    drug.drug_class_norm = safety.normalise_class(drug.drug_class) if drug.drug_class else ""
    drug.atc_code = (drug.atc_code or "").strip().upper()
    drug.search_text = drug_search_text(
        generic_name=drug.generic_name,
        brand_name=drug.brand_name,
        strength=drug.strength,
        atc_code=drug.atc_code,
        form=drug.form,
    )


def drug_search_text(
    *, generic_name: str, brand_name: str, strength: str, atc_code: str, form: str
) -> str:
    """The normalised words a drug is found by, most telling first (also used by the data
    migration that fills the column for drugs created before it)."""
    parts = (generic_name, brand_name, strength, atc_code, form)
    return " ".join(filter(None, (name_normalise(part or "") for part in parts)))[:400]


def _drug_validate(drug: Drug) -> None:
    if not drug.generic_name_norm:
        raise ApplicationError(
            "A drug needs a generic name.",
            code="validation_error",
            fields={"generic_name": ["This field is required."]},
        )
    if (
        drug.usual_dose_min is not None
        and drug.usual_dose_max is not None
        and drug.usual_dose_max < drug.usual_dose_min
    ):
        raise ApplicationError(
            "The usual dose range is upside down.",
            code="validation_error",
            fields={"usual_dose_max": ["Must not be below usual_dose_min."]},
        )
    clash = Drug.objects.filter(
        generic_name_norm=drug.generic_name_norm,
        brand_name=drug.brand_name,
        form=drug.form,
        strength=drug.strength,
    )
    if drug.pk is not None:
        clash = clash.exclude(pk=drug.pk)
    if clash.exists():
        raise ConflictError(
            "This product (name, brand, form and strength) is already in the formulary.",
            code="drug_exists",
            extra={"drug": str(clash.first().public_id)},
        )


@transaction.atomic
def drug_create(*, actor: User, **fields) -> Drug:
    drug = Drug(**{k: v for k, v in fields.items() if k in DRUG_FIELDS}, created_by=actor)
    drug_set_derived(drug)
    _drug_validate(drug)
    drug.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="drug",
        object_id=drug.public_id,
        detail={"generic_name": drug.generic_name, "strength": drug.strength},
    )
    return drug


@transaction.atomic
def drug_update(*, actor: User, drug: Drug, **fields) -> Drug:
    drug = Drug.objects.select_for_update().get(pk=drug.pk)
    changed = []
    for name, value in fields.items():
        if name in (*DRUG_FIELDS, "active") and getattr(drug, name) != value:
            setattr(drug, name, value)
            changed.append(name)
    if not changed:
        return drug
    drug_set_derived(drug)
    _drug_validate(drug)
    drug.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="drug",
        object_id=drug.public_id,
        detail={"changed": sorted(changed)},
    )
    return drug


DOSE_PRESET_FIELDS = (
    "label",
    "dose",
    "dose_unit",
    "route",
    "frequency",
    "duration_days",
    "instructions",
    "position",
)


@transaction.atomic
def drug_dose_preset_create(*, actor: User, drug: Drug, **fields) -> DrugDosePreset:
    """A one-click way of giving `drug` offered to prescribers (label, dose, frequency, and
    optionally unit, route, days, instructions)."""
    preset = DrugDosePreset(
        drug=drug, created_by=actor, **{k: v for k, v in fields.items() if k in DOSE_PRESET_FIELDS}
    )
    preset.label = (preset.label or "").strip()
    preset.dose_unit = (preset.dose_unit or "").strip()
    errors = {}
    if not preset.label:
        errors["label"] = ["This field is required."]
    if preset.dose is None or preset.dose <= 0:
        errors["dose"] = ["Must be above zero."]
    if preset.frequency not in Frequency.values:
        errors["frequency"] = ["Not a known frequency."]
    if preset.route and preset.route not in Route.values:
        errors["route"] = ["Not a known route."]
    if preset.duration_days is not None and preset.duration_days < 1:
        errors["duration_days"] = ["At least one day."]
    if errors:
        raise ApplicationError(
            "The dose preset is not valid.", code="validation_error", fields=errors
        )
    preset.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="drug_dose_preset",
        object_id=preset.public_id,
        detail={"drug": str(drug.public_id), "label": preset.label},
    )
    return preset


@transaction.atomic
def drug_dose_preset_deactivate(*, actor: User, preset: DrugDosePreset) -> DrugDosePreset:
    """Stop offering a preset (kept, with its history)."""
    preset = DrugDosePreset.objects.select_for_update().get(pk=preset.pk)
    if not preset.active:
        return preset
    preset.active = False
    preset.save(update_fields=["active", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="drug_dose_preset",
        object_id=preset.public_id,
        detail={"changed": ["active"]},
    )
    return preset
