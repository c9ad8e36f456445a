"""Real threads (PostgreSQL, MySQL/MariaDB): a scheduled report's period goes out once however
many workers run it at the same moment."""

from datetime import UTC, datetime

import pytest
from django.core import mail

from hms.accounts.tests.factories import UserFactory
from hms.core.roles import Role
from hms.core.tests.threads import run_at_once
from hms.reporting import services
from hms.reporting.models import ReportScheduleRun

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("require_row_locks"),
]


def test_four_workers_send_one_period_once():
    admin = UserFactory(role=Role.ADMIN)
    UserFactory(role=Role.ACCOUNTANT, email="books@example.org")
    schedule = services.schedule_create(
        actor=admin,
        report_slug="finance-revenue",
        frequency="daily",
        recipient_roles=["accountant"],
    )
    moment = datetime(2027, 3, 15, 6, 5, tzinfo=UTC)

    results = run_at_once(4, lambda _: services.schedule_run(schedule=schedule, now=moment))

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(1 for r in results if r is not None) == 1
    assert ReportScheduleRun.objects.count() == 1
    assert [m.to for m in mail.outbox] == [["books@example.org"]]
