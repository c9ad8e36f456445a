"""The imaging orders of an encounter on its printed visit summary (registered in
RadiologyConfig.ready()). Reports are not printed here: they are read in the chart."""

from hms.clinical.visit_summary import SummarySection, register_visit_summary_section
from hms.core.documents import local_time, person_name
from hms.patients.access import ChartSection, section_allowed
from hms.radiology.selectors import encounter_imaging_orders


def imaging_orders_section(encounter, user) -> SummarySection | None:
    if not section_allowed(user=user, section=ChartSection.ORDERS):
        return None
    rows = [
        [
            f"{order.procedure.name} ({order.accession_number})",
            order.get_priority_display(),
            local_time(order.created_at),
            person_name(order.ordering_doctor),
            order.get_status_display(),
        ]
        for order in encounter_imaging_orders(encounter=encounter)
    ]
    return SummarySection(
        title="Imaging orders",
        columns=["Study", "Priority", "Ordered", "By", "Status"],
        rows=rows,
        empty_text="None ordered.",
    )


def register_radiology_visit_summary_sections() -> None:
    register_visit_summary_section("imaging_orders", imaging_orders_section, position=15)
