"""Inpatient charts: observations scored with NEWS2 (and the alert to the attending doctor),
fluid balance, GCS, nursing notes, and voiding a mistaken entry."""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hms.accounts.models import User
from hms.clinical import services as clinical_services
from hms.core.errors import ConflictError
from hms.core.models import AuditAction
from hms.core.services import notification_create
from hms.inpatient.models import (
    FLUID_KINDS_BY_DIRECTION,
    MAX_FLUID_ENTRY_ML,
    Admission,
    Consciousness,
    FluidEntry,
    GcsAssessment,
    MedicationAdministration,
    NursingNote,
    Observation,
)
from hms.inpatient.news2 import news2_compute
from hms.inpatient.services.common import audit, chart_time


@transaction.atomic
def observation_record(
    *,
    actor: User,
    admission: Admission,
    respiratory_rate: int,
    spo2: int,
    on_oxygen: bool,
    systolic_bp: int,
    diastolic_bp: int,
    pulse: int,
    consciousness: str,
    temperature_c: Decimal,
    measured_at: datetime | None = None,
    oxygen_flow_l_min: Decimal | None = None,
    oxygen_device: str = "",
) -> Observation:
    """Record a full set of observations, score NEWS2 on the admission's SpO2 scale, copy the
    vital signs into the medical record, and alert the attending doctor at an aggregate of 5+
    or a 3 in any single parameter."""
    measured_at = chart_time(admission, measured_at, "measured_at")
    if consciousness not in Consciousness.values:
        raise ValidationError({"consciousness": ["One of A, C, V, P, U."]})
    if not on_oxygen and (oxygen_flow_l_min or oxygen_device):
        raise ValidationError({"on_oxygen": ["Oxygen flow or device given for a patient on air."]})
    vitals = clinical_services.vital_signs_record(
        actor=actor,
        patient=admission.patient,
        encounter=admission.encounter,
        measured_at=measured_at,
        respiratory_rate=respiratory_rate,
        spo2=spo2,
        systolic_bp=systolic_bp,
        diastolic_bp=diastolic_bp,
        pulse=pulse,
        temperature_c=temperature_c,
    )
    result = news2_compute(
        respiratory_rate=respiratory_rate,
        spo2=spo2,
        on_oxygen=on_oxygen,
        systolic_bp=systolic_bp,
        pulse=pulse,
        consciousness=consciousness,
        temperature_c=vitals.temperature_c,
        spo2_scale=admission.spo2_scale,
    )
    observation = Observation.objects.create(
        admission=admission,
        vital_signs=vitals,
        measured_at=measured_at,
        recorded_by=actor,
        respiratory_rate=respiratory_rate,
        spo2=spo2,
        on_oxygen=on_oxygen,
        oxygen_flow_l_min=oxygen_flow_l_min,
        oxygen_device=oxygen_device,
        systolic_bp=systolic_bp,
        diastolic_bp=diastolic_bp,
        pulse=pulse,
        consciousness=consciousness,
        temperature_c=vitals.temperature_c,
        spo2_scale=admission.spo2_scale,
        news2_score=result.score,
        news2_risk=result.risk,
        news2_single_three=result.single_three,
        news2_components=result.components,
        alert_sent=result.triggers_alert,
    )
    if result.triggers_alert:
        _news2_alert(admission=admission, observation=observation)
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="inpatient_observation",
        record=observation,
        patient=admission.patient,
        detail={"admission": str(admission.public_id), "news2": result.score},
    )
    return observation


def _news2_alert(*, admission: Admission, observation: Observation) -> None:
    patient = admission.patient
    threes = [name for name, points in observation.news2_components.items() if points == 3]
    why = f"aggregate {observation.news2_score}"
    if threes:
        why += f"; 3 points for {', '.join(name.replace('_', ' ') for name in threes)}"
    notification_create(
        recipient=admission.attending_doctor,
        kind="news2_alert",
        # Every NEWS2 alert (aggregate 5 or more, or 3 in one parameter) needs a clinician's
        # urgent review: it stays in the doctor's "needs attention" strip until acknowledged.
        severity="critical",
        title=(
            f"NEWS2 {observation.news2_score} ({observation.get_news2_risk_display()}): "
            f"{patient.display_name}, {admission.ward.name} bed {admission.bed.label}"
        ),
        body=(
            f"Observations at {timezone.localtime(observation.measured_at):%H:%M} "
            f"score {why}. RR {observation.respiratory_rate}, SpO2 {observation.spo2}% "
            f"({'oxygen' if observation.on_oxygen else 'air'}, scale {observation.spo2_scale}), "
            f"BP {observation.systolic_bp}/{observation.diastolic_bp}, pulse {observation.pulse}, "
            f"{observation.get_consciousness_display().lower()}, "
            f"T {observation.temperature_c} °C."
        ),
        link=f"/api/admissions/{admission.public_id}/chart/",
        patient_id=patient.public_id,
        dedupe_key=f"news2:{observation.public_id}",
    )


@transaction.atomic
def fluid_record(
    *,
    actor: User,
    admission: Admission,
    direction: str,
    kind: str,
    volume_ml: int,
    recorded_at: datetime | None = None,
    note: str = "",
) -> FluidEntry:
    recorded_at = chart_time(admission, recorded_at, "recorded_at")
    allowed = FLUID_KINDS_BY_DIRECTION.get(direction)
    if allowed is None:
        raise ValidationError({"direction": ["in or out."]})
    if kind not in allowed:
        raise ValidationError(
            {"kind": [f"Not a kind of {'intake' if direction == 'in' else 'output'}."]}
        )
    if not 1 <= volume_ml <= MAX_FLUID_ENTRY_ML:
        raise ValidationError({"volume_ml": [f"Between 1 and {MAX_FLUID_ENTRY_ML} ml."]})
    entry = FluidEntry.objects.create(
        admission=admission,
        recorded_at=recorded_at,
        recorded_by=actor,
        direction=direction,
        kind=kind,
        volume_ml=volume_ml,
        note=note,
    )
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="fluid_entry",
        record=entry,
        patient=admission.patient,
        detail={"admission": str(admission.public_id)},
    )
    return entry


@transaction.atomic
def gcs_record(
    *,
    actor: User,
    admission: Admission,
    eye: int,
    verbal: int,
    motor: int,
    assessed_at: datetime | None = None,
    pupils: str = "",
    note: str = "",
) -> GcsAssessment:
    assessed_at = chart_time(admission, assessed_at, "assessed_at")
    errors = {}
    for name, value, top in (("eye", eye, 4), ("verbal", verbal, 5), ("motor", motor, 6)):
        if not 1 <= value <= top:
            errors[name] = [f"Between 1 and {top}."]
    if errors:
        raise ValidationError(errors)
    assessment = GcsAssessment.objects.create(
        admission=admission,
        assessed_at=assessed_at,
        recorded_by=actor,
        eye=eye,
        verbal=verbal,
        motor=motor,
        total=eye + verbal + motor,
        pupils=pupils,
        note=note,
    )
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="gcs_assessment",
        record=assessment,
        patient=admission.patient,
        detail={"admission": str(admission.public_id), "total": assessment.total},
    )
    return assessment


@transaction.atomic
def nursing_note_create(
    *, actor: User, admission: Admission, text: str, written_at: datetime | None = None
) -> NursingNote:
    written_at = chart_time(admission, written_at, "written_at")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": ["The note is empty."]})
    note = NursingNote(admission=admission, written_at=written_at, author=actor, text=text)
    note._history_user = actor
    note.save()
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="nursing_note",
        record=note,
        patient=admission.patient,
        detail={"admission": str(admission.public_id)},
    )
    return note


CHART_RESOURCE_TYPES = {
    Observation: "inpatient_observation",
    FluidEntry: "fluid_entry",
    GcsAssessment: "gcs_assessment",
    NursingNote: "nursing_note",
    MedicationAdministration: "medication_administration",
}


@transaction.atomic
def chart_entry_void(*, actor: User, entry, reason: str):
    """Void a mistaken chart entry: it stays (marked voided) and leaves the chart's series. An
    observation's copy in the medical record is voided with it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why this entry is voided."]})
    model = type(entry)
    entry = (
        model.all_objects.select_for_update().select_related("admission__patient").get(pk=entry.pk)
    )
    if entry.is_voided:
        raise ConflictError("This entry is already voided.", code="already_voided")
    entry.voided_at = timezone.now()
    entry.voided_by = actor
    entry.void_reason = reason
    if isinstance(entry, NursingNote):
        entry._history_user = actor
    entry.save()
    if isinstance(entry, Observation) and entry.vital_signs_id is not None:
        vitals = entry.vital_signs
        if not vitals.is_voided:
            clinical_services.clinical_record_void(actor=actor, record=vitals, reason=reason)
    audit(
        actor=actor,
        action=AuditAction.VOID,
        resource_type=CHART_RESOURCE_TYPES[model],
        record=entry,
        patient=entry.admission.patient,
        detail={"reason": reason},
    )
    return entry
