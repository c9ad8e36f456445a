"""Outpatient reports: appointments by status per doctor and department, waiting times from
check-in to the start of the visit, teleconsults.

Every number comes from one per-doctor, per-day grouping of the appointments by their date
(`_live`), which the summary `outpatient_daily` stores as `OutpatientDailyFact` rows and, for
waiting times, as a histogram of whole minutes (`OutpatientWaitFact`). A report reads the
fact rows for the days the summary serves and computes the rest live with the same grouping.

Counting rules:
- an appointment counts on its date, for its doctor; a doctor's department is the one on
  their doctor profile now;
- "booked" is every appointment dated in the range, whatever became of it; completed,
  cancelled and no-show are the statuses they have (when the day was summarised);
- the no-show rate is no-shows over the appointments not cancelled (the patients expected);
- a wait is from check-in to the start of the visit, rounded down to the minute (waits of
  WAIT_CAP_MINUTES or more are counted as WAIT_CAP_MINUTES); the median and 90th percentile
  use the nearest-rank rule (hms.reporting.histograms);
- a teleconsult is an appointment booked as one (`visit_type`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Count, Min, Q, Sum

from hms.accounts.models import User
from hms.appointments.models import Appointment, AppointmentStatus, VisitType
from hms.reporting.histograms import histogram_add, percentile
from hms.reporting.measures import percent
from hms.reporting.models import OutpatientDailyFact, OutpatientWaitFact
from hms.reporting.periods import days_between
from hms.reporting.registry import (
    Chart,
    Column,
    Figure,
    ReportFilters,
    ReportResult,
    Section,
    Series,
    report,
)
from hms.reporting.summaries import plan, summary

SUMMARY = "outpatient_daily"
MEASURES = (
    "appointments",
    "completed",
    "cancelled",
    "no_show",
    "teleconsults",
    "teleconsults_completed",
)
WAIT_CAP_MINUTES = 600
NO_DEPARTMENT = "No department"

Key = tuple[date, int]  # (day, doctor id)


def _zero() -> dict[str, int]:
    return dict.fromkeys(MEASURES, 0)


def _scoped(queryset, *, doctor=None, department=None, field="doctor"):
    if doctor is not None:
        queryset = queryset.filter(**{field: doctor})
    if department is not None:
        queryset = queryset.filter(**{f"{field}__doctor_profile__department": department})
    return queryset


def _wait_minutes(checked_in_at, started_at) -> int:
    minutes = int((started_at - checked_in_at).total_seconds() // 60)
    return max(0, min(minutes, WAIT_CAP_MINUTES))


def _live(date_from: date, date_to: date, *, doctor=None, department=None):
    """({(day, doctor id): measures}, {(day, doctor id): Counter(minutes -> visits)}) from the
    live appointments. Two queries; waits are bucketed in Python from (doctor, day, check-in,
    start) tuples (the live part is normally today and the few days not yet summarised)."""
    appointments = _scoped(
        Appointment.objects.filter(date__range=(date_from, date_to)),
        doctor=doctor,
        department=department,
    )
    counts: dict[Key, dict] = defaultdict(_zero)
    grouped = (
        appointments.values("date", "doctor_id")
        .annotate(
            appointments=Count("id"),
            completed=Count("id", filter=Q(status=AppointmentStatus.COMPLETED)),
            cancelled=Count("id", filter=Q(status=AppointmentStatus.CANCELLED)),
            no_show=Count("id", filter=Q(status=AppointmentStatus.NO_SHOW)),
            teleconsults=Count("id", filter=Q(visit_type=VisitType.TELECONSULT)),
            teleconsults_completed=Count(
                "id",
                filter=Q(visit_type=VisitType.TELECONSULT, status=AppointmentStatus.COMPLETED),
            ),
        )
        .order_by()
    )
    for row in grouped:
        counts[(row["date"], row["doctor_id"])].update({m: row[m] for m in MEASURES})
    waits: dict[Key, Counter] = defaultdict(Counter)
    waited = appointments.filter(checked_in_at__isnull=False, started_at__isnull=False)
    for day, doctor_id, checked_in_at, started_at in waited.values_list(
        "date", "doctor_id", "checked_in_at", "started_at"
    ).order_by():
        waits[(day, doctor_id)][_wait_minutes(checked_in_at, started_at)] += 1
    return counts, waits


def _first_day() -> date | None:
    return Appointment.objects.aggregate(first=Min("date"))["first"]


@summary(SUMMARY, first_day=_first_day)
def build_outpatient_daily(day: date) -> None:
    OutpatientDailyFact.objects.filter(day=day).delete()
    OutpatientWaitFact.objects.filter(day=day).delete()
    counts, waits = _live(day, day)
    OutpatientDailyFact.objects.bulk_create(
        [
            OutpatientDailyFact(day=fact_day, doctor_id=doctor_id, **measures)
            for (fact_day, doctor_id), measures in sorted(counts.items())
        ]
    )
    OutpatientWaitFact.objects.bulk_create(
        [
            OutpatientWaitFact(day=fact_day, doctor_id=doctor_id, minutes=minutes, visits=n)
            for (fact_day, doctor_id), histogram in sorted(waits.items())
            for minutes, n in sorted(histogram.items())
        ]
    )


def outpatient_measures(filters: ReportFilters, *, by: str):
    """({key: measures}, {key: Counter(minutes -> visits)}, as_of) over the filters' range,
    keyed by day (`by="day"`) or doctor id (`by="doctor"`)."""
    steps = plan(SUMMARY, filters.date_from, filters.date_to)
    totals: dict = defaultdict(_zero)
    histograms: dict = defaultdict(Counter)
    field = "day" if by == "day" else "doctor_id"
    scope = {"doctor": filters.doctor, "department": filters.department}
    if steps.summary is not None:
        facts = _scoped(OutpatientDailyFact.objects.filter(day__range=steps.summary), **scope)
        for row in facts.values(field).annotate(**{m: Sum(m) for m in MEASURES}).order_by():
            target = totals[row[field]]
            for measure in MEASURES:
                target[measure] += row[measure]
        buckets = _scoped(OutpatientWaitFact.objects.filter(day__range=steps.summary), **scope)
        for row in buckets.values(field, "minutes").annotate(n=Sum("visits")).order_by():
            histograms[row[field]][row["minutes"]] += row["n"]
    if steps.live is not None:
        counts, waits = _live(*steps.live, **scope)
        for (day, doctor_id), measures in counts.items():
            target = totals[day if by == "day" else doctor_id]
            for measure in MEASURES:
                target[measure] += measures[measure]
        for (day, doctor_id), histogram in waits.items():
            histogram_add(histograms[day if by == "day" else doctor_id], histogram.items())
    return totals, histograms, steps.as_of


def _doctors(ids) -> list[User]:
    return list(
        User.objects.filter(id__in=list(ids))
        .select_related("doctor_profile")
        .order_by("last_name", "first_name", "id")
    )


def _department(doctor: User) -> str:
    profile = getattr(doctor, "doctor_profile", None)
    return (profile.department if profile is not None else "") or NO_DEPARTMENT


def _no_show_rate(measures: dict) -> Decimal | None:
    return percent(measures["no_show"], measures["appointments"] - measures["cancelled"])


def _add(total: dict, measures: dict) -> dict:
    for measure in MEASURES:
        total[measure] += measures[measure]
    return total


DOCTOR = Column("doctor", "Doctor", "text")
DEPARTMENT = Column("department", "Department", "text")
STATUS_COLUMNS = (
    Column("appointments", "Booked"),
    Column("completed", "Completed"),
    Column("cancelled", "Cancelled"),
    Column("no_show", "No-show"),
    Column("no_show_rate", "No-show rate", "percent", "%"),
)
STATUS_SERIES = (
    Series("completed", "Completed"),
    Series("cancelled", "Cancelled"),
    Series("no_show", "No-show"),
)


def _status_row(measures: dict) -> dict:
    return {**{m: measures[m] for m in MEASURES}, "no_show_rate": _no_show_rate(measures)}


def outpatient_by_doctor_and_department(filters: ReportFilters):
    """(rows per doctor, rows per department, totals, histograms per doctor and department,
    as_of): the grouping the appointment and waiting-time reports share."""
    totals, histograms, as_of = outpatient_measures(filters, by="doctor")
    doctors = _doctors(set(totals) | set(histograms))
    departments: dict[str, dict] = defaultdict(_zero)
    department_waits: dict[str, Counter] = defaultdict(Counter)
    overall, overall_waits = _zero(), Counter()
    for doctor in doctors:
        department = _department(doctor)
        _add(departments[department], totals[doctor.id])
        _add(overall, totals[doctor.id])
        histogram_add(department_waits[department], histograms[doctor.id].items())
        histogram_add(overall_waits, histograms[doctor.id].items())
    return doctors, totals, histograms, departments, department_waits, overall, overall_waits, as_of


@report(
    slug="outpatient-appointments",
    title="Appointments by status",
    family="outpatient",
    description="Appointments booked, completed, cancelled and missed (no-show), per doctor, "
    "per department and per day.",
    filters=("date_from", "date_to", "department", "doctor"),
)
def outpatient_appointments(filters: ReportFilters, user) -> ReportResult:
    doctors, totals, _, departments, _, overall, _, as_of = outpatient_by_doctor_and_department(
        filters
    )
    per_day, _, _ = outpatient_measures(filters, by="day")
    return ReportResult(
        slug="outpatient-appointments",
        title="Appointments by status",
        filters=filters,
        as_of=as_of,
        figures=[
            Figure("appointments", "Booked", overall["appointments"]),
            Figure("completed", "Completed", overall["completed"]),
            Figure("cancelled", "Cancelled", overall["cancelled"]),
            Figure("no_show", "No-show", overall["no_show"]),
            Figure("no_show_rate", "No-show rate", _no_show_rate(overall), "%"),
        ],
        sections=[
            Section(
                id="by_department",
                title="By department",
                note="The no-show rate is no-shows over the appointments not cancelled.",
                columns=(DEPARTMENT, *STATUS_COLUMNS),
                rows=[
                    {"department": name, **_status_row(departments[name])}
                    for name in sorted(departments)
                ],
                chart=Chart(
                    kind="stacked_bar",
                    title="Appointments by status per department",
                    x="department",
                    series=STATUS_SERIES,
                    y_label="Appointments",
                ),
            ),
            Section(
                id="by_doctor",
                title="By doctor",
                columns=(DOCTOR, DEPARTMENT, *STATUS_COLUMNS),
                rows=[
                    {
                        "doctor": doctor.get_full_name(),
                        "department": _department(doctor),
                        **_status_row(totals[doctor.id]),
                    }
                    for doctor in doctors
                ],
                chart=Chart(
                    kind="stacked_bar",
                    title="Appointments by status per doctor",
                    x="doctor",
                    series=STATUS_SERIES,
                    y_label="Appointments",
                ),
            ),
            Section(
                id="per_day",
                title="Per day",
                columns=(Column("day", "Day", "date"), *STATUS_COLUMNS),
                rows=[
                    {"day": day, **_status_row(per_day.get(day, _zero()))}
                    for day in days_between(filters.date_from, filters.date_to)
                ],
                chart=Chart(
                    kind="line",
                    title="Appointments per day",
                    x="day",
                    series=(Series("appointments", "Booked"), *STATUS_SERIES),
                    y_label="Appointments per day",
                ),
            ),
        ],
    )


def _wait_row(histogram: Counter) -> dict:
    return {
        "seen": sum(histogram.values()),
        "median": percentile(histogram, 50),
        "p90": percentile(histogram, 90),
    }


WAIT_COLUMNS = (
    Column("seen", "Visits with a recorded wait"),
    Column("median", "Median wait", "minutes", "minutes"),
    Column("p90", "90th percentile", "minutes", "minutes"),
)
WAIT_SERIES = (Series("median", "Median"), Series("p90", "90th percentile"))


@report(
    slug="outpatient-waiting-times",
    title="Waiting times",
    family="outpatient",
    description="Minutes from check-in to the start of the visit: median and 90th percentile, "
    "per department, per doctor and per day.",
    filters=("date_from", "date_to", "department", "doctor"),
)
def outpatient_waiting_times(filters: ReportFilters, user) -> ReportResult:
    doctors, _, histograms, _, department_waits, _, overall, as_of = (
        outpatient_by_doctor_and_department(filters)
    )
    _, per_day, _ = outpatient_measures(filters, by="day")
    overall_row = _wait_row(overall)
    note = (
        "Waits are whole minutes (rounded down; "
        f"{WAIT_CAP_MINUTES} or more count as {WAIT_CAP_MINUTES}); percentiles by nearest rank."
    )
    return ReportResult(
        slug="outpatient-waiting-times",
        title="Waiting times",
        filters=filters,
        as_of=as_of,
        figures=[
            Figure("seen", "Visits with a recorded wait", overall_row["seen"]),
            Figure("median", "Median wait", _minutes(overall_row["median"]), "minutes"),
            Figure("p90", "90th percentile wait", _minutes(overall_row["p90"]), "minutes"),
        ],
        sections=[
            Section(
                id="by_department",
                title="By department",
                note=note,
                columns=(DEPARTMENT, *WAIT_COLUMNS),
                rows=[
                    {"department": name, **_wait_row(department_waits[name])}
                    for name in sorted(department_waits)
                    if department_waits[name]
                ],
                chart=Chart(
                    kind="bar",
                    title="Waiting time per department",
                    x="department",
                    series=WAIT_SERIES,
                    y_label="Wait (minutes)",
                ),
            ),
            Section(
                id="by_doctor",
                title="By doctor",
                columns=(DOCTOR, DEPARTMENT, *WAIT_COLUMNS),
                rows=[
                    {
                        "doctor": doctor.get_full_name(),
                        "department": _department(doctor),
                        **_wait_row(histograms[doctor.id]),
                    }
                    for doctor in doctors
                    if histograms[doctor.id]
                ],
            ),
            Section(
                id="per_day",
                title="Per day",
                columns=(Column("day", "Day", "date"), *WAIT_COLUMNS),
                rows=[
                    {"day": day, **_wait_row(per_day.get(day, Counter()))}
                    for day in days_between(filters.date_from, filters.date_to)
                ],
                chart=Chart(
                    kind="line",
                    title="Waiting time per day",
                    x="day",
                    series=WAIT_SERIES,
                    y_label="Wait (minutes)",
                ),
            ),
        ],
    )


def _minutes(value: int | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


@report(
    slug="teleconsults",
    title="Teleconsults",
    family="outpatient",
    description="Appointments booked and completed as teleconsults, and their share of the "
    "completed visits, per day and per doctor.",
    filters=("date_from", "date_to", "department", "doctor"),
)
def teleconsults(filters: ReportFilters, user) -> ReportResult:
    per_doctor, _, as_of = outpatient_measures(filters, by="doctor")
    per_day, _, _ = outpatient_measures(filters, by="day")
    overall = _zero()
    for measures in per_doctor.values():
        _add(overall, measures)
    doctors = _doctors(doctor_id for doctor_id, m in per_doctor.items() if m["teleconsults"])

    def row(measures: dict) -> dict:
        return {
            "teleconsults": measures["teleconsults"],
            "teleconsults_completed": measures["teleconsults_completed"],
            "in_person_completed": measures["completed"] - measures["teleconsults_completed"],
            "share": percent(measures["teleconsults_completed"], measures["completed"]),
        }

    columns = (
        Column("teleconsults", "Teleconsults booked"),
        Column("teleconsults_completed", "Teleconsults completed"),
        Column("in_person_completed", "In-person visits completed"),
        Column("share", "Teleconsult share of completed visits", "percent", "%"),
    )
    return ReportResult(
        slug="teleconsults",
        title="Teleconsults",
        filters=filters,
        as_of=as_of,
        figures=[
            Figure("teleconsults", "Teleconsults booked", overall["teleconsults"]),
            Figure(
                "teleconsults_completed",
                "Teleconsults completed",
                overall["teleconsults_completed"],
            ),
            Figure("share", "Share of completed visits", row(overall)["share"], "%"),
        ],
        sections=[
            Section(
                id="per_day",
                title="Per day",
                columns=(Column("day", "Day", "date"), *columns),
                rows=[
                    {"day": day, **row(per_day.get(day, _zero()))}
                    for day in days_between(filters.date_from, filters.date_to)
                ],
                chart=Chart(
                    kind="stacked_bar",
                    title="Completed visits per day",
                    x="day",
                    series=(
                        Series("in_person_completed", "In person"),
                        Series("teleconsults_completed", "Teleconsult"),
                    ),
                    y_label="Visits per day",
                ),
            ),
            Section(
                id="by_doctor",
                title="By doctor",
                columns=(DOCTOR, *columns),
                rows=[
                    {"doctor": doctor.get_full_name(), **row(per_doctor[doctor.id])}
                    for doctor in doctors
                ],
            ),
        ],
    )


def outpatient_totals(filters: ReportFilters) -> dict:
    """Totals over the filters' range (for the dashboards)."""
    totals, _, _ = outpatient_measures(filters, by="day")
    overall = _zero()
    for measures in totals.values():
        _add(overall, measures)
    return {**overall, "no_show_rate": _no_show_rate(overall)}
