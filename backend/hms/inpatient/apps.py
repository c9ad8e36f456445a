from django.apps import AppConfig


class InpatientConfig(AppConfig):
    name = "hms.inpatient"
    label = "inpatient"
    verbose_name = "Wards, beds and ICU"

    def ready(self) -> None:
        # Care relationships: the attending doctor of an active admission; nurses assigned to
        # the ward a patient lies on. Admissions, transfers and discharges on the timeline.
        # The NEWS2 bands published as clinical rules. Overdue critical alerts about a patient
        # on a ward go to its nurses.
        # Deferred: these modules import models, which are not loaded before ready().
        from hms.inpatient import care, escalation, news2, timeline_sources  # noqa: F401
