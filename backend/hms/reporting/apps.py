from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "hms.reporting"
    label = "reporting"
    verbose_name = "Reporting and analytics"

    def ready(self) -> None:
        # Each family module registers its reports on import (hms.reporting.registry).
        from hms.reporting import reports  # noqa: F401
