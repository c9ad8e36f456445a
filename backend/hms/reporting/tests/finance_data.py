"""Billing data for the finance report tests, built with billing's own services at fixed
moments (the test settings' hospital time zone is UTC)."""

from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal as D

import time_machine

from hms.billing import services
from hms.billing.tests.factories import TariffFactory
from hms.core.roles import Role
from hms.patients.tests.factories import InsurancePolicyFactory, PatientFactory
from hms.reporting.registry import ReportFilters, report_get


@contextmanager
def at(day: int, hour: int = 10, month: int = 3):
    """The clock at 2027-<month>-<day> <hour>:00 UTC (March 2027 unless told)."""
    with time_machine.travel(datetime(2027, month, day, hour, tzinfo=UTC), tick=False):
        yield


def compute(slug: str, user, date_from: date, date_to: date, **filters):
    return report_get(slug).compute(ReportFilters(date_from, date_to, **filters), user)


class Books:
    """A billing desk: tariffs, patients, and short verbs to bill them."""

    def __init__(self, make_user):
        self.clerk = make_user(Role.ACCOUNTANT)
        TariffFactory(code="RAD-XR-CHEST", category="radiology", name="Chest X-ray", price=D(40))
        TariffFactory(code="LAB-FBC", category="lab_test", name="Full blood count", price=D(15))
        self.amina = PatientFactory(first_name="Amina", last_name="Yusuf")
        self.brian = PatientFactory(first_name="Brian", last_name="Otieno")

    def invoice(self, patient, *items):
        """Issue an invoice of items: a tariff code, (code, quantity) or a price for a manual
        charge (category Other)."""
        charges = []
        for item in items:
            if isinstance(item, str) and not item[0].isdigit():
                item = (item, 1)
            if isinstance(item, tuple):
                code, qty = item
                charges.append(
                    services.charge_post_manual(
                        actor=self.clerk,
                        patient=patient,
                        reason="Ordered at the clinic",
                        tariff_code=code,
                        quantity=qty,
                    )
                )
            else:
                charges.append(
                    services.charge_post_manual(
                        actor=self.clerk,
                        patient=patient,
                        reason="Wound dressing",
                        description="Dressing",
                        unit_price=D(item),
                    )
                )
        draft = services.invoice_create(
            actor=self.clerk, patient=patient, charge_ids=[c.public_id for c in charges]
        )
        return services.invoice_issue(actor=self.clerk, invoice=draft)

    def pay(self, invoice, amount, method="cash"):
        return services.payment_record(
            actor=self.clerk, invoice=invoice, amount=D(amount), method=method
        )

    def refund(self, payment, amount):
        return services.refund_create(
            actor=self.clerk, payment=payment, amount=D(amount), reason="Overcharged"
        )

    def void(self, invoice):
        return services.invoice_void(actor=self.clerk, invoice=invoice, reason="Entered twice")

    def claim(self, invoice, payer, copay):
        policy = InsurancePolicyFactory(
            patient=invoice.patient, payer=payer, valid_from=date(2020, 1, 1)
        )
        return services.claim_submit(
            actor=self.clerk, invoice=invoice, policy=policy, copay_percent=D(copay)
        )


def revenue_days(books: Books) -> None:
    """Three days of billing, 10-12 March 2027:

    10th: Amina's X-ray 40 + blood count 15 = 55 issued, 50 cash (10 of it refunded);
          Brian's dressing 100 (Other) issued, 30 by card.
    11th: Amina's two blood counts 30 issued; 5 by mobile money on her first invoice.
    12th: the 30 invoice voided (Laboratory -30 on the 12th).
    """
    with at(10):
        first = books.invoice(books.amina, "RAD-XR-CHEST", "LAB-FBC")
        cash = books.pay(first, "50.00")
        books.refund(cash, "10.00")
        dressing = books.invoice(books.brian, "100.00")
        books.pay(dressing, "30.00", "card")
    with at(11):
        twice = books.invoice(books.amina, ("LAB-FBC", 2))
        books.pay(first, "5.00", "mobile_money")
    with at(12):
        books.void(twice)
