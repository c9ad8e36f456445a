"""Vital signs: record and correct a set of measurements."""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from hms.clinical.models import Encounter, VitalSigns
from hms.clinical.services.base import (
    changed_fields,
    encounter_check,
    record_audit,
    record_lock_for_change,
    record_save,
)
from hms.clinical.vitals import MEASUREMENT_FIELDS, bmi_compute, vitals_errors
from hms.core.models import AuditAction
from hms.core.plausible_dates import moment_check
from hms.core.transactions import service_transaction


def _vitals_check(values: dict) -> None:
    errors = vitals_errors(values)
    if errors:
        raise ValidationError(errors)


def _vitals_stored(measurements: dict) -> dict:
    """Round decimals to the precision stored (36.85 °C -> 36.9), after the range check."""
    stored = dict(measurements)
    for name, value in measurements.items():
        if value is None:
            continue
        places = VitalSigns._meta.get_field(name).decimal_places if name in DECIMAL_VITALS else 0
        if places:
            stored[name] = Decimal(str(value)).quantize(
                Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
            )
    return stored


DECIMAL_VITALS = frozenset({"temperature_c", "weight_kg", "height_cm"})


@service_transaction
def vital_signs_record(
    *,
    actor,
    patient,
    encounter: Encounter | None = None,
    measured_at: datetime | None = None,
    **measurements: int | Decimal | None,
) -> VitalSigns:
    unknown = set(measurements) - set(MEASUREMENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown measurements: {sorted(unknown)}")
    _vitals_check(measurements)
    measurements = _vitals_stored(measurements)
    encounter_check(encounter=encounter, patient=patient)
    measured_at = moment_check(measured_at or timezone.now(), field="measured_at", patient=patient)
    vitals = VitalSigns(
        patient=patient,
        encounter=encounter,
        recorded_by=actor,
        measured_at=measured_at,
        **measurements,
    )
    vitals.bmi = bmi_compute(weight_kg=vitals.weight_kg, height_cm=vitals.height_cm)
    record_save(vitals, actor=actor)
    record_audit(actor=actor, action=AuditAction.CREATE, record=vitals)
    return vitals


@service_transaction
def vital_signs_update(*, actor, vitals: VitalSigns, **fields) -> VitalSigns:
    """Correct a measurement (the wrong value stays in the history); BMI is derived again."""
    vitals = record_lock_for_change(vitals)
    merged = {name: fields.get(name, getattr(vitals, name)) for name in MEASUREMENT_FIELDS}
    _vitals_check(merged)
    fields = {**fields, **_vitals_stored({k: v for k, v in fields.items() if k in merged})}
    if "encounter" in fields:
        encounter_check(encounter=fields["encounter"], patient=vitals.patient)
    if fields.get("measured_at") is not None:
        moment_check(fields["measured_at"], field="measured_at", patient=vitals.patient)
    changed = changed_fields(vitals, fields)
    if changed:
        vitals.bmi = bmi_compute(weight_kg=vitals.weight_kg, height_cm=vitals.height_cm)
        record_save(vitals, actor=actor)
        record_audit(
            actor=actor, action=AuditAction.UPDATE, record=vitals, detail={"fields": changed}
        )
    return vitals
