"""Discharge: the doctor's discharge summary, then discharging the patient (which needs it)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from hms.accounts.models import User
from hms.clinical import services as clinical_services
from hms.clinical.icd10 import icd10_lookup
from hms.core.errors import ConflictError
from hms.core.events import publish
from hms.core.models import AuditAction
from hms.inpatient.events import AdmissionDischarged
from hms.inpatient.models import (
    Admission,
    AdmissionStatus,
    BedStatus,
    DischargeDisposition,
    DischargeSummary,
)
from hms.inpatient.services.common import (
    apply_changes,
    audit,
    check_active,
    checked_time,
    lock_admission,
    lock_bed,
    mark_bed,
    open_stay,
)


def _check_list(value, field: str) -> list:
    if not isinstance(value, list):
        raise ValidationError({field: ["Must be a list (empty for none)."]})
    return value


def _summary_diagnoses(raw: list) -> list[dict]:
    _check_list(raw, "diagnoses")
    if not raw:
        raise ValidationError({"diagnoses": ["Give at least one diagnosis (ICD-10 code)."]})
    diagnoses, errors = [], {}
    for index, entry in enumerate(raw):
        code = entry.get("code") if isinstance(entry, dict) else entry
        try:
            found = icd10_lookup(str(code or ""))
        except ValidationError as exc:
            errors[index] = exc.messages
            continue
        diagnoses.append({"code": found.code, "title": found.title})
    if errors:
        raise ValidationError({"diagnoses": [f"{i}: {'; '.join(m)}" for i, m in errors.items()]})
    return diagnoses


@transaction.atomic
def discharge_summary_save(
    *,
    actor: User,
    admission: Admission,
    diagnoses: list,
    procedures: list,
    medications_on_discharge: list,
    follow_up: str,
    hospital_course: str = "",
) -> DischargeSummary:
    """Write or amend the discharge summary (every version is kept)."""
    admission = lock_admission(admission)
    follow_up = (follow_up or "").strip()
    if not follow_up:
        raise ValidationError({"follow_up": ["State the follow-up plan (or that none is needed)."]})
    values = {
        "diagnoses": _summary_diagnoses(diagnoses),
        "procedures": [
            str(p).strip() for p in _check_list(procedures, "procedures") if str(p).strip()
        ],
        "medications_on_discharge": _check_list(
            medications_on_discharge, "medications_on_discharge"
        ),
        "follow_up": follow_up,
        "hospital_course": hospital_course or "",
    }
    summary = DischargeSummary.objects.select_for_update().filter(admission=admission).first()
    action = AuditAction.UPDATE
    if summary is None:
        summary = DischargeSummary(admission=admission, written_by=actor, **values)
        action = AuditAction.CREATE
        changed = list(values)
    else:
        changed = apply_changes(summary, values)
        summary.written_by = actor
    if changed:
        summary._history_user = actor
        summary.save()
        audit(
            actor=actor,
            action=action,
            resource_type="discharge_summary",
            record=summary,
            patient=admission.patient,
            detail={"admission": str(admission.public_id), "fields": changed},
        )
    return summary


@transaction.atomic
def admission_discharge(
    *,
    actor: User,
    admission: Admission,
    disposition: str = DischargeDisposition.HOME,
    discharged_at: datetime | None = None,
    note: str = "",
) -> Admission:
    """Discharge: needs the doctor's discharge summary; closes the last bed stay and the
    inpatient encounter, and sends the bed to `cleaning`."""
    admission = lock_admission(admission)
    check_active(admission)
    if not DischargeSummary.objects.filter(admission=admission).exists():
        raise ConflictError(
            "A doctor must write the discharge summary before the patient is discharged.",
            code="discharge_summary_required",
            extra={
                "discharge_summary_url": f"/api/admissions/{admission.public_id}/discharge-summary/"
            },
        )
    stay = open_stay(admission)
    discharged_at = checked_time(discharged_at, field="discharged_at", not_before=stay.started_at)
    bed = lock_bed(admission.bed)
    stay.ended_at = discharged_at
    stay.save(update_fields=["ended_at", "updated_at"])
    admission.status = AdmissionStatus.DISCHARGED
    admission.discharged_at = discharged_at
    admission.discharged_by = actor
    admission.discharge_disposition = disposition
    admission.discharge_note = note
    admission._history_user = actor
    admission.save()
    mark_bed(bed, BedStatus.CLEANING, note="Vacated by discharge")
    if admission.encounter.status == "open":
        clinical_services.encounter_close(
            actor=actor, encounter=admission.encounter, ended_at=discharged_at
        )
    publish(AdmissionDischarged(actor=actor, admission=admission))  # billing: bed-days left
    audit(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="admission",
        record=admission,
        patient=admission.patient,
        detail={"discharged": True, "disposition": str(disposition), "bed": str(bed.public_id)},
    )
    return admission
