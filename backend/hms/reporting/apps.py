from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "hms.reporting"
    label = "reporting"
    verbose_name = "Reporting and analytics"

    def ready(self) -> None:
        # Each family module registers its reports (hms.reporting.registry) and its daily
        # summaries (hms.reporting.summaries) on import.
        from hms.reporting import reports  # noqa: F401

        # Domain events mark the days they change dirty and queue a refresh.
        from hms.reporting.subscribers import subscribe_reporting

        subscribe_reporting()
