"""Real threads (PostgreSQL, MySQL/MariaDB): races closed in the database."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from hms.accounts.tests.factories import UserFactory
from hms.billing import services
from hms.billing.models import Charge, Invoice, Payment, Tariff
from hms.billing.tests.factories import TariffFactory
from hms.core.roles import Role
from hms.core.tests.threads import run_at_once
from hms.patients.tests.factories import PatientFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("require_row_locks"),
]


def test_one_event_posted_by_ten_workers_at_once_is_one_charge():
    accountant = UserFactory(role=Role.ACCOUNTANT)
    patient = PatientFactory()
    TariffFactory(code="LAB-718-7", category="lab_test", name="Haemoglobin")

    def post(_):
        return services.charge_post(
            actor=accountant,
            patient=patient,
            source_type="lab_order",
            source_id="order-42",
            tariff_code="LAB-718-7",
        ).pk

    results = run_at_once(10, post)
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    assert Charge.objects.count() == 1


def test_concurrent_issuing_gives_gapless_unique_numbers():
    accountant = UserFactory(role=Role.ACCOUNTANT)
    drafts = []
    for _ in range(12):
        patient = PatientFactory()
        services.charge_post_manual(
            actor=accountant,
            patient=patient,
            reason="Procedure done",
            description="Procedure",
            unit_price=D(10),
        )
        drafts.append(services.invoice_create(actor=accountant, patient=patient))

    def issue(index):
        return services.invoice_issue(actor=accountant, invoice=drafts[index]).number

    results = run_at_once(12, issue)
    assert all(isinstance(r, str) for r in results), results
    sequences = sorted(Invoice.objects.values_list("number_sequence", flat=True))
    assert sequences == list(range(1, 13))
    assert len(set(results)) == 12


def test_concurrent_payments_never_overpay():
    accountant = UserFactory(role=Role.ACCOUNTANT)
    patient = PatientFactory()
    services.charge_post_manual(
        actor=accountant,
        patient=patient,
        reason="Procedure done",
        description="Procedure",
        unit_price=D(100),
    )
    invoice = services.invoice_issue(
        actor=accountant, invoice=services.invoice_create(actor=accountant, patient=patient)
    )

    def pay(_):
        try:
            services.payment_record(actor=accountant, invoice=invoice, amount=D(30), method="cash")
            return "paid"
        except Exception as exc:
            return getattr(exc, "code", repr(exc))

    results = run_at_once(6, pay)
    assert sorted(results) == ["overpayment"] * 3 + ["paid"] * 3
    invoice.refresh_from_db()
    assert invoice.amount_paid == D(90)
    receipts = sorted(Payment.objects.values_list("receipt_sequence", flat=True))
    assert receipts == [1, 2, 3]


def test_first_prices_of_a_new_code_set_at_once_leave_one_open_version():
    """A new code's first version has no row to lock: its partial unique constraint, or on
    MySQL/MariaDB the tariff table's lock, keeps one open version per code; the others answer
    409 tariff_version_overlap, not a database error."""
    from hms.core.errors import ConflictError

    accountant = UserFactory(role=Role.ACCOUNTANT)

    def set_price(index):
        return services.tariff_set_price(
            actor=accountant,
            code="PROC-RACE",
            category="procedure",
            name="Raced procedure",
            price=D(10 + index),
            valid_from=date(2027, 1, 1) + timedelta(days=index),
        )

    results = run_at_once(6, set_price)
    assert all(isinstance(r, Tariff | ConflictError) for r in results), results
    assert any(isinstance(r, Tariff) for r in results), results
    refused = {r.code for r in results if isinstance(r, ConflictError)}
    assert refused <= {"tariff_version_overlap"}, results
    assert Tariff.objects.filter(code="PROC-RACE", valid_until__isnull=True).count() == 1
