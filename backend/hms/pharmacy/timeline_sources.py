"""Prescriptions and dispenses on the patient timeline (registered in PharmacyConfig.ready()).

Both belong to the chart's medications section: a user whose role may not read it gets nothing
from these sources. Each source costs one query whatever the number of entries.
"""

from collections.abc import Iterator

from django.db.models import Prefetch

from hms.clinical.timeline import TimelineEntry, register_timeline_source
from hms.core.time_window import in_time_window
from hms.patients.access import ChartSection, section_allowed
from hms.pharmacy.models import (
    Dispense,
    DispenseLine,
    Prescription,
    PrescriptionItem,
    PrescriptionStatus,
)


def _may_read_medications(user) -> bool:
    return section_allowed(user=user, section=ChartSection.MEDICATIONS)


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def prescription_entries(patient, user, since, until) -> Iterator[TimelineEntry]:
    if not _may_read_medications(user):
        return

    rows = (
        Prescription.objects.filter(patient=patient)
        .select_related("prescriber")
        .prefetch_related(
            Prefetch("items", queryset=PrescriptionItem.objects.select_related("drug"))
        )
    )
    for prescription in in_time_window(rows, "prescribed_at", since, until):
        items = list(prescription.items.all())
        names = ", ".join(item.drug.generic_name for item in items)
        yield TimelineEntry(
            occurred_at=prescription.prescribed_at,
            type="prescription",
            id=str(prescription.public_id),
            title=f"Prescription: {names}"[:200],
            summary="; ".join(
                f"{item.drug.generic_name} {item.dose.normalize():f} {item.dose_unit} "
                f"{item.get_frequency_display().lower()}"
                for item in items
            )[:200],
            actor=_name(prescription.prescriber),
            voided=prescription.status == PrescriptionStatus.CANCELLED,
            void_reason=prescription.cancel_reason,
            detail={
                "status": prescription.status,
                "items": len(items),
                "overridden": bool(prescription.override_reason),
            },
        )


def dispense_entries(patient, user, since, until) -> Iterator[TimelineEntry]:
    if not _may_read_medications(user):
        return

    rows = (
        Dispense.objects.filter(prescription__patient=patient)
        .select_related("dispensed_by", "prescription")
        .prefetch_related(
            Prefetch("lines", queryset=DispenseLine.objects.select_related("item__drug"))
        )
    )
    for dispense in in_time_window(rows, "dispensed_at", since, until):
        lines = list(dispense.lines.all())
        totals: dict[str, int] = {}
        for line in lines:
            label = f"{line.item.drug.generic_name} ({line.item.drug.unit})"
            totals[label] = totals.get(label, 0) + line.quantity
        yield TimelineEntry(
            occurred_at=dispense.dispensed_at,
            type="dispense",
            id=str(dispense.public_id),
            title="Medication dispensed",
            summary=", ".join(f"{qty} x {label}" for label, qty in totals.items())[:200],
            actor=_name(dispense.dispensed_by),
            detail={"prescription": str(dispense.prescription.public_id)},
        )


def register_pharmacy_timeline_sources() -> None:
    register_timeline_source("prescriptions", prescription_entries, types={"prescription"})
    register_timeline_source("dispenses", dispense_entries, types={"dispense"})
