"""Into and out of intensive care: an admission straight to an ICU bed or a transfer into one,
and the step-down to a ward."""

from datetime import datetime

from django.db import transaction

from hms.accounts.models import User
from hms.core.errors import ApplicationError, ConflictError
from hms.inpatient.models import Admission, AdmissionStatus, AdmissionType, Bed, StayKind
from hms.inpatient.services.admissions import admission_admit, admission_transfer
from hms.patients.models import Patient


@transaction.atomic
def icu_admit(
    *,
    actor: User,
    patient: Patient,
    bed: Bed,
    attending_doctor: User | None = None,
    reason: str = "",
    admission_type: str = AdmissionType.EMERGENCY,
    at: datetime | None = None,
) -> Admission:
    """Into an ICU bed: a patient already on a ward is transferred there (the ICU stay
    starts); anyone else is admitted straight to the ICU."""
    if not bed.ward.is_icu:
        raise ApplicationError(
            "Choose a bed on an intensive care ward.",
            code="not_an_icu_bed",
            fields={"bed": ["This bed is not on an ICU ward."]},
        )
    current = Admission.objects.filter(patient=patient, status=AdmissionStatus.ACTIVE).first()
    if current is not None:
        if current.ward.is_icu:
            raise ConflictError("The patient is already in intensive care.", code="already_in_icu")
        return admission_transfer(
            actor=actor,
            admission=current,
            bed=bed,
            reason=reason,
            transferred_at=at,
            attending_doctor=attending_doctor,
            kind=StayKind.ICU_ADMISSION,
        )
    if attending_doctor is None:
        raise ApplicationError(
            "Name the attending doctor.",
            code="validation_error",
            fields={"attending_doctor": ["Required when the patient is not yet admitted."]},
        )
    return admission_admit(
        actor=actor,
        patient=patient,
        bed=bed,
        attending_doctor=attending_doctor,
        reason=reason,
        admission_type=admission_type,
        admitted_at=at,
        kind=StayKind.ICU_ADMISSION,
    )


@transaction.atomic
def icu_discharge(
    *,
    actor: User,
    admission: Admission,
    bed: Bed,
    reason: str = "",
    at: datetime | None = None,
    attending_doctor: User | None = None,
) -> Admission:
    """Step down from the ICU to a ward bed (the hospital stay goes on; leaving hospital
    from the ICU is an ordinary discharge)."""
    if not admission.ward.is_icu:
        raise ConflictError("The patient is not in intensive care.", code="not_in_icu")
    if bed.ward.is_icu:
        raise ApplicationError(
            "Choose a bed outside intensive care.",
            code="icu_bed_chosen",
            fields={"bed": ["This bed is on an ICU ward; use a transfer to move within ICU."]},
        )
    return admission_transfer(
        actor=actor,
        admission=admission,
        bed=bed,
        reason=reason,
        transferred_at=at,
        attending_doctor=attending_doctor,
        kind=StayKind.ICU_DISCHARGE,
    )
