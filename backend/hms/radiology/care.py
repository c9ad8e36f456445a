"""The ordering doctor keeps the patient in their care (for hms.patients.access) while the
imaging study is open and for a while after its final report (to read it and follow up)."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from hms.core.roles import Role
from hms.patients.access import register_care_relationship
from hms.radiology.models import OPEN_STATUSES, ImagingOrder, OrderStatus

CARE_AFTER_REPORT = timedelta(days=90)


@register_care_relationship("imaging_order")
def imaging_order_care(user):
    if getattr(user, "role", None) != Role.DOCTOR:
        return None

    recent = timezone.now() - CARE_AFTER_REPORT
    return ImagingOrder.objects.filter(
        Q(status__in=OPEN_STATUSES) | Q(status=OrderStatus.REPORTED, reported_at__gte=recent),
        ordering_doctor=user,
    ).values("patient_id")
