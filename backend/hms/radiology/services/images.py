"""DICOM images: checked, stored and previewed, all files of a request or none."""

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from hms.clinical.uploads import ALLOWED_FILE_TYPES, FileTooLarge, safe_file_name, storage_name
from hms.core.errors import ApplicationError, ConflictError
from hms.core.models import AuditAction
from hms.core.wording import with_article
from hms.radiology.dicom import DicomRejected, ParsedDicom, dicom_parse, dicom_render_preview
from hms.radiology.models import (
    DICOM_MODALITIES,
    IMAGE_UPLOAD_STATUSES,
    SECONDARY_CAPTURE_MODALITIES,
    ImagingImage,
    ImagingOrder,
    OrderStatus,
)
from hms.radiology.services.common import RESOURCE_IMAGE, _audit, _lock, _transition


def upload_limit_bytes() -> int:
    return int(settings.RADIOLOGY_MAX_UPLOAD_MB * 1024 * 1024)


def _check_size(upload) -> None:
    if upload.size is not None and upload.size > upload_limit_bytes():
        limit = settings.RADIOLOGY_MAX_UPLOAD_MB
        raise FileTooLarge(
            f"The file is larger than the {limit} MB DICOM upload limit.",
            extra={"max_upload_mb": limit, "size_bytes": upload.size},
        )


def _sha256(upload) -> str:
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _normalise_patient_id(value: str) -> str:
    return "".join(value.split()).upper()


def _check_patient(*, parsed: ParsedDicom, order: ImagingOrder, file_name: str) -> None:
    if _normalise_patient_id(parsed.patient_id) != _normalise_patient_id(order.patient.mrn):
        shown = parsed.patient_id or "(empty)"
        raise DicomRejected(
            f"{file_name}: the file's Patient ID {shown} is not this order's patient "
            f"(MRN {order.patient.mrn}). Nothing was stored.",
            code="patient_mismatch",
            fields={"file": ["The DICOM Patient ID does not match the order's patient."]},
            extra={"file_patient_id": parsed.patient_id, "order_mrn": order.patient.mrn},
        )


def _check_modality(*, parsed: ParsedDicom, order: ImagingOrder, file_name: str) -> None:
    allowed = DICOM_MODALITIES.get(order.modality, frozenset()) | SECONDARY_CAPTURE_MODALITIES
    if parsed.modality not in allowed:
        raise DicomRejected(
            f"{file_name}: a {parsed.modality or 'unknown'} image does not belong to a "
            f"{order.get_modality_display()} order.",
            code="modality_mismatch",
            fields={"file": [f"Modality {parsed.modality or '(empty)'} is not expected."]},
            extra={"file_modality": parsed.modality, "order_modality": order.modality},
        )


class _StoredFiles:
    """Files written during a transaction; removed again if it fails (no orphans)."""

    def __init__(self):
        self.names: list[str] = []

    def save(self, name: str, content) -> str:
        stored = default_storage.save(name, content)
        self.names.append(stored)
        return stored

    def remove_all(self) -> None:
        for name in self.names:
            default_storage.delete(name)
        self.names.clear()


def _image_store(*, actor, order: ImagingOrder, upload, stored: _StoredFiles) -> ImagingImage:
    """Validate one upload against the (locked) order and store it with its preview."""
    file_name = safe_file_name(upload.name or "image.dcm")
    _check_size(upload)
    parsed = dicom_parse(upload)
    _check_patient(parsed=parsed, order=order, file_name=file_name)
    _check_modality(parsed=parsed, order=order, file_name=file_name)
    if ImagingImage.objects.filter(sop_instance_uid=parsed.sop_instance_uid).exists():
        raise ConflictError(
            f"{file_name}: this image (SOP Instance UID {parsed.sop_instance_uid}) was already "
            "uploaded.",
            code="duplicate_instance",
            extra={"sop_instance_uid": parsed.sop_instance_uid},
        )
    preview = None
    preview_error = ""
    if parsed.decodable:
        preview = dicom_render_preview(parsed.dataset)  # corrupt pixel data → 400
    else:
        preview_error = (
            f"No decoder for transfer syntax {parsed.transfer_syntax_uid} is installed; the "
            "original is stored, the preview is not available."
        )
    dicom_type = ALLOWED_FILE_TYPES["dicom"]
    sha256 = _sha256(upload)
    name = stored.save(storage_name(folder="radiology/dicom", file_type=dicom_type), upload)
    preview_name = ""
    if preview is not None:
        preview_name = stored.save(
            storage_name(folder="radiology/previews", file_type=ALLOWED_FILE_TYPES["png"]),
            ContentFile(preview.png),
        )
    image = ImagingImage(
        order=order,
        study_instance_uid=parsed.study_instance_uid,
        series_instance_uid=parsed.series_instance_uid,
        sop_instance_uid=parsed.sop_instance_uid,
        sop_class_uid=parsed.sop_class_uid,
        modality=parsed.modality,
        study_date=parsed.study_date,
        body_part=parsed.body_part,
        study_description=parsed.study_description,
        series_description=parsed.series_description,
        series_number=parsed.series_number,
        instance_number=parsed.instance_number,
        rows=parsed.rows,
        columns=parsed.columns,
        number_of_frames=parsed.number_of_frames,
        photometric_interpretation=parsed.photometric_interpretation,
        transfer_syntax_uid=parsed.transfer_syntax_uid,
        file=name,
        original_name=file_name
        if file_name.lower().endswith((".dcm", ".dicom"))
        else f"{file_name}.dcm",
        size=upload.size or 0,
        sha256=sha256,
        preview=preview_name,
        preview_error=preview_error,
        window_center=preview.window_center if preview else None,
        window_width=preview.window_width if preview else None,
        window_source=preview.window_source if preview else "",
        uploaded_by=actor,
    )
    try:
        with transaction.atomic():
            image.save()
    except IntegrityError as error:  # a parallel upload of the same instance won
        raise ConflictError(
            f"{file_name}: this image was already uploaded.",
            code="duplicate_instance",
            extra={"sop_instance_uid": parsed.sop_instance_uid},
        ) from error
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        order=order,
        resource_type=RESOURCE_IMAGE,
        record=image,
        detail={
            "order": str(order.public_id),
            "sop_instance_uid": image.sop_instance_uid,
            "modality": image.modality,
            "sha256": sha256,
            "size": image.size,
        },
    )
    return image


def _start_if_waiting(*, actor, order: ImagingOrder) -> None:
    """Images arriving mean the examination has been performed."""
    if order.status in (OrderStatus.ORDERED, OrderStatus.SCHEDULED):
        _transition(order, OrderStatus.IN_PROGRESS)
        order.started_at = timezone.now()
        order.save()
        _audit(
            actor=actor,
            action=AuditAction.UPDATE,
            order=order,
            detail={"status": order.status, "by": "image_upload"},
        )


def _check_may_add_images(order: ImagingOrder) -> None:
    if order.status not in IMAGE_UPLOAD_STATUSES:
        raise ConflictError(
            f"Images cannot be added to {with_article(order.get_status_display().lower())} order.",
            code="invalid_status",
            extra={"status": order.status},
        )


def imaging_images_upload(
    *, actor, order: ImagingOrder, files: list, stored: "_StoredFiles | None" = None
) -> list[ImagingImage]:
    """Store DICOM files on an order, all or nothing: any file that is not DICOM, is corrupt,
    belongs to another patient or another kind of examination rejects the whole upload.

    A caller that wraps this in a larger transaction passes its own `stored` and removes the
    files itself if that transaction fails."""
    if not files:
        raise ApplicationError(
            "Attach at least one DICOM file.", code="file_required", fields={"file": ["Required."]}
        )
    own = stored is None
    stored = stored or _StoredFiles()
    try:
        with transaction.atomic():
            order = _lock(order)
            _check_may_add_images(order)
            images = [
                _image_store(actor=actor, order=order, upload=upload, stored=stored)
                for upload in files
            ]
            _start_if_waiting(actor=actor, order=order)
    except BaseException:
        if own:
            stored.remove_all()
        raise
    return images


def imaging_image_access_record(*, actor, image: ImagingImage, what: str) -> None:
    """Audit that an image's bytes (the DICOM file or its preview) were handed out."""
    _audit(
        actor=actor,
        action=AuditAction.READ,
        order=image.order,
        resource_type=RESOURCE_IMAGE,
        record=image,
        detail={"served": what, "order": str(image.order.public_id)},
    )
