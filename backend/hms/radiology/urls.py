from django.urls import path

from hms.radiology import apis

urlpatterns = [
    # product brief: POST /patients/request-radiology/, POST /radiology/request/, GET /radiology/,
    # PUT /radiology/update-result/.
    path(
        "patients/request-radiology/",
        apis.PatientRequestRadiologyApi.as_view(),
        name="patient-request-radiology",
    ),
    path("radiology/", apis.RadiologyWorklistApi.as_view(), name="radiology-worklist"),
    path("radiology/request/", apis.RadiologyRequestApi.as_view(), name="radiology-request"),
    path(
        "radiology/update-result/",
        apis.RadiologyUpdateResultApi.as_view(),
        name="radiology-update-result",
    ),
    path("radiology/modalities/", apis.ModalityListApi.as_view(), name="radiology-modalities"),
    path(
        "radiology/procedures/",
        apis.ImagingProcedureListCreateApi.as_view(),
        name="radiology-procedures",
    ),
    path(
        "radiology/procedures/<uuid:public_id>/",
        apis.ImagingProcedureDetailApi.as_view(),
        name="radiology-procedure-detail",
    ),
    path("radiology/orders/", apis.ImagingOrderListCreateApi.as_view(), name="imaging-orders"),
    path(
        "radiology/orders/<uuid:public_id>/",
        apis.ImagingOrderDetailApi.as_view(),
        name="imaging-order-detail",
    ),
    path(
        "radiology/orders/<uuid:public_id>/schedule/",
        apis.ImagingOrderScheduleApi.as_view(),
        name="imaging-order-schedule",
    ),
    path(
        "radiology/orders/<uuid:public_id>/start/",
        apis.ImagingOrderStartApi.as_view(),
        name="imaging-order-start",
    ),
    path(
        "radiology/orders/<uuid:public_id>/complete/",
        apis.ImagingOrderCompleteApi.as_view(),
        name="imaging-order-complete",
    ),
    path(
        "radiology/orders/<uuid:public_id>/cancel/",
        apis.ImagingOrderCancelApi.as_view(),
        name="imaging-order-cancel",
    ),
    path(
        "radiology/orders/<uuid:public_id>/images/",
        apis.ImagingImageListCreateApi.as_view(),
        name="imaging-order-images",
    ),
    path(
        "radiology/orders/<uuid:public_id>/reports/",
        apis.ImagingReportListCreateApi.as_view(),
        name="imaging-order-reports",
    ),
    path(
        "radiology/images/<uuid:public_id>/",
        apis.ImagingImageDetailApi.as_view(),
        name="imaging-image-detail",
    ),
    path(
        "radiology/images/<uuid:public_id>/preview/",
        apis.ImagingImagePreviewApi.as_view(),
        name="imaging-image-preview",
    ),
    path(
        "radiology/images/<uuid:public_id>/dicom/",
        apis.ImagingImageDicomApi.as_view(),
        name="imaging-image-dicom",
    ),
    path(
        "radiology/reports/<uuid:public_id>/",
        apis.ImagingReportDetailApi.as_view(),
        name="imaging-report-detail",
    ),
    path(
        "radiology/reports/<uuid:public_id>/finalize/",
        apis.ImagingReportFinalizeApi.as_view(),
        name="imaging-report-finalize",
    ),
    path(
        "radiology/reports/<uuid:public_id>/addenda/",
        apis.ImagingReportAddendumApi.as_view(),
        name="imaging-report-addenda",
    ),
]
