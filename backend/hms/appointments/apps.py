from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "hms.appointments"
    label = "appointments"

    def ready(self) -> None:
        # A doctor has in their care the patients booked with them (past or upcoming). An
        # overdue critical alert to a doctor goes to their colleagues on duty.
        # Deferred: registering reads the models, which exist only once apps are ready.
        from hms.appointments import care, escalation  # noqa: F401
