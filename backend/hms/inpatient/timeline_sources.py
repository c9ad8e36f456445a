"""Admissions, transfers (ICU admissions and step-downs included) and discharges on the patient
timeline (hms.clinical.timeline), in one query whatever their number."""

from collections.abc import Iterator

from django.db.models import Q

from hms.clinical.timeline import TimelineEntry, register_timeline_source
from hms.inpatient.models import BedStay, StayKind

TYPES = {"admission", "transfer", "discharge"}


def _name(user) -> str:
    return user.display_name if user is not None else ""


def _in(field: str, since, until) -> Q:
    condition = Q()
    if since is not None:
        condition &= Q(**{f"{field}__gte": since})
    if until is not None:
        condition &= Q(**{f"{field}__lt": until})
    return condition


def admission_entries(patient, user, since, until) -> Iterator[TimelineEntry]:
    stays = (
        BedStay.objects.filter(admission__patient=patient)
        .filter(_in("started_at", since, until) | _in("admission__discharged_at", since, until))
        .select_related(
            "ward",
            "bed",
            "moved_by",
            "admission",
            "admission__attending_doctor",
            "admission__discharged_by",
            "admission__discharge_summary",
        )
        .order_by("started_at", "id")
    )
    discharges_seen: set[int] = set()
    for stay in stays:
        admission = stay.admission
        where = f"{stay.ward.name}, bed {stay.bed.label}"
        is_first = stay.kind in (StayKind.ADMISSION, StayKind.ICU_ADMISSION) and (
            stay.started_at == admission.admitted_at
        )
        in_window = (since is None or stay.started_at >= since) and (
            until is None or stay.started_at < until
        )
        if in_window:
            yield TimelineEntry(
                occurred_at=stay.started_at,
                type="admission" if is_first else "transfer",
                id=str(admission.public_id) if is_first else str(stay.public_id),
                title=(
                    f"Admitted to {stay.ward.name}"
                    if is_first
                    else f"{stay.get_kind_display()}: {stay.ward.name}"
                ),
                summary=(admission.reason if is_first else stay.reason)[:200] or where,
                actor=_name(stay.moved_by),
                detail={
                    "admission": str(admission.public_id),
                    "ward": str(stay.ward.public_id),
                    "ward_type": stay.ward.type,
                    "bed": stay.bed.label,
                    "kind": stay.kind,
                    "attending_doctor": _name(admission.attending_doctor) if is_first else None,
                },
            )
        if (
            admission.discharged_at is not None
            and admission.pk not in discharges_seen
            and (since is None or admission.discharged_at >= since)
            and (until is None or admission.discharged_at < until)
        ):
            discharges_seen.add(admission.pk)
            summary = getattr(admission, "discharge_summary", None)
            yield TimelineEntry(
                occurred_at=admission.discharged_at,
                type="discharge",
                id=f"{admission.public_id}:discharge",
                title=f"Discharged ({admission.get_discharge_disposition_display().lower()})",
                summary=", ".join(f"{d['code']} {d['title']}" for d in summary.diagnoses)[:200]
                if summary is not None
                else "",
                actor=_name(admission.discharged_by),
                detail={
                    "admission": str(admission.public_id),
                    "disposition": admission.discharge_disposition,
                    "follow_up": summary.follow_up if summary is not None else "",
                },
            )


register_timeline_source("inpatient", admission_entries, types=TYPES)
