"""A critical alert a doctor leaves unacknowledged (about a patient not on a ward) goes to the
doctor's colleagues on duty: same department, working hours including now, not on leave."""

from datetime import date, time, timedelta

import pytest

from hms.accounts.tests.factories import DoctorProfileFactory
from hms.appointments.models import ExceptionKind, ScheduleException
from hms.appointments.tests.conftest import give_schedule
from hms.core.models import AuditEvent, Notification
from hms.core.services import notification_create, notification_escalate_overdue

pytestmark = pytest.mark.django_db


def _doctor(department: str, *, on_duty: bool = True):
    user = DoctorProfileFactory(department=department).user
    if on_duty:
        # Monday 09:00-17:00: the frozen clock's 10:00 (after the shift below) is inside.
        give_schedule(user, blocks=[(0, time(9), time(17))])
    return user


@pytest.fixture
def critical_alert(frozen_now, patient):
    recipient = _doctor("Cardiology")
    return notification_create(
        recipient=recipient,
        kind="lab_critical_result",
        severity="critical",
        title="Critical result: Potassium 6.8 mmol/L",
        patient_id=patient.public_id,
    )


def test_goes_to_colleagues_on_duty_in_the_same_department(frozen_now, critical_alert):
    on_duty = _doctor("Cardiology")
    off_duty = _doctor("Cardiology", on_duty=False)
    on_leave = _doctor("Cardiology")
    ScheduleException.objects.create(
        doctor=on_leave,
        date=date(2027, 3, 1),
        kind=ExceptionKind.LEAVE,
        reason="Annual leave",
        created_by=on_leave,
    )
    other_department = _doctor("Surgery")
    frozen_now.shift(timedelta(hours=3, minutes=1))  # 07:00 -> 10:01
    assert notification_escalate_overdue() == 1
    recipients = set(
        Notification.objects.filter(escalation_of=critical_alert).values_list(
            "recipient", flat=True
        )
    )
    assert recipients == {on_duty.pk}
    assert off_duty.pk not in recipients and other_department.pk not in recipients
    event = AuditEvent.objects.get(resource_type="notification_escalation")
    assert event.detail["rule"] == "colleagues_on_duty"


def test_nobody_on_duty_before_the_working_day(frozen_now, critical_alert):
    _doctor("Cardiology")
    frozen_now.shift(timedelta(minutes=31))  # 07:31: before the 09:00 start
    assert notification_escalate_overdue() == 1
    assert not Notification.objects.filter(escalation_of=critical_alert).exists()
