"""The prescriptions of an encounter on its printed visit summary (registered in
PharmacyConfig.ready())."""

from hms.clinical.visit_summary import SummarySection, register_visit_summary_section
from hms.core.documents import person_name
from hms.patients.access import ChartSection, section_allowed
from hms.pharmacy.selectors import encounter_prescriptions


def prescriptions_section(encounter, user) -> SummarySection | None:
    if not section_allowed(user=user, section=ChartSection.MEDICATIONS):
        return None
    rows = []
    for prescription in encounter_prescriptions(encounter=encounter):
        status = prescription.get_status_display()
        for item in prescription.items.all():
            duration = f"{item.duration_days} d" if item.duration_days else "-"
            rows.append(
                [
                    item.drug.generic_name,
                    f"{item.dose.normalize():f} {item.dose_unit} {item.get_route_display()}",
                    item.get_frequency_display(),
                    duration,
                    f"{person_name(prescription.prescriber)} ({status})",
                ]
            )
    return SummarySection(
        title="Prescriptions",
        columns=["Drug", "Dose", "Frequency", "Duration", "Prescriber"],
        rows=rows,
        empty_text="None prescribed.",
    )


def register_pharmacy_visit_summary_sections() -> None:
    register_visit_summary_section("prescriptions", prescriptions_section, position=20)
