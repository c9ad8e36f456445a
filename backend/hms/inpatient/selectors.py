"""Reads for wards, beds, admissions, charts, the MAR and bed-days, each with its scope.

For billing (hms.billing reads these, never the tables):

    from hms.inpatient.selectors import admission_bed_days, bed_days_for_admissions

    days = admission_bed_days(admission)     # one admission, one query
    days.bed_days, days.icu_days, days.by_ward_type, days.stays
    bed_days_for_admissions(queryset)        # {admission pk: BedDays}, one query for all

Counting rule (the midnight census): a patient is charged a bed-day for each midnight (hospital
local time) they spend admitted, on the ward where they lie at that midnight; an admission that
spans no midnight (admitted and discharged the same day) counts one day, on the ward where it
spent the most time. ICU days are the bed-days spent on ICU wards (ward type `icu`); ICU hours
are the exact hours. An active admission is counted up to now (`ongoing=True`).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from hms.accounts.models import User
from hms.core.errors import NotFoundError
from hms.core.time_window import in_time_window
from hms.inpatient.mar import ScheduledDose, dose_times, item_end_date, schedule_build
from hms.inpatient.models import (
    ICU_WARD_TYPES,
    Admission,
    AdmissionStatus,
    Bed,
    BedStatus,
    BedStay,
    FluidEntry,
    GcsAssessment,
    MedicationAdministration,
    NurseWardAssignment,
    NursingNote,
    Observation,
    Room,
    Ward,
)
from hms.patients.access import (
    CARE_BOUND_ROLES,
    ChartSection,
    patient_get_for_user,
    patients_visible_to,
)

# --- Structure -------------------------------------------------------------------------------


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
            from hms.core.errors import ApplicationError

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


# --- Nurse ward assignments ------------------------------------------------------------------


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


# --- Admissions ------------------------------------------------------------------------------


def _admission_relations(queryset: QuerySet[Admission]) -> QuerySet[Admission]:
    return queryset.select_related(
        "patient", "attending_doctor", "ward", "bed", "bed__room", "encounter", "admitted_by"
    )


def admissions_visible_to(*, user: User) -> QuerySet[Admission]:
    """Patients see their own admissions; staff allowed to list admissions see those of the
    patients they may find (hms.patients.access.patients_visible_to)."""
    return _admission_relations(
        Admission.objects.filter(patient__in=patients_visible_to(user=user))
    )


def admission_list(*, user: User, filters: dict | None = None) -> QuerySet[Admission]:
    """Admissions this user may list. With `patient`, that patient's hospital stays are read
    from their chart (404 for another patient's id): for a doctor or nurse the stays, with
    their reasons for admission, are part of the clinical record, so a patient outside their
    care answers 403 `break_glass_required`; the front desk reads them as registration data.
    """
    filters = filters or {}
    queryset = admissions_visible_to(user=user)
    if patient_id := filters.get("patient"):
        section = (
            ChartSection.CLINICAL if user.role in CARE_BOUND_ROLES else ChartSection.DEMOGRAPHICS
        )
        patient = patient_get_for_user(user=user, patient_public_id=patient_id, section=section)
        queryset = queryset.filter(patient=patient)
    if ward_id := filters.get("ward"):
        queryset = queryset.filter(ward__public_id=ward_id)
    if doctor_id := filters.get("attending_doctor"):
        queryset = queryset.filter(attending_doctor__public_id=doctor_id)
    if status := filters.get("status"):
        queryset = queryset.filter(status=status)
    if filters.get("icu"):
        queryset = queryset.filter(ward__type__in=ICU_WARD_TYPES)
    if since := filters.get("since"):
        queryset = queryset.filter(admitted_at__gte=since)
    if until := filters.get("until"):
        queryset = queryset.filter(admitted_at__lt=until)
    return queryset.order_by("-admitted_at", "-id")


def admission_get_for_user(*, user: User, public_id) -> Admission:
    """Someone else's admission answers 404, like one that does not exist."""
    admission = admissions_visible_to(user=user).filter(public_id=public_id).first()
    if admission is None:
        raise NotFoundError("No admission with this id.", code="admission_not_found")
    return admission


def active_admission_of(*, patient) -> Admission | None:
    return _admission_relations(
        Admission.objects.filter(patient=patient, status=AdmissionStatus.ACTIVE)
    ).first()


def admission_detail(*, admission: Admission) -> Admission:
    """The admission with its stays (transfer history) and whether a summary exists."""
    return (
        _admission_relations(Admission.objects.filter(pk=admission.pk))
        .prefetch_related(
            Prefetch(
                "stays",
                queryset=BedStay.objects.select_related(
                    "bed", "bed__room", "ward", "moved_by"
                ).order_by("started_at", "id"),
            )
        )
        .select_related("discharge_summary", "discharged_by")
        .get()
    )


def icu_list() -> QuerySet[Admission]:
    """Patients in intensive care now, with their latest NEWS2 and GCS (annotations, so the
    list costs the same whatever its length)."""
    latest_observation = Observation.objects.filter(admission=OuterRef("pk")).order_by(
        "-measured_at", "-id"
    )
    latest_gcs = GcsAssessment.objects.filter(admission=OuterRef("pk")).order_by(
        "-assessed_at", "-id"
    )
    icu_since = (
        BedStay.objects.filter(admission=OuterRef("pk"), ward__type__in=ICU_WARD_TYPES)
        .order_by("-started_at")
        .values("started_at")[:1]
    )
    return (
        _admission_relations(
            Admission.objects.filter(status=AdmissionStatus.ACTIVE, ward__type__in=ICU_WARD_TYPES)
        )
        .annotate(
            latest_news2=Subquery(latest_observation.values("news2_score")[:1]),
            latest_news2_at=Subquery(latest_observation.values("measured_at")[:1]),
            latest_gcs=Subquery(latest_gcs.values("total")[:1]),
            latest_gcs_at=Subquery(latest_gcs.values("assessed_at")[:1]),
            in_icu_since=Subquery(icu_since),
        )
        .order_by("ward__name", "bed__label", "id")
    )


# --- Discharge summary ------------------------------------------------------------------------


def discharge_summary_of(*, admission: Admission):
    from hms.inpatient.models import DischargeSummary

    summary = (
        DischargeSummary.objects.select_related("written_by", "admission")
        .filter(admission=admission)
        .first()
    )
    if summary is None:
        raise NotFoundError(
            "No discharge summary has been written yet.", code="discharge_summary_not_found"
        )
    return summary


# --- Charts ----------------------------------------------------------------------------------

CHART_MAX_DAYS = 31
CHART_DEFAULT = timedelta(hours=72)


def observation_list(*, admission: Admission, since=None, until=None, include_voided=False):
    manager = Observation.all_objects if include_voided else Observation.objects
    return in_time_window(
        manager.filter(admission=admission).select_related("recorded_by", "voided_by"),
        "measured_at",
        since,
        until,
    ).order_by("-measured_at", "-id")


def fluid_list(*, admission: Admission, since=None, until=None, include_voided=False):
    manager = FluidEntry.all_objects if include_voided else FluidEntry.objects
    return in_time_window(
        manager.filter(admission=admission).select_related("recorded_by", "voided_by"),
        "recorded_at",
        since,
        until,
    ).order_by("-recorded_at", "-id")


def gcs_list(*, admission: Admission, since=None, until=None, include_voided=False):
    manager = GcsAssessment.all_objects if include_voided else GcsAssessment.objects
    return in_time_window(
        manager.filter(admission=admission).select_related("recorded_by", "voided_by"),
        "assessed_at",
        since,
        until,
    ).order_by("-assessed_at", "-id")


def nursing_note_list(*, admission: Admission, since=None, until=None, include_voided=False):
    manager = NursingNote.all_objects if include_voided else NursingNote.objects
    return in_time_window(
        manager.filter(admission=admission).select_related("author", "voided_by"),
        "written_at",
        since,
        until,
    ).order_by("-written_at", "-id")


def chart_entry_get(*, model, admission: Admission, public_id):
    entry = (
        model.all_objects.filter(admission=admission, public_id=public_id)
        .select_related("admission__patient")
        .first()
    )
    if entry is None:
        raise NotFoundError("No such entry on this admission's chart.", code="entry_not_found")
    return entry


@dataclass
class ChartSeries:
    since: datetime
    until: datetime
    observations: list[dict]
    fluids: list[dict]
    fluid_balance: list[dict]
    gcs: list[dict]


def admission_chart(*, admission: Admission, since: datetime, until: datetime) -> ChartSeries:
    """Series for plotting, oldest first (three queries: observations, fluids, GCS). Fluid
    balance is given per hospital-local day: intake, output, balance (in - out), and the
    cumulative balance over the window."""
    observations = [
        {
            "t": o.measured_at,
            "respiratory_rate": o.respiratory_rate,
            "spo2": o.spo2,
            "on_oxygen": o.on_oxygen,
            "systolic_bp": o.systolic_bp,
            "diastolic_bp": o.diastolic_bp,
            "pulse": o.pulse,
            "consciousness": o.consciousness,
            "temperature_c": o.temperature_c,
            "news2": o.news2_score,
            "news2_risk": o.news2_risk,
            "spo2_scale": o.spo2_scale,
        }
        for o in in_time_window(
            Observation.objects.filter(admission=admission), "measured_at", since, until
        ).order_by("measured_at", "id")
    ]
    fluids, per_day = [], defaultdict(lambda: {"in_ml": 0, "out_ml": 0})
    for entry in in_time_window(
        FluidEntry.objects.filter(admission=admission), "recorded_at", since, until
    ).order_by("recorded_at", "id"):
        fluids.append(
            {
                "t": entry.recorded_at,
                "direction": entry.direction,
                "kind": entry.kind,
                "volume_ml": entry.volume_ml,
            }
        )
        day = timezone.localtime(entry.recorded_at).date()
        per_day[day]["in_ml" if entry.direction == "in" else "out_ml"] += entry.volume_ml
    balance, cumulative = [], 0
    for day in sorted(per_day):
        totals = per_day[day]
        net = totals["in_ml"] - totals["out_ml"]
        cumulative += net
        balance.append({"date": day, **totals, "balance_ml": net, "cumulative_ml": cumulative})
    gcs = [
        {"t": g.assessed_at, "eye": g.eye, "verbal": g.verbal, "motor": g.motor, "total": g.total}
        for g in in_time_window(
            GcsAssessment.objects.filter(admission=admission), "assessed_at", since, until
        ).order_by("assessed_at", "id")
    ]
    return ChartSeries(
        since=since,
        until=until,
        observations=observations,
        fluids=fluids,
        fluid_balance=balance,
        gcs=gcs,
    )


# --- Medication administration record --------------------------------------------------------

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
    from hms.pharmacy.models import PrescriptionItem, PrescriptionStatus

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
    from hms.core.errors import ApplicationError
    from hms.pharmacy.models import PrescriptionItem

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


# --- Bed-days (read by billing) ------------------------------------------------------------


@dataclass(frozen=True)
class StayDays:
    ward_id: int
    ward_name: str
    ward_type: str
    bed_label: str
    started_at: datetime
    ended_at: datetime | None
    days: int
    hours: float


@dataclass(frozen=True)
class BedDays:
    admission_id: int
    bed_days: int
    icu_days: int
    icu_hours: float
    by_ward_type: dict[str, int]
    stays: tuple[StayDays, ...]
    ongoing: bool


def _midnights(start: datetime, end: datetime) -> int:
    """Local midnights in (start, end]."""
    return max(0, (_local_day(end) - _local_day(start)).days)


def _bed_days_from_stays(
    admission_id: int, stays: list, *, ongoing: bool, now: datetime
) -> BedDays:
    rows = []
    for stay in stays:
        end = stay.ended_at or now
        rows.append(
            StayDays(
                ward_id=stay.ward_id,
                ward_name=stay.ward.name,
                ward_type=stay.ward.type,
                bed_label=stay.bed.label,
                started_at=stay.started_at,
                ended_at=stay.ended_at,
                days=_midnights(stay.started_at, end),
                hours=round((end - stay.started_at).total_seconds() / 3600, 2),
            )
        )
    total = sum(row.days for row in rows)
    if rows and total == 0:
        # Same-day stay: one day, on the ward where the patient spent longest.
        longest = max(range(len(rows)), key=lambda i: rows[i].hours)
        rows[longest] = StayDays(**{**rows[longest].__dict__, "days": 1})
        total = 1
    by_type: dict[str, int] = defaultdict(int)
    for row in rows:
        by_type[row.ward_type] += row.days
    return BedDays(
        admission_id=admission_id,
        bed_days=total,
        icu_days=sum(by_type.get(t, 0) for t in ICU_WARD_TYPES),
        icu_hours=round(sum(r.hours for r in rows if r.ward_type in ICU_WARD_TYPES), 2),
        by_ward_type=dict(by_type),
        stays=tuple(rows),
        ongoing=ongoing,
    )


def bed_days_for_admissions(admissions) -> dict[int, BedDays]:
    """Bed-days of many admissions in one query: {admission pk: BedDays}."""
    admissions = list(admissions)
    now = timezone.now()
    stays = defaultdict(list)
    for stay in (
        BedStay.objects.filter(admission__in=[a.pk for a in admissions])
        .select_related("ward", "bed")
        .order_by("started_at", "id")
    ):
        stays[stay.admission_id].append(stay)
    return {
        a.pk: _bed_days_from_stays(
            a.pk, stays.get(a.pk, []), ongoing=a.status == AdmissionStatus.ACTIVE, now=now
        )
        for a in admissions
    }


def admission_bed_days(admission: Admission) -> BedDays:
    """Bed-days and ICU days of one admission (see the module docstring for the rule)."""
    return bed_days_for_admissions([admission])[admission.pk]


def room_find(*, public_id) -> Room | None:
    return Room.objects.filter(public_id=public_id).first()
