"""Pharmacy: consumption by medicine, stock value, batches near expiry, safety overrides.

- Consumption counts the stock ledger: units dispensed on a day minus units handed back that
  day (a return counts on the day it was made, whenever the dispense was).
- Stock value and expiry are read now, whatever the period: on-hand units of each batch at the
  batch's unit cost.
- Safety: prescriptions written in the period over safety warnings, by the most severe
  warning shown; a severe warning needed an override with a reason (counted as overridden).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, DecimalField, Exists, ExpressionWrapper, F, Min, OuterRef, Sum
from django.utils import timezone
from django.utils.timezone import localdate

from hms.pharmacy.models import (
    Dispense,
    Drug,
    MovementKind,
    Prescription,
    StockBatch,
    StockMovement,
)
from hms.pharmacy.safety import Severity
from hms.reporting.facts import DayFacts, FactTable, daily_fact_summary, facts_for_range
from hms.reporting.models import MedicineDailyFact
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

NEAR_EXPIRY_DAYS = 90
CENTS = Decimal("0.01")


def _currency() -> str:
    return getattr(settings, "HOSPITAL_CURRENCY", "USD")


def _money(value) -> Decimal:
    return (value or Decimal(0)).quantize(CENTS)


# --- Consumption ---------------------------------------------------------------------------


def medicine_day_facts(date_from: date, date_to: date) -> DayFacts:
    """{(day, drug_id): {"dispensed", "returned"}} in units, from the stock ledger."""
    start, end = day_bounds(date_from, date_to)
    facts = DayFacts(counts=("dispensed", "returned"))
    rows = (
        StockMovement.objects.filter(
            kind__in=[MovementKind.DISPENSE, MovementKind.RETURN],
            occurred_at__gte=start,
            occurred_at__lt=end,
        )
        .annotate(day=local_day("occurred_at"))
        .values("day", "drug_id", "kind")
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    for row in rows:
        if row["kind"] == MovementKind.DISPENSE:
            facts.add((row["day"], row["drug_id"]), dispensed=-row["units"])
        else:
            facts.add((row["day"], row["drug_id"]), returned=row["units"])
    return facts


def _first_movement_day() -> date | None:
    first = StockMovement.objects.filter(
        kind__in=[MovementKind.DISPENSE, MovementKind.RETURN]
    ).aggregate(first=Min("occurred_at"))["first"]
    return localdate(first) if first is not None else None


daily_fact_summary(
    "pharmacy_medicines",
    table=FactTable(MedicineDailyFact, ("drug_id",), ("dispensed", "returned"), minutes=False),
    live=medicine_day_facts,
    first_day=_first_movement_day,
)


def _drug_names(drug_ids) -> dict[int, Drug]:
    return {d.pk: d for d in Drug.objects.filter(pk__in=set(drug_ids))}


@report(
    slug="medicine-consumption",
    title="Medicine consumption",
    family="pharmacy",
    description="Units of each medicine dispensed in the period, minus the units handed back.",
)
def medicine_consumption(filters: ReportFilters, user) -> ReportResult:
    facts, as_of = facts_for_range("pharmacy_medicines", medicine_day_facts, filters, by_day=False)
    totals = facts.totals_by_dimension()
    drugs = _drug_names(totals)
    rows = sorted(
        (
            {
                "medicine": drugs[drug_id].display_name,
                "unit": drugs[drug_id].unit,
                "dispensed": total["dispensed"],
                "returned": total["returned"],
                "consumed": total["dispensed"] - total["returned"],
            }
            for drug_id, total in totals.items()
        ),
        key=lambda row: (-row["consumed"], row["medicine"]),
    )
    every = facts.grand_total()
    return ReportResult(
        slug="medicine-consumption",
        title="Medicine consumption",
        filters=filters,
        as_of=as_of,
        figures=[
            Figure("medicines", "Medicines dispensed", sum(1 for r in rows if r["dispensed"])),
            Figure("dispensed", "Units dispensed", every["dispensed"]),
            Figure("returned", "Units returned", every["returned"]),
        ],
        sections=[
            Section(
                id="by_medicine",
                title="Consumption by medicine",
                columns=(
                    Column("medicine", "Medicine", "text"),
                    Column("unit", "Unit", "text"),
                    Column("dispensed", "Dispensed"),
                    Column("returned", "Returned"),
                    Column("consumed", "Consumed"),
                ),
                rows=rows,
                chart=Chart(
                    kind="bar",
                    title="Consumption by medicine",
                    x="medicine",
                    series=(Series("consumed", "Consumed"),),
                    y_label="Units consumed",
                ),
                note="Consumed: units dispensed in the period minus units handed back in it. "
                "Units are each medicine's dispensing unit (tablet, ml, vial...).",
            )
        ],
    )


# --- Stock value and expiry ----------------------------------------------------------------


def _batch_value():
    return ExpressionWrapper(
        F("quantity") * F("unit_cost"), output_field=DecimalField(max_digits=20, decimal_places=4)
    )


@report(
    slug="stock-value",
    title="Stock value",
    family="pharmacy",
    description="Units on hand and their value at batch cost, per medicine, now.",
    filters=(),
)
def stock_value(filters: ReportFilters, user) -> ReportResult:
    rows_qs = (
        StockBatch.objects.filter(quantity__gt=0)
        .values("drug_id")
        .annotate(units=Sum("quantity"), value=Sum(_batch_value()), batches=Count("id"))
        .order_by()
    )
    per_drug = list(rows_qs)
    drugs = _drug_names(r["drug_id"] for r in per_drug)
    currency = _currency()
    rows = sorted(
        (
            {
                "medicine": drugs[r["drug_id"]].display_name,
                "unit": drugs[r["drug_id"]].unit,
                "batches": r["batches"],
                "units": r["units"],
                "value": _money(r["value"]),
            }
            for r in per_drug
        ),
        key=lambda row: (-row["value"], row["medicine"]),
    )
    return ReportResult(
        slug="stock-value",
        title="Stock value",
        filters=filters,
        as_of=timezone.now(),
        figures=[
            Figure(
                "value",
                "Stock value",
                _money(sum((r["value"] for r in rows), Decimal(0))),
                currency,
            ),
            Figure("medicines", "Medicines in stock", len(rows)),
            Figure("batches", "Batches in stock", sum(r["batches"] for r in rows)),
        ],
        sections=[
            Section(
                id="by_medicine",
                title="Stock value by medicine",
                columns=(
                    Column("medicine", "Medicine", "text"),
                    Column("unit", "Unit", "text"),
                    Column("batches", "Batches"),
                    Column("units", "Units on hand"),
                    Column("value", "Value", "money", currency),
                ),
                rows=rows,
                chart=Chart(
                    kind="bar",
                    title="Stock value by medicine",
                    x="medicine",
                    series=(Series("value", "Value"),),
                    y_label=f"Value ({currency})",
                ),
                note="Units on hand of every batch, at the batch's unit cost.",
            )
        ],
    )


@report(
    slug="near-expiry",
    title="Batches near expiry",
    family="pharmacy",
    description=f"Batches in stock that expire within {NEAR_EXPIRY_DAYS} days, with their "
    "quantity and value, and expired batches still on the shelf.",
    filters=(),
)
def near_expiry(filters: ReportFilters, user) -> ReportResult:
    today = timezone.localdate()
    horizon = today + timedelta(days=NEAR_EXPIRY_DAYS)
    batches = (
        StockBatch.objects.filter(quantity__gt=0, expiry_date__lte=horizon)
        .select_related("drug")
        .annotate(value=_batch_value())
        .order_by("expiry_date", "drug__generic_name_norm", "id")
    )
    currency = _currency()
    soon, expired = [], []
    for batch in batches:
        row = {
            "medicine": batch.drug.display_name,
            "lot": batch.lot_number,
            "location": batch.location,
            "expiry": batch.expiry_date,
            "days_left": (batch.expiry_date - today).days,
            "units": batch.quantity,
            "value": _money(batch.value),
        }
        (expired if batch.expiry_date < today else soon).append(row)
    columns = (
        Column("medicine", "Medicine", "text"),
        Column("lot", "Lot", "text"),
        Column("location", "Location", "text"),
        Column("expiry", "Expires", "date"),
        Column("days_left", "Days left", "int", "days"),
        Column("units", "Units"),
        Column("value", "Value", "money", currency),
    )
    return ReportResult(
        slug="near-expiry",
        title="Batches near expiry",
        filters=filters,
        as_of=timezone.now(),
        figures=[
            Figure("batches", f"Batches expiring within {NEAR_EXPIRY_DAYS} days", len(soon)),
            Figure(
                "value",
                "Their value",
                _money(sum((r["value"] for r in soon), Decimal(0))),
                currency,
            ),
            Figure("expired", "Expired batches still in stock", len(expired)),
            Figure(
                "expired_value",
                "Value of expired stock",
                _money(sum((r["value"] for r in expired), Decimal(0))),
                currency,
            ),
        ],
        sections=[
            Section(
                id="expiring",
                title=f"Expiring within {NEAR_EXPIRY_DAYS} days",
                columns=columns,
                rows=soon,
                note="Today included; on-hand units at the batch's unit cost.",
            ),
            Section(
                id="expired",
                title="Expired, still in stock",
                columns=columns,
                rows=expired,
                note="To be written off (expiry write-off in the stock ledger).",
            ),
        ],
    )


# --- Safety overrides ----------------------------------------------------------------------

SEVERITY_LABELS = {
    Severity.SEVERE: "Severe",
    Severity.MODERATE: "Moderate",
    Severity.LOW: "Low",
}


def _doctor_ids_of(department: str) -> list[int]:
    return list(
        get_user_model()
        .objects.filter(doctor_profile__department__iexact=department)
        .values_list("pk", flat=True)
    )


@report(
    slug="safety-overrides",
    title="Prescriptions over safety warnings",
    family="pharmacy",
    description="Prescriptions signed over safety warnings (allergy, interaction, duplicate, "
    "dose), by the most severe warning, with severe ones overridden and those dispensed.",
    filters=("date_from", "date_to", "department", "doctor"),
)
def safety_overrides(filters: ReportFilters, user) -> ReportResult:
    start, end = day_bounds(filters.date_from, filters.date_to)
    prescriptions = Prescription.objects.filter(prescribed_at__gte=start, prescribed_at__lt=end)
    if filters.doctor is not None:
        prescriptions = prescriptions.filter(prescriber=filters.doctor)
    if filters.department:
        prescriptions = prescriptions.filter(prescriber__in=_doctor_ids_of(filters.department))
    warned = (
        prescriptions.exclude(safety_warnings=[])
        .annotate(dispensed=Exists(Dispense.objects.filter(prescription=OuterRef("pk"))))
        .values_list("safety_warnings", "override_reason", "dispensed")
    )
    by_severity = {s: Counter() for s in SEVERITY_LABELS}
    by_code: Counter = Counter()
    for warnings, override_reason, dispensed in warned.order_by().iterator():
        severities = [w.get("severity") for w in warnings if w.get("severity") in SEVERITY_LABELS]
        if not severities:
            continue
        worst = min(severities, key=lambda s: Severity.ORDER[s])
        counts = by_severity[worst]
        counts["prescriptions"] += 1
        counts["overridden"] += bool(override_reason)
        counts["dispensed"] += bool(dispensed)
        for warning in warnings:
            by_code[(warning.get("severity"), warning.get("code") or "other")] += 1
    severity_rows = [
        {
            "severity": label,
            "prescriptions": by_severity[s]["prescriptions"],
            "overridden": by_severity[s]["overridden"],
            "dispensed": by_severity[s]["dispensed"],
        }
        for s, label in SEVERITY_LABELS.items()
    ]
    code_rows = [
        {
            "severity": SEVERITY_LABELS.get(severity, severity),
            "warning": code.replace("_", " "),
            "warnings": n,
        }
        for (severity, code), n in sorted(
            by_code.items(),
            key=lambda item: (Severity.ORDER.get(item[0][0], 9), -item[1], item[0][1]),
        )
    ]
    severe = by_severity[Severity.SEVERE]
    return ReportResult(
        slug="safety-overrides",
        title="Prescriptions over safety warnings",
        filters=filters,
        as_of=timezone.now(),
        figures=[
            Figure(
                "prescriptions",
                "Prescriptions over a warning",
                sum(r["prescriptions"] for r in severity_rows),
            ),
            Figure("overridden", "Severe warnings overridden", severe["overridden"]),
            Figure("overridden_dispensed", "Of which dispensed", severe["dispensed"]),
        ],
        sections=[
            Section(
                id="by_severity",
                title="By the most severe warning",
                columns=(
                    Column("severity", "Most severe warning", "text"),
                    Column("prescriptions", "Prescriptions"),
                    Column("overridden", "Overridden with a reason"),
                    Column("dispensed", "Dispensed"),
                ),
                rows=severity_rows,
                chart=Chart(
                    kind="bar",
                    title="Prescriptions over safety warnings",
                    x="severity",
                    series=(
                        Series("prescriptions", "Prescriptions"),
                        Series("dispensed", "Dispensed"),
                    ),
                    y_label="Prescriptions",
                ),
                note="A prescription counts once, under its most severe warning. Severe "
                "warnings block prescribing unless overridden with a reason; dispensed: at "
                "least one dispense since.",
            ),
            Section(
                id="by_warning",
                title="Warnings by kind",
                columns=(
                    Column("severity", "Severity", "text"),
                    Column("warning", "Warning", "text"),
                    Column("warnings", "Warnings"),
                ),
                rows=code_rows,
            ),
        ],
    )
