from django.apps import AppConfig


class ClinicalConfig(AppConfig):
    name = "hms.clinical"
    label = "clinical"
    verbose_name = "Medical record"

    def ready(self) -> None:
        # Deferred: these modules import models, which exist once the app registry is ready.
        from hms.clinical.care import register_clinical_care_relationships
        from hms.clinical.icd10 import _assignable_codes
        from hms.clinical.timeline_sources import register_clinical_timeline_sources
        from hms.core.warmup import warm_up_register

        register_clinical_timeline_sources()
        register_clinical_care_relationships()
        # Registered only: the WHO list loads when a server or worker starts.
        warm_up_register("icd10_index", _assignable_codes)
