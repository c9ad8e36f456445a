"""Scheduled reports: the admin API, who may receive what, and the e-mails beat sends once per
period with the report attached as XLSX."""

import io
from datetime import UTC, date, datetime

import openpyxl
import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.reporting import services
from hms.reporting.models import ReportSchedule, ReportScheduleRun
from hms.reporting.tasks import send_due_report_schedules
from hms.reporting.tests.finance_data import Books, at, revenue_days

pytestmark = pytest.mark.django_db

SCHEDULES = "/api/reports/schedules/"


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


def weekly_revenue(admin, **changes):
    return services.schedule_create(
        actor=admin,
        report_slug="finance-revenue",
        frequency="weekly",
        recipient_roles=["accountant"],
        **changes,
    )


class TestPeriods:
    def test_previous_day_week_and_month(self):
        wednesday = date(2027, 3, 10)
        assert services.period_before("daily", wednesday) == (date(2027, 3, 9), date(2027, 3, 9))
        assert services.period_before("weekly", wednesday) == (date(2027, 3, 1), date(2027, 3, 7))
        assert services.period_before("monthly", wednesday) == (
            date(2027, 2, 1),
            date(2027, 2, 28),
        )
        assert services.period_before("monthly", date(2027, 1, 1)) == (
            date(2026, 12, 1),
            date(2026, 12, 31),
        )

    def test_next_sending_time(self):
        wednesday_noon = datetime(2027, 3, 10, 12, tzinfo=UTC)
        # Sent at 06:00 the day after a period ends (test time zone UTC).
        assert services.next_run_after("daily", wednesday_noon) == datetime(
            2027, 3, 11, 6, tzinfo=UTC
        )
        assert services.next_run_after("weekly", wednesday_noon) == datetime(
            2027, 3, 15, 6, tzinfo=UTC
        )
        assert services.next_run_after("monthly", wednesday_noon) == datetime(
            2027, 4, 1, 6, tzinfo=UTC
        )
        early_monday = datetime(2027, 3, 15, 5, tzinfo=UTC)
        assert services.next_run_after("weekly", early_monday) == datetime(
            2027, 3, 15, 6, tzinfo=UTC
        )


class TestApi:
    def test_admin_creates_reads_changes_and_deletes(self, client_for, admin):
        api = client_for(Role.ADMIN, user=admin)
        with at(10):
            created = api.post(
                SCHEDULES,
                {
                    "report": "finance-claims",
                    "frequency": "monthly",
                    "filters": {"payer": "Jubilee Health"},
                    "recipient_roles": ["accountant", "admin"],
                },
                format="json",
            )
        assert created.status_code == 201, created.json()
        body = created.json()
        assert body["report_title"] == "Insurance claims by payer and outcome"
        assert body["recipient_roles"] == ["accountant", "admin"]
        assert body["filters"] == {"payer": "Jubilee Health"}
        assert body["next_run_at"] == "2027-04-01T06:00:00Z"
        url = f"{SCHEDULES}{body['id']}/"
        assert api.get(url).json()["frequency"] == "monthly"
        paused = api.patch(url, {"active": False}, format="json")
        assert paused.status_code == 200 and paused.json()["active"] is False
        assert api.delete(url).status_code == 204
        assert api.get(url).status_code == 404
        actions = AuditEvent.objects.filter(resource_type="report_schedule").values_list(
            "action", flat=True
        )
        assert sorted(actions) == ["create", "update", "void"]

    def test_recipients_must_be_allowed_to_read_the_report(self, client_for):
        api = client_for(Role.ADMIN)
        refused = api.post(
            SCHEDULES,
            {"report": "finance-revenue", "frequency": "daily", "recipient_roles": ["doctor"]},
            format="json",
        )
        assert refused.status_code == 400 and "recipient_roles" in refused.json()["fields"]
        unknown = api.post(
            SCHEDULES,
            {"report": "no-such-report", "frequency": "daily", "recipient_roles": ["admin"]},
            format="json",
        )
        assert unknown.status_code == 400 and "report" in unknown.json()["fields"]
        not_taken = api.post(
            SCHEDULES,
            {
                "report": "finance-revenue",
                "frequency": "daily",
                "recipient_roles": ["admin"],
                "filters": {"ward": "a2f1c9a4-2f7e-4a57-9a49-1d3f5e0c6b11"},
            },
            format="json",
        )
        assert not_taken.status_code == 400 and "filters" in not_taken.json()["fields"]

    def test_only_admins(self, client_for, admin):
        schedule = weekly_revenue(admin)
        for role in (Role.ACCOUNTANT, Role.DOCTOR, Role.PATIENT):
            client = client_for(role)
            assert client.get(SCHEDULES).status_code == 403
            assert client.get(f"{SCHEDULES}{schedule.public_id}/").status_code == 403
            assert client.delete(f"{SCHEDULES}{schedule.public_id}/").status_code == 403

    def test_list_queries_do_not_grow_with_the_page(self, client_for, admin, make_user):
        api = client_for(Role.ADMIN, user=admin)
        weekly_revenue(admin)

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                response = api.get(SCHEDULES)
            assert response.status_code == 200
            return len(queries)

        one = count()
        for _ in range(6):
            weekly_revenue(make_user(Role.ADMIN))
        # The count, then one page of schedules with their creators (select_related).
        assert count() == one == 2
        assert api.get(SCHEDULES).json()["count"] == 7


class TestSending:
    def test_weekly_report_mailed_once_to_each_reader_with_an_address(self, make_user, admin):
        books = Books(make_user)  # its clerk is an accountant with an address
        revenue_days(books)  # 10-12 March 2027
        other = make_user(Role.ACCOUNTANT, email="books@example.org")
        make_user(Role.ACCOUNTANT, email="")  # no address: nobody to send to
        make_user(Role.ACCOUNTANT, email="gone@example.org", is_active=False)
        make_user(Role.NURSE, email="ward@example.org")
        with at(12):
            schedule = weekly_revenue(admin)
        assert schedule.next_run_at == datetime(2027, 3, 15, 6, tzinfo=UTC)
        with time_machine.travel(datetime(2027, 3, 15, 5, 45, tzinfo=UTC), tick=False):
            assert send_due_report_schedules() == 0  # not yet
        with time_machine.travel(datetime(2027, 3, 15, 6, 10, tzinfo=UTC), tick=False):
            assert send_due_report_schedules() == 1
        assert sorted(m.to[0] for m in mail.outbox) == sorted([books.clerk.email, other.email])
        message = mail.outbox[0]
        # The week Monday 8 to Sunday 14 March.
        assert message.subject == (
            "Revenue by department and payment method, 2027-03-08 to 2027-03-14"
        )
        ((filename, content, mimetype),) = message.attachments
        assert filename == "finance-revenue_2027-03-08_2027-03-14.xlsx"
        assert mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        book = openpyxl.load_workbook(io.BytesIO(content))
        summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row}
        # 155 invoiced, 85 received less 10 refunded (finance_data.revenue_days).
        assert (summary["Invoiced"], summary["Net collected"]) == (155, 75)
        run = ReportScheduleRun.objects.get()
        assert (run.period_from, run.period_to, run.recipients) == (
            date(2027, 3, 8),
            date(2027, 3, 14),
            2,
        )
        schedule.refresh_from_db()
        assert schedule.next_run_at == datetime(2027, 3, 22, 6, tzinfo=UTC)
        assert (
            AuditEvent.objects.filter(
                action="export", detail__schedule=str(schedule.public_id)
            ).count()
            == 1
        )

        # The same week again (a retry, a second worker): nothing more goes out.
        ReportSchedule.objects.filter(pk=schedule.pk).update(
            next_run_at=datetime(2027, 3, 15, 6, tzinfo=UTC)
        )
        with time_machine.travel(datetime(2027, 3, 15, 7, tzinfo=UTC), tick=False):
            assert send_due_report_schedules() == 0
        assert len(mail.outbox) == 2

    def test_a_period_has_one_run_row(self, admin):
        schedule = weekly_revenue(admin)
        moment = datetime(2027, 3, 15, 6, tzinfo=UTC)
        ReportScheduleRun.objects.create(
            schedule=schedule,
            period_from=date(2027, 3, 8),
            period_to=date(2027, 3, 14),
            ran_at=moment,
        )
        with pytest.raises(IntegrityError):
            ReportScheduleRun.objects.create(
                schedule=schedule,
                period_from=date(2027, 3, 8),
                period_to=date(2027, 3, 14),
                ran_at=moment,
            )

    def test_inactive_schedules_send_nothing(self, admin):
        schedule = weekly_revenue(admin)
        services.schedule_deactivate(actor=admin, schedule=schedule)
        with time_machine.travel(datetime(2030, 1, 7, 7, tzinfo=UTC), tick=False):
            assert send_due_report_schedules() == 0
        assert mail.outbox == []
