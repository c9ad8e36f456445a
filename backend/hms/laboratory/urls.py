from django.urls import path

from hms.laboratory import apis

urlpatterns = [
    # Compatibility routes.
    path("lab/", apis.LabWorklistApi.as_view(), name="lab-worklist"),
    path("lab/request/", apis.LabRequestApi.as_view(), name="lab-request"),
    path("patients/request-lab/", apis.LabRequestApi.as_view(), name="patient-request-lab"),
    path("lab/update-result/", apis.LabUpdateResultApi.as_view(), name="lab-update-result"),
    # Resources.
    path("lab/tests/", apis.LabTestListApi.as_view(), name="lab-test-list"),
    path("lab/tests/<str:ref>/", apis.LabTestDetailApi.as_view(), name="lab-test-detail"),
    path("lab/orders/", apis.LabOrderListCreateApi.as_view(), name="lab-order-list"),
    path("lab/orders/<uuid:public_id>/", apis.LabOrderDetailApi.as_view(), name="lab-order"),
    path(
        "lab/orders/<uuid:public_id>/collect/",
        apis.LabOrderCollectApi.as_view(),
        name="lab-order-collect",
    ),
    path(
        "lab/orders/<uuid:public_id>/start/",
        apis.LabOrderStartApi.as_view(),
        name="lab-order-start",
    ),
    path(
        "lab/orders/<uuid:public_id>/results/",
        apis.LabOrderResultsApi.as_view(),
        name="lab-order-results",
    ),
    path(
        "lab/orders/<uuid:public_id>/verify/",
        apis.LabOrderVerifyApi.as_view(),
        name="lab-order-verify",
    ),
    path(
        "lab/orders/<uuid:public_id>/cancel/",
        apis.LabOrderCancelApi.as_view(),
        name="lab-order-cancel",
    ),
    path(
        "lab/results/<uuid:public_id>/amend/",
        apis.LabResultAmendApi.as_view(),
        name="lab-result-amend",
    ),
    path("lab/hl7/", apis.LabHl7Api.as_view(), name="lab-hl7"),
    path(
        "lab/verifier-grants/",
        apis.LabVerifierGrantListCreateApi.as_view(),
        name="lab-verifier-grant-list",
    ),
    path(
        "lab/verifier-grants/<uuid:public_id>/revoke/",
        apis.LabVerifierGrantRevokeApi.as_view(),
        name="lab-verifier-grant-revoke",
    ),
]
