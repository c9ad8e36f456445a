"""Insurance claim writes: submit, approve (fully or in part), reject, settle."""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hms.billing.models import (
    ClaimLine,
    ClaimStatus,
    InsuranceClaim,
    Invoice,
    InvoiceStatus,
    PaymentMethod,
)
from hms.billing.money import ZERO, copay_split, money
from hms.billing.services.common import _audit, _require_reason
from hms.billing.services.invoices import _live_lines, _lock_invoice, _require_status
from hms.billing.services.payments import _payment_create
from hms.core.errors import ApplicationError, ConflictError
from hms.core.models import AuditAction
from hms.core.wording import with_article
from hms.patients.models import InsurancePolicy


@transaction.atomic
def claim_submit(
    *,
    actor,
    invoice: Invoice,
    policy: InsurancePolicy,
    copay_percent: Decimal | None = None,
) -> InsuranceClaim:
    """Claim the insurer's part of an issued invoice under one of the patient's policies: each
    line is split into the patient's co-pay and the claimed amount (money.copay_split)."""
    invoice = _lock_invoice(invoice)
    _require_status(invoice, [InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID], doing="claimed")
    today = timezone.localdate()
    if (
        policy.patient_id != invoice.patient_id
        or policy.voided_at is not None
        or policy.valid_from > today
        or (policy.valid_until is not None and policy.valid_until < today)
    ):
        raise ConflictError(
            "This policy is not a valid policy of the invoice's patient today.",
            code="policy_not_valid",
            fields={"policy": ["Not valid for this patient today."]},
        )
    copay_percent = Decimal(
        settings.BILLING_DEFAULT_COPAY_PERCENT if copay_percent is None else copay_percent
    )
    if not (ZERO <= copay_percent < 100):
        raise ApplicationError(
            "A co-pay is a percentage from 0 to below 100.",
            code="invalid_copay",
            fields={"copay_percent": ["From 0 to less than 100."]},
        )
    if invoice.claims.filter(
        status__in=[
            ClaimStatus.SUBMITTED,
            ClaimStatus.APPROVED,
            ClaimStatus.PARTIALLY_APPROVED,
            ClaimStatus.PAID,
        ]
    ).exists():
        raise ConflictError("This invoice already has a claim.", code="claim_exists")
    splits = []
    for line in _live_lines(invoice):
        patient_share, insurer_share = copay_split(total=line.total, copay_percent=copay_percent)
        splits.append((line, patient_share, insurer_share))
    claimed = sum((s[2] for s in splits), ZERO)
    copay = sum((s[1] for s in splits), ZERO)
    if claimed <= 0:
        raise ConflictError("Nothing on this invoice can be claimed.", code="nothing_to_claim")
    if claimed > invoice.balance:
        raise ConflictError(
            f"The insurer's part ({claimed}) is more than the {invoice.balance} still due; "
            "refund the patient's overpayment first.",
            code="claim_exceeds_balance",
        )
    claim = InsuranceClaim.objects.create(
        invoice=invoice,
        policy=policy,
        payer=policy.payer,
        copay_percent=copay_percent,
        copay_amount=copay,
        claimed_amount=claimed,
        submitted_by=actor,
        submitted_at=timezone.now(),
    )
    ClaimLine.objects.bulk_create(
        ClaimLine(
            claim=claim,
            invoice_line=line,
            line_total=line.total,
            copay_amount=patient_share,
            claimed_amount=insurer_share,
        )
        for line, patient_share, insurer_share in splits
    )
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="billing_claim",
        obj=claim,
        patient_id=invoice.patient.public_id,
        detail={
            "invoice": invoice.number,
            "payer": policy.payer,
            "claimed": str(claimed),
            "copay": str(copay),
        },
    )
    return claim


def _lock_claim(claim: InsuranceClaim) -> tuple[Invoice, InsuranceClaim]:
    invoice = _lock_invoice(claim.invoice)
    claim = InsuranceClaim.objects.select_for_update().get(pk=claim.pk)
    return invoice, claim


def _require_claim_status(claim: InsuranceClaim, allowed, *, doing: str) -> None:
    if claim.status not in allowed:
        raise ConflictError(
            f"{with_article(claim.get_status_display().lower(), capital=True)} claim cannot be "
            f"{doing}.",
            code="invalid_claim_status",
            extra={"status": claim.status},
        )


@transaction.atomic
def claim_approve(
    *,
    actor,
    claim: InsuranceClaim,
    approved_amount: Decimal,
    payer_reference: str = "",
    note: str = "",
) -> InsuranceClaim:
    """Record the payer's decision: all of the claim (approved) or part (partially approved).
    What is not approved falls to the patient."""
    invoice, claim = _lock_claim(claim)
    _require_claim_status(claim, [ClaimStatus.SUBMITTED], doing="approved")
    approved_amount = Decimal(approved_amount)
    if (
        approved_amount <= 0
        or approved_amount > claim.claimed_amount
        or money(approved_amount) != approved_amount
    ):
        raise ApplicationError(
            f"The approved amount is above 0 and at most the {claim.claimed_amount} claimed "
            "(reject the claim to approve nothing).",
            code="invalid_approved_amount",
            fields={"approved_amount": [f"Above 0, at most {claim.claimed_amount}."]},
        )
    claim.approved_amount = approved_amount
    claim.status = (
        ClaimStatus.APPROVED
        if approved_amount == claim.claimed_amount
        else ClaimStatus.PARTIALLY_APPROVED
    )
    claim.payer_reference = payer_reference or claim.payer_reference
    claim.decision_note = note
    claim.decided_at = timezone.now()
    claim.save()
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="billing_claim",
        obj=claim,
        patient_id=invoice.patient.public_id,
        detail={"status": claim.status, "approved": str(approved_amount)},
    )
    return claim


@transaction.atomic
def claim_reject(
    *, actor, claim: InsuranceClaim, reason: str, payer_reference: str = ""
) -> InsuranceClaim:
    """The payer pays nothing; the whole balance falls to the patient."""
    reason = _require_reason(reason)
    invoice, claim = _lock_claim(claim)
    _require_claim_status(claim, [ClaimStatus.SUBMITTED], doing="rejected")
    claim.status = ClaimStatus.REJECTED
    claim.decision_note = reason
    claim.payer_reference = payer_reference or claim.payer_reference
    claim.decided_at = timezone.now()
    claim.save()
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="billing_claim",
        obj=claim,
        patient_id=invoice.patient.public_id,
        detail={"status": claim.status, "reason": reason},
    )
    return claim


@transaction.atomic
def claim_settle(*, actor, claim: InsuranceClaim, reference: str = "") -> InsuranceClaim:
    """The payer paid: post the approved amount to the invoice as an insurance payment (with a
    receipt), which settles the insurance part."""
    invoice, claim = _lock_claim(claim)
    _require_claim_status(
        claim, [ClaimStatus.APPROVED, ClaimStatus.PARTIALLY_APPROVED], doing="settled"
    )
    payment = _payment_create(
        actor=actor,
        invoice=invoice,
        amount=claim.approved_amount,
        method=PaymentMethod.INSURANCE,
        reference=reference or claim.payer_reference,
        claim=claim,
    )
    claim.status = ClaimStatus.PAID
    claim.paid_amount = payment.amount
    claim.paid_at = payment.received_at
    claim.save()
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="billing_claim",
        obj=claim,
        patient_id=invoice.patient.public_id,
        detail={
            "status": claim.status,
            "paid": str(payment.amount),
            "receipt": payment.receipt_number,
        },
    )
    return claim
