"""Lab orders keep a patient in the ordering doctor's care (for chart access), so the doctor
can read the results they ordered: while the order is open and for a while after it is
verified (results arrive late, follow-up questions)."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from hms.core.roles import Role
from hms.laboratory.models import OPEN_STATUSES, LabOrder
from hms.patients.access import register_care_relationship

CARE_AFTER_VERIFICATION = timedelta(days=90)


def ordering_doctor_care(user):
    if getattr(user, "role", None) != Role.DOCTOR:
        return None

    recent = timezone.now() - CARE_AFTER_VERIFICATION
    return LabOrder.objects.filter(
        Q(status__in=OPEN_STATUSES) | Q(verified_at__gte=recent), ordering_doctor=user
    ).values("patient_id")


def register_lab_care_relationships() -> None:
    register_care_relationship("lab_order", ordering_doctor_care)
