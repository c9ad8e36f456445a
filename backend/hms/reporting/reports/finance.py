"""Finance reports: revenue by department and payment method, receivables ageing, insurance
claims by payer and outcome.

Revenue and cash come from daily facts where the days are summarised (hms.reporting.summaries:
"finance_revenue_daily", "finance_cash_daily") and from the live billing rows for the rest; both
paths produce the same fact rows (`revenue_facts_live`, `cash_facts_live`), so the numbers do
not depend on which one served a day. Both facts are append-only by day: a payment, a refund,
an issue and a void each belong to the day they happened (a voided invoice is taken off the
revenue of the day it was voided, as a reversal in the books), so a later change never
rewrites an earlier day. Claims and receivables are read live (a claim's outcome changes after
its day; the ageing is a snapshot of today's open invoices).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Case, CharField, Count, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from hms.billing.models import (
    ChargeSource,
    ClaimStatus,
    InsuranceClaim,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    Refund,
    TariffCategory,
)
from hms.billing.money import ZERO, hospital_currency, money
from hms.billing.reports import AGEING_BUCKETS
from hms.billing.selectors import local_day_bounds
from hms.reporting.measures import days_between
from hms.reporting.models import FinanceCashDailyFact, FinanceRevenueDailyFact
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

# The revenue centre ("department" in the hospital's books) that earns each tariff category.
DEPARTMENTS: dict[str, str] = {
    TariffCategory.CONSULTATION: "Outpatient consultations",
    TariffCategory.TELECONSULT: "Teleconsultations",
    TariffCategory.LAB_TEST: "Laboratory",
    TariffCategory.RADIOLOGY: "Radiology",
    TariffCategory.DRUG: "Pharmacy",
    TariffCategory.BED_DAY: "Inpatient wards (bed-days)",
    TariffCategory.PROCEDURE: "Procedures",
    TariffCategory.OTHER: "Other services",
}
# A charge without a tariff (a manual charge, or a module's charge priced without one) is
# credited to the centre of its source.
SOURCE_CATEGORY: dict[str, str] = {
    ChargeSource.APPOINTMENT: TariffCategory.CONSULTATION,
    ChargeSource.LAB_ORDER: TariffCategory.LAB_TEST,
    ChargeSource.RADIOLOGY_REPORT: TariffCategory.RADIOLOGY,
    ChargeSource.DISPENSE: TariffCategory.DRUG,
    ChargeSource.BED_DAY: TariffCategory.BED_DAY,
    ChargeSource.MANUAL: TariffCategory.OTHER,
}
DEPARTMENT_NOTE = (
    "A department here is the revenue centre that earned the charge, from its tariff category "
    "(consultations, laboratory, radiology, pharmacy, bed-days, procedures), as a hospital's "
    "books split revenue: the ordering doctor's department would leave pharmacy sales, "
    "bed-days and walk-in tests without one. Amounts are invoiced revenue, after discounts and "
    "with tax: the lines of invoices issued on each day, less those of issued invoices voided "
    "on that day."
)
CASH_NOTE = (
    "Money received on each day by payment method (insurance settlements under Insurance), "
    "less refunds given back on that day by the refund's method."
)


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _category_expression():
    by_source = Case(
        *[When(charge__source_type=src, then=Value(cat)) for src, cat in SOURCE_CATEGORY.items()],
        default=Value(TariffCategory.OTHER),
        output_field=CharField(),
    )
    return Coalesce(F("charge__tariff__category"), by_source, output_field=CharField())


def revenue_facts_live(date_from: date, date_to: date) -> list[dict]:
    """Invoiced revenue per (local day, tariff category): issued lines less voided ones.
    Two grouped queries whatever the number of invoices."""
    start, end = local_day_bounds(date_from)[0], local_day_bounds(date_to)[1]
    tz = timezone.get_current_timezone()
    # Lines an invoice carried when it was issued: still live, or released by a later void.
    carried = Q(released_at__isnull=True) | Q(released_at__gte=F("invoice__issued_at"))
    facts: dict[tuple[date, str], dict] = {}

    def add(rows, sign: int) -> None:
        for row in rows:
            key = (_day(row["day"]), row["category"])
            fact = facts.setdefault(
                key, {"day": key[0], "category": key[1], "amount": ZERO, "lines": 0}
            )
            fact["amount"] += sign * money(row["amount"])
            fact["lines"] += sign * row["lines"]

    issued = (
        InvoiceLine.objects.filter(
            carried, invoice__issued_at__gte=start, invoice__issued_at__lt=end
        )
        .annotate(day=TruncDate("invoice__issued_at", tzinfo=tz), category=_category_expression())
        .values("day", "category")
        .annotate(amount=Sum("total"), lines=Count("id"))
        .order_by()
    )
    voided = (
        InvoiceLine.objects.filter(
            invoice__status=InvoiceStatus.VOID,
            invoice__issued_at__isnull=False,
            invoice__voided_at__gte=start,
            invoice__voided_at__lt=end,
            released_at__gte=F("invoice__issued_at"),
        )
        .annotate(day=TruncDate("invoice__voided_at", tzinfo=tz), category=_category_expression())
        .values("day", "category")
        .annotate(amount=Sum("total"), lines=Count("id"))
        .order_by()
    )
    add(issued, 1)
    add(voided, -1)
    return sorted(facts.values(), key=lambda f: (f["day"], f["category"]))


def cash_facts_live(date_from: date, date_to: date) -> list[dict]:
    """Payments and refunds per (local day, method). Two grouped queries."""
    start, end = local_day_bounds(date_from)[0], local_day_bounds(date_to)[1]
    tz = timezone.get_current_timezone()
    facts: dict[tuple[date, str], dict] = {}

    def fact(day, method) -> dict:
        key = (_day(day), method)
        return facts.setdefault(
            key,
            {
                "day": key[0],
                "method": method,
                "payments": 0,
                "received": ZERO,
                "refunds": 0,
                "refunded": ZERO,
            },
        )

    payments = (
        Payment.objects.filter(received_at__gte=start, received_at__lt=end)
        .annotate(day=TruncDate("received_at", tzinfo=tz))
        .values("day", "method")
        .annotate(n=Count("id"), s=Sum("amount"))
        .order_by()
    )
    for row in payments:
        entry = fact(row["day"], row["method"])
        entry["payments"], entry["received"] = row["n"], money(row["s"])
    refunds = (
        Refund.objects.filter(refunded_at__gte=start, refunded_at__lt=end)
        .annotate(day=TruncDate("refunded_at", tzinfo=tz))
        .values("day", "method")
        .annotate(n=Count("id"), s=Sum("amount"))
        .order_by()
    )
    for row in refunds:
        entry = fact(row["day"], row["method"])
        entry["refunds"], entry["refunded"] = row["n"], money(row["s"])
    return sorted(facts.values(), key=lambda f: (f["day"], f["method"]))


def _money_column(key: str, label: str) -> Column:
    return Column(key, label, "money", hospital_currency())


# --- Revenue ---------------------------------------------------------------------------------

REVENUE_SUMMARY = "finance_revenue_daily"
CASH_SUMMARY = "finance_cash_daily"
FACT_TABLES = {
    REVENUE_SUMMARY: (FinanceRevenueDailyFact, ("day", "category", "amount", "lines")),
    CASH_SUMMARY: (
        FinanceCashDailyFact,
        ("day", "method", "payments", "received", "refunds", "refunded"),
    ),
}
LIVE_FACTS = {REVENUE_SUMMARY: revenue_facts_live, CASH_SUMMARY: cash_facts_live}


def _first_billing_day() -> date | None:
    first = Payment.objects.order_by("received_at").values_list("received_at", flat=True).first()
    issued = (
        Invoice.objects.filter(issued_at__isnull=False)
        .order_by("issued_at")
        .values_list("issued_at", flat=True)
        .first()
    )
    moments = [m for m in (first, issued) if m is not None]
    return timezone.localdate(min(moments)) if moments else None


def _rebuild(name: str, day: date) -> None:
    model, _ = FACT_TABLES[name]
    model.objects.filter(day=day).delete()
    model.objects.bulk_create([model(**fact) for fact in LIVE_FACTS[name](day, day)])


@summary(REVENUE_SUMMARY, first_day=_first_billing_day)
def build_finance_revenue_daily(day: date) -> None:
    _rebuild(REVENUE_SUMMARY, day)


@summary(CASH_SUMMARY, first_day=_first_billing_day)
def build_finance_cash_daily(day: date) -> None:
    _rebuild(CASH_SUMMARY, day)


def facts_for(name: str, date_from: date, date_to: date) -> tuple[list[dict], datetime]:
    """(fact rows, as of) of a summary over the range: the summarised days from the fact
    table, the rest from the live rows, in the same shape."""
    model, fields = FACT_TABLES[name]
    range_plan = plan(name, date_from, date_to)
    rows: list[dict] = []
    if range_plan.summary is not None:
        rows += list(model.objects.filter(day__range=range_plan.summary).order_by().values(*fields))
    if range_plan.live is not None:
        rows += LIVE_FACTS[name](*range_plan.live)
    return rows, range_plan.as_of


def revenue_result(
    filters: ReportFilters, revenue: list[dict], cash: list[dict], as_of
) -> ReportResult:
    """The revenue report from its fact rows (whichever path produced them)."""
    currency = hospital_currency()
    by_category: dict[str, Decimal] = defaultdict(lambda: ZERO)
    invoiced_per_day: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for fact in revenue:
        by_category[fact["category"]] += fact["amount"]
        invoiced_per_day[fact["day"]] += fact["amount"]
    by_method: dict[str, dict] = {
        m: {"payments": 0, "received": ZERO, "refunds": 0, "refunded": ZERO}
        for m in PaymentMethod.values
    }
    cash_per_day: dict[date, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for fact in cash:
        entry = by_method[fact["method"]]
        for key in ("payments", "received", "refunds", "refunded"):
            entry[key] += fact[key]
        cash_per_day[fact["day"]][0] += fact["received"]
        cash_per_day[fact["day"]][1] += fact["refunded"]

    department_rows = [
        {"department": DEPARTMENTS[cat], "invoiced": by_category[cat]} for cat in DEPARTMENTS
    ]
    method_rows = [
        {
            "method": PaymentMethod(method).label,
            **entry,
            "net": entry["received"] - entry["refunded"],
        }
        for method, entry in by_method.items()
    ]
    day_rows = []
    for day in days_between(filters.date_from, filters.date_to):
        received, refunded = cash_per_day[day]
        day_rows.append(
            {
                "day": day,
                "invoiced": invoiced_per_day[day],
                "received": received,
                "refunded": refunded,
                "net": received - refunded,
            }
        )
    invoiced = sum((r["invoiced"] for r in department_rows), ZERO)
    received = sum((r["received"] for r in method_rows), ZERO)
    refunded = sum((r["refunded"] for r in method_rows), ZERO)
    money_axis = f"Amount ({currency})"
    return ReportResult(
        slug="finance-revenue",
        title="Revenue by department and payment method",
        filters=filters,
        as_of=as_of,
        figures=[
            Figure("invoiced", "Invoiced", invoiced, currency),
            Figure("received", "Received", received, currency),
            Figure("refunded", "Refunded", refunded, currency),
            Figure("net_collected", "Net collected", received - refunded, currency),
        ],
        sections=[
            Section(
                id="by_department",
                title="Invoiced revenue by department",
                columns=(
                    Column("department", "Department", "text"),
                    _money_column("invoiced", "Invoiced"),
                ),
                rows=department_rows,
                chart=Chart(
                    "bar",
                    "Invoiced revenue by department",
                    "department",
                    (Series("invoiced", "Invoiced"),),
                    money_axis,
                ),
                note=DEPARTMENT_NOTE,
            ),
            Section(
                id="by_method",
                title="Collections by payment method",
                columns=(
                    Column("method", "Payment method", "text"),
                    Column("payments", "Payments"),
                    _money_column("received", "Received"),
                    Column("refunds", "Refunds"),
                    _money_column("refunded", "Refunded"),
                    _money_column("net", "Net collected"),
                ),
                rows=method_rows,
                chart=Chart(
                    "bar",
                    "Net collected by payment method",
                    "method",
                    (Series("net", "Net collected"),),
                    money_axis,
                ),
                note=CASH_NOTE,
            ),
            Section(
                id="per_day",
                title="Per day",
                columns=(
                    Column("day", "Day", "date"),
                    _money_column("invoiced", "Invoiced"),
                    _money_column("received", "Received"),
                    _money_column("refunded", "Refunded"),
                    _money_column("net", "Net collected"),
                ),
                rows=day_rows,
                chart=Chart(
                    "line",
                    "Invoiced and collected per day",
                    "day",
                    (Series("invoiced", "Invoiced"), Series("net", "Net collected")),
                    f"{money_axis} per day",
                ),
            ),
        ],
    )


@report(
    slug="finance-revenue",
    title="Revenue by department and payment method",
    family="finance",
    description=(
        "Invoiced revenue by department (revenue centre) and money collected by payment "
        "method, per day and in total: payments less refunds."
    ),
    filters=("date_from", "date_to"),
)
def finance_revenue(filters: ReportFilters, user) -> ReportResult:
    revenue, revenue_as_of = facts_for(REVENUE_SUMMARY, filters.date_from, filters.date_to)
    cash, cash_as_of = facts_for(CASH_SUMMARY, filters.date_from, filters.date_to)
    return revenue_result(filters, revenue, cash, min(revenue_as_of, cash_as_of))


# --- Receivables -------------------------------------------------------------------------------


@report(
    slug="finance-receivables",
    title="Receivables ageing",
    family="finance",
    description=(
        "Open invoices' balances on a day (the end of the range) by days past due, the "
        "insurers' expected part apart from what patients owe."
    ),
    filters=("date_to",),
)
def finance_receivables(filters: ReportFilters, user) -> ReportResult:
    currency = hospital_currency()
    ageing = receivables_ageing(filters.date_to)
    rows = [
        {
            "bucket": f"{bucket['bucket']} days",
            "invoices": bucket["invoices"],
            "balance": bucket["balance"],
            "insurance": bucket["insurance"],
            "patient": bucket["patient"],
        }
        for bucket in ageing["buckets"]
    ]
    insurance = sum((r["insurance"] for r in rows), ZERO)
    return ReportResult(
        slug="finance-receivables",
        title="Receivables ageing",
        filters=filters,
        as_of=timezone.now(),
        figures=[
            Figure("open_invoices", "Open invoices", ageing["invoices"]),
            Figure("balance", "Balance due", ageing["total_balance"], currency),
            Figure("insurance", "Expected from insurers", insurance, currency),
            Figure("patient", "Owed by patients", ageing["total_balance"] - insurance, currency),
        ],
        sections=[
            Section(
                id="ageing",
                title=f"Balances by days past due on {filters.date_to.isoformat()}",
                columns=(
                    Column("bucket", "Days past due", "text"),
                    Column("invoices", "Invoices"),
                    _money_column("balance", "Balance"),
                    _money_column("insurance", "Insurance expected"),
                    _money_column("patient", "Patients owe"),
                ),
                rows=rows,
                chart=Chart(
                    "stacked_bar",
                    "Receivables by age",
                    "bucket",
                    (Series("insurance", "Insurance expected"), Series("patient", "Patients owe")),
                    f"Balance ({currency})",
                ),
                note=(
                    "Issued and partly paid invoices on that day; one not yet due counts in "
                    "0-30. Insurance expected is the claimed amount of a submitted claim or the "
                    "approved amount of an approved one, at most the invoice's balance."
                ),
            )
        ],
    )


def receivables_ageing(as_of: date) -> dict:
    """What `hms.billing.reports.ar_ageing_report` answers, summed by the database: one
    grouped query over the open invoices (not a row each into Python), and one over the few
    open invoices with an insurer's part still expected. Same buckets, same numbers."""
    open_invoices = Invoice.objects.filter(
        status__in=[InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID],
        issued_at__lt=local_day_bounds(as_of)[1],
    )

    def bucket_of(due_date: str) -> Case:
        """The age bucket from the due date (an invoice not yet due counts in the first)."""
        whens = [
            When(**{f"{due_date}__gte": as_of - timedelta(days=high)}, then=Value(name))
            for name, _, high in AGEING_BUCKETS
            if high is not None
        ]
        return Case(
            When(**{f"{due_date}__isnull": True}, then=Value(AGEING_BUCKETS[0][0])),
            *whens,
            default=Value(AGEING_BUCKETS[-1][0]),
            output_field=CharField(),
        )

    buckets = {
        name: {"bucket": name, "invoices": 0, "balance": ZERO, "insurance": ZERO, "patient": ZERO}
        for name, _, _ in AGEING_BUCKETS
    }
    grouped = (
        open_invoices.annotate(age_bucket=bucket_of("due_date"))
        .order_by()
        .values("age_bucket")
        .annotate(n=Count("id"), total=Sum("total"), paid=Sum("amount_paid"))
    )
    for row in grouped:
        bucket = buckets[row["age_bucket"]]
        bucket["invoices"] = row["n"]
        bucket["balance"] = money(row["total"] - row["paid"])
    pending: dict[int, Decimal] = defaultdict(lambda: ZERO)
    invoice_of: dict[int, dict] = {}
    for claim in (
        InsuranceClaim.objects.filter(
            invoice__in=open_invoices,
            status__in=[
                ClaimStatus.SUBMITTED,
                ClaimStatus.APPROVED,
                ClaimStatus.PARTIALLY_APPROVED,
            ],
        )
        .annotate(age_bucket=bucket_of("invoice__due_date"))
        .values(
            "invoice_id",
            "status",
            "claimed_amount",
            "approved_amount",
            "invoice__total",
            "invoice__amount_paid",
            "age_bucket",
        )
    ):
        pending[claim["invoice_id"]] += (
            claim["claimed_amount"]
            if claim["status"] == ClaimStatus.SUBMITTED
            else claim["approved_amount"]
        )
        invoice_of[claim["invoice_id"]] = claim
    for invoice_id, expected in pending.items():
        invoice = invoice_of[invoice_id]
        balance = invoice["invoice__total"] - invoice["invoice__amount_paid"]
        buckets[invoice["age_bucket"]]["insurance"] += min(expected, balance)
    rows = list(buckets.values())
    for bucket in rows:
        bucket["patient"] = bucket["balance"] - bucket["insurance"]
    return {
        "buckets": rows,
        "total_balance": sum((b["balance"] for b in rows), ZERO),
        "invoices": sum(b["invoices"] for b in rows),
    }


# --- Claims ------------------------------------------------------------------------------------

OUTCOMES = [
    ClaimStatus.SUBMITTED,
    ClaimStatus.APPROVED,
    ClaimStatus.PARTIALLY_APPROVED,
    ClaimStatus.PAID,
    ClaimStatus.REJECTED,
]
DECIDED = {
    ClaimStatus.APPROVED,
    ClaimStatus.PARTIALLY_APPROVED,
    ClaimStatus.PAID,
    ClaimStatus.REJECTED,
}


def _payer_name(payer) -> str | None:
    if payer is None:
        return None
    return str(getattr(payer, "payer", None) or getattr(payer, "name", None) or payer)


def _rate(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (part * 100 / whole).quantize(Decimal("0.1"))


@report(
    slug="finance-claims",
    title="Insurance claims by payer and outcome",
    family="finance",
    description=(
        "Claims submitted in the range per payer and outcome: how many, the amounts claimed, "
        "approved and paid, and the share of decided claims' amounts the payer approved."
    ),
    filters=("date_from", "date_to", "payer"),
)
def finance_claims(filters: ReportFilters, user) -> ReportResult:
    currency = hospital_currency()
    start, end = local_day_bounds(filters.date_from)[0], local_day_bounds(filters.date_to)[1]
    claims = InsuranceClaim.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
    if (payer := _payer_name(filters.payer)) is not None:
        claims = claims.filter(payer__iexact=payer)
    grouped = (
        claims.values("payer", "status")
        .annotate(
            n=Count("id"),
            claimed=Sum("claimed_amount"),
            approved=Sum("approved_amount"),
            paid=Sum("paid_amount"),
        )
        .order_by("payer", "status")
    )
    order = {status: i for i, status in enumerate(OUTCOMES)}
    outcome_rows = []
    payers: dict[str, dict] = {}
    for row in sorted(grouped, key=lambda r: (r["payer"].lower(), order.get(r["status"], 99))):
        claimed = money(row["claimed"] or 0)
        approved = money(row["approved"] or 0)
        paid = money(row["paid"] or 0)
        outcome_rows.append(
            {
                "payer": row["payer"],
                "outcome": ClaimStatus(row["status"]).label,
                "claims": row["n"],
                "claimed": claimed,
                "approved": approved,
                "paid": paid,
            }
        )
        entry = payers.setdefault(
            row["payer"],
            {
                "payer": row["payer"],
                "claims": 0,
                "claimed": ZERO,
                "approved": ZERO,
                "paid": ZERO,
                "rejected": 0,
                "decided_claimed": ZERO,
            },
        )
        entry["claims"] += row["n"]
        entry["claimed"] += claimed
        entry["approved"] += approved
        entry["paid"] += paid
        if row["status"] == ClaimStatus.REJECTED:
            entry["rejected"] += row["n"]
        if row["status"] in DECIDED:
            entry["decided_claimed"] += claimed
    payer_rows = []
    for entry in payers.values():
        decided = entry.pop("decided_claimed")
        payer_rows.append({**entry, "approval_rate": _rate(entry["approved"], decided)})
    total = {
        key: sum((r[key] for r in payer_rows), ZERO) for key in ("claimed", "approved", "paid")
    }
    decided_total = sum(
        (r["claimed"] for r in outcome_rows if r["outcome"] != ClaimStatus.SUBMITTED.label), ZERO
    )
    money_axis = f"Amount ({currency})"
    return ReportResult(
        slug="finance-claims",
        title="Insurance claims by payer and outcome",
        filters=filters,
        as_of=timezone.now(),
        figures=[
            Figure("claims", "Claims", sum(r["claims"] for r in payer_rows)),
            Figure("claimed", "Claimed", total["claimed"], currency),
            Figure("approved", "Approved", total["approved"], currency),
            Figure("paid", "Paid by payers", total["paid"], currency),
            Figure(
                "approval_rate",
                "Approved of decided claims",
                _rate(total["approved"], decided_total),
                "%",
            ),
        ],
        sections=[
            Section(
                id="by_payer",
                title="By payer",
                columns=(
                    Column("payer", "Payer", "text"),
                    Column("claims", "Claims"),
                    _money_column("claimed", "Claimed"),
                    _money_column("approved", "Approved"),
                    _money_column("paid", "Paid"),
                    Column("rejected", "Rejected claims"),
                    Column("approval_rate", "Approved of decided", "percent", "%"),
                ),
                rows=payer_rows,
                chart=Chart(
                    "bar",
                    "Claimed, approved and paid by payer",
                    "payer",
                    (
                        Series("claimed", "Claimed"),
                        Series("approved", "Approved"),
                        Series("paid", "Paid"),
                    ),
                    money_axis,
                ),
                note=(
                    "Approved of decided: the approved amount as a share of what was claimed on "
                    "claims the payer has decided (approved, partly approved, paid or rejected)."
                ),
            ),
            Section(
                id="by_outcome",
                title="By payer and outcome",
                columns=(
                    Column("payer", "Payer", "text"),
                    Column("outcome", "Outcome", "text"),
                    Column("claims", "Claims"),
                    _money_column("claimed", "Claimed"),
                    _money_column("approved", "Approved"),
                    _money_column("paid", "Paid"),
                ),
                rows=outcome_rows,
            ),
        ],
    )
