from django.urls import path

from hms.laboratory import compat
from hms.laboratory.apis import catalog, grants, hl7, orders, results

urlpatterns = [
    # Resources.
    path("lab/", orders.LabWorklistApi.as_view(), name="lab-worklist"),
    path("lab/tests/", catalog.LabTestListApi.as_view(), name="lab-test-list"),
    path("lab/tests/search/", catalog.LabTestSearchApi.as_view(), name="lab-test-search"),
    path("lab/tests/<str:ref>/", catalog.LabTestDetailApi.as_view(), name="lab-test-detail"),
    path("lab/orders/", orders.LabOrderListCreateApi.as_view(), name="lab-order-list"),
    path("lab/orders/<uuid:public_id>/", orders.LabOrderDetailApi.as_view(), name="lab-order"),
    path("lab/orders/<uuid:public_id>/pdf/", orders.LabOrderPdfApi.as_view(), name="lab-order-pdf"),
    path(
        "lab/orders/<uuid:public_id>/collect/",
        orders.LabOrderCollectApi.as_view(),
        name="lab-order-collect",
    ),
    path(
        "lab/orders/<uuid:public_id>/start/",
        orders.LabOrderStartApi.as_view(),
        name="lab-order-start",
    ),
    path(
        "lab/orders/<uuid:public_id>/results/",
        results.LabOrderResultsApi.as_view(),
        name="lab-order-results",
    ),
    path(
        "lab/orders/<uuid:public_id>/verify/",
        results.LabOrderVerifyApi.as_view(),
        name="lab-order-verify",
    ),
    path(
        "lab/orders/<uuid:public_id>/cancel/",
        orders.LabOrderCancelApi.as_view(),
        name="lab-order-cancel",
    ),
    path(
        "lab/results/<uuid:public_id>/amend/",
        results.LabResultAmendApi.as_view(),
        name="lab-result-amend",
    ),
    path("lab/hl7/", hl7.LabHl7Api.as_view(), name="lab-hl7"),
    path(
        "lab/verifier-grants/",
        grants.LabVerifierGrantListCreateApi.as_view(),
        name="lab-verifier-grant-list",
    ),
    path(
        "lab/verifier-grants/<uuid:public_id>/revoke/",
        grants.LabVerifierGrantRevokeApi.as_view(),
        name="lab-verifier-grant-revoke",
    ),
    # Compatibility aliases of the resource routes (product brief): hms.laboratory.compat.
    path("lab/request/", compat.LabRequestApi.as_view(), name="lab-request"),
    path("patients/request-lab/", compat.LabRequestApi.as_view(), name="patient-request-lab"),
    path("lab/update-result/", compat.LabUpdateResultApi.as_view(), name="lab-update-result"),
]
