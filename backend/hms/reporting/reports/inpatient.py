"""Inpatient reports: admissions, discharges and deaths; bed occupancy; length of stay."""

from django.db.models import Count, Q
from django.utils import timezone

from hms.inpatient.models import Admission, BedStay, DischargeDisposition, StayKind
from hms.reporting.periods import day_bounds, days_between, local_day
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


def _movements_per_day(filters: ReportFilters) -> dict:
    """{day: {"admissions", "discharges", "deaths"}} from the bed stays: an admission is
    counted on the ward of its first stay, a discharge on the ward of its last."""
    start, end = day_bounds(filters.date_from, filters.date_to)
    stays = BedStay.objects.all()
    if filters.ward is not None:
        stays = stays.filter(ward=filters.ward)
    per_day = {
        day: {"admissions": 0, "discharges": 0, "deaths": 0}
        for day in days_between(filters.date_from, filters.date_to)
    }
    admitted = (
        stays.filter(kind=StayKind.ADMISSION, started_at__gte=start, started_at__lt=end)
        .annotate(day=local_day("started_at"))
        .values("day")
        .annotate(n=Count("id"))
    )
    for row in admitted:
        per_day[row["day"]]["admissions"] += row["n"]
    discharged = Admission.objects.filter(discharged_at__gte=start, discharged_at__lt=end)
    if filters.ward is not None:
        discharged = discharged.filter(ward=filters.ward)  # the ward of the last stay
    left = (
        discharged.annotate(day=local_day("discharged_at"))
        .values("day")
        .annotate(
            n=Count("id"),
            deaths=Count("id", filter=Q(discharge_disposition=DischargeDisposition.DECEASED)),
        )
    )
    for row in left:
        per_day[row["day"]]["discharges"] += row["n"]
        per_day[row["day"]]["deaths"] += row["deaths"]
    return per_day


@report(
    slug="inpatient-movements",
    title="Admissions, discharges and deaths",
    family="inpatient",
    description="Patients admitted, discharged and who died in hospital, per day.",
    filters=("date_from", "date_to", "ward"),
)
def inpatient_movements(filters: ReportFilters, user) -> ReportResult:
    per_day = _movements_per_day(filters)
    rows = [{"day": day, **counts} for day, counts in sorted(per_day.items())]
    total = {key: sum(row[key] for row in rows) for key in ("admissions", "discharges", "deaths")}
    return ReportResult(
        slug="inpatient-movements",
        title="Admissions, discharges and deaths",
        filters=filters,
        as_of=timezone.now(),
        figures=[
            Figure("admissions", "Admissions", total["admissions"]),
            Figure("discharges", "Discharges", total["discharges"]),
            Figure("deaths", "Deaths", total["deaths"]),
        ],
        sections=[
            Section(
                id="per_day",
                title="Per day",
                columns=(
                    Column("day", "Day", "date"),
                    Column("admissions", "Admissions"),
                    Column("discharges", "Discharges"),
                    Column("deaths", "Deaths"),
                ),
                rows=rows,
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
