from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "hms.core"
    label = "core"
    verbose_name = "HMS core"
