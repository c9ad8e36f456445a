"""Discharge: the doctor's discharge summary, then discharging the patient (which needs it)."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

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
    DischargeSummaryStatus,
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

MEDICATION_FIELDS = ("drug", "dose", "frequency", "duration", "instructions")


def _check_list(value, field: str) -> list:
    if not isinstance(value, list):
        raise ValidationError({field: ["Must be a list (empty for none)."]})
    return value


def _summary_diagnoses(raw: list, errors: dict, *, required: bool) -> list[dict]:
    _check_list(raw, "diagnoses")
    diagnoses, problems = [], []
    for index, entry in enumerate(raw):
        code = entry.get("code") if isinstance(entry, dict) else entry
        try:
            found = icd10_lookup(str(code or ""))
        except ValidationError as exc:
            problems.append(f"Diagnosis {index + 1}: {'; '.join(exc.messages)}")
            continue
        if all(d["code"] != found.code for d in diagnoses):
            diagnoses.append({"code": found.code, "title": found.title})
    if problems:
        errors["diagnoses"] = problems
    elif required and not diagnoses:
        errors["diagnoses"] = ["Give at least one diagnosis (ICD-10 code)."]
    return diagnoses


def _summary_medications(raw: list, errors: dict) -> list[dict]:
    _check_list(raw, "medications_on_discharge")
    medications, problems = [], []
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            problems.append(f"Medicine {index + 1}: give the drug, dose and frequency.")
            continue
        row = {name: str(entry.get(name) or "").strip() for name in MEDICATION_FIELDS}
        if not any(row.values()):
            continue  # an empty row of a form
        if not row["drug"]:
            problems.append(f"Medicine {index + 1}: name the medicine.")
            continue
        medications.append(row)
    if problems:
        errors["medications_on_discharge"] = problems
    return medications


def _summary_follow_up_date(value: date | None, admission: Admission, errors: dict, *, finalise):
    if value is None:
        return None
    if value < timezone.localtime(admission.admitted_at).date():
        errors["follow_up_date"] = ["The follow-up cannot be before the admission."]
    elif finalise and value < timezone.localdate():
        errors["follow_up_date"] = ["The follow-up date has passed; choose a later date."]
    return value


def discharge_summary_values(
    *,
    admission: Admission,
    diagnoses: list,
    procedures: list,
    medications_on_discharge: list,
    follow_up: str,
    follow_up_date: date | None,
    follow_up_clinic: str,
    instructions: str,
    hospital_course: str,
    finalise: bool,
) -> dict:
    """The summary's fields, checked: every field's problems are reported together. A draft
    may leave out the diagnoses and the follow-up plan; signing needs them."""
    errors: dict[str, list[str]] = {}
    values = {
        "diagnoses": _summary_diagnoses(diagnoses, errors, required=finalise),
        "procedures": [
            str(p).strip() for p in _check_list(procedures, "procedures") if str(p).strip()
        ],
        "medications_on_discharge": _summary_medications(medications_on_discharge, errors),
        "follow_up": (follow_up or "").strip(),
        "follow_up_date": _summary_follow_up_date(
            follow_up_date, admission, errors, finalise=finalise
        ),
        "follow_up_clinic": (follow_up_clinic or "").strip(),
        "instructions": (instructions or "").strip(),
        "hospital_course": (hospital_course or "").strip(),
    }
    if finalise and not values["follow_up"]:
        errors["follow_up"] = ["State the follow-up plan (or that none is needed)."]
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def discharge_summary_save(
    *,
    actor: User,
    admission: Admission,
    diagnoses: list,
    procedures: list,
    medications_on_discharge: list,
    follow_up: str = "",
    hospital_course: str = "",
    follow_up_date: date | None = None,
    follow_up_clinic: str = "",
    instructions: str = "",
    finalise: bool = False,
) -> DischargeSummary:
    """Write the discharge summary as a draft, or sign it (`finalise`): signing checks it is
    complete, and only a signed summary lets the ward discharge the patient. A signed summary
    is amended by signing again (every version is kept); it does not go back to draft."""
    admission = lock_admission(admission)
    summary = DischargeSummary.objects.select_for_update().filter(admission=admission).first()
    if summary is not None and summary.status == DischargeSummaryStatus.FINAL and not finalise:
        raise ConflictError(
            "This discharge summary is already signed. Amend it and sign it again; a signed "
            "summary does not go back to draft.",
            code="discharge_summary_signed",
        )
    values = discharge_summary_values(
        admission=admission,
        diagnoses=diagnoses,
        procedures=procedures,
        medications_on_discharge=medications_on_discharge,
        follow_up=follow_up,
        follow_up_date=follow_up_date,
        follow_up_clinic=follow_up_clinic,
        instructions=instructions,
        hospital_course=hospital_course,
        finalise=finalise,
    )
    if finalise:
        values["status"] = DischargeSummaryStatus.FINAL
    action = AuditAction.UPDATE
    if summary is None:
        summary = DischargeSummary(admission=admission, written_by=actor, **values)
        action = AuditAction.CREATE
        changed = list(values)
    else:
        changed = apply_changes(summary, values)
        summary.written_by = actor
    if finalise and (changed or summary.signed_at is None):
        summary.signed_at = timezone.now()
        summary.signed_by = actor
        changed = sorted({*changed, "signed_at"})
    if changed:
        summary._history_user = actor
        summary.save()
        audit(
            actor=actor,
            action=action,
            resource_type="discharge_summary",
            record=summary,
            patient=admission.patient,
            detail={
                "admission": str(admission.public_id),
                "fields": changed,
                "status": str(summary.status),
            },
        )
    return summary


def _check_summary_signed(admission: Admission) -> None:
    summary_url = f"/api/admissions/{admission.public_id}/discharge-summary/"
    signed = DischargeSummary.objects.filter(admission=admission).values_list("status", flat=True)
    status = signed.first()
    if status is None:
        raise ConflictError(
            "A doctor must write the discharge summary before the patient is discharged.",
            code="discharge_summary_required",
            extra={"discharge_summary_url": summary_url},
        )
    if status != DischargeSummaryStatus.FINAL:
        raise ConflictError(
            "The discharge summary is still a draft: the doctor must sign it before the "
            "patient is discharged.",
            code="discharge_summary_unsigned",
            extra={"discharge_summary_url": summary_url},
        )


@transaction.atomic
def admission_discharge(
    *,
    actor: User,
    admission: Admission,
    disposition: str = DischargeDisposition.HOME,
    discharged_at: datetime | None = None,
    note: str = "",
) -> Admission:
    """Discharge: needs the doctor's signed discharge summary (409
    `discharge_summary_required` / `discharge_summary_unsigned`, and nothing changes); closes
    the last bed stay and the inpatient encounter, and sends the bed to `cleaning`."""
    admission = lock_admission(admission)
    check_active(admission)
    _check_summary_signed(admission)
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
