"""Factories for wards, rooms, beds and (for the MAR) pharmacy prescriptions."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from hms.inpatient.models import Bed, NurseWardAssignment, Room, Ward, WardType


class WardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ward

    name = factory.Sequence(lambda n: f"Ward {n}")
    code = factory.Sequence(lambda n: f"W{n}")
    type = WardType.GENERAL


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    ward = factory.SubFactory(WardFactory)
    name = factory.Sequence(lambda n: f"Room {n}")


class BedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bed

    room = factory.SubFactory(RoomFactory)
    ward = factory.LazyAttribute(lambda bed: bed.room.ward)
    label = factory.Sequence(lambda n: f"B{n}")


def beds_on(ward: Ward, count: int, *, room: Room | None = None) -> list[Bed]:
    room = room or RoomFactory(ward=ward)
    return [BedFactory(room=room, ward=ward) for _ in range(count)]


def assign_nurse(nurse, ward, *, by=None, starts_on=None, ends_on=None):
    return NurseWardAssignment.objects.create(
        nurse=nurse,
        ward=ward,
        starts_on=starts_on or timezone.localdate(),
        ends_on=ends_on,
        assigned_by=by or nurse,
    )


def make_drug(name="Paracetamol", strength="500 mg"):
    from hms.pharmacy.models import Drug

    return Drug.objects.create(
        generic_name=name,
        generic_name_norm=name.lower(),
        form="tablet",
        strength=strength,
        unit="tablet",
        dose_unit="mg",
    )


def prescribe(
    *,
    patient,
    doctor,
    frequency="tds",
    start_date=None,
    duration_days=5,
    prescribed_at=None,
    drug=None,
    dose="500",
    status="active",
):
    """One prescription with one item; returns the item."""
    from hms.pharmacy.models import Prescription, PrescriptionItem

    prescribed_at = prescribed_at or timezone.now() - timedelta(days=1)
    prescription = Prescription.objects.create(
        patient=patient,
        prescriber=doctor,
        prescribed_at=prescribed_at,
        status=status,
        cancelled_at=timezone.now() if status == "cancelled" else None,
    )
    return PrescriptionItem.objects.create(
        prescription=prescription,
        drug=drug or make_drug(name=f"Drug {Prescription.objects.count()}"),
        dose=Decimal(dose),
        dose_unit="mg",
        route="oral",
        frequency=frequency,
        duration_days=duration_days,
        quantity=30,
        start_date=start_date or timezone.localtime(prescribed_at).date(),
    )
