"""Writes for billing, one module per sub-domain. Each is one transaction, validates first and
writes its audit event last.

Lock order, the same everywhere so concurrent writers cannot deadlock: invoice row, then the
claim or payment row, then the number counter. Charges are locked in primary-key order.

The other modules charge through `charge_post` (see hms.billing.services.charges and
hms.billing.billable).
"""

from hms.billing.services.charges import (
    charge_post,
    charge_post_manual,
    charge_return_units,
    charge_void,
)
from hms.billing.services.claims import claim_approve, claim_reject, claim_settle, claim_submit
from hms.billing.services.invoices import (
    invoice_add_charges,
    invoice_create,
    invoice_issue,
    invoice_line_discount,
    invoice_line_remove,
    invoice_void,
)
from hms.billing.services.numbering import number_allocate
from hms.billing.services.payments import payment_record, refund_create
from hms.billing.services.tariffs import tariff_end, tariff_set_price

__all__ = [
    "charge_post",
    "charge_post_manual",
    "charge_return_units",
    "charge_void",
    "claim_approve",
    "claim_reject",
    "claim_settle",
    "claim_submit",
    "invoice_add_charges",
    "invoice_create",
    "invoice_issue",
    "invoice_line_discount",
    "invoice_line_remove",
    "invoice_void",
    "number_allocate",
    "payment_record",
    "refund_create",
    "tariff_end",
    "tariff_set_price",
]
