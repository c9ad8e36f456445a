"""24-hour reminders: sent once, by email and SMS, never for cancelled appointments."""

import pytest
from celery import current_app
from django.core import mail

from hms.appointments.models import Appointment
from hms.appointments.tasks import send_due_appointment_reminders
from hms.core.sms import LocmemSmsBackend

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture(autouse=True)
def _empty_outboxes():
    LocmemSmsBackend.outbox.clear()
    mail.outbox.clear()


def test_reminder_sent_once_within_24_hours(book, frozen_now, patient):
    book(day="2027-03-02", slot="09:00")
    assert send_due_appointment_reminders.delay().get() == 0  # 26 hours ahead: not yet
    frozen_now.move_to("2027-03-01 09:30Z")  # 23.5 hours before
    assert send_due_appointment_reminders.delay().get() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [patient.email]
    assert "Tuesday 02 March at 09:00" in message.body
    assert LocmemSmsBackend.outbox == [{"to": patient.phone, "body": message.body}]
    # Later runs do not send it again.
    frozen_now.move_to("2027-03-01 20:00Z")
    assert send_due_appointment_reminders.delay().get() == 0
    assert len(mail.outbox) == 1
    assert Appointment.objects.get().reminder_sent_at is not None


def test_claim_is_once_only_even_if_called_twice(book, frozen_now):
    from hms.appointments.services import appointment_reminder_send

    book(day="2027-03-01", slot="15:00")
    appointment = Appointment.objects.get()
    assert appointment_reminder_send(appointment_id=appointment.pk) is True
    assert appointment_reminder_send(appointment_id=appointment.pk) is False
    assert len(mail.outbox) == 1


def test_cancelled_appointments_get_no_reminder(book, reception, frozen_now):
    appointment_id = book(day="2027-03-01", slot="15:00").json()["id"]
    reception.delete(
        f"/api/appointments/{appointment_id}/", {"reason": "No longer needed"}, format="json"
    )
    assert send_due_appointment_reminders.delay().get() == 0
    assert mail.outbox == [] and LocmemSmsBackend.outbox == []


def test_rescheduled_appointment_is_reminded_again(book, reception, frozen_now):
    appointment_id = book(day="2027-03-01", slot="15:00").json()["id"]
    send_due_appointment_reminders.delay()
    reception.patch(
        f"/api/appointments/{appointment_id}/",
        {"date": "2027-03-02", "slot": "14:00"},
        format="json",
    )
    frozen_now.move_to("2027-03-01 15:00Z")
    assert send_due_appointment_reminders.delay().get() == 1
    assert len(mail.outbox) == 2


def test_failed_send_is_retried(book, frozen_now, monkeypatch):
    from hms.appointments.services import reminders

    book(day="2027-03-01", slot="15:00")

    def broken(**kwargs):
        raise ConnectionError("SMS gateway down")

    monkeypatch.setattr(reminders, "send_sms", broken)
    with pytest.raises(ConnectionError):
        send_due_appointment_reminders.delay()
    assert Appointment.objects.get().reminder_sent_at is None
    monkeypatch.undo()
    assert send_due_appointment_reminders.delay().get() == 1


def test_beat_schedule_is_configured(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["appointment-reminders"]
    assert entry["task"] == "hms.appointments.tasks.send_due_appointment_reminders"
    assert "hms.appointments.tasks.send_due_appointment_reminders" in current_app.tasks
