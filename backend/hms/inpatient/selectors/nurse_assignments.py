"""Nurse ward assignments, and the wards a nurse works on today."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from hms.accounts.models import User
from hms.core.errors import NotFoundError
from hms.inpatient.models import NurseWardAssignment, Ward


def nurse_assignment_list(*, ward: Ward, current_only: bool = False) -> QuerySet:
    queryset = NurseWardAssignment.objects.filter(ward=ward).select_related(
        "nurse", "ward", "assigned_by"
    )
    if current_only:
        today = timezone.localdate()
        queryset = queryset.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today), starts_on__lte=today
        )
    return queryset.order_by("-starts_on", "id")


def nurse_assignment_get(*, public_id) -> NurseWardAssignment:
    found = (
        NurseWardAssignment.objects.select_related("nurse", "ward", "assigned_by")
        .filter(public_id=public_id)
        .first()
    )
    if found is None:
        raise NotFoundError("No such assignment.", code="assignment_not_found")
    return found


def wards_of_nurse_today(*, nurse: User) -> QuerySet:
    today = timezone.localdate()
    return NurseWardAssignment.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today), nurse=nurse, starts_on__lte=today
    ).values("ward_id")


def nurses_on_ward_today(*, ward_id: int) -> QuerySet[User]:
    """The active nurses whose assignment to the ward runs today."""
    today = timezone.localdate()
    return User.objects.filter(
        is_active=True,
        pk__in=NurseWardAssignment.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today), ward_id=ward_id, starts_on__lte=today
        ).values("nurse_id"),
    ).order_by("id")
