from django.apps import AppConfig


class LaboratoryConfig(AppConfig):
    name = "hms.laboratory"
    label = "laboratory"
    verbose_name = "Laboratory"

    def ready(self) -> None:
        # The ordering doctor keeps the patient in their care; orders and verified results
        # appear on the patient timeline.
        from hms.laboratory import care, timeline_sources

        care.register_lab_care_relationships()
        timeline_sources.register_lab_timeline_sources()
