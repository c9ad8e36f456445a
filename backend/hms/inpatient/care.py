"""How an admission puts a patient in a clinician's care (for hms.patients.access).

- Doctors: the attending doctor of an active admission (a handover changes the attending doctor
  on the admission and its encounter; the medical record's own "encounter" relationship also
  keeps a recently closed inpatient encounter in the doctor's care for its 90 days).
- Nurses: a nurse is tied to wards by `NurseWardAssignment` rows, managed by admins
  (`/api/wards/{id}/nurses/`). While an assignment runs (starts_on <= today <= ends_on, or
  open-ended), every patient admitted to that ward now, or discharged from it today, is in the
  nurse's care. Patients transferred away leave the care of the old ward's nurses at once.
"""

from datetime import datetime, time

from django.db.models import Q
from django.utils import timezone

from hms.core.roles import Role
from hms.inpatient.models import Admission, AdmissionStatus
from hms.inpatient.selectors import wards_of_nurse_today
from hms.patients.access import register_care_relationship


@register_care_relationship("admission_attending")
def _attending_doctor_of_active_admission(user):
    if getattr(user, "role", None) != Role.DOCTOR:
        return None
    return Admission.objects.filter(attending_doctor=user, status=AdmissionStatus.ACTIVE).values(
        "patient_id"
    )


@register_care_relationship("ward_nurse")
def _patients_on_the_nurses_wards_today(user):
    if getattr(user, "role", None) != Role.NURSE:
        return None
    start_of_today = timezone.make_aware(datetime.combine(timezone.localdate(), time(0)))
    return Admission.objects.filter(
        Q(status=AdmissionStatus.ACTIVE) | Q(discharged_at__gte=start_of_today),
        ward_id__in=wards_of_nurse_today(nurse=user),
    ).values("patient_id")
