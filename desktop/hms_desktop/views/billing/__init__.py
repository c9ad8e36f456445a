"""Billing: the invoices page (`page`) and its dialogs (`dialogs`)."""

from hms_desktop.views.billing.dialogs import (
    ChargeDialog,
    ClaimDecisionDialog,
    ClaimDialog,
    NewInvoiceDialog,
    PaymentDialog,
    RefundDialog,
    VoidInvoiceDialog,
)
from hms_desktop.views.billing.page import BillingPage, InvoicePanel

__all__ = [
    "BillingPage",
    "ChargeDialog",
    "ClaimDecisionDialog",
    "ClaimDialog",
    "InvoicePanel",
    "NewInvoiceDialog",
    "PaymentDialog",
    "RefundDialog",
    "VoidInvoiceDialog",
]
