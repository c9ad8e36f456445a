from django.apps import AppConfig


class AssistantConfig(AppConfig):
    name = "hms.assistant"
    label = "assistant"
    verbose_name = "Prescription assistant"

    def ready(self) -> None:
        from hms.assistant.prescription_parser import drug_recogniser
        from hms.core.warmup import warm_up_register

        # Registered only: the dictionary loads when a server or worker starts.
        warm_up_register("drug_recogniser", drug_recogniser)
