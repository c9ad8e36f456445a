"""Reports: drafts, signing (and the notice of a critical finding) and addenda."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from hms.core.errors import ApplicationError, ConflictError
from hms.core.events import publish
from hms.core.models import AuditAction
from hms.core.services import notification_create
from hms.core.wording import with_article
from hms.radiology.events import RadiologyReportFinalised
from hms.radiology.models import (
    REPORTABLE_STATUSES,
    ImagingOrder,
    ImagingReport,
    OrderStatus,
    ReportKind,
    ReportStatus,
)
from hms.radiology.services.common import RESOURCE_REPORT, _audit, _lock, _transition


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
