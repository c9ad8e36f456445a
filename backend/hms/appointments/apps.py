from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "hms.appointments"
    label = "appointments"

    def ready(self) -> None:
        # A doctor has in their care the patients booked with them (past or upcoming).
        from hms.appointments import care  # noqa: F401
