"""Billing reports: the day's cash per cashier and payment method, and accounts receivable by
age. Reads only, across all patients; the report APIs are for the billing staff."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum

from hms.accounts.models import User
from hms.billing.models import ClaimStatus, InsuranceClaim, Invoice, InvoiceStatus, Payment, Refund
from hms.billing.money import ZERO, hospital_currency, money
from hms.billing.selectors import local_day_bounds


def _person(user) -> dict:
    return {"id": str(user.public_id), "name": user.get_full_name() or user.username}


def daily_cash_report(*, day: date, cashier=None) -> dict:
    """Money taken and given back on one local day, per cashier and payment method.

    Two grouped queries (payments, refunds) plus one for the cashiers' names, whatever the
    number of payments."""
    start, end = local_day_bounds(day)
    payments = Payment.objects.filter(received_at__gte=start, received_at__lt=end)
    refunds = Refund.objects.filter(refunded_at__gte=start, refunded_at__lt=end)
    if cashier is not None:
        payments = payments.filter(received_by=cashier)
        refunds = refunds.filter(refunded_by=cashier)
    rows: dict[tuple[int, str], dict] = defaultdict(
        lambda: {"payments": 0, "received": ZERO, "refunds": 0, "refunded": ZERO}
    )
    for row in payments.values("received_by", "method").annotate(n=Count("id"), s=Sum("amount")):
        entry = rows[(row["received_by"], row["method"])]
        entry["payments"], entry["received"] = row["n"], money(row["s"])
    for row in refunds.values("refunded_by", "method").annotate(n=Count("id"), s=Sum("amount")):
        entry = rows[(row["refunded_by"], row["method"])]
        entry["refunds"], entry["refunded"] = row["n"], money(row["s"])
    people = {u.pk: u for u in User.objects.filter(pk__in={key[0] for key in rows})}
    result_rows = []
    by_method: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for (user_pk, method), entry in sorted(
        rows.items(), key=lambda item: (people[item[0][0]].username, item[0][1])
    ):
        net = entry["received"] - entry["refunded"]
        by_method[method] += net
        result_rows.append(
            {"cashier": _person(people[user_pk]), "method": method, **entry, "net": net}
        )
    return {
        "date": day,
        "currency": hospital_currency(),
        "rows": result_rows,
        "totals_by_method": [{"method": m, "net": v} for m, v in sorted(by_method.items())],
        "total_received": sum((r["received"] for r in result_rows), ZERO),
        "total_refunded": sum((r["refunded"] for r in result_rows), ZERO),
        "total_net": sum((r["net"] for r in result_rows), ZERO),
    }


AGEING_BUCKETS = [("0-30", 0, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("90+", 91, None)]


def ar_ageing_report(*, as_of: date) -> dict:
    """Accounts receivable: open invoices' balances by days past their due date (an invoice
    not yet due counts in 0-30). Insurance still expected from open claims is shown apart from
    what the patients owe. Two queries."""
    invoices = list(
        Invoice.objects.filter(
            status__in=[InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID],
            issued_at__lt=local_day_bounds(as_of)[1],
        ).values("pk", "total", "amount_paid", "due_date")
    )
    pending = defaultdict(lambda: ZERO)
    for claim in InsuranceClaim.objects.filter(
        invoice_id__in=[i["pk"] for i in invoices],
        status__in=[ClaimStatus.SUBMITTED, ClaimStatus.APPROVED, ClaimStatus.PARTIALLY_APPROVED],
    ).values("invoice_id", "status", "claimed_amount", "approved_amount"):
        pending[claim["invoice_id"]] += (
            claim["claimed_amount"]
            if claim["status"] == ClaimStatus.SUBMITTED
            else claim["approved_amount"]
        )
    buckets = {
        name: {"bucket": name, "invoices": 0, "balance": ZERO, "insurance": ZERO, "patient": ZERO}
        for name, _, _ in AGEING_BUCKETS
    }
    for invoice in invoices:
        days = max((as_of - invoice["due_date"]).days, 0)
        name = next(
            n for n, low, high in AGEING_BUCKETS if days >= low and (high is None or days <= high)
        )
        balance = invoice["total"] - invoice["amount_paid"]
        insurance = min(pending[invoice["pk"]], balance)
        bucket = buckets[name]
        bucket["invoices"] += 1
        bucket["balance"] += balance
        bucket["insurance"] += insurance
        bucket["patient"] += balance - insurance
    rows = list(buckets.values())
    return {
        "as_of": as_of,
        "currency": hospital_currency(),
        "buckets": rows,
        "total_balance": sum((b["balance"] for b in rows), ZERO),
        "invoices": sum(b["invoices"] for b in rows),
    }
