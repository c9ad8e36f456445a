"""Laboratory and radiology: volumes, turnaround times and critical results.

Each report adds up daily facts: per local day and test (laboratory) or modality (radiology),
how many orders were placed, how many were completed and how long each completed one took
(a histogram of whole minutes, `hms.reporting.durations`). Facts of a day are computed from the
live rows by the same functions whether they are stored as summaries or computed for the
request, so both paths give the same numbers.

- An order counts as placed on the day it was ordered (cancelled later or not).
- Turnaround runs from the order to the verified result (laboratory) or to the final report
  (radiology), and counts on the day the order was completed.
- A critical result is the critical alert sent to the ordering doctor (one per critical lab
  value, one per final imaging report marked critical); its time to acknowledgement runs from
  the alert to the first acknowledgement, counted on the day of the acknowledgement.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.timezone import localdate

from hms.core.models import Notification, NotificationSeverity
from hms.laboratory.models import LabOrder, LabOrderStatus, LabTest
from hms.radiology.models import ImagingOrder, Modality, OrderStatus
from hms.reporting.durations import (
    histogram_merge,
    histogram_percentile,
    minutes_between,
    whole_minutes,
)
from hms.reporting.facts import DayFacts, FactTable, daily_fact_summary, facts_for_range
from hms.reporting.models import CriticalResultDailyFact, LabDailyFact, RadiologyDailyFact
from hms.reporting.periods import day_bounds, local_day
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

LAB_CRITICAL_KIND = "lab_critical_result"
RADIOLOGY_REPORT_KIND = "radiology_report_final"
SOURCE_LABELS = {"lab": "Laboratory critical values", "radiology": "Critical imaging findings"}

# --- Daily facts ---------------------------------------------------------------------------


def lab_day_facts(date_from: date, date_to: date) -> DayFacts:
    """{(day, test_id): {"ordered", "completed", "minutes"}} from the live rows."""
    start, end = day_bounds(date_from, date_to)
    facts = DayFacts(counts=("ordered", "completed"))
    placed = (
        LabOrder.objects.filter(ordered_at__gte=start, ordered_at__lt=end)
        .annotate(day=local_day("ordered_at"))
        .values("day", "test_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in placed:
        facts.add((row["day"], row["test_id"]), ordered=row["n"])
    verified = LabOrder.objects.filter(
        status=LabOrderStatus.VERIFIED, verified_at__gte=start, verified_at__lt=end
    ).values_list("verified_at", "test_id", "turnaround")
    for verified_at, test_id, turnaround in verified.order_by().iterator():
        facts.add((localdate(verified_at), test_id), completed=1, minutes=whole_minutes(turnaround))
    return facts


def radiology_day_facts(date_from: date, date_to: date) -> DayFacts:
    """{(day, modality): {"ordered", "completed", "minutes"}} from the live rows."""
    start, end = day_bounds(date_from, date_to)
    facts = DayFacts(counts=("ordered", "completed"))
    placed = (
        ImagingOrder.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(day=local_day("created_at"))
        .values("day", "modality")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in placed:
        facts.add((row["day"], row["modality"]), ordered=row["n"])
    reported = ImagingOrder.objects.filter(
        status=OrderStatus.REPORTED, reported_at__gte=start, reported_at__lt=end
    ).values_list("reported_at", "modality", "created_at")
    for reported_at, modality, created_at in reported.order_by().iterator():
        facts.add(
            (localdate(reported_at), modality),
            completed=1,
            minutes=minutes_between(created_at, reported_at),
        )
    return facts


def _critical_alerts():
    """The original critical alerts of results (escalated copies are the same alert)."""
    return Notification.objects.filter(
        Q(kind=LAB_CRITICAL_KIND)
        | Q(kind=RADIOLOGY_REPORT_KIND, severity=NotificationSeverity.CRITICAL),
        escalation_of__isnull=True,
    )


def _source(kind: str) -> str:
    return "lab" if kind == LAB_CRITICAL_KIND else "radiology"


def critical_day_facts(date_from: date, date_to: date) -> DayFacts:
    """{(day, source): {"raised", "acknowledged", "minutes"}}; source is lab or radiology."""
    start, end = day_bounds(date_from, date_to)
    facts = DayFacts(counts=("raised", "acknowledged"))
    raised = (
        _critical_alerts()
        .filter(created_at__gte=start, created_at__lt=end)
        .annotate(day=local_day("created_at"))
        .values("day", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in raised:
        facts.add((row["day"], _source(row["kind"])), raised=row["n"])
    acknowledged = (
        _critical_alerts()
        .filter(acknowledged_at__gte=start, acknowledged_at__lt=end)
        .values_list("acknowledged_at", "kind", "created_at")
    )
    for acknowledged_at, kind, created_at in acknowledged.order_by().iterator():
        facts.add(
            (localdate(acknowledged_at), _source(kind)),
            acknowledged=1,
            minutes=minutes_between(created_at, acknowledged_at),
        )
    return facts


def _first_day(queryset, field: str) -> date | None:
    first = queryset.aggregate(first=Min(field))["first"]
    return localdate(first) if first is not None else None


daily_fact_summary(
    "diagnostics_lab",
    table=FactTable(LabDailyFact, ("test_id",), ("ordered", "completed"), minutes=True),
    live=lab_day_facts,
    first_day=lambda: _first_day(LabOrder.objects.all(), "ordered_at"),
)
daily_fact_summary(
    "diagnostics_radiology",
    table=FactTable(RadiologyDailyFact, ("modality",), ("ordered", "completed"), minutes=True),
    live=radiology_day_facts,
    first_day=lambda: _first_day(ImagingOrder.objects.all(), "created_at"),
)
daily_fact_summary(
    "diagnostics_critical",
    table=FactTable(CriticalResultDailyFact, ("source",), ("raised", "acknowledged"), minutes=True),
    live=critical_day_facts,
    first_day=lambda: _first_day(_critical_alerts(), "created_at"),
)

# --- Reports -------------------------------------------------------------------------------

MEDIAN_P90_NOTE = (
    "Median and 90th percentile in minutes, from the order to the verified result "
    "(laboratory) or to the final report (radiology), of the orders completed in the period, "
    "in whole minutes; percentiles by nearest rank."
)


def _modality_label(modality: str) -> str:
    return dict(Modality.choices).get(modality, modality)


def _lab_tests(test_ids) -> dict[int, LabTest]:
    return {t.pk: t for t in LabTest.objects.filter(pk__in=set(test_ids))}


def _percentiles(histogram) -> tuple:
    return histogram_percentile(histogram, 0.5), histogram_percentile(histogram, 0.9)


@report(
    slug="diagnostic-volumes",
    title="Laboratory and imaging volumes",
    family="diagnostics",
    description="Laboratory orders placed and verified per test, imaging orders placed and "
    "reported per modality.",
)
def diagnostic_volumes(filters: ReportFilters, user) -> ReportResult:
    lab, lab_as_of = facts_for_range("diagnostics_lab", lab_day_facts, filters)
    imaging, imaging_as_of = facts_for_range("diagnostics_radiology", radiology_day_facts, filters)
    lab_totals = lab.totals_by_dimension()
    tests = _lab_tests(lab_totals)
    lab_rows = sorted(
        (
            {
                "test": tests[test_id].code,
                "name": tests[test_id].name,
                "department": tests[test_id].get_department_display(),
                "ordered": total["ordered"],
                "verified": total["completed"],
            }
            for test_id, total in lab_totals.items()
        ),
        key=lambda row: (-row["ordered"], row["test"]),
    )
    imaging_totals = imaging.totals_by_dimension()
    imaging_rows = [
        {
            "modality": _modality_label(modality),
            "ordered": imaging_totals[modality]["ordered"],
            "reported": imaging_totals[modality]["completed"],
        }
        for modality in Modality.values
        if modality in imaging_totals
    ]
    lab_all = lab.grand_total()
    imaging_all = imaging.grand_total()
    return ReportResult(
        slug="diagnostic-volumes",
        title="Laboratory and imaging volumes",
        filters=filters,
        as_of=min(lab_as_of, imaging_as_of),
        figures=[
            Figure("lab_ordered", "Laboratory orders", lab_all["ordered"]),
            Figure("lab_verified", "Laboratory orders verified", lab_all["completed"]),
            Figure("imaging_ordered", "Imaging orders", imaging_all["ordered"]),
            Figure("imaging_reported", "Imaging orders reported", imaging_all["completed"]),
        ],
        sections=[
            Section(
                id="lab_by_test",
                title="Laboratory orders by test",
                columns=(
                    Column("test", "Code", "text"),
                    Column("name", "Test", "text"),
                    Column("department", "Section", "text"),
                    Column("ordered", "Ordered"),
                    Column("verified", "Verified"),
                ),
                rows=lab_rows,
                chart=Chart(
                    kind="bar",
                    title="Laboratory orders by test",
                    x="test",
                    series=(Series("ordered", "Ordered"), Series("verified", "Verified")),
                    y_label="Orders",
                ),
                note="Ordered: orders placed in the period, whatever became of them. "
                "Verified: orders whose results were verified in the period.",
            ),
            Section(
                id="imaging_by_modality",
                title="Imaging orders by modality",
                columns=(
                    Column("modality", "Modality", "text"),
                    Column("ordered", "Ordered"),
                    Column("reported", "Reported"),
                ),
                rows=imaging_rows,
                chart=Chart(
                    kind="bar",
                    title="Imaging orders by modality",
                    x="modality",
                    series=(Series("ordered", "Ordered"), Series("reported", "Reported")),
                    y_label="Orders",
                ),
                note="Reported: orders whose final report was signed in the period.",
            ),
        ],
    )


@report(
    slug="diagnostic-turnaround",
    title="Laboratory and imaging turnaround times",
    family="diagnostics",
    description="Median and 90th percentile time from order to verified result (laboratory, "
    "per test) and to final report (radiology, per modality).",
)
def diagnostic_turnaround(filters: ReportFilters, user) -> ReportResult:
    lab, lab_as_of = facts_for_range("diagnostics_lab", lab_day_facts, filters)
    imaging, imaging_as_of = facts_for_range("diagnostics_radiology", radiology_day_facts, filters)
    lab_totals = {k: v for k, v in lab.totals_by_dimension().items() if v["completed"]}
    tests = _lab_tests(lab_totals)
    lab_rows = []
    for test_id, total in lab_totals.items():
        median, p90 = _percentiles(total["minutes"])
        lab_rows.append(
            {
                "test": tests[test_id].code,
                "name": tests[test_id].name,
                "completed": total["completed"],
                "median": median,
                "p90": p90,
            }
        )
    lab_rows.sort(key=lambda row: (-row["completed"], row["test"]))
    imaging_totals = imaging.totals_by_dimension()
    imaging_rows = []
    for modality in Modality.values:
        total = imaging_totals.get(modality)
        if not total or not total["completed"]:
            continue
        median, p90 = _percentiles(total["minutes"])
        imaging_rows.append(
            {
                "modality": _modality_label(modality),
                "completed": total["completed"],
                "median": median,
                "p90": p90,
            }
        )
    lab_all = histogram_merge(t["minutes"] for t in lab_totals.values())
    imaging_all = histogram_merge(t["minutes"] for t in imaging_totals.values())
    columns_tail = (
        Column("completed", "Completed"),
        Column("median", "Median", "minutes", "minutes"),
        Column("p90", "90th percentile", "minutes", "minutes"),
    )
    series = (Series("median", "Median"), Series("p90", "90th percentile"))
    return ReportResult(
        slug="diagnostic-turnaround",
        title="Laboratory and imaging turnaround times",
        filters=filters,
        as_of=min(lab_as_of, imaging_as_of),
        figures=[
            Figure("median", "Laboratory median turnaround", _percentiles(lab_all)[0], "minutes"),
            Figure("p90", "Laboratory 90th percentile", _percentiles(lab_all)[1], "minutes"),
            Figure(
                "imaging_median",
                "Imaging median turnaround",
                _percentiles(imaging_all)[0],
                "minutes",
            ),
            Figure(
                "imaging_p90", "Imaging 90th percentile", _percentiles(imaging_all)[1], "minutes"
            ),
        ],
        sections=[
            Section(
                id="lab_turnaround",
                title="Laboratory turnaround by test",
                columns=(
                    Column("test", "Code", "text"),
                    Column("name", "Test", "text"),
                    *columns_tail,
                ),
                rows=lab_rows,
                chart=Chart(
                    kind="bar",
                    title="Laboratory turnaround by test",
                    x="test",
                    series=series,
                    y_label="Order to verified result (minutes)",
                ),
                note=MEDIAN_P90_NOTE,
            ),
            Section(
                id="imaging_turnaround",
                title="Imaging turnaround by modality",
                columns=(Column("modality", "Modality", "text"), *columns_tail),
                rows=imaging_rows,
                chart=Chart(
                    kind="bar",
                    title="Imaging turnaround by modality",
                    x="modality",
                    series=series,
                    y_label="Order to final report (minutes)",
                ),
                note=MEDIAN_P90_NOTE,
            ),
        ],
    )


def _unacknowledged_counts(filters: ReportFilters) -> dict[str, int]:
    """Critical alerts raised in the period and still unacknowledged now, by source."""
    start, end = day_bounds(filters.date_from, filters.date_to)
    rows = (
        _critical_alerts()
        .filter(created_at__gte=start, created_at__lt=end, acknowledged_at__isnull=True)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[_source(row["kind"])] += row["n"]
    return counts


@report(
    slug="critical-results",
    title="Critical results and acknowledgement",
    family="diagnostics",
    description="Critical laboratory values and critical imaging findings, time from the alert "
    "to its acknowledgement by the doctor, and alerts still unacknowledged.",
)
def critical_results(filters: ReportFilters, user) -> ReportResult:
    facts, as_of = facts_for_range("diagnostics_critical", critical_day_facts, filters)
    totals = facts.totals_by_dimension()
    unacknowledged = _unacknowledged_counts(filters)
    rows = []
    for source, label in SOURCE_LABELS.items():
        total = totals.get(source) or facts.empty()
        median, p90 = _percentiles(total["minutes"])
        rows.append(
            {
                "source": label,
                "raised": total["raised"],
                "acknowledged": total["acknowledged"],
                "median": median,
                "p90": p90,
                "unacknowledged": unacknowledged.get(source, 0),
            }
        )
    every = facts.grand_total()
    median, p90 = _percentiles(every["minutes"])
    per_day = [
        {"day": day, "raised": values["raised"], "acknowledged": values["acknowledged"]}
        for day, values in facts.totals_by_day(filters.date_from, filters.date_to).items()
    ]
    return ReportResult(
        slug="critical-results",
        title="Critical results and acknowledgement",
        filters=filters,
        # The unacknowledged count is read now.
        as_of=min(as_of, timezone.now()),
        figures=[
            Figure("raised", "Critical results", every["raised"]),
            Figure("ack_median", "Median time to acknowledgement", median, "minutes"),
            Figure("ack_p90", "90th percentile time to acknowledgement", p90, "minutes"),
            Figure("unacknowledged", "Still unacknowledged", sum(unacknowledged.values())),
        ],
        sections=[
            Section(
                id="by_source",
                title="Critical results by source",
                columns=(
                    Column("source", "Source", "text"),
                    Column("raised", "Raised"),
                    Column("acknowledged", "Acknowledged"),
                    Column("median", "Median to acknowledgement", "minutes", "minutes"),
                    Column("p90", "90th percentile", "minutes", "minutes"),
                    Column("unacknowledged", "Still unacknowledged"),
                ),
                rows=rows,
                note="Raised: alerts sent in the period. Acknowledged and the times: "
                "acknowledgements made in the period, from the alert to the acknowledgement. "
                "Still unacknowledged: alerts of the period nobody has acknowledged yet.",
            ),
            Section(
                id="per_day",
                title="Critical results per day",
                columns=(
                    Column("day", "Day", "date"),
                    Column("raised", "Raised"),
                    Column("acknowledged", "Acknowledged"),
                ),
                rows=per_day,
                chart=Chart(
                    kind="line",
                    title="Critical results per day",
                    x="day",
                    series=(Series("raised", "Raised"), Series("acknowledged", "Acknowledged")),
                    y_label="Alerts per day",
                ),
            ),
        ],
    )
