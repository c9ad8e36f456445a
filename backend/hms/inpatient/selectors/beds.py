"""Wards, rooms and beds, and the bed board (who lies where)."""

from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from hms.core.errors import ApplicationError, NotFoundError
from hms.inpatient.models import Admission, AdmissionStatus, Bed, BedStatus, Room, Ward


def ward_list(*, filters: dict | None = None) -> QuerySet[Ward]:
    filters = filters or {}
    queryset = Ward.objects.annotate(
        bed_count=Count("beds", filter=Q(beds__active=True)),
        free_count=Count("beds", filter=Q(beds__active=True, beds__status=BedStatus.AVAILABLE)),
    )
    if (ward_type := filters.get("type")) is not None:
        queryset = queryset.filter(type=ward_type)
    if (active := filters.get("active")) is not None:
        queryset = queryset.filter(active=active)
    return queryset.order_by("name", "id")


def ward_get(*, public_id) -> Ward:
    ward = ward_list().filter(public_id=public_id).first()
    if ward is None:
        raise NotFoundError("No ward with this id.", code="ward_not_found")
    return ward


def room_list(*, ward: Ward) -> QuerySet[Room]:
    return (
        Room.objects.filter(ward=ward)
        .select_related("ward")
        .annotate(bed_count=Count("beds", filter=Q(beds__active=True)))
        .order_by("name", "id")
    )


def room_get(*, public_id) -> Room:
    room = (
        Room.objects.select_related("ward")
        .annotate(bed_count=Count("beds", filter=Q(beds__active=True)))
        .filter(public_id=public_id)
        .first()
    )
    if room is None:
        raise NotFoundError("No room with this id.", code="room_not_found")
    return room


def room_find(*, public_id) -> Room | None:
    return Room.objects.filter(public_id=public_id).first()


def bed_list(*, filters: dict | None = None) -> QuerySet[Bed]:
    filters = filters or {}
    queryset = Bed.objects.select_related("ward", "room")
    if ward_id := filters.get("ward"):
        queryset = queryset.filter(ward__public_id=ward_id)
    if status := filters.get("status"):
        queryset = queryset.filter(status=status)
    if ward_type := filters.get("ward_type"):
        queryset = queryset.filter(ward__type=ward_type)
    if (active := filters.get("active")) is not None:
        queryset = queryset.filter(active=active)
    return queryset.order_by("ward__name", "room__name", "label", "id")


def bed_get(*, public_id, field: str | None = None) -> Bed:
    """The bed; with `field`, a missing one is a 400 naming that input field."""
    bed = Bed.objects.select_related("ward", "room").filter(public_id=public_id).first()
    if bed is None:
        if field is not None:
            raise ApplicationError(
                "No bed with this id.", code="validation_error", fields={field: ["No such bed."]}
            )
        raise NotFoundError("No bed with this id.", code="bed_not_found")
    return bed


def _active_admissions_prefetch(to_attr: str = "active_admissions") -> Prefetch:
    return Prefetch(
        "admissions",
        queryset=Admission.objects.filter(status=AdmissionStatus.ACTIVE).select_related(
            "patient", "attending_doctor"
        ),
        to_attr=to_attr,
    )


def bed_board(*, filters: dict | None = None) -> QuerySet[Ward]:
    """Wards with their beds and who lies in each: three queries whatever the number of beds
    (wards; their active beds with rooms; the active admissions in them with patient and
    attending doctor). Each ward carries `board_beds` (beds, each with `active_admissions`)."""
    filters = filters or {}
    beds = (
        Bed.objects.filter(active=True)
        .select_related("room")
        .prefetch_related(_active_admissions_prefetch())
        .order_by("room__name", "label", "id")
    )
    queryset = Ward.objects.filter(active=True).prefetch_related(
        Prefetch("beds", queryset=beds, to_attr="board_beds")
    )
    if ward_id := filters.get("ward"):
        queryset = queryset.filter(public_id=ward_id)
    if ward_type := filters.get("type"):
        queryset = queryset.filter(type=ward_type)
    return queryset.order_by("name", "id")


def days_admitted(admitted_at: datetime, *, now: datetime | None = None) -> int:
    """Calendar days since admission in hospital local time (0 on the day of admission)."""
    now = now or timezone.now()
    return (timezone.localtime(now).date() - timezone.localtime(admitted_at).date()).days
