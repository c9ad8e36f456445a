"""Celery application. Without CELERY_BROKER_URL tasks run eagerly (see settings.base)."""

import os

from celery import Celery
from celery.signals import task_failure, task_retry, task_success, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("hms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def warm_up_worker_process(**kwargs) -> None:
    """Each worker process loads the drug dictionary and ICD-10 list in the background as it
    starts (HMS_WARM_UP_AT_START), not inside the first task that needs them."""
    from hms.core.warmup import warm_up_start

    warm_up_start()


@task_success.connect
def count_task_success(sender=None, **kwargs) -> None:
    from hms.core.metrics import celery_task_finished

    celery_task_finished(sender.name, "success")


@task_failure.connect
def count_task_failure(sender=None, **kwargs) -> None:
    from hms.core.metrics import celery_task_finished

    celery_task_finished(sender.name, "failure")


@task_retry.connect
def count_task_retry(sender=None, **kwargs) -> None:
    from hms.core.metrics import celery_task_finished

    celery_task_finished(sender.name, "retry")
