from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "hms.billing"
    label = "billing"
    verbose_name = "Billing and insurance"

    def ready(self) -> None:
        # Deferred: these modules import models, which may load only once the app registry is ready.
        # Invoices and payments appear on the patient's timeline (billing section only).
        from hms.billing import timeline  # noqa: F401

        # Charges for the clinical events billing subscribes to (consultations, tests, ...).
        from hms.billing.subscriptions import subscribe_billing

        subscribe_billing()
