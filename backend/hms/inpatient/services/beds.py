"""Wards, rooms and beds: structure (admins) and the bed status staff set by hand."""

from django.db import transaction
from django.utils import timezone

from hms.accounts.models import User
from hms.core.errors import ApplicationError, ConflictError
from hms.core.models import AuditAction
from hms.inpatient.models import AdmissionStatus, Bed, BedStatus, Room, Ward
from hms.inpatient.services.common import apply_changes, audit, save_unique


@transaction.atomic
def ward_create(*, actor: User, name: str, code: str, type: str, floor: str = "", phone: str = ""):
    ward = Ward(name=name.strip(), code=code.strip().upper(), type=type, floor=floor, phone=phone)
    save_unique(
        ward, error=ConflictError("A ward with this name or code exists.", code="ward_exists")
    )
    audit(actor=actor, action=AuditAction.CREATE, resource_type="ward", record=ward)
    return ward


@transaction.atomic
def ward_update(*, actor: User, ward: Ward, **fields) -> Ward:
    ward = Ward.objects.select_for_update().get(pk=ward.pk)
    if "code" in fields:
        fields["code"] = fields["code"].strip().upper()
    if (
        fields.get("active") is False
        and ward.admissions.filter(status=AdmissionStatus.ACTIVE).exists()
    ):
        raise ConflictError(
            "Patients are still admitted to this ward; transfer or discharge them first.",
            code="ward_occupied",
        )
    changed = apply_changes(ward, fields)
    if changed:
        save_unique(
            ward, error=ConflictError("A ward with this name or code exists.", code="ward_exists")
        )
        audit(
            actor=actor,
            action=AuditAction.UPDATE,
            resource_type="ward",
            record=ward,
            detail={"fields": changed},
        )
    return ward


@transaction.atomic
def room_create(*, actor: User, ward: Ward, name: str) -> Room:
    room = Room(ward=ward, name=name.strip())
    save_unique(
        room,
        error=ConflictError("This ward already has a room with this name.", code="room_exists"),
    )
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="room",
        record=room,
        detail={"ward": str(ward.public_id)},
    )
    return room


@transaction.atomic
def room_update(*, actor: User, room: Room, **fields) -> Room:
    room = Room.objects.select_for_update().select_related("ward").get(pk=room.pk)
    if fields.get("active") is False and room.beds.filter(status=BedStatus.OCCUPIED).exists():
        raise ConflictError("A bed in this room is occupied.", code="room_occupied")
    changed = apply_changes(room, fields)
    if changed:
        save_unique(
            room,
            error=ConflictError("This ward already has a room with this name.", code="room_exists"),
        )
        audit(
            actor=actor,
            action=AuditAction.UPDATE,
            resource_type="room",
            record=room,
            detail={"fields": changed},
        )
    return room


@transaction.atomic
def bed_create(*, actor: User, room: Room, label: str) -> Bed:
    if not room.active:
        raise ConflictError("This room is not in use.", code="room_inactive")
    bed = Bed(ward_id=room.ward_id, room=room, label=label.strip())
    save_unique(
        bed, error=ConflictError("This ward already has a bed with this label.", code="bed_exists")
    )
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="bed",
        record=bed,
        detail={"room": str(room.public_id)},
    )
    return bed


@transaction.atomic
def bed_update(*, actor: User, bed: Bed, **fields) -> Bed:
    """Relabel a bed or take it out of use (`active`)."""
    bed = Bed.objects.select_for_update().get(pk=bed.pk)
    if fields.get("active") is False and bed.status == BedStatus.OCCUPIED:
        raise ConflictError("The bed is occupied.", code="bed_occupied")
    changed = apply_changes(bed, fields)
    if changed:
        save_unique(
            bed,
            error=ConflictError("This ward already has a bed with this label.", code="bed_exists"),
        )
        audit(
            actor=actor,
            action=AuditAction.UPDATE,
            resource_type="bed",
            record=bed,
            detail={"fields": changed},
        )
    return bed


# Statuses staff set by hand; `occupied` comes and goes only with admissions.
MANUAL_BED_STATUSES = frozenset(
    {BedStatus.AVAILABLE, BedStatus.CLEANING, BedStatus.MAINTENANCE, BedStatus.RESERVED}
)


@transaction.atomic
def bed_set_status(*, actor: User, bed: Bed, status: str, note: str = "") -> Bed:
    """Housekeeping and bed management: cleaning → available, out for maintenance, reserved
    for an expected patient. An occupied bed changes only by transfer or discharge."""
    bed = Bed.objects.select_for_update().get(pk=bed.pk)
    if status not in MANUAL_BED_STATUSES:
        raise ApplicationError(
            "A bed becomes occupied only by admitting a patient to it.",
            code="invalid_bed_status",
            fields={"status": ["Choose available, cleaning, maintenance or reserved."]},
        )
    if bed.status == BedStatus.OCCUPIED:
        raise ConflictError(
            "The bed is occupied; transfer or discharge the patient first.", code="bed_occupied"
        )
    if not bed.active:
        raise ConflictError("This bed is not in use.", code="bed_inactive")
    previous = bed.status
    bed.status = status
    bed.status_note = note
    bed.status_changed_at = timezone.now()
    bed.save()
    audit(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="bed",
        record=bed,
        detail={"status": {"from": previous, "to": status}},
    )
    return bed
