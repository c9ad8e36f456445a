from django.apps import AppConfig


class AssistantConfig(AppConfig):
    name = "hms.assistant"
    label = "assistant"
    verbose_name = "Prescription assistant"
