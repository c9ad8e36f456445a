"""The medication administration record: the scheduled doses of an admission with what was
recorded for each, and the overdue doses of the drug round."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from hms.core.errors import ApplicationError
from hms.inpatient.mar import ScheduledDose, dose_times, item_end_date, schedule_build
from hms.inpatient.models import Admission, AdmissionStatus, MedicationAdministration, Ward
from hms.pharmacy.models import PrescriptionItem, PrescriptionStatus

# A dose not recorded this long after its due time is overdue; the overdue list looks back
# this far (older gaps are for the chart review, not the drug round).
MAR_OVERDUE_AFTER = timedelta(minutes=60)
MAR_OVERDUE_LOOKBACK = timedelta(hours=24)
MAR_MAX_DAYS = 7


def _prescription_items(*, patient_ids, first_day: date, last_day: date) -> list:
    """Prescription items of these patients that may be taken between the two days: not
    cancelled, started by `last_day`, not finished before `first_day` (hms.pharmacy's "current"
    rule of `active_prescription_items_for_patient`, over a window and many patients). One
    query."""
    rows = (
        PrescriptionItem.objects.filter(
            prescription__patient_id__in=patient_ids, start_date__lte=last_day
        )
        .exclude(prescription__status=PrescriptionStatus.CANCELLED)
        .select_related("drug", "prescription", "prescription__prescriber")
        .order_by("start_date", "id")
    )
    items = []
    for item in rows:
        item.end_date = item_end_date(item)
        if item.end_date is None or item.end_date > first_day:
            items.append(item)
    return items


def _local_day(value: datetime) -> date:
    return timezone.localtime(value).date()


def admission_dose_times(*, admission: Admission, item, around: datetime) -> list[datetime]:
    """The due times of one item for this admission on the local day of `around` (used to
    check that a recorded dose names a real scheduled time)."""
    day = _local_day(around)
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return dose_times(
        item=item,
        window_start=start,
        window_end=start + timedelta(days=1, hours=1),
        admitted_at=admission.admitted_at,
        discharged_at=admission.discharged_at,
    )


@dataclass
class MarDose:
    item: object
    scheduled_at: datetime | None
    record: MedicationAdministration | None
    state: str  # given, held, refused, due, overdue, upcoming
    admission: Admission | None = None


@dataclass
class MarView:
    since: datetime
    until: datetime
    items: list
    doses: list[MarDose] = field(default_factory=list)
    prn: list[MedicationAdministration] = field(default_factory=list)


def _dose_state(scheduled_at: datetime, record, now: datetime) -> str:
    if record is not None:
        return record.status
    if scheduled_at + MAR_OVERDUE_AFTER <= now:
        return "overdue"
    if scheduled_at <= now:
        return "due"
    return "upcoming"


def admission_mar(*, admission: Admission, since: datetime, until: datetime) -> MarView:
    """The MAR for one admission over [since, until): every scheduled dose with what was
    recorded for it (or due / overdue / upcoming), and the as-needed doses given. Two queries."""
    now = timezone.now()
    items = _prescription_items(
        patient_ids=[admission.patient_id],
        first_day=_local_day(since),
        last_day=_local_day(until),
    )
    records = list(
        MedicationAdministration.objects.filter(
            admission=admission,
        )
        .filter(
            Q(scheduled_at__gte=since, scheduled_at__lt=until)
            | Q(scheduled_at__isnull=True, administered_at__gte=since, administered_at__lt=until)
        )
        .select_related("recorded_by", "prescription_item")
    )
    by_dose = {(r.prescription_item_id, r.scheduled_at): r for r in records if r.scheduled_at}
    doses = [
        MarDose(
            item=dose.item,
            scheduled_at=dose.scheduled_at,
            record=by_dose.get((dose.item.pk, dose.scheduled_at)),
            state=_dose_state(
                dose.scheduled_at, by_dose.get((dose.item.pk, dose.scheduled_at)), now
            ),
        )
        for dose in schedule_build(
            items=items,
            window_start=since,
            window_end=until,
            admitted_at=admission.admitted_at,
            discharged_at=admission.discharged_at,
        )
    ]
    items_by_pk = {item.pk: item for item in items}
    prn = []
    for record in records:
        if record.scheduled_at is None:
            record.prescription_item = items_by_pk.get(
                record.prescription_item_id, record.prescription_item
            )
            prn.append(record)
    prn.sort(key=lambda r: r.administered_at)
    return MarView(since=since, until=until, items=items, doses=doses, prn=prn)


def overdue_doses(*, ward: Ward | None = None, now: datetime | None = None) -> list[MarDose]:
    """Scheduled doses of patients on the ward (or every ward) due more than
    MAR_OVERDUE_AFTER ago, within the last MAR_OVERDUE_LOOKBACK, with nothing recorded.
    Three queries whatever the number of patients: admissions, items, records."""
    now = now or timezone.now()
    since, until = now - MAR_OVERDUE_LOOKBACK, now - MAR_OVERDUE_AFTER + timedelta(microseconds=1)
    admissions = Admission.objects.filter(status=AdmissionStatus.ACTIVE).select_related(
        "patient", "ward", "bed", "attending_doctor"
    )
    if ward is not None:
        admissions = admissions.filter(ward=ward)
    admissions = list(admissions.order_by("ward__name", "bed__label", "id"))
    if not admissions:
        return []
    items = _prescription_items(
        patient_ids=[a.patient_id for a in admissions],
        first_day=_local_day(since),
        last_day=_local_day(now),
    )
    recorded = set(
        MedicationAdministration.objects.filter(
            admission__in=[a.pk for a in admissions],
            scheduled_at__gte=since,
            scheduled_at__lt=until,
        ).values_list("prescription_item_id", "scheduled_at")
    )
    items_by_patient = defaultdict(list)
    for item in items:
        items_by_patient[item.prescription.patient_id].append(item)
    overdue = []
    for admission in admissions:
        dose: ScheduledDose
        for dose in schedule_build(
            items=items_by_patient.get(admission.patient_id, []),
            window_start=since,
            window_end=until,
            admitted_at=admission.admitted_at,
        ):
            if (dose.item.pk, dose.scheduled_at) not in recorded:
                overdue.append(
                    MarDose(
                        item=dose.item,
                        scheduled_at=dose.scheduled_at,
                        record=None,
                        state="overdue",
                        admission=admission,
                    )
                )
    overdue.sort(key=lambda d: (d.admission.ward.name, d.scheduled_at, d.admission.bed.label))
    return overdue


def prescription_item_for_admission(*, admission: Admission, public_id):
    item = (
        PrescriptionItem.objects.select_related("drug", "prescription")
        .filter(public_id=public_id, prescription__patient_id=admission.patient_id)
        .first()
    )
    if item is None:
        raise ApplicationError(
            "No such prescription item for this patient.",
            code="validation_error",
            fields={"prescription_item": ["Not one of this patient's prescription items."]},
        )
    return item
