"""Writes for radiology: orders and their status flow, DICOM uploads, reports and addenda.

Each service is one transaction that locks the order row first (so status changes, uploads and
report signing of one order line up) and writes its audit event as the last step. Access to the
patient's chart is checked by the API views before calling (hms.radiology.selectors).
"""

import hashlib
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from hms.accounts.models import User
from hms.clinical.models import Encounter
from hms.clinical.uploads import ALLOWED_FILE_TYPES, safe_file_name, storage_name
from hms.core.errors import ApplicationError, ConflictError
from hms.core.events import publish
from hms.core.models import AuditAction
from hms.core.plausible_dates import ahead_check
from hms.core.roles import Role
from hms.core.services import audit_record, notification_create
from hms.core.wording import with_article
from hms.patients.models import Allergy, AllergyStatus, Patient
from hms.radiology.dicom import DicomRejected, ParsedDicom, dicom_parse, dicom_render_preview
from hms.radiology.events import RadiologyReportFinalised
from hms.radiology.models import (
    ALLOWED_TRANSITIONS,
    DICOM_MODALITIES,
    IMAGE_UPLOAD_STATUSES,
    REPORTABLE_STATUSES,
    SECONDARY_CAPTURE_MODALITIES,
    ImagingImage,
    ImagingOrder,
    ImagingProcedure,
    ImagingReport,
    Laterality,
    OrderStatus,
    Priority,
    ReportKind,
    ReportStatus,
)

RESOURCE_ORDER = "imaging_order"
RESOURCE_IMAGE = "imaging_image"
RESOURCE_REPORT = "imaging_report"
RESOURCE_PROCEDURE = "imaging_procedure"

# Allergy substances that matter before a contrast study (normalised, lower-case substrings).
CONTRAST_ALLERGY_TERMS = ("contrast", "iod", "gadolin", "gadobut", "gadoter", "iohexol")


def _audit(
    *, actor, action, order: ImagingOrder, resource_type=RESOURCE_ORDER, record=None, detail=None
):
    audit_record(
        actor=actor,
        action=action,
        resource_type=resource_type,
        object_id=(record or order).public_id,
        patient_id=order.patient.public_id,
        detail=detail,
    )


def _lock(order: ImagingOrder) -> ImagingOrder:
    """Lock the order row alone (not its patient, procedure or doctor) and load it with them."""
    orders = ImagingOrder.objects.select_related(
        "patient", "patient__user", "procedure", "ordering_doctor"
    )
    features = connection.features
    if features.has_select_for_update and not features.has_select_for_update_of:
        # MariaDB has no FOR UPDATE OF: a locking join would lock every joined row (each order
        # of the procedure would queue on it), so the order is locked by itself first.
        ImagingOrder.objects.select_for_update().filter(pk=order.pk).values_list("pk").get()
        return orders.get(pk=order.pk)
    return orders.select_for_update(of=("self",)).get(pk=order.pk)


def _transition(order: ImagingOrder, target: OrderStatus) -> None:
    if target not in ALLOWED_TRANSITIONS[order.status]:
        raise ConflictError(
            f"{with_article(order.get_status_display().lower(), capital=True)} imaging order "
            f"cannot become {target.label.lower()}.",
            code="invalid_transition",
            extra={"from": order.status, "to": target.value},
        )
    order.status = target


# --- Catalogue -------------------------------------------------------------------------------


@transaction.atomic
def imaging_procedure_create(
    *, actor, code: str, name: str, modality: str, body_part: str = "", with_contrast: bool = False
) -> ImagingProcedure:
    code = code.strip().upper()
    if ImagingProcedure.objects.filter(code=code).exists():
        raise ConflictError(f"A procedure with code {code} exists.", code="procedure_code_taken")
    procedure = ImagingProcedure.objects.create(
        code=code,
        name=name.strip(),
        modality=modality,
        body_part=body_part.strip().upper(),
        with_contrast=with_contrast,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type=RESOURCE_PROCEDURE,
        object_id=procedure.public_id,
        detail={"code": code},
    )
    return procedure


@transaction.atomic
def imaging_procedure_update(*, actor, procedure: ImagingProcedure, **fields) -> ImagingProcedure:
    procedure = ImagingProcedure.objects.select_for_update().get(pk=procedure.pk)
    changed = []
    for field, value in fields.items():
        if field == "body_part":
            value = value.strip().upper()
        if getattr(procedure, field) != value:
            setattr(procedure, field, value)
            changed.append(field)
    if changed:
        procedure.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            resource_type=RESOURCE_PROCEDURE,
            object_id=procedure.public_id,
            detail={"fields": changed},
        )
    return procedure


# --- Orders ----------------------------------------------------------------------------------


def _new_accession_number() -> str:
    """R + yymmdd + 6 random digits (13 characters; DICOM AccessionNumber allows 16)."""
    return f"R{timezone.localdate():%y%m%d}{secrets.randbelow(10**6):06d}"


def _contrast_warnings(*, patient: Patient, procedure: ImagingProcedure) -> list[dict]:
    if not procedure.with_contrast:
        return []
    query = Q()
    for term in CONTRAST_ALLERGY_TERMS:
        query |= Q(substance_norm__icontains=term)
    allergies = Allergy.objects.filter(query, patient=patient, status=AllergyStatus.ACTIVE)
    return [
        {
            "code": "contrast_allergy",
            "message": f"The patient has a recorded allergy to {allergy.substance} "
            f"({allergy.get_severity_display().lower()}); this procedure uses contrast.",
        }
        for allergy in allergies
    ]


@transaction.atomic
def imaging_order_create(
    *,
    actor: User,
    patient: Patient,
    procedure: ImagingProcedure,
    clinical_indication: str,
    ordering_doctor: User | None = None,
    priority: Priority | str = Priority.ROUTINE,
    laterality: Laterality | str = Laterality.NONE,
    notes: str = "",
    encounter: Encounter | None = None,
) -> ImagingOrder:
    """Request an imaging examination. A doctor orders in their own name; the front desk and
    nurses name the ordering doctor (who receives the report)."""
    if ordering_doctor is None:
        if actor.role != Role.DOCTOR:
            raise ApplicationError(
                "Say which doctor orders this examination (they receive the report).",
                code="ordering_doctor_required",
                fields={"ordering_doctor": ["This field is required."]},
            )
        ordering_doctor = actor
    if ordering_doctor.role != Role.DOCTOR or not ordering_doctor.is_active:
        raise ApplicationError(
            "The ordering doctor must be an active doctor.",
            code="not_a_doctor",
            fields={"ordering_doctor": ["Not an active doctor."]},
        )
    if actor.role == Role.DOCTOR and ordering_doctor.pk != actor.pk:
        raise ApplicationError(
            "Doctors order examinations in their own name.",
            code="not_own_order",
            fields={"ordering_doctor": ["Must be yourself."]},
        )
    if not procedure.active:
        raise ApplicationError(
            f"{procedure.name} is no longer offered.",
            code="procedure_inactive",
            fields={"procedure": ["This procedure is inactive."]},
        )
    clinical_indication = (clinical_indication or "").strip()
    if len(clinical_indication) < 3:
        raise ApplicationError(
            "Give the clinical indication (the question the examination should answer).",
            code="indication_required",
            fields={"clinical_indication": ["At least 3 characters."]},
        )
    if encounter is not None and encounter.patient_id != patient.pk:
        raise ApplicationError(
            "The encounter belongs to another patient.",
            code="encounter_mismatch",
            fields={"encounter": ["Not an encounter of this patient."]},
        )
    order = ImagingOrder(
        patient=patient,
        procedure=procedure,
        modality=procedure.modality,
        ordering_doctor=ordering_doctor,
        requested_by=actor,
        encounter=encounter,
        priority=priority,
        laterality=laterality,
        clinical_indication=clinical_indication,
        notes=notes.strip(),
    )
    for _attempt in range(5):
        order.accession_number = _new_accession_number()
        try:
            with transaction.atomic():
                order.save()
            break
        except IntegrityError:
            if ImagingOrder.objects.filter(accession_number=order.accession_number).exists():
                continue  # that random number was taken: draw another
            raise
    else:  # pragma: no cover - a million numbers a day
        raise ConflictError("Could not allocate an accession number; try again.")
    order.warnings = _contrast_warnings(patient=patient, procedure=procedure)
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        order=order,
        detail={
            "procedure": procedure.code,
            "priority": str(priority),
            "ordering_doctor": str(ordering_doctor.public_id),
            "accession_number": order.accession_number,
            **({"warnings": [w["code"] for w in order.warnings]} if order.warnings else {}),
        },
    )
    return order


@transaction.atomic
def imaging_order_schedule(*, actor, order: ImagingOrder, scheduled_at) -> ImagingOrder:
    """Book (or move) the examination's time."""
    order = _lock(order)
    if scheduled_at <= timezone.now():
        raise ApplicationError(
            "The examination must be scheduled in the future.",
            code="scheduled_in_past",
            fields={"scheduled_at": ["In the past."]},
        )
    ahead_check(scheduled_at, field="scheduled_at", days=settings.APPOINTMENT_BOOKING_HORIZON_DAYS)
    previous = order.scheduled_at
    if order.status != OrderStatus.SCHEDULED:
        _transition(order, OrderStatus.SCHEDULED)
    order.scheduled_at = scheduled_at
    order.save()
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        order=order,
        detail={
            "status": order.status,
            "scheduled_at": scheduled_at.isoformat(),
            **({"rescheduled_from": previous.isoformat()} if previous else {}),
        },
    )
    return order


@transaction.atomic
def imaging_order_start(*, actor, order: ImagingOrder) -> ImagingOrder:
    """The patient is on the scanner."""
    order = _lock(order)
    _transition(order, OrderStatus.IN_PROGRESS)
    order.started_at = timezone.now()
    order.save()
    _audit(actor=actor, action=AuditAction.UPDATE, order=order, detail={"status": order.status})
    return order


@transaction.atomic
def imaging_order_complete(*, actor, order: ImagingOrder) -> ImagingOrder:
    """The images are acquired: the study waits for its report."""
    order = _lock(order)
    _transition(order, OrderStatus.ACQUIRED)
    if not order.images.exists():
        raise ConflictError(
            "Upload the study's images before marking it acquired.", code="no_images"
        )
    order.acquired_at = timezone.now()
    order.save()
    _audit(actor=actor, action=AuditAction.UPDATE, order=order, detail={"status": order.status})
    return order


@transaction.atomic
def imaging_order_cancel(*, actor, order: ImagingOrder, reason: str) -> ImagingOrder:
    """Cancel (never delete) an order that has not been reported."""
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise ApplicationError(
            "Say why the examination is cancelled.",
            code="reason_required",
            fields={"reason": ["A reason of at least 3 characters is required."]},
        )
    order = _lock(order)
    _transition(order, OrderStatus.CANCELLED)
    order.cancelled_at = timezone.now()
    order.cancelled_by = actor
    order.cancel_reason = reason
    order.save()
    _audit(actor=actor, action=AuditAction.VOID, order=order, detail={"reason": reason})
    return order


# --- Images ----------------------------------------------------------------------------------


def upload_limit_bytes() -> int:
    return int(settings.RADIOLOGY_MAX_UPLOAD_MB * 1024 * 1024)


def _check_size(upload) -> None:
    if upload.size is not None and upload.size > upload_limit_bytes():
        from hms.clinical.uploads import FileTooLarge

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


# --- Reports ---------------------------------------------------------------------------------


def _lock_report(report: ImagingReport) -> ImagingReport:
    return ImagingReport.objects.select_for_update().get(pk=report.pk)


def _check_reportable(order: ImagingOrder) -> None:
    if order.status not in REPORTABLE_STATUSES:
        if order.status == OrderStatus.REPORTED:
            raise ConflictError(
                "This study already has a final report; add an addendum instead.",
                code="report_final",
            )
        raise ConflictError(
            f"{with_article(order.get_status_display().lower(), capital=True)} order cannot be "
            "reported "
            "(the examination has not been performed).",
            code="not_reportable",
            extra={"status": order.status},
        )


@transaction.atomic
def imaging_report_create(
    *, actor, order: ImagingOrder, findings: str = "", impression: str = "", critical=False
) -> ImagingReport:
    """Start the report of a performed examination (a draft)."""
    order = _lock(order)
    _check_reportable(order)
    if order.reports.filter(kind=ReportKind.REPORT).exists():
        raise ConflictError(
            "This order already has a report; edit its draft.", code="report_exists"
        )
    report = ImagingReport(
        order=order,
        kind=ReportKind.REPORT,
        findings=findings.strip(),
        impression=impression.strip(),
        critical=critical,
        author=actor,
    )
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as error:
        raise ConflictError("This order already has a report.", code="report_exists") from error
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        order=order,
        resource_type=RESOURCE_REPORT,
        record=report,
        detail={"kind": report.kind, "order": str(order.public_id)},
    )
    return report


def _check_draft(report: ImagingReport) -> None:
    if report.status == ReportStatus.FINAL:
        hint = (
            "add an addendum instead"
            if report.kind == ReportKind.REPORT
            else "add another addendum"
        )
        raise ConflictError(
            f"A final {report.get_kind_display().lower()} is never edited; {hint}.",
            code="report_final",
        )


@transaction.atomic
def imaging_report_update(*, actor, report: ImagingReport, **fields) -> ImagingReport:
    """Edit a draft (findings, impression, critical). Every version is kept."""
    _lock(report.order)
    report = _lock_report(report)
    _check_draft(report)
    changed = []
    for field in ("findings", "impression", "critical"):
        if field in fields and fields[field] is not None:
            value = fields[field].strip() if isinstance(fields[field], str) else fields[field]
            if getattr(report, field) != value:
                setattr(report, field, value)
                changed.append(field)
    if changed:
        report.save()
        _audit(
            actor=actor,
            action=AuditAction.UPDATE,
            order=report.order,
            resource_type=RESOURCE_REPORT,
            record=report,
            detail={"fields": changed},
        )
    return report


def _notify_final(*, report: ImagingReport) -> None:
    order = report.order
    patient = order.patient
    procedure = order.procedure.name
    what = "Addendum to the report" if report.kind == ReportKind.ADDENDUM else "Report"
    link = f"/api/radiology/orders/{order.public_id}/"
    notification_create(
        recipient=order.ordering_doctor,
        kind="radiology_report_final",
        severity="critical" if report.critical else "info",
        title=f"{'CRITICAL: ' if report.critical else ''}{what}: {procedure} — "
        f"{patient.display_name} ({patient.mrn})",
        body=(report.impression or report.findings)[:1000],
        link=link,
        patient_id=patient.public_id,
        dedupe_key=f"radiology-report:{report.public_id}",
    )
    if patient.user_id is not None and patient.user.is_active:
        notification_create(
            recipient=patient.user,
            kind="radiology_report_ready",
            title=f"Your {procedure} result is ready"
            if report.kind == ReportKind.REPORT
            else f"Your {procedure} report was updated",
            body="The radiologist's report is available in your results.",
            link=link,
            patient_id=patient.public_id,
            dedupe_key=f"radiology-report-patient:{report.public_id}",
        )


@transaction.atomic
def imaging_report_finalize(*, actor, report: ImagingReport) -> ImagingReport:
    """Sign a draft. A report needs an impression (an addendum its text); the order becomes
    reported, and the ordering doctor and the patient are notified."""
    order = _lock(report.order)
    report = _lock_report(report)
    report.order = order
    _check_draft(report)
    if report.kind == ReportKind.REPORT and not report.impression:
        raise ApplicationError(
            "A final report needs an impression.",
            code="impression_required",
            fields={"impression": ["Required to finalise."]},
        )
    if report.kind == ReportKind.ADDENDUM and not (report.findings or report.impression):
        raise ApplicationError(
            "An addendum needs its text.",
            code="addendum_text_required",
            fields={"findings": ["Required to finalise."]},
        )
    if report.kind == ReportKind.REPORT:
        _check_reportable(order)
    now = timezone.now()
    report.status = ReportStatus.FINAL
    report.finalized_at = now
    report.finalized_by = actor
    report.save()
    if report.kind == ReportKind.REPORT:
        _transition(order, OrderStatus.REPORTED)
        order.reported_at = now
        order.save()
        publish(RadiologyReportFinalised(actor=actor, order=order, finalised_at=now))  # billed
    _notify_final(report=report)
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        order=order,
        resource_type=RESOURCE_REPORT,
        record=report,
        detail={
            "status": report.status,
            "kind": report.kind,
            "critical": report.critical,
            "order": str(order.public_id),
        },
    )
    return report


@transaction.atomic
def imaging_addendum_create(
    *,
    actor,
    report: ImagingReport,
    findings: str = "",
    impression: str = "",
    critical: bool = False,
    finalize: bool = False,
) -> ImagingReport:
    """Amend a final report: a new row (draft, or signed at once with finalize=True); the
    final report itself stays exactly as it was signed."""
    order = _lock(report.order)
    report = _lock_report(report)
    if report.kind != ReportKind.REPORT:
        report = report.amends
    if report.status != ReportStatus.FINAL:
        raise ConflictError(
            "Only a final report takes addenda; edit the draft instead.", code="report_not_final"
        )
    addendum = ImagingReport.objects.create(
        order=order,
        kind=ReportKind.ADDENDUM,
        amends=report,
        findings=findings.strip(),
        impression=impression.strip(),
        critical=critical,
        author=actor,
    )
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        order=order,
        resource_type=RESOURCE_REPORT,
        record=addendum,
        detail={"kind": addendum.kind, "amends": str(report.public_id)},
    )
    if finalize:
        addendum = imaging_report_finalize(actor=actor, report=addendum)
    return addendum


# --- The compatibility route's one-call result entry ----------------------------------------------


def imaging_result_update(
    *,
    actor,
    order: ImagingOrder,
    files: list | None = None,
    findings: str | None = None,
    impression: str | None = None,
    critical: bool | None = None,
    finalize: bool = False,
) -> ImagingOrder:
    """PUT /api/radiology/update-result/: add images and/or write the report, and optionally
    sign it, in one transaction (all or nothing: a refused file or a failed signature stores
    nothing)."""
    wants_text = findings is not None or impression is not None or critical is not None
    if not files and not wants_text and not finalize:
        raise ApplicationError(
            "Send images (file), report text (findings, impression) or finalize.",
            code="nothing_to_update",
        )
    stored = _StoredFiles()
    try:
        with transaction.atomic():
            if files:
                imaging_images_upload(actor=actor, order=order, files=files, stored=stored)
            if wants_text or finalize:
                report = order.reports.filter(kind=ReportKind.REPORT).first()
                if report is None:
                    report = imaging_report_create(
                        actor=actor,
                        order=order,
                        findings=findings or "",
                        impression=impression or "",
                        critical=bool(critical),
                    )
                elif wants_text:
                    report = imaging_report_update(
                        actor=actor,
                        report=report,
                        findings=findings,
                        impression=impression,
                        critical=critical,
                    )
                if finalize:
                    imaging_report_finalize(actor=actor, report=report)
    except BaseException:
        stored.remove_all()
        raise
    return ImagingOrder.objects.get(pk=order.pk)
