"""The compatibility route's one-call result entry: images and the report in one transaction."""

from django.db import transaction

from hms.core.errors import ApplicationError
from hms.radiology.models import ImagingOrder, ReportKind
from hms.radiology.services.images import _StoredFiles, imaging_images_upload
from hms.radiology.services.reports import (
    imaging_report_create,
    imaging_report_finalize,
    imaging_report_update,
)


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
