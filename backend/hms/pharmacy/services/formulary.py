"""Formulary writes: drugs and the values derived from them."""

from django.db import transaction

from hms.accounts.models import User
from hms.core.errors import ApplicationError, ConflictError
from hms.core.models import AuditAction
from hms.core.services import audit_record
from hms.patients.names import name_normalise
from hms.pharmacy import safety
from hms.pharmacy.models import Drug

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
