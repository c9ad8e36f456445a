"""Lab orders and verified results on the patient timeline (registered in
LaboratoryConfig.ready()). Two queries whatever the number of orders and results.

Only roles allowed the chart's "orders" section see them, and only *verified* results appear
(unverified values are never released). A cancelled order is shown as voided; a result
replaced by a verified amendment is shown as voided ("amended"), next to its amendment.
"""

from collections.abc import Iterator

from hms.clinical.timeline import TimelineEntry, register_timeline_source
from hms.core.time_window import in_time_window
from hms.laboratory.models import LabOrder, LabOrderStatus, LabResult
from hms.patients.access import ChartSection, section_allowed


def _name(user) -> str:
    return user.display_name if user is not None else ""


def lab_order_entries(patient, user, since, until) -> Iterator[TimelineEntry]:
    if not section_allowed(user=user, section=ChartSection.ORDERS):
        return
    rows = LabOrder.objects.filter(patient=patient).select_related("test", "ordering_doctor")
    for order in in_time_window(rows, "ordered_at", since, until):
        yield TimelineEntry(
            occurred_at=order.ordered_at,
            type="lab_order",
            id=str(order.public_id),
            title=f"Lab order: {order.test.name}",
            summary=f"{order.get_priority_display()}, {order.get_status_display().lower()}",
            actor=_name(order.ordering_doctor),
            voided=order.status == LabOrderStatus.CANCELLED,
            void_reason=order.cancel_reason,
            detail={
                "placer_number": order.placer_number,
                "test": order.test.code,
                "loinc": order.test.loinc_code,
                "status": order.status,
                "priority": order.priority,
            },
        )


def lab_result_entries(patient, user, since, until) -> Iterator[TimelineEntry]:
    if not section_allowed(user=user, section=ChartSection.ORDERS):
        return
    rows = LabResult.objects.filter(order__patient=patient, verified_at__isnull=False)
    rows = rows.select_related("test", "order", "verified_by")
    for result in in_time_window(rows, "verified_at", since, until):
        unit = f" {result.unit}" if result.unit else ""
        flag = f" ({result.get_flag_display().lower()})" if result.flag else ""
        yield TimelineEntry(
            occurred_at=result.verified_at,
            type="lab_result",
            id=str(result.public_id),
            title=f"{result.test.name}: {result.display_value}{unit}{flag}",
            summary=(f"Reference {result.reference_text}" if result.reference_text else "")
            + (f" — amended: {result.amendment_reason}" if result.amends_id else ""),
            actor=_name(result.verified_by),
            voided=result.superseded_at is not None,
            void_reason="Replaced by an amended result" if result.superseded_at else "",
            detail={
                "order": str(result.order.public_id),
                "loinc": result.test.loinc_code,
                "value": result.display_value,
                "unit": result.unit,
                "flag": result.flag,
                "version": result.version,
            },
        )


def register_lab_timeline_sources() -> None:
    register_timeline_source("lab_orders", lab_order_entries, types={"lab_order"})
    register_timeline_source("lab_results", lab_result_entries, types={"lab_result"})
