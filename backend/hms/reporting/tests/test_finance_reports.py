"""Finance reports against hand-checked numbers."""

from datetime import date
from decimal import Decimal as D

import pytest

from hms.billing import services
from hms.billing.models import Invoice
from hms.reporting.reports.finance import CASH_SUMMARY, REVENUE_SUMMARY
from hms.reporting.selectors import report_result_json
from hms.reporting.summaries import plan, refresh
from hms.reporting.tests.finance_data import Books, at, compute, revenue_days

pytestmark = pytest.mark.django_db

MARCH = {"date_from": date(2027, 3, 10), "date_to": date(2027, 3, 12)}


@pytest.fixture
def books(make_user):
    return Books(make_user)


def figures(result) -> dict:
    return {f.key: f.value for f in result.figures}


def section(result, section_id) -> list[dict]:
    return next(s for s in result.sections if s.id == section_id).rows


def test_revenue_by_department_method_and_day(books):
    revenue_days(books)
    with at(13):
        result = compute("finance-revenue", books.clerk, **MARCH)
    # Invoiced: 55 + 100 on the 10th, 30 on the 11th, -30 (void) on the 12th = 155.
    # Received: 50 cash + 30 card + 5 mobile money = 85; refunded 10 cash; net 75.
    assert figures(result) == {
        "invoiced": D("155.00"),
        "received": D("85.00"),
        "refunded": D("10.00"),
        "net_collected": D("75.00"),
    }
    departments = {r["department"]: r["invoiced"] for r in section(result, "by_department")}
    # Laboratory: 15 (10th) + 30 (11th) - 30 (voided on the 12th) = 15.
    assert departments["Radiology"] == D("40.00")
    assert departments["Laboratory"] == D("15.00")
    assert departments["Other services"] == D("100.00")
    assert departments["Pharmacy"] == D("0.00")
    methods = {r["method"]: r for r in section(result, "by_method")}
    assert (methods["Cash"]["payments"], methods["Cash"]["refunds"]) == (1, 1)
    assert (methods["Cash"]["received"], methods["Cash"]["net"]) == (D("50.00"), D("40.00"))
    assert methods["Card"]["net"] == D("30.00")
    assert methods["Mobile money"]["net"] == D("5.00")
    assert methods["Insurance"]["net"] == D("0.00")
    days = [(r["day"], r["invoiced"], r["net"]) for r in section(result, "per_day")]
    # 10th: 155 invoiced, 80 - 10 = 70 net; 11th: 30 and 5; 12th: -30 and nothing.
    assert days == [
        (date(2027, 3, 10), D("155.00"), D("70.00")),
        (date(2027, 3, 11), D("30.00"), D("5.00")),
        (date(2027, 3, 12), D("-30.00"), D("0.00")),
    ]


def test_revenue_of_a_range_counts_only_its_days(books):
    revenue_days(books)
    with at(13):
        result = compute(
            "finance-revenue", books.clerk, date_from=date(2027, 3, 11), date_to=date(2027, 3, 12)
        )
    # 30 issued on the 11th, voided on the 12th: nothing; only the 5 by mobile money came in.
    assert figures(result)["invoiced"] == D("0.00")
    assert figures(result)["net_collected"] == D("5.00")


def test_claims_by_payer_and_outcome(books):
    with at(10):
        big = books.invoice(books.amina, "200.00")
        claim = books.claim(big, "Jubilee Health", 25)  # claims 150
        services.claim_approve(actor=books.clerk, claim=claim, approved_amount=D(120))
        services.claim_settle(actor=books.clerk, claim=claim)
        rejected = books.claim(books.invoice(books.brian, "100.00"), "Jubilee Health", 0)
        services.claim_reject(actor=books.clerk, claim=rejected, reason="Not covered")
        books.claim(books.invoice(books.brian, "80.00"), "Acme Health", 50)  # claims 40
    with at(9, month=4):
        result = compute("finance-claims", books.clerk, **MARCH)
    # Claimed 150 + 100 + 40 = 290; approved and paid 120; decided claims claimed 250, so
    # 120 / 250 = 48.0 % approved.
    assert figures(result) == {
        "claims": 3,
        "claimed": D("290.00"),
        "approved": D("120.00"),
        "paid": D("120.00"),
        "approval_rate": D("48.0"),
    }
    payers = {r["payer"]: r for r in section(result, "by_payer")}
    assert payers["Acme Health"]["approval_rate"] is None  # nothing decided yet
    assert (payers["Jubilee Health"]["claims"], payers["Jubilee Health"]["rejected"]) == (2, 1)
    outcomes = [
        (r["payer"], r["outcome"], r["claims"], r["claimed"]) for r in section(result, "by_outcome")
    ]
    assert outcomes == [
        ("Acme Health", "Submitted", 1, D("40.00")),
        ("Jubilee Health", "Paid", 1, D("150.00")),
        ("Jubilee Health", "Rejected", 1, D("100.00")),
    ]
    only_acme = compute("finance-claims", books.clerk, **MARCH, payer="acme health")
    assert figures(only_acme)["claims"] == 1


def test_receivables_ageing_on_the_last_day(books):
    with at(1):
        books.invoice(books.amina, "100.00")  # due 1 March
    with at(9):
        books.pay(books.invoice(books.brian, "40.00"), "10.00")  # due 9 March, 30 left
    with at(10, month=4):
        result = compute(
            "finance-receivables", books.clerk, date_from=date(2027, 3, 6), date_to=date(2027, 4, 5)
        )
    # On 5 April: the 100 is 35 days past due (31-60), the 30 left is 27 days (0-30).
    rows = {r["bucket"]: (r["invoices"], r["balance"]) for r in section(result, "ageing")}
    assert rows["0-30 days"] == (1, D("30.00"))
    assert rows["31-60 days"] == (1, D("100.00"))
    assert figures(result)["balance"] == D("130.00")
    assert figures(result)["patient"] == D("130.00")


def test_summary_path_gives_the_live_numbers(books):
    revenue_days(books)

    def numbers(result) -> dict:
        body = report_result_json(result)
        return {"figures": body["figures"], "sections": body["sections"]}

    wide = {"date_from": date(2027, 3, 1), "date_to": date(2027, 3, 20)}
    with at(20, hour=12):
        # Today the dressing invoice gets 20 more by bank transfer (a live day either way).
        books.pay(Invoice.objects.get(patient=books.brian), "20.00", "bank_transfer")
        live = compute("finance-revenue", books.clerk, **wide)
        assert plan(REVENUE_SUMMARY, **wide).summary is None
        refresh(
            [REVENUE_SUMMARY, CASH_SUMMARY], date_from=date(2027, 3, 1), date_to=date(2027, 3, 19)
        )
        range_plan = plan(CASH_SUMMARY, **wide)
        assert range_plan.summary == (date(2027, 3, 1), date(2027, 3, 19))
        assert range_plan.live == (date(2027, 3, 20), date(2027, 3, 20))
        summarised = compute("finance-revenue", books.clerk, **wide)
    assert numbers(summarised) == numbers(live)
    # 85 + 20 received, 10 refunded.
    assert figures(summarised)["net_collected"] == D("95.00")
