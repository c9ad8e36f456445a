"""Care assignments: a doctor made responsible for a patient, and the end of it."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from hms.accounts.models import User
from hms.core.errors import ApplicationError, ConflictError
from hms.core.locks import partial_unique_lock
from hms.core.models import AuditAction
from hms.core.services import audit_record
from hms.patients.models import CareAssignment, Patient


def _already_assigned() -> ConflictError:
    return ConflictError(
        "This patient is already assigned to this doctor.", code="already_assigned"
    )


@transaction.atomic
def care_assignment_create(
    *, actor: User, patient: Patient, doctor: User, note: str = ""
) -> CareAssignment:
    """Assign a patient to a doctor (one active assignment per pair, enforced by the
    database)."""
    if not doctor.is_active_doctor:
        raise ApplicationError(
            "Patients can be assigned only to an active doctor.",
            code="validation_error",
            fields={"doctor": ["Not an active doctor."]},
        )
    # Where the one-active-per-pair constraint cannot exist (MySQL/MariaDB), assignments of one
    # patient queue on the patient's row before this check.
    partial_unique_lock(Patient.objects.filter(pk=patient.pk))
    if CareAssignment.objects.filter(patient=patient, doctor=doctor, active=True).exists():
        raise _already_assigned()
    assignment = CareAssignment(patient=patient, doctor=doctor, assigned_by=actor, note=note)
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError as exc:  # a concurrent request assigned the same pair
        raise _already_assigned() from exc
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="care_assignment",
        object_id=assignment.public_id,
        patient_id=patient.public_id,
        detail={"doctor": str(doctor.public_id)},
    )
    return assignment


@transaction.atomic
def care_assignment_end(*, actor: User, assignment: CareAssignment) -> CareAssignment:
    assignment = CareAssignment.objects.select_for_update().get(pk=assignment.pk)
    if not assignment.active:
        raise ConflictError("This assignment has already ended.", code="already_ended")
    assignment.active = False
    assignment.ended_at = timezone.now()
    assignment.ended_by = actor
    assignment.save(update_fields=["active", "ended_at", "ended_by", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="care_assignment",
        object_id=assignment.public_id,
        patient_id=assignment.patient.public_id,
        detail={"ended": True},
    )
    return assignment
