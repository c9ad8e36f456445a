from datetime import UTC, datetime
from decimal import Decimal

import pytest

from hms.billing import services
from hms.billing.tests.factories import TariffFactory
from hms.core.roles import Role
from hms.patients.tests.factories import PatientFactory, PatientUserFactory

# Wednesday 10 March 2027, 10:00 UTC (the test settings' hospital time zone is UTC).
NOW = datetime(2027, 3, 10, 10, 0, tzinfo=UTC)


@pytest.fixture
def frozen_instant():
    return NOW


@pytest.fixture
def accountant(make_user):
    return make_user(Role.ACCOUNTANT)


@pytest.fixture
def receptionist(make_user):
    return make_user(Role.RECEPTIONIST)


@pytest.fixture
def patient(db):
    return PatientFactory(first_name="Amina", last_name="Yusuf")


@pytest.fixture
def portal_patient(db):
    return PatientFactory(user=PatientUserFactory(), first_name="Pat", last_name="Portal")


@pytest.fixture
def xray(db):
    return TariffFactory(
        code="RAD-XR-CHEST", category="radiology", name="Chest X-ray", price=Decimal("40.00")
    )


@pytest.fixture
def post(accountant):
    """Post a priced charge for a patient: post(patient, "12.50", qty=2, tax="16")."""

    def do(patient, price="100.00", *, qty=1, tax="0", description="Dressing", actor=None):
        return services.charge_post_manual(
            actor=actor or accountant,
            patient=patient,
            reason="Wound dressing at the clinic",
            description=description,
            unit_price=Decimal(price),
            quantity=Decimal(qty),
            tax_rate=Decimal(tax),
        )

    return do


@pytest.fixture
def issued_invoice(accountant, patient, post):
    """An issued invoice of 100.00 + 50.00 for `patient`."""

    def make(*prices, who=None):
        target = who or patient
        charges = [post(target, p) for p in (prices or ("100.00", "50.00"))]
        invoice = services.invoice_create(
            actor=accountant, patient=target, charge_ids=[c.public_id for c in charges]
        )
        return services.invoice_issue(actor=accountant, invoice=invoice)

    return make
