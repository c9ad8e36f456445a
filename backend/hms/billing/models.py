"""Tariffs, charges, invoices, payments, refunds and insurance claims.

Invariants held by the database, not only by Python:
- a billable event is charged once: UNIQUE (source_type, source_id) on Charge;
- a charge is on at most one live invoice line: partial UNIQUE (charge) where not released;
- one open-ended price per tariff code: partial UNIQUE (code) where valid_until IS NULL, and
  UNIQUE (code, valid_from);
- invoice and receipt numbers are unique per year and come from a counter row per (kind, year)
  locked with SELECT ... FOR UPDATE at issue time, so they have no gaps (see services);
- stored totals add up (CHECK total = subtotal - discount + tax on lines and invoices), paid
  never exceeds the total, a refund never exceeds its payment, a claim never approves more than
  it claimed;
- nothing is deleted: invoices are voided with a reason, charges voided, lines released.

Money: Decimal(14, 2) in settings.HOSPITAL_CURRENCY; rounding rules in hms/billing/money.py.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from hms.core.history import HistoricalRecords
from hms.core.models import TimeStampedModel


def default_currency() -> str:
    return settings.HOSPITAL_CURRENCY


def money_field(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=14, decimal_places=2, **kwargs)


def rate_field(**kwargs) -> models.DecimalField:
    """A percentage 0.00-100.00 (tax rate, discount, co-pay)."""
    return models.DecimalField(max_digits=5, decimal_places=2, **kwargs)


class NoDeleteMixin:
    def delete(self, *args, **kwargs):
        raise PermissionError("Billing records are voided or released, never deleted.")


# --- Tariffs -------------------------------------------------------------------------------


class TariffCategory(models.TextChoices):
    CONSULTATION = "consultation", "Consultation"
    TELECONSULT = "teleconsult", "Teleconsultation"
    LAB_TEST = "lab_test", "Laboratory test"
    RADIOLOGY = "radiology", "Radiology procedure"
    DRUG = "drug", "Drug"
    BED_DAY = "bed_day", "Bed-day"
    PROCEDURE = "procedure", "Procedure"
    OTHER = "other", "Other"


class Tariff(NoDeleteMixin, TimeStampedModel):
    """One version of a price. A price change closes the open version (valid_until = the day
    before) and opens a new one, so a charge keeps the version valid on the day it occurred and
    old invoices keep old prices.

    Codes (see hms.billing.tariffs): CONSULT-<SPECIALIZATION>, TELECONSULT-<SPECIALIZATION>,
    LAB-<lab test code>,
    RAD-<procedure code>, DRUG-<drug public id>, BED-<WARD TYPE>, PROC-<code>; each category
    may have a fallback code (CONSULT-GENERAL, BED-GENERAL, ...).
    """

    code = models.CharField(max_length=64)
    category = models.CharField(max_length=16, choices=TariffCategory.choices)
    name = models.CharField(max_length=200)
    price = money_field()
    currency = models.CharField(max_length=3, default=default_currency)
    tax_rate = rate_field(default=Decimal("0.00"))
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["category", "code", "-valid_from", "id"]
        indexes = [
            models.Index(fields=["code", "valid_from"], name="tariff_code_from"),
            models.Index(fields=["category", "code"], name="tariff_category_code"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="tariff_code_valid_from"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_until__isnull=True), name="tariff_one_open"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="tariff_valid_range",
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="tariff_price_not_negative"),
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0, tax_rate__lte=100), name="tariff_tax_rate_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.price} {self.currency} from {self.valid_from}"


# --- Charges -------------------------------------------------------------------------------


class ChargeSource(models.TextChoices):
    APPOINTMENT = "appointment", "Consultation (appointment completed)"
    LAB_ORDER = "lab_order", "Laboratory order verified"
    RADIOLOGY_REPORT = "radiology_report", "Radiology report final"
    DISPENSE = "dispense_line", "Pharmacy dispense"
    BED_DAY = "bed_day", "Bed-day"
    MANUAL = "manual", "Manual charge"


class ChargeStatus(models.TextChoices):
    UNBILLED = "unbilled", "Not yet invoiced"
    INVOICED = "invoiced", "On an invoice"
    VOID = "void", "Voided"


class Charge(NoDeleteMixin, TimeStampedModel):
    """One billable event, priced when it happened. Posted by the modules' services through
    hms.billing.services.charge_post; idempotent per (source_type, source_id)."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="charges"
    )
    source_type = models.CharField(max_length=32, choices=ChargeSource.choices)
    # The source event's id (a public_id, or "<admission id>:<date>" for a bed-day).
    source_id = models.CharField(max_length=100)
    tariff = models.ForeignKey(
        Tariff, null=True, blank=True, on_delete=models.PROTECT, related_name="charges"
    )
    code = models.CharField(max_length=64, blank=True)
    description = models.CharField(max_length=255)
    quantity = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("1"))
    unit_price = money_field()
    tax_rate = rate_field(default=Decimal("0.00"))
    currency = models.CharField(max_length=3, default=default_currency)
    occurred_at = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=ChargeStatus.choices, default=ChargeStatus.UNBILLED
    )
    reason = models.TextField(blank=True, help_text="Why a manual charge was posted.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    void_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["patient", "status", "occurred_at"], name="charge_patient_status"),
            models.Index(fields=["status", "occurred_at"], name="charge_status_time"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id"], name="charge_once_per_source_event"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="charge_quantity_positive"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="charge_unit_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0, tax_rate__lte=100), name="charge_tax_rate_range"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ChargeStatus.values), name="charge_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="void") | Q(voided_at__isnull=False),
                name="charge_void_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(source_type="manual") | ~Q(reason=""),
                name="charge_manual_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_type}:{self.source_id} {self.quantity} x {self.unit_price}"


# --- Document numbers ----------------------------------------------------------------------


class NumberKind(models.TextChoices):
    INVOICE = "invoice", "Invoice"
    RECEIPT = "receipt", "Receipt"


NUMBER_PREFIX = {NumberKind.INVOICE: "INV", NumberKind.RECEIPT: "RCT"}


class DocumentCounter(models.Model):
    """The last number used per kind and year. Allocation locks the row (SELECT ... FOR UPDATE)
    inside the transaction that uses the number, so a rolled-back issue gives its number back and
    numbers have no gaps and no duplicates."""

    kind = models.CharField(max_length=16, choices=NumberKind.choices)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["kind", "year"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="document_counter_kind_year")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year} at {self.last_value}"


# --- Invoices ------------------------------------------------------------------------------


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"
    PARTIALLY_PAID = "partially_paid", "Partially paid"
    PAID = "paid", "Paid"
    VOID = "void", "Void"


OPEN_INVOICE_STATUSES = [InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID]


class Invoice(NoDeleteMixin, TimeStampedModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="invoices"
    )
    status = models.CharField(
        max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    # Assigned at issue time: INV-<year>-<sequence, 6 digits>.
    number = models.CharField(max_length=32, null=True, blank=True, unique=True)
    number_year = models.PositiveSmallIntegerField(null=True, blank=True)
    number_sequence = models.PositiveIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, default=default_currency)
    subtotal = money_field(default=Decimal("0.00"))
    discount_total = money_field(default=Decimal("0.00"))
    tax_total = money_field(default=Decimal("0.00"))
    total = money_field(default=Decimal("0.00"))
    # Payments less refunds, insurance settlements included.
    amount_paid = money_field(default=Decimal("0.00"))
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    void_reason = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "-created_at"], name="invoice_patient_time"),
            models.Index(fields=["status", "issued_at"], name="invoice_status_issued"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["number_year", "number_sequence"], name="invoice_number_year_sequence"
            ),
            models.CheckConstraint(
                condition=Q(status__in=InvoiceStatus.values), name="invoice_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(total=F("subtotal") - F("discount_total") + F("tax_total")),
                name="invoice_total_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(discount_total__gte=0, tax_total__gte=0, subtotal__gte=0),
                name="invoice_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0, amount_paid__lte=F("total")),
                name="invoice_paid_within_total",
            ),
            # Drafts have no number; issued, partly paid and paid invoices have one; a voided
            # invoice keeps the number it had (none if voided as a draft).
            models.CheckConstraint(
                condition=~Q(status="draft") | Q(number__isnull=True),
                name="invoice_draft_unnumbered",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["issued", "partially_paid", "paid"])
                | Q(number__isnull=False, issued_at__isnull=False),
                name="invoice_issued_numbered",
            ),
            models.CheckConstraint(
                condition=~Q(status="void") | (Q(voided_at__isnull=False) & ~Q(void_reason="")),
                name="invoice_void_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["draft", "issued"]) | Q(amount_paid=0),
                name="invoice_unpaid_status",
            ),
            models.CheckConstraint(
                condition=~Q(status="partially_paid")
                | Q(amount_paid__gt=0, amount_paid__lt=F("total")),
                name="invoice_partially_paid_status",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(amount_paid=F("total")),
                name="invoice_paid_status",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"Draft invoice {self.public_id}"

    @property
    def balance(self) -> Decimal:
        return self.total - self.amount_paid


class InvoiceLine(NoDeleteMixin, models.Model):
    """A charge on an invoice, with the amounts computed when it was added (see money.py).
    Removing a line from a draft, or voiding the invoice, releases it (the row stays) so the
    charge can be billed again."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, related_name="invoice_lines")
    public_id = models.UUIDField(unique=True, editable=False)
    position = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=64, blank=True)
    description = models.CharField(max_length=255)
    quantity = models.DecimalField(max_digits=10, decimal_places=2)
    unit_price = money_field()
    discount_percent = rate_field(null=True, blank=True)
    discount_amount = money_field(default=Decimal("0.00"))
    discount_reason = models.CharField(max_length=255, blank=True)
    tax_rate = rate_field(default=Decimal("0.00"))
    subtotal = money_field()
    tax_amount = money_field()
    total = money_field()
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["charge"],
                condition=Q(released_at__isnull=True),
                name="invoice_line_one_live_per_charge",
            ),
            models.CheckConstraint(
                condition=Q(total=F("subtotal") - F("discount_amount") + F("tax_amount")),
                name="invoice_line_total_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(discount_amount__gte=0, discount_amount__lte=F("subtotal")),
                name="invoice_line_discount_range",
            ),
            models.CheckConstraint(
                condition=Q(tax_amount__gte=0, subtotal__gte=0), name="invoice_line_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} {self.total}"


# --- Payments and refunds ------------------------------------------------------------------


class PaymentMethod(models.TextChoices):
    CASH = "cash", "Cash"
    CARD = "card", "Card"
    MOBILE_MONEY = "mobile_money", "Mobile money"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    INSURANCE = "insurance", "Insurance"


class Payment(NoDeleteMixin, TimeStampedModel):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    amount = money_field()
    refunded_amount = money_field(default=Decimal("0.00"))
    currency = models.CharField(max_length=3, default=default_currency)
    reference = models.CharField(max_length=100, blank=True, help_text="Card slip, M-Pesa code…")
    receipt_number = models.CharField(max_length=32, unique=True)
    receipt_year = models.PositiveSmallIntegerField()
    receipt_sequence = models.PositiveIntegerField()
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="billing_payments"
    )
    received_at = models.DateTimeField()
    claim = models.ForeignKey(
        "billing.InsuranceClaim",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["received_at", "received_by"], name="payment_day_cashier"),
            models.Index(fields=["invoice", "received_at"], name="payment_invoice"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["receipt_year", "receipt_sequence"], name="payment_receipt_year_sequence"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0, refunded_amount__lte=F("amount")),
                name="payment_refund_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(method__in=PaymentMethod.values), name="payment_method_valid"
            ),
            models.CheckConstraint(
                condition=Q(method="insurance") | Q(claim__isnull=True),
                name="payment_claim_only_for_insurance",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_number} {self.amount} {self.method}"


class Refund(NoDeleteMixin, TimeStampedModel):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = money_field()
    method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    reason = models.TextField()
    refunded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="billing_refunds"
    )
    refunded_at = models.DateTimeField()

    class Meta:
        ordering = ["-refunded_at", "-id"]
        indexes = [models.Index(fields=["refunded_at", "refunded_by"], name="refund_day_cashier")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(condition=~Q(reason=""), name="refund_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Refund {self.amount} of {self.payment_id}"


# --- Insurance claims ----------------------------------------------------------------------


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    PARTIALLY_APPROVED = "partially_approved", "Partially approved"
    REJECTED = "rejected", "Rejected"
    PAID = "paid", "Paid"


# Claims that still expect (or have brought) money from the payer.
LIVE_CLAIM_STATUSES = [
    ClaimStatus.SUBMITTED,
    ClaimStatus.APPROVED,
    ClaimStatus.PARTIALLY_APPROVED,
    ClaimStatus.PAID,
]


class InsuranceClaim(NoDeleteMixin, TimeStampedModel):
    """The insurer's part of an invoice: each line split into the patient's co-pay and the
    claimed amount. The approved amount, once paid, settles the insurance part as a payment of
    method `insurance`; what the payer did not approve falls to the patient."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="claims")
    policy = models.ForeignKey(
        "patients.InsurancePolicy", on_delete=models.PROTECT, related_name="claims"
    )
    status = models.CharField(
        max_length=24, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED
    )
    payer = models.CharField(max_length=200)  # copied from the policy when submitted
    copay_percent = rate_field()
    copay_amount = money_field()
    claimed_amount = money_field()
    approved_amount = money_field(null=True, blank=True)
    paid_amount = money_field(default=Decimal("0.00"))
    payer_reference = models.CharField(max_length=100, blank=True)
    decision_note = models.TextField(blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["status", "submitted_at"], name="claim_status_time")]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice"],
                condition=Q(status__in=["submitted", "approved", "partially_approved", "paid"]),
                name="claim_one_live_per_invoice",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ClaimStatus.values), name="claim_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(copay_percent__gte=0, copay_percent__lte=100),
                name="claim_copay_range",
            ),
            models.CheckConstraint(
                condition=Q(claimed_amount__gt=0, copay_amount__gte=0), name="claim_amounts_valid"
            ),
            models.CheckConstraint(
                condition=Q(approved_amount__isnull=True)
                | Q(approved_amount__gte=0, approved_amount__lte=F("claimed_amount")),
                name="claim_approved_within_claimed",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "partially_approved", "paid"])
                | Q(approved_amount__gt=0),
                name="claim_approved_has_amount",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_amount=F("approved_amount")),
                name="claim_paid_settles_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"Claim {self.public_id} to {self.payer} ({self.status})"


class ClaimLine(models.Model):
    claim = models.ForeignKey(InsuranceClaim, on_delete=models.PROTECT, related_name="lines")
    invoice_line = models.ForeignKey(InvoiceLine, on_delete=models.PROTECT, related_name="+")
    line_total = money_field()
    copay_amount = money_field()
    claimed_amount = money_field()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(line_total=F("copay_amount") + F("claimed_amount")),
                name="claim_line_split_adds_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claimed_amount} of {self.line_total}"

    def delete(self, *args, **kwargs):
        raise PermissionError("Claim lines are kept.")
