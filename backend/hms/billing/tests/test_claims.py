"""Insurance claims: co-pay split per line, decisions, settlement by the approved amount."""

from datetime import date
from decimal import Decimal as D

import pytest

from hms.billing import services
from hms.billing.models import ClaimStatus, InvoiceStatus, PaymentMethod
from hms.core.errors import ConflictError
from hms.patients.tests.factories import InsurancePolicyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(patient):
    return InsurancePolicyFactory(
        patient=patient, payer="Jubilee Health", valid_from=date(2020, 1, 1)
    )


def test_claim_splits_each_line_into_copay_and_claimed(accountant, issued_invoice, policy):
    invoice = issued_invoice("33.33", "66.67")
    claim = services.claim_submit(
        actor=accountant, invoice=invoice, policy=policy, copay_percent=D(10)
    )
    assert claim.status == ClaimStatus.SUBMITTED and claim.payer == "Jubilee Health"
    assert [(x.copay_amount, x.claimed_amount) for x in claim.lines.order_by("id")] == [
        (D("3.33"), D("30.00")),
        (D("6.67"), D("60.00")),
    ]
    assert (claim.copay_amount, claim.claimed_amount) == (D("10.00"), D("90.00"))
    with pytest.raises(ConflictError) as error:
        services.claim_submit(actor=accountant, invoice=invoice, policy=policy)
    assert error.value.code == "claim_exists"


def test_patient_pays_only_their_part_while_the_claim_is_open(accountant, issued_invoice, policy):
    invoice = issued_invoice("100.00")
    services.claim_submit(actor=accountant, invoice=invoice, policy=policy, copay_percent=D(20))
    with pytest.raises(ConflictError) as error:
        services.payment_record(actor=accountant, invoice=invoice, amount=D("20.01"), method="cash")
    assert error.value.code == "overpayment"
    services.payment_record(actor=accountant, invoice=invoice, amount=D(20), method="cash")


def test_partial_approval_settles_the_insurance_part_and_the_rest_falls_to_the_patient(
    accountant, issued_invoice, policy
):
    invoice = issued_invoice("100.00")
    claim = services.claim_submit(
        actor=accountant, invoice=invoice, policy=policy, copay_percent=D(10)
    )
    services.payment_record(actor=accountant, invoice=invoice, amount=D(10), method="cash")
    claim = services.claim_approve(
        actor=accountant, claim=claim, approved_amount=D(75), payer_reference="JH-778"
    )
    assert claim.status == ClaimStatus.PARTIALLY_APPROVED
    claim = services.claim_settle(actor=accountant, claim=claim)
    invoice.refresh_from_db()
    assert claim.status == ClaimStatus.PAID and claim.paid_amount == D(75)
    assert invoice.amount_paid == D(85) and invoice.status == InvoiceStatus.PARTIALLY_PAID
    insurance = invoice.payments.get(method=PaymentMethod.INSURANCE)
    assert insurance.claim == claim and insurance.reference == "JH-778"
    # The unapproved 15 is now the patient's to pay.
    services.payment_record(actor=accountant, invoice=invoice, amount=D(15), method="card")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID


def test_rejection_leaves_everything_to_the_patient(accountant, issued_invoice, policy):
    invoice = issued_invoice("100.00")
    claim = services.claim_submit(actor=accountant, invoice=invoice, policy=policy)
    claim = services.claim_reject(actor=accountant, claim=claim, reason="Not covered")
    assert claim.status == ClaimStatus.REJECTED
    with pytest.raises(ConflictError):
        services.claim_settle(actor=accountant, claim=claim)
    services.payment_record(actor=accountant, invoice=invoice, amount=D(100), method="cash")
    # A new claim is allowed after a rejection... but nothing is left to claim now.
    with pytest.raises(ConflictError):
        services.claim_submit(actor=accountant, invoice=invoice, policy=policy)


def test_approval_cannot_exceed_the_claim(accountant, issued_invoice, policy):
    from hms.core.errors import ApplicationError

    claim = services.claim_submit(actor=accountant, invoice=issued_invoice("100.00"), policy=policy)
    with pytest.raises(ApplicationError) as error:
        services.claim_approve(actor=accountant, claim=claim, approved_amount=D("100.01"))
    assert error.value.code == "invalid_approved_amount"
    claim = services.claim_approve(actor=accountant, claim=claim, approved_amount=D(100))
    assert claim.status == ClaimStatus.APPROVED


def test_policy_must_be_the_patients_and_valid(accountant, issued_invoice, policy):
    other = InsurancePolicyFactory(valid_from=date(2020, 1, 1))
    with pytest.raises(ConflictError) as error:
        services.claim_submit(actor=accountant, invoice=issued_invoice(), policy=other)
    assert error.value.code == "policy_not_valid"
    expired = InsurancePolicyFactory(
        patient=policy.patient, valid_from=date(2020, 1, 1), valid_until=date(2021, 1, 1)
    )
    with pytest.raises(ConflictError):
        services.claim_submit(actor=accountant, invoice=issued_invoice(), policy=expired)


def test_void_waits_for_an_open_claim(accountant, issued_invoice, policy):
    invoice = issued_invoice()
    claim = services.claim_submit(actor=accountant, invoice=invoice, policy=policy)
    with pytest.raises(ConflictError) as error:
        services.invoice_void(actor=accountant, invoice=invoice, reason="Duplicate")
    assert error.value.code == "claim_open"
    services.claim_reject(actor=accountant, claim=claim, reason="Duplicate")
    services.invoice_void(actor=accountant, invoice=invoice, reason="Duplicate")
