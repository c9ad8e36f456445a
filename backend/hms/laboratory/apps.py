from django.apps import AppConfig


class LaboratoryConfig(AppConfig):
    name = "hms.laboratory"
    label = "laboratory"
    verbose_name = "Laboratory"

    def ready(self) -> None:
        # The ordering doctor keeps the patient in their care; orders and verified results
        # appear on the patient timeline. The flag rules are published as clinical rules.
        # Deferred: these modules import models, which are not loaded before ready().
        from hms.laboratory import (  # noqa: F401
            care,
            ranges,
            timeline_sources,
            visit_summary_sections,
        )

        care.register_lab_care_relationships()
        timeline_sources.register_lab_timeline_sources()
        visit_summary_sections.register_lab_visit_summary_sections()
