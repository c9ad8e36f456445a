"""The management and doctor dashboards: report-shaped results (`ReportResult`) whose figures
are the KPI cards and whose sections are the charts with their tables.

The management dashboard is composed from the registered reports (`report_get` by slug), so a
family that is not installed is simply left out: admissions and occupancy (inpatient),
appointments by status (outpatient), the median lab turnaround (`diagnostic-turnaround`) and
revenue by department (`finance-revenue`, its section whose id names a department).

The doctor's dashboard shows the signed-in doctor's own work: the patients in their care (whose
charts they may open, `hms.patients.access.patients_in_care_of`), the results sent to them that
they have not read yet, and their own and their department's no-show rates.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from django.db.models import Count, F, Max, Q
from django.utils import timezone

from hms.core.models import Notification
from hms.inpatient.models import Bed, BedStay
from hms.patients.access import patients_in_care_of
from hms.reporting.measures import percent
from hms.reporting.registry import (
    Chart,
    Column,
    Figure,
    ReportFilters,
    ReportResult,
    Section,
    Series,
    report_get,
)
from hms.reporting.reports.outpatient import outpatient_totals

MANAGEMENT = "management-dashboard"
DOCTOR = "doctor-dashboard"
DASHBOARDS = {
    MANAGEMENT: (
        "Management dashboard",
        "Beds, admissions, outpatient visits and, where installed, laboratory turnaround and "
        "revenue, for the chosen days.",
    ),
    DOCTOR: (
        "My dashboard",
        "Your patients, the results waiting for you, and your clinic's no-show rates.",
    ),
}
DASHBOARD_FILTERS = ("date_from", "date_to")
RECENT_PATIENTS = 10
RESULTS_SHOWN = 10
# Notifications that bring a doctor a result to review (hms.laboratory, hms.radiology).
RESULT_KINDS = {
    "lab_result_verified": "Laboratory",
    "lab_result_amended": "Laboratory (amended)",
    "lab_critical_result": "Laboratory (critical)",
    "radiology_report_final": "Imaging",
}


def _dated_only(filters: ReportFilters) -> ReportFilters:
    return replace(filters, ward=None, department=None, doctor=None, payer=None)


def _compute(slug: str, filters: ReportFilters, user) -> ReportResult | None:
    report = report_get(slug)
    return report.compute(filters, user) if report is not None else None


# The reports the dashboard takes a figure or a chart from, when they are installed.
TURNAROUND_SLUG = "diagnostic-turnaround"
REVENUE_SLUG = "finance-revenue"


def _figure(result: ReportResult | None, key_part: str) -> Figure | None:
    """The result's figure keyed `key_part`, else the first whose key contains it (a
    laboratory one first, for a report that gives laboratory and imaging figures)."""
    if result is None:
        return None
    exact = [f for f in result.figures if f.key == key_part]
    containing = [f for f in result.figures if key_part in f.key]
    lab = [f for f in containing if "lab" in f.key]
    return next(iter(exact + lab + containing), None)


def _section(result: ReportResult | None, id_part: str) -> Section | None:
    if result is None:
        return None
    return next((s for s in result.sections if id_part in s.id), None)


def beds_occupied_now() -> tuple[int, int]:
    """(beds occupied now, active beds on active wards): two counts."""
    beds = Bed.objects.filter(active=True, ward__active=True).count()
    occupied = BedStay.objects.filter(
        ended_at__isnull=True, bed__active=True, ward__active=True
    ).count()
    return occupied, beds


def management_dashboard(user, filters: ReportFilters) -> ReportResult:
    filters = _dated_only(filters)
    movements = _compute("inpatient-movements", filters, user)
    occupancy = _compute("bed-occupancy", filters, user)
    appointments = _compute("outpatient-appointments", filters, user)
    turnaround = _compute(TURNAROUND_SLUG, filters, user)
    revenue = _compute(REVENUE_SLUG, filters, user)
    parts = [r for r in (movements, occupancy, appointments, turnaround, revenue) if r]

    occupied, beds = beds_occupied_now()
    figures = [Figure("beds_occupied_now", "Beds occupied now", percent(occupied, beds), "%")]
    for result, key, label in (
        (movements, "admissions", "Admissions"),
        (appointments, "completed", "Outpatient visits completed"),
        (appointments, "no_show_rate", "No-show rate"),
        (turnaround, "median", "Median lab turnaround"),
    ):
        figure = _figure(result, key)
        if figure is not None:
            figures.append(
                Figure(
                    key if key != "median" else "lab_turnaround_median",
                    label,
                    figure.value,
                    figure.unit,
                )
            )

    sections = []
    for result, section_id, title in (
        (movements, "per_day", "Admissions and discharges per day"),
        (occupancy, "by_ward", "Bed occupancy by ward"),
        (appointments, "by_department", "Appointments by status per department"),
        (revenue, "department", "Revenue by department"),
    ):
        section = _section(result, section_id)
        if section is not None:
            sections.append(replace(section, title=title))
    return ReportResult(
        slug=MANAGEMENT,
        title=DASHBOARDS[MANAGEMENT][0],
        filters=filters,
        as_of=min((r.as_of for r in parts), default=timezone.now()),
        figures=figures,
        sections=sections,
    )


def _department_of(doctor) -> str | None:
    profile = getattr(doctor, "doctor_profile", None)
    return (profile.department or None) if profile is not None else None


def doctor_dashboard(user, filters: ReportFilters) -> ReportResult:
    """The signed-in doctor's own dashboard (`user` must be a doctor)."""
    filters = _dated_only(filters)
    now = timezone.now()
    patients = (
        patients_in_care_of(user=user)
        .annotate(
            last_visit=Max(
                "appointments__start_at",
                filter=Q(appointments__doctor=user, appointments__start_at__lte=now),
            )
        )
        .order_by(F("last_visit").desc(nulls_last=True), "-id")
    )
    patient_count = patients.count()
    recent = list(patients[:RECENT_PATIENTS])

    waiting = Notification.objects.filter(recipient=user, kind__in=list(RESULT_KINDS)).filter(
        Q(read_at__isnull=True) | Q(severity="critical", acknowledged_at__isnull=True)
    )
    counts = waiting.aggregate(
        total=Count("id"), critical=Count("id", filter=Q(severity="critical"))
    )
    results = list(waiting.order_by("-created_at", "-id")[:RESULTS_SHOWN])

    own = outpatient_totals(replace(filters, doctor=user))
    department = _department_of(user)
    clinic = outpatient_totals(replace(filters, department=department)) if department else None
    rates = [{"who": "You", **_rate_row(own)}]
    if clinic is not None:
        rates.append({"who": f"{department} (all doctors)", **_rate_row(clinic)})

    return ReportResult(
        slug=DOCTOR,
        title=DASHBOARDS[DOCTOR][0],
        filters=filters,
        as_of=now,
        figures=[
            Figure("patients", "My patients", patient_count),
            Figure("results_waiting", "Results to review", counts["total"]),
            Figure(
                "critical_results_waiting", "Critical results to acknowledge", counts["critical"]
            ),
            Figure("visits_completed", "Visits completed", own["completed"]),
            Figure("no_show_rate", "My no-show rate", own["no_show_rate"], "%"),
            Figure(
                "department_no_show_rate",
                "Department no-show rate",
                clinic["no_show_rate"] if clinic else None,
                "%",
            ),
        ],
        sections=[
            Section(
                id="my_patients",
                title="My patients",
                note=f"The {RECENT_PATIENTS} most recently seen of the {patient_count} patients in "
                "your care.",
                columns=(
                    Column("patient", "Patient", "text"),
                    Column("mrn", "MRN", "text"),
                    Column("last_visit", "Last visit with you", "date"),
                ),
                rows=[
                    {
                        "patient": patient.display_name,
                        "mrn": patient.mrn,
                        "last_visit": _local_date(patient.last_visit),
                        # Not a column: lets a client link the row to the chart.
                        "patient_id": patient.public_id,
                    }
                    for patient in recent
                ],
            ),
            Section(
                id="results_waiting",
                title="Results to review",
                note=f"The {RESULTS_SHOWN} newest unread results sent to you (critical ones "
                "until acknowledged).",
                columns=(
                    Column("received", "Received", "date"),
                    Column("kind", "Kind", "text"),
                    Column("title", "Result", "text"),
                ),
                rows=[
                    {
                        "received": _local_date(n.created_at),
                        "kind": RESULT_KINDS.get(n.kind, n.kind),
                        "title": n.title,
                        # Not a column: lets a client open the result through its notification.
                        "notification_id": n.public_id,
                    }
                    for n in results
                ],
            ),
            Section(
                id="no_show",
                title="No-show rate",
                note="No-shows over the appointments not cancelled.",
                columns=(
                    Column("who", "Clinic", "text"),
                    Column("appointments", "Booked"),
                    Column("no_show", "No-show"),
                    Column("no_show_rate", "No-show rate", "percent", "%"),
                ),
                rows=rates,
                chart=Chart(
                    kind="bar",
                    title="No-show rate",
                    x="who",
                    series=(Series("no_show_rate", "No-show rate"),),
                    y_label="No-shows (%)",
                ),
            ),
        ],
    )


def _rate_row(totals: dict) -> dict:
    return {
        "appointments": totals["appointments"],
        "no_show": totals["no_show"],
        "no_show_rate": totals["no_show_rate"],
    }


def _local_date(moment: datetime | None):
    return timezone.localdate(moment) if moment is not None else None
