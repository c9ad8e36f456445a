from django.urls import path

from hms.billing import apis

urlpatterns = [
    path("billing/tariffs/", apis.TariffListCreateApi.as_view(), name="billing-tariff-list"),
    path(
        "billing/tariffs/<uuid:public_id>/",
        apis.TariffDetailApi.as_view(),
        name="billing-tariff-detail",
    ),
    path(
        "billing/tariffs/<uuid:public_id>/end/",
        apis.TariffEndApi.as_view(),
        name="billing-tariff-end",
    ),
    path("billing/charges/", apis.ChargeListCreateApi.as_view(), name="billing-charge-list"),
    path(
        "billing/charges/<uuid:public_id>/",
        apis.ChargeDetailApi.as_view(),
        name="billing-charge-detail",
    ),
    path(
        "billing/charges/<uuid:public_id>/void/",
        apis.ChargeVoidApi.as_view(),
        name="billing-charge-void",
    ),
    path("billing/invoices/", apis.InvoiceListCreateApi.as_view(), name="billing-invoice-list"),
    path(
        "billing/invoices/<uuid:public_id>/",
        apis.InvoiceDetailApi.as_view(),
        name="billing-invoice-detail",
    ),
    path(
        "billing/invoices/<uuid:public_id>/add-charges/",
        apis.InvoiceAddChargesApi.as_view(),
        name="billing-invoice-add-charges",
    ),
    path(
        "billing/invoices/<uuid:public_id>/lines/<uuid:line_id>/discount/",
        apis.InvoiceLineDiscountApi.as_view(),
        name="billing-invoice-line-discount",
    ),
    path(
        "billing/invoices/<uuid:public_id>/lines/<uuid:line_id>/remove/",
        apis.InvoiceLineRemoveApi.as_view(),
        name="billing-invoice-line-remove",
    ),
    path(
        "billing/invoices/<uuid:public_id>/issue/",
        apis.InvoiceIssueApi.as_view(),
        name="billing-invoice-issue",
    ),
    path(
        "billing/invoices/<uuid:public_id>/void/",
        apis.InvoiceVoidApi.as_view(),
        name="billing-invoice-void",
    ),
    path(
        "billing/invoices/<uuid:public_id>/pdf/",
        apis.InvoicePdfApi.as_view(),
        name="billing-invoice-pdf",
    ),
    path("billing/payments/", apis.PaymentListCreateApi.as_view(), name="billing-payment-list"),
    path(
        "billing/payments/<uuid:public_id>/",
        apis.PaymentDetailApi.as_view(),
        name="billing-payment-detail",
    ),
    path(
        "billing/payments/<uuid:public_id>/receipt/",
        apis.ReceiptPdfApi.as_view(),
        name="billing-payment-receipt",
    ),
    path("billing/refunds/", apis.RefundListCreateApi.as_view(), name="billing-refund-list"),
    path("billing/claims/", apis.ClaimListCreateApi.as_view(), name="billing-claim-list"),
    path(
        "billing/claims/<uuid:public_id>/",
        apis.ClaimDetailApi.as_view(),
        name="billing-claim-detail",
    ),
    path(
        "billing/claims/<uuid:public_id>/approve/",
        apis.ClaimApproveApi.as_view(),
        name="billing-claim-approve",
    ),
    path(
        "billing/claims/<uuid:public_id>/reject/",
        apis.ClaimRejectApi.as_view(),
        name="billing-claim-reject",
    ),
    path(
        "billing/claims/<uuid:public_id>/settle/",
        apis.ClaimSettleApi.as_view(),
        name="billing-claim-settle",
    ),
    path(
        "billing/reports/daily-cash/",
        apis.DailyCashReportApi.as_view(),
        name="billing-report-daily-cash",
    ),
    path(
        "billing/reports/ar-ageing/",
        apis.ArAgeingReportApi.as_view(),
        name="billing-report-ar-ageing",
    ),
]
