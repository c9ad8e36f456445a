"""Imaging on the patient timeline: each order when it was placed, each final report and
addendum when it was signed (drafts never appear). Shown to users who may read the chart's
orders section; one query per source whatever the number of studies."""

from collections.abc import Iterator

from hms.clinical.timeline import TimelineEntry, register_timeline_source
from hms.core.time_window import in_time_window
from hms.patients.access import ChartSection, section_allowed
from hms.radiology.models import ImagingOrder, ImagingReport, ReportKind, ReportStatus

ORDER_TYPE = "imaging_order"
REPORT_TYPE = "imaging_report"


def imaging_order_entries(patient, user, since, until) -> Iterator[TimelineEntry]:
    if not section_allowed(user=user, section=ChartSection.ORDERS):
        return
    orders = ImagingOrder.objects.filter(patient=patient).select_related(
        "procedure", "ordering_doctor"
    )
    for order in in_time_window(orders, "created_at", since, until):
        yield TimelineEntry(
            occurred_at=order.created_at,
            type=ORDER_TYPE,
            id=str(order.public_id),
            title=f"Imaging ordered: {order.procedure.name}",
            summary=order.clinical_indication[:200],
            actor=order.ordering_doctor.display_name,
            voided=order.status == "cancelled",
            void_reason=order.cancel_reason,
            detail={
                "status": order.status,
                "priority": order.priority,
                "modality": order.modality,
                "accession_number": order.accession_number,
            },
        )


def imaging_report_entries(patient, user, since, until) -> Iterator[TimelineEntry]:
    if not section_allowed(user=user, section=ChartSection.ORDERS):
        return
    reports = ImagingReport.objects.filter(
        order__patient=patient, status=ReportStatus.FINAL
    ).select_related("order", "order__procedure", "finalized_by")
    for report in in_time_window(reports, "finalized_at", since, until):
        addendum = report.kind == ReportKind.ADDENDUM
        yield TimelineEntry(
            occurred_at=report.finalized_at,
            type=REPORT_TYPE,
            id=str(report.public_id),
            title=f"{'Addendum: ' if addendum else ''}{report.order.procedure.name} report",
            summary=(report.impression or report.findings)[:200],
            actor=report.finalized_by.display_name,
            detail={
                "order": str(report.order.public_id),
                "kind": report.kind,
                "critical": report.critical,
                "accession_number": report.order.accession_number,
            },
        )


register_timeline_source("imaging_orders", imaging_order_entries, types={ORDER_TYPE})
register_timeline_source("imaging_reports", imaging_report_entries, types={REPORT_TYPE})
