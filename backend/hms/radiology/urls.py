from django.urls import path

from hms.radiology import compat
from hms.radiology.apis import catalogue, images, orders, reports

urlpatterns = [
    # Resources.
    path("radiology/", orders.RadiologyWorklistApi.as_view(), name="radiology-worklist"),
    path("radiology/modalities/", catalogue.ModalityListApi.as_view(), name="radiology-modalities"),
    path(
        "radiology/procedures/",
        catalogue.ImagingProcedureListCreateApi.as_view(),
        name="radiology-procedures",
    ),
    path(
        "radiology/procedures/<uuid:public_id>/",
        catalogue.ImagingProcedureDetailApi.as_view(),
        name="radiology-procedure-detail",
    ),
    path("radiology/orders/", orders.ImagingOrderListCreateApi.as_view(), name="imaging-orders"),
    path(
        "radiology/orders/<uuid:public_id>/",
        orders.ImagingOrderDetailApi.as_view(),
        name="imaging-order-detail",
    ),
    path(
        "radiology/orders/<uuid:public_id>/schedule/",
        orders.ImagingOrderScheduleApi.as_view(),
        name="imaging-order-schedule",
    ),
    path(
        "radiology/orders/<uuid:public_id>/start/",
        orders.ImagingOrderStartApi.as_view(),
        name="imaging-order-start",
    ),
    path(
        "radiology/orders/<uuid:public_id>/complete/",
        orders.ImagingOrderCompleteApi.as_view(),
        name="imaging-order-complete",
    ),
    path(
        "radiology/orders/<uuid:public_id>/cancel/",
        orders.ImagingOrderCancelApi.as_view(),
        name="imaging-order-cancel",
    ),
    path(
        "radiology/orders/<uuid:public_id>/images/",
        images.ImagingImageListCreateApi.as_view(),
        name="imaging-order-images",
    ),
    path(
        "radiology/orders/<uuid:public_id>/reports/",
        reports.ImagingReportListCreateApi.as_view(),
        name="imaging-order-reports",
    ),
    path(
        "radiology/images/<uuid:public_id>/",
        images.ImagingImageDetailApi.as_view(),
        name="imaging-image-detail",
    ),
    path(
        "radiology/images/<uuid:public_id>/preview/",
        images.ImagingImagePreviewApi.as_view(),
        name="imaging-image-preview",
    ),
    path(
        "radiology/images/<uuid:public_id>/dicom/",
        images.ImagingImageDicomApi.as_view(),
        name="imaging-image-dicom",
    ),
    path(
        "radiology/reports/<uuid:public_id>/",
        reports.ImagingReportDetailApi.as_view(),
        name="imaging-report-detail",
    ),
    path(
        "radiology/reports/<uuid:public_id>/finalize/",
        reports.ImagingReportFinalizeApi.as_view(),
        name="imaging-report-finalize",
    ),
    path(
        "radiology/reports/<uuid:public_id>/addenda/",
        reports.ImagingReportAddendumApi.as_view(),
        name="imaging-report-addenda",
    ),
    # Compatibility aliases of the resource routes (product brief): hms.radiology.compat.
    path(
        "patients/request-radiology/",
        compat.PatientRequestRadiologyApi.as_view(),
        name="patient-request-radiology",
    ),
    path("radiology/request/", compat.RadiologyRequestApi.as_view(), name="radiology-request"),
    path(
        "radiology/update-result/",
        compat.RadiologyUpdateResultApi.as_view(),
        name="radiology-update-result",
    ),
]
