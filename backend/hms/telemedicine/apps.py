from django.apps import AppConfig


class TelemedicineConfig(AppConfig):
    name = "hms.telemedicine"
    label = "telemedicine"
    verbose_name = "Telemedicine"

    def ready(self) -> None:
        # Deferred: registering reads the models, which exist only once apps are ready.
        from hms.appointments.events import AppointmentCompleted
        from hms.core.events import subscribe
        from hms.telemedicine.services import consult_close_on_completion
        from hms.telemedicine.timeline import register_telemedicine_timeline_sources

        register_telemedicine_timeline_sources()
        subscribe(AppointmentCompleted, consult_close_on_completion)
