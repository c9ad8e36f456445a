"""Thin API views for tariffs, charges, invoices, payments, refunds, claims, PDFs and reports,
one module per sub-domain.

Every view that touches one patient's bill asks hms.patients.access (section BILLING) before it
reads or writes, which also audits the access; lists audit one event per page.
"""

from hms.billing.apis.charges import ChargeDetailApi, ChargeListCreateApi, ChargeVoidApi
from hms.billing.apis.claims import (
    ClaimApproveApi,
    ClaimDetailApi,
    ClaimListCreateApi,
    ClaimRejectApi,
    ClaimSettleApi,
)
from hms.billing.apis.invoices import (
    InvoiceAddChargesApi,
    InvoiceDetailApi,
    InvoiceIssueApi,
    InvoiceLineDiscountApi,
    InvoiceLineRemoveApi,
    InvoiceListCreateApi,
    InvoicePdfApi,
    InvoiceVoidApi,
)
from hms.billing.apis.payments import (
    PaymentDetailApi,
    PaymentListCreateApi,
    ReceiptPdfApi,
    RefundListCreateApi,
)
from hms.billing.apis.reports import ArAgeingReportApi, DailyCashReportApi
from hms.billing.apis.tariffs import TariffDetailApi, TariffEndApi, TariffListCreateApi

__all__ = [
    "ArAgeingReportApi",
    "ChargeDetailApi",
    "ChargeListCreateApi",
    "ChargeVoidApi",
    "ClaimApproveApi",
    "ClaimDetailApi",
    "ClaimListCreateApi",
    "ClaimRejectApi",
    "ClaimSettleApi",
    "DailyCashReportApi",
    "InvoiceAddChargesApi",
    "InvoiceDetailApi",
    "InvoiceIssueApi",
    "InvoiceLineDiscountApi",
    "InvoiceLineRemoveApi",
    "InvoiceListCreateApi",
    "InvoicePdfApi",
    "InvoiceVoidApi",
    "PaymentDetailApi",
    "PaymentListCreateApi",
    "ReceiptPdfApi",
    "RefundListCreateApi",
    "TariffDetailApi",
    "TariffEndApi",
    "TariffListCreateApi",
]
