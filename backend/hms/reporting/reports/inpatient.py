"""Inpatient reports: admissions, discharges and deaths; bed occupancy; length of stay and bed
turnover; ICU days; readmissions.

Every number comes from one per-ward, per-day grouping (`_live`), which the summary
`inpatient_daily` stores as `InpatientDailyFact` rows. A report reads the fact rows for the
days the summary serves and computes the rest live with the same grouping, so both paths give
the same numbers.

Counting rules:
- an admission counts on the day and ward of its first bed stay; a readmission is an
  admission of a patient discharged in the 30 days before it;
- a discharge (and a death, disposition `deceased`) counts on the day and ward it ended;
  its length of stay is admission to discharge, in days with decimals;
- occupancy is the midnight census (as billing counts bed-days): a bed is occupied on a day
  when a patient lies in it at the midnight that ends the day; beds in service are the
  ward's active beds (as they were when the day was summarised), from the first day a bed or
  a stay was recorded; days after today count nothing;
- ICU days are the census bed-days on ICU-type wards (`hms.inpatient.models.ICU_WARD_TYPES`);
- bed turnover is discharges per bed in service (beds averaged over the days).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    Sum,
)
from django.utils import timezone

from hms.inpatient.models import ICU_WARD_TYPES, Admission, Bed, BedStay, DischargeDisposition, Ward
from hms.reporting.measures import percent, ratio
from hms.reporting.models import InpatientDailyFact
from hms.reporting.periods import day_bounds, day_start, days_between, local_day
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

SUMMARY = "inpatient_daily"
MEASURES = (
    "admissions",
    "readmissions",
    "discharges",
    "deaths",
    "stay_seconds",
    "occupied",
    "beds",
)
READMISSION_WINDOW = timedelta(days=30)
SECONDS_PER_DAY = 86400

Key = tuple[date, int]  # (day, ward id)


def _zero() -> dict[str, int]:
    return dict.fromkeys(MEASURES, 0)


def _live(date_from: date, date_to: date, *, ward=None, ward_types=None) -> dict[Key, dict]:
    """The measures per (day, ward) of date_from..date_to, from the live rows. Queries: six,
    plus one census per day (the live part is normally today and the few days not yet
    summarised)."""
    date_to = min(date_to, timezone.localdate())
    facts: dict[Key, dict] = defaultdict(_zero)
    if date_to < date_from:
        return facts
    start, end = day_bounds(date_from, date_to)

    def scoped(queryset, ward_field="ward"):
        if ward is not None:
            queryset = queryset.filter(**{ward_field: ward})
        if ward_types is not None:
            queryset = queryset.filter(**{f"{ward_field}__type__in": ward_types})
        return queryset

    beds = (
        scoped(Bed.objects.filter(active=True, ward__active=True))
        .values("ward_id")
        .annotate(n=Count("id"))
    )
    bed_counts = {row["ward_id"]: row["n"] for row in beds}
    history_starts = _first_day()
    if history_starts is not None:
        for day in days_between(max(date_from, history_starts), date_to):
            for ward_id, n in bed_counts.items():
                facts[(day, ward_id)]["beds"] = n

    earlier_discharge = Admission.objects.filter(
        patient=OuterRef("admission__patient"),
        discharged_at__lte=OuterRef("started_at"),
        discharged_at__gte=ExpressionWrapper(
            OuterRef("started_at") - READMISSION_WINDOW, output_field=DateTimeField()
        ),
    )
    first_stays = (
        scoped(BedStay.objects.filter(started_at=F("admission__admitted_at")))
        .filter(started_at__gte=start, started_at__lt=end)
        .annotate(day=local_day("started_at"), readmitted=Exists(earlier_discharge))
        .values("day", "ward_id")
        .annotate(n=Count("id"), readmissions=Count("id", filter=Q(readmitted=True)))
    )
    for row in first_stays:
        fact = facts[(row["day"], row["ward_id"])]
        fact["admissions"] += row["n"]
        fact["readmissions"] += row["readmissions"]

    discharged = (
        scoped(Admission.objects.filter(discharged_at__gte=start, discharged_at__lt=end))
        .annotate(day=local_day("discharged_at"))
        .values("day", "ward_id")
        .annotate(
            n=Count("id"),
            deaths=Count("id", filter=Q(discharge_disposition=DischargeDisposition.DECEASED)),
            stay=Sum(
                ExpressionWrapper(
                    F("discharged_at") - F("admitted_at"), output_field=DurationField()
                )
            ),
        )
    )
    for row in discharged:
        fact = facts[(row["day"], row["ward_id"])]
        fact["discharges"] += row["n"]
        fact["deaths"] += row["deaths"]
        fact["stay_seconds"] += int(row["stay"].total_seconds()) if row["stay"] else 0

    for day in days_between(date_from, date_to):
        midnight = day_start(day + timedelta(days=1))
        census = (
            scoped(BedStay.objects.filter(started_at__lt=midnight))
            .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=midnight))
            .values("ward_id")
            .annotate(n=Count("id"))
        )
        for row in census:
            facts[(day, row["ward_id"])]["occupied"] += row["n"]
    return facts


def _first_day() -> date | None:
    """The first day of the hospital's inpatient history: its first bed or bed stay. Beds are
    in service from then on (earlier days count nothing, summarised or not)."""
    moments = [
        Bed.objects.aggregate(first=Min("created_at"))["first"],
        BedStay.objects.aggregate(first=Min("started_at"))["first"],
    ]
    moments = [moment for moment in moments if moment is not None]
    return timezone.localdate(min(moments)) if moments else None


@summary(SUMMARY, first_day=_first_day)
def build_inpatient_daily(day: date) -> None:
    InpatientDailyFact.objects.filter(day=day).delete()
    InpatientDailyFact.objects.bulk_create(
        [
            InpatientDailyFact(day=fact_day, ward_id=ward_id, **measures)
            for (fact_day, ward_id), measures in sorted(_live(day, day).items())
            if any(measures.values())
        ]
    )


def inpatient_measures(filters: ReportFilters, *, by: str, icu_only: bool = False):
    """({day or ward id: measures}, as_of) over the filters' range: fact rows where the summary
    serves, live rows for the rest. `by` is "day" or "ward"."""
    ward_types = tuple(ICU_WARD_TYPES) if icu_only else None
    steps = plan(SUMMARY, filters.date_from, filters.date_to)
    totals: dict = defaultdict(_zero)
    if steps.summary is not None:
        facts = InpatientDailyFact.objects.filter(day__range=steps.summary)
        if filters.ward is not None:
            facts = facts.filter(ward=filters.ward)
        if ward_types is not None:
            facts = facts.filter(ward__type__in=ward_types)
        field = "day" if by == "day" else "ward_id"
        for row in facts.values(field).annotate(**{m: Sum(m) for m in MEASURES}).order_by():
            target = totals[row[field]]
            for measure in MEASURES:
                target[measure] += row[measure]
    if steps.live is not None:
        live = _live(*steps.live, ward=filters.ward, ward_types=ward_types)
        for (day, ward_id), measures in live.items():
            target = totals[day if by == "day" else ward_id]
            for measure in MEASURES:
                target[measure] += measures[measure]
    return totals, steps.as_of


def _per_day(filters: ReportFilters, **kwargs) -> tuple[list[dict], object]:
    totals, as_of = inpatient_measures(filters, by="day", **kwargs)
    rows = [
        {"day": day, **totals.get(day, _zero())}
        for day in days_between(filters.date_from, filters.date_to)
    ]
    return rows, as_of


def _per_ward(filters: ReportFilters, **kwargs) -> tuple[list[dict], object]:
    totals, as_of = inpatient_measures(filters, by="ward", **kwargs)
    wards = Ward.objects.filter(id__in=list(totals)).order_by("name", "id")
    rows = [
        {"ward": ward.name, "ward_type": ward.get_type_display(), **totals[ward.id]}
        for ward in wards
    ]
    return rows, as_of


def _sum(rows: list[dict], key: str) -> int:
    return sum(row[key] for row in rows)


def _average_stay(stay_seconds: int, discharges: int) -> Decimal | None:
    return ratio(stay_seconds, discharges * SECONDS_PER_DAY)


DAY = Column("day", "Day", "date")
WARD = Column("ward", "Ward", "text")


@report(
    slug="inpatient-movements",
    title="Admissions, discharges and deaths",
    family="inpatient",
    description="Patients admitted, discharged and who died in hospital, per day. An admission "
    "counts on the ward of its first bed, a discharge on the ward the patient left.",
    filters=("date_from", "date_to", "ward"),
)
def inpatient_movements(filters: ReportFilters, user) -> ReportResult:
    rows, as_of = _per_day(filters)
    return ReportResult(
        slug="inpatient-movements",
        title="Admissions, discharges and deaths",
        filters=filters,
        as_of=as_of,
        figures=[
            Figure("admissions", "Admissions", _sum(rows, "admissions")),
            Figure("discharges", "Discharges", _sum(rows, "discharges")),
            Figure("deaths", "Deaths", _sum(rows, "deaths")),
        ],
        sections=[
            Section(
                id="per_day",
                title="Per day",
                columns=(
                    DAY,
                    Column("admissions", "Admissions"),
                    Column("discharges", "Discharges"),
                    Column("deaths", "Deaths"),
                ),
                rows=[
                    {k: row[k] for k in ("day", "admissions", "discharges", "deaths")}
                    for row in rows
                ],
                chart=Chart(
                    kind="line",
                    title="Admissions and discharges per day",
                    x="day",
                    series=(
                        Series("admissions", "Admissions"),
                        Series("discharges", "Discharges"),
                        Series("deaths", "Deaths"),
                    ),
                    y_label="Patients per day",
                ),
            )
        ],
    )


@report(
    slug="bed-occupancy",
    title="Bed occupancy by ward",
    family="inpatient",
    description="Beds occupied at the midnight census, as a share of the beds in service, per "
    "day and per ward.",
    filters=("date_from", "date_to", "ward"),
)
def bed_occupancy(filters: ReportFilters, user) -> ReportResult:
    days, as_of = _per_day(filters)
    wards, _ = _per_ward(filters)
    bed_days, bed_capacity = _sum(days, "occupied"), _sum(days, "beds")
    return ReportResult(
        slug="bed-occupancy",
        title="Bed occupancy by ward",
        filters=filters,
        as_of=as_of,
        figures=[
            Figure("occupancy", "Bed occupancy", percent(bed_days, bed_capacity), "%"),
            Figure("bed_days", "Occupied bed-days", bed_days),
            Figure("beds", "Beds in service (average)", ratio(bed_capacity, filters.days)),
        ],
        sections=[
            Section(
                id="per_day",
                title="Per day",
                columns=(
                    DAY,
                    Column("occupied", "Beds occupied", unit="beds"),
                    Column("beds", "Beds in service", unit="beds"),
                    Column("occupancy", "Occupancy", "percent", "%"),
                ),
                rows=[
                    {
                        "day": row["day"],
                        "occupied": row["occupied"],
                        "beds": row["beds"],
                        "occupancy": percent(row["occupied"], row["beds"]),
                    }
                    for row in days
                ],
                chart=Chart(
                    kind="line",
                    title="Bed occupancy per day",
                    x="day",
                    series=(Series("occupancy", "Occupancy"),),
                    y_label="Beds occupied (%)",
                ),
            ),
            Section(
                id="by_ward",
                title="By ward",
                note="Occupancy is occupied bed-days over bed-days in service in the range.",
                columns=(
                    WARD,
                    Column("ward_type", "Type", "text"),
                    Column("bed_days", "Occupied bed-days", unit="days"),
                    Column("beds", "Beds in service (average)", "decimal", "beds"),
                    Column("occupancy", "Occupancy", "percent", "%"),
                ),
                rows=[
                    {
                        "ward": row["ward"],
                        "ward_type": row["ward_type"],
                        "bed_days": row["occupied"],
                        "beds": ratio(row["beds"], filters.days),
                        "occupancy": percent(row["occupied"], row["beds"]),
                    }
                    for row in wards
                ],
                chart=Chart(
                    kind="bar",
                    title="Bed occupancy by ward",
                    x="ward",
                    series=(Series("occupancy", "Occupancy"),),
                    y_label="Beds occupied (%)",
                ),
            ),
        ],
    )


@report(
    slug="length-of-stay",
    title="Length of stay and bed turnover",
    family="inpatient",
    description="Average length of stay of the patients discharged in the range, and bed "
    "turnover (discharges per bed in service), per ward.",
    filters=("date_from", "date_to", "ward"),
)
def length_of_stay(filters: ReportFilters, user) -> ReportResult:
    wards, as_of = _per_ward(filters)
    discharges, stay = _sum(wards, "discharges"), _sum(wards, "stay_seconds")
    beds = ratio(_sum(wards, "beds"), filters.days)
    return ReportResult(
        slug="length-of-stay",
        title="Length of stay and bed turnover",
        filters=filters,
        as_of=as_of,
        figures=[
            Figure("discharges", "Discharges", discharges),
            Figure(
                "average_stay", "Average length of stay", _average_stay(stay, discharges), "days"
            ),
            Figure("bed_turnover", "Bed turnover", ratio(discharges, beds), "per bed"),
        ],
        sections=[
            Section(
                id="by_ward",
                title="By ward",
                note="Length of stay runs from admission to discharge; a patient counts on the "
                "ward they left. Turnover is discharges per bed in service.",
                columns=(
                    WARD,
                    Column("discharges", "Discharges"),
                    Column("average_stay", "Average length of stay", "days", "days"),
                    Column("beds", "Beds in service (average)", "decimal", "beds"),
                    Column("bed_turnover", "Bed turnover", "decimal", "per bed"),
                ),
                rows=[
                    {
                        "ward": row["ward"],
                        "discharges": row["discharges"],
                        "average_stay": _average_stay(row["stay_seconds"], row["discharges"]),
                        "beds": ratio(row["beds"], filters.days),
                        "bed_turnover": ratio(row["discharges"], ratio(row["beds"], filters.days)),
                    }
                    for row in wards
                ],
                chart=Chart(
                    kind="bar",
                    title="Average length of stay by ward",
                    x="ward",
                    series=(Series("average_stay", "Average length of stay"),),
                    y_label="Length of stay (days)",
                ),
            )
        ],
    )


@report(
    slug="icu-days",
    title="ICU days",
    family="inpatient",
    description="Bed-days spent in intensive care (midnight census on ICU wards), per day and "
    "per ICU ward.",
    filters=("date_from", "date_to", "ward"),
)
def icu_days(filters: ReportFilters, user) -> ReportResult:
    days, as_of = _per_day(filters, icu_only=True)
    wards, _ = _per_ward(filters, icu_only=True)
    total = _sum(days, "occupied")
    return ReportResult(
        slug="icu-days",
        title="ICU days",
        filters=filters,
        as_of=as_of,
        figures=[
            Figure("icu_days", "ICU days", total, "days"),
            Figure("icu_occupancy", "ICU occupancy", percent(total, _sum(days, "beds")), "%"),
        ],
        sections=[
            Section(
                id="per_day",
                title="Per day",
                columns=(DAY, Column("icu_days", "Patients in ICU at midnight", unit="patients")),
                rows=[{"day": row["day"], "icu_days": row["occupied"]} for row in days],
                chart=Chart(
                    kind="bar",
                    title="Patients in ICU at midnight",
                    x="day",
                    series=(Series("icu_days", "Patients in ICU"),),
                    y_label="Patients",
                ),
            ),
            Section(
                id="by_ward",
                title="By ICU ward",
                columns=(WARD, Column("icu_days", "ICU days", unit="days")),
                rows=[{"ward": row["ward"], "icu_days": row["occupied"]} for row in wards],
            ),
        ],
    )


@report(
    slug="readmissions",
    title="Readmissions within 30 days",
    family="inpatient",
    description="Admissions of patients who had been discharged in the 30 days before, per "
    "day, with the readmission rate.",
    filters=("date_from", "date_to", "ward"),
)
def readmissions(filters: ReportFilters, user) -> ReportResult:
    days, as_of = _per_day(filters)
    admissions, readmitted = _sum(days, "admissions"), _sum(days, "readmissions")
    return ReportResult(
        slug="readmissions",
        title="Readmissions within 30 days",
        filters=filters,
        as_of=as_of,
        figures=[
            Figure("admissions", "Admissions", admissions),
            Figure("readmissions", "Readmissions within 30 days", readmitted),
            Figure("readmission_rate", "Readmission rate", percent(readmitted, admissions), "%"),
        ],
        sections=[
            Section(
                id="per_day",
                title="Per day",
                columns=(
                    DAY,
                    Column("admissions", "Admissions"),
                    Column("readmissions", "Readmissions"),
                ),
                rows=[{k: row[k] for k in ("day", "admissions", "readmissions")} for row in days],
                chart=Chart(
                    kind="bar",
                    title="Admissions and readmissions per day",
                    x="day",
                    series=(
                        Series("admissions", "Admissions"),
                        Series("readmissions", "Readmissions"),
                    ),
                    y_label="Admissions per day",
                ),
            )
        ],
    )
