from django.apps import AppConfig


class PharmacyConfig(AppConfig):
    name = "hms.pharmacy"
    label = "pharmacy"
    verbose_name = "Pharmacy"

    def ready(self) -> None:
        # Prescriptions and dispenses on the patient timeline.
        # Deferred: these modules import models, which are not loaded before ready().
        from hms.pharmacy.timeline_sources import register_pharmacy_timeline_sources
        from hms.pharmacy.visit_summary_sections import register_pharmacy_visit_summary_sections

        register_pharmacy_timeline_sources()
        register_pharmacy_visit_summary_sections()
