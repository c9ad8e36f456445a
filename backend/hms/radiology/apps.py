from django.apps import AppConfig


class RadiologyConfig(AppConfig):
    name = "hms.radiology"
    label = "radiology"
    verbose_name = "Radiology"

    def ready(self) -> None:
        # The ordering doctor keeps the patient in their care while the study is open and for a
        # while after its report; final reports (and orders) appear on the patient timeline.
        # Deferred: these modules import models, which are not loaded before ready().
        from hms.radiology import care, timeline  # noqa: F401
        from hms.radiology.visit_summary_sections import (
            register_radiology_visit_summary_sections,
        )

        register_radiology_visit_summary_sections()
