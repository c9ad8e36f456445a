"""Billing: tariffs, charges, invoices, payments and refunds, insurance policies and claims."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from hms_desktop.api.dto.common import PatientRef, PersonRef
from hms_desktop.api.dto.convert import Dto

TARIFF_CATEGORIES: dict[str, str] = {
    "consultation": "Consultation",
    "teleconsult": "Teleconsultation",
    "lab_test": "Laboratory test",
    "radiology": "Radiology procedure",
    "drug": "Drug",
    "bed_day": "Bed-day",
    "procedure": "Procedure",
    "other": "Other",
}
INVOICE_STATUSES: dict[str, str] = {
    "draft": "Draft",
    "issued": "Issued",
    "partially_paid": "Partially paid",
    "paid": "Paid",
    "void": "Void",
}
PAYMENT_METHODS: dict[str, str] = {
    "cash": "Cash",
    "card": "Card",
    "mobile_money": "Mobile money",
    "bank_transfer": "Bank transfer",
    "insurance": "Insurance",
}


@dataclass(frozen=True)
class Tariff(Dto):
    id: str
    code: str
    category: str
    name: str
    price: Decimal
    currency: str
    tax_rate: Decimal
    valid_from: date | None
    valid_until: date | None = None

    @property
    def category_display(self) -> str:
        return TARIFF_CATEGORIES.get(self.category, self.category)


@dataclass(frozen=True)
class Charge(Dto):
    unread = frozenset({"source_id", "void_reason"})

    id: str
    patient: PatientRef
    source_type: str
    code: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal
    currency: str
    occurred_at: datetime | None
    status: str
    reason: str = ""

    @property
    def amount(self) -> Decimal:
        """Before tax (the invoice rounds and taxes each line)."""
        return (self.quantity * self.unit_price).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class InvoiceLine(Dto):
    unread = frozenset({"charge_id", "discount_percent", "position", "released_at", "tax_rate"})

    id: str
    code: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    subtotal: Decimal
    discount_amount: Decimal
    discount_reason: str
    tax_amount: Decimal
    total: Decimal


@dataclass(frozen=True)
class Payment(Dto):
    unread = frozenset({"claim_id", "refunds"})

    id: str
    receipt_number: str
    invoice_id: str
    invoice_number: str
    method: str
    amount: Decimal
    refunded_amount: Decimal
    currency: str
    reference: str
    received_at: datetime | None
    received_by: PersonRef | None = None

    @property
    def method_display(self) -> str:
        return PAYMENT_METHODS.get(self.method, self.method)

    @property
    def refundable(self) -> Decimal:
        """What is left of the payment to give back (insurance settlements are not refunded
        at the desk)."""
        return Decimal("0.00") if self.method == "insurance" else self.amount - self.refunded_amount


@dataclass(frozen=True)
class Refund(Dto):
    unread = frozenset({"refunded_by"})

    id: str
    payment_id: str
    receipt_number: str
    invoice_number: str
    amount: Decimal
    method: str
    reason: str
    refunded_at: datetime | None


CLAIM_STATUSES = {
    "submitted": "Submitted",
    "approved": "Approved",
    "partially_approved": "Partly approved",
    "rejected": "Rejected",
    "paid": "Paid",
}


@dataclass(frozen=True)
class ClaimSummary(Dto):
    """An insurance claim on an invoice: what the payer is asked for, what it approved and
    paid; the co-pay is the patient's part."""

    unread = frozenset(
        {
            "decided_at",
            "decision_note",
            "invoice_id",
            "invoice_number",
            "lines",
            "paid_at",
            "patient",
            "payer_reference",
            "plan_name",
            "policy_id",
        }
    )

    id: str
    payer: str
    status: str
    copay_percent: Decimal
    copay_amount: Decimal
    claimed_amount: Decimal
    approved_amount: Decimal
    paid_amount: Decimal
    submitted_at: datetime | None

    @property
    def status_display(self) -> str:
        return CLAIM_STATUSES.get(self.status, self.status)

    @property
    def decided(self) -> bool:
        return self.status != "submitted"


@dataclass(frozen=True)
class InsurancePolicy(Dto):
    unread = frozenset(
        {"created_at", "holder_name", "is_primary", "valid_from", "void_reason", "voided"}
    )

    id: str
    payer: str
    plan_name: str
    policy_number: str
    valid_until: date | None
    is_current: bool

    @property
    def label(self) -> str:
        plan = f" · {self.plan_name}" if self.plan_name else ""
        return f"{self.payer}{plan} ({self.policy_number})"


@dataclass(frozen=True)
class Invoice(Dto):
    unread = frozenset({"issued_by", "voided_at"})

    id: str
    number: str
    patient: PatientRef
    status: str
    currency: str
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal
    amount_paid: Decimal
    balance: Decimal
    issued_at: datetime | None
    due_date: date | None
    created_at: datetime | None
    notes: str = ""
    lines: list[InvoiceLine] | None = None  # detail only
    payments: list[Payment] | None = None  # detail only
    void_reason: str = ""
    claims: list[ClaimSummary] | None = None  # detail only

    @property
    def status_display(self) -> str:
        return INVOICE_STATUSES.get(self.status, self.status)

    @property
    def label(self) -> str:
        return self.number or "Draft"


@dataclass(frozen=True)
class CashRow(Dto):
    """One cashier's takings by one payment method on the report's day."""

    cashier: PersonRef
    method: str
    payments: int
    received: Decimal
    refunds: int
    refunded: Decimal
    net: Decimal


@dataclass(frozen=True)
class MethodTotal(Dto):
    method: str
    net: Decimal


@dataclass(frozen=True)
class DailyCash(Dto):
    """Money taken and refunded on one day, per cashier and method (a receptionist: their own)."""

    date: date
    currency: str
    rows: list[CashRow]
    totals_by_method: list[MethodTotal]
    total_received: Decimal
    total_refunded: Decimal
    total_net: Decimal
