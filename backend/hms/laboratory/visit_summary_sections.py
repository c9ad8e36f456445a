"""The lab orders of an encounter on its printed visit summary (registered in
LaboratoryConfig.ready()). Results are not printed here: the lab report has them."""

from hms.clinical.visit_summary import SummarySection, register_visit_summary_section
from hms.core.documents import local_time, person_name
from hms.laboratory.pdf import lab_test_label
from hms.laboratory.selectors import encounter_lab_orders
from hms.patients.access import ChartSection, section_allowed


def lab_orders_section(encounter, user) -> SummarySection | None:
    if not section_allowed(user=user, section=ChartSection.ORDERS):
        return None
    rows = [
        [
            lab_test_label(order.test),
            order.get_priority_display(),
            local_time(order.ordered_at),
            person_name(order.ordering_doctor),
            order.get_status_display(),
        ]
        for order in encounter_lab_orders(encounter=encounter)
    ]
    return SummarySection(
        title="Laboratory orders",
        columns=["Test", "Priority", "Ordered", "By", "Status"],
        rows=rows,
        empty_text="None ordered.",
    )


def register_lab_visit_summary_sections() -> None:
    register_visit_summary_section("lab_orders", lab_orders_section, position=10)
