"""Writes for radiology: orders and their status flow, DICOM uploads, reports and addenda.

Each service is one transaction that locks the order row first (so status changes, uploads and
report signing of one order line up) and writes its audit event as the last step. Access to the
patient's chart is checked by the API views before calling (hms.radiology.selectors)."""

from hms.radiology.services.catalogue import imaging_procedure_create, imaging_procedure_update
from hms.radiology.services.common import (
    RESOURCE_IMAGE,
    RESOURCE_ORDER,
    RESOURCE_PROCEDURE,
    RESOURCE_REPORT,
)
from hms.radiology.services.images import (
    imaging_image_access_record,
    imaging_images_upload,
    upload_limit_bytes,
)
from hms.radiology.services.orders import (
    CONTRAST_ALLERGY_TERMS,
    imaging_order_cancel,
    imaging_order_complete,
    imaging_order_create,
    imaging_order_schedule,
    imaging_order_start,
)
from hms.radiology.services.reports import (
    imaging_addendum_create,
    imaging_report_create,
    imaging_report_finalize,
    imaging_report_update,
)
from hms.radiology.services.result_entry import imaging_result_update

__all__ = [
    "CONTRAST_ALLERGY_TERMS",
    "RESOURCE_IMAGE",
    "RESOURCE_ORDER",
    "RESOURCE_PROCEDURE",
    "RESOURCE_REPORT",
    "imaging_addendum_create",
    "imaging_image_access_record",
    "imaging_images_upload",
    "imaging_order_cancel",
    "imaging_order_complete",
    "imaging_order_create",
    "imaging_order_schedule",
    "imaging_order_start",
    "imaging_procedure_create",
    "imaging_procedure_update",
    "imaging_report_create",
    "imaging_report_finalize",
    "imaging_report_update",
    "imaging_result_update",
    "upload_limit_bytes",
]
