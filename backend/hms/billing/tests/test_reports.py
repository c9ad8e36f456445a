"""Daily cash report per cashier and method; accounts receivable ageing."""

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
import time_machine

from hms.billing import services
from hms.billing.reports import ar_ageing_report
from hms.core.roles import Role
from hms.patients.tests.factories import InsurancePolicyFactory

pytestmark = pytest.mark.django_db


def at(day, hour=10):
    return time_machine.travel(datetime(2027, 3, day, hour, tzinfo=UTC), tick=False)


def test_daily_cash_per_cashier_and_method(client_for, accountant, receptionist, issued_invoice):
    with at(10):
        invoice = issued_invoice("100.00", "100.00")
        cash = services.payment_record(
            actor=receptionist, invoice=invoice, amount=D(50), method="cash"
        )
        services.payment_record(actor=receptionist, invoice=invoice, amount=D(30), method="cash")
        services.payment_record(actor=accountant, invoice=invoice, amount=D(20), method="card")
        services.refund_create(actor=accountant, payment=cash, amount=D(10), reason="Overcharged")
    with at(11):
        services.payment_record(actor=receptionist, invoice=invoice, amount=D(5), method="cash")

    books = client_for(Role.ACCOUNTANT, user=accountant)
    report = books.get("/api/billing/reports/daily-cash/", {"date": "2027-03-10"}).json()
    rows = {(r["cashier"]["id"], r["method"]): r for r in report["rows"]}
    desk_cash = rows[(str(receptionist.public_id), "cash")]
    assert (desk_cash["payments"], desk_cash["received"], desk_cash["net"]) == (2, "80.00", "80.00")
    books_cash = rows[(str(accountant.public_id), "cash")]
    assert (books_cash["refunds"], books_cash["refunded"], books_cash["net"]) == (
        1,
        "10.00",
        "-10.00",
    )
    assert rows[(str(accountant.public_id), "card")]["received"] == "20.00"
    assert report["total_received"] == "100.00" and report["total_net"] == "90.00"
    assert {t["method"]: t["net"] for t in report["totals_by_method"]} == {
        "card": "20.00",
        "cash": "70.00",
    }
    # A receptionist sees only their own takings.
    desk = client_for(Role.RECEPTIONIST, user=receptionist)
    own = desk.get("/api/billing/reports/daily-cash/", {"date": "2027-03-10"}).json()
    assert {r["cashier"]["id"] for r in own["rows"]} == {str(receptionist.public_id)}
    assert client_for(Role.PATIENT).get("/api/billing/reports/daily-cash/").status_code == 403


def test_ar_ageing_buckets_by_days_past_due(client_for, accountant, patient, issued_invoice):
    with at(1):
        old = issued_invoice("100.00")  # due 1 March
    with at(9):
        recent = issued_invoice("40.00")
        services.payment_record(actor=accountant, invoice=recent, amount=D(10), method="cash")
        insured = issued_invoice("200.00")
        services.claim_submit(
            actor=accountant,
            invoice=insured,
            copay_percent=D(25),
            policy=InsurancePolicyFactory(patient=patient, valid_from=date(2020, 1, 1)),
        )
        paid = issued_invoice("5.00")
        services.payment_record(actor=accountant, invoice=paid, amount=D(5), method="cash")
    report = ar_ageing_report(as_of=date(2027, 4, 15))
    buckets = {b["bucket"]: b for b in report["buckets"]}
    assert buckets["31-60"]["invoices"] == 3  # 45 and 37 days past due
    assert buckets["31-60"]["balance"] == D("330.00")
    assert buckets["31-60"]["insurance"] == D("150.00")
    assert buckets["31-60"]["patient"] == D("180.00")
    assert report["total_balance"] == D("330.00")
    assert ar_ageing_report(as_of=date(2027, 3, 20))["buckets"][0]["invoices"] == 3
    api = client_for(Role.ACCOUNTANT).get(
        "/api/billing/reports/ar-ageing/", {"as_of": "2027-06-05"}
    )
    assert api.status_code == 200
    buckets = api.json()["buckets"]
    assert (buckets[2]["invoices"], buckets[3]["invoices"]) == (2, 1)  # 88 days; 96 days (old)
    assert buckets[3]["balance"] == "100.00" and old.due_date == date(2027, 3, 1)
    assert client_for(Role.RECEPTIONIST).get("/api/billing/reports/ar-ageing/").status_code == 403
