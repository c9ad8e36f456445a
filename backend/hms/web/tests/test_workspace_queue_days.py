"""The doctor's queue for any day: yesterday / today / tomorrow in the hospital's time zone,
the days either side of the one shown, and a date picker; a bad date is a 400 page."""

from datetime import UTC, date, datetime, time

import pytest
from django.test import override_settings

from hms.accounts.tests.factories import DoctorProfileFactory
from hms.appointments.services import appointment_book
from hms.appointments.tests.conftest import give_schedule
from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.patients.tests.factories import PatientFactory
from hms.web.tests.conftest import signed_in_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

# Monday 1 March 2027, 07:00 UTC (the test settings' hospital zone is UTC).
NOW = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
MONDAY, TUESDAY = date(2027, 3, 1), date(2027, 3, 2)


@pytest.fixture
def frozen_instant():
    return NOW


@pytest.fixture
def world(make_user):
    doctor = DoctorProfileFactory(user__last_name="Okafor").user
    give_schedule(doctor)
    patients = {}
    for name, day in (("Adeyemi", MONDAY), ("Brown", TUESDAY)):
        patient = PatientFactory(user=make_user(Role.PATIENT), last_name=name)
        appointment_book(
            actor=patient.user,
            patient=patient,
            doctor=doctor,
            date=day,
            slot=time(9, 0),
            reason="Follow-up",
        )
        patients[name] = patient
    return {"doctor": doctor, **patients}


def queue(client, query: str = ""):
    return client.get(f"/workspace/queue/{query}")


def test_today_by_default_with_the_switcher(world):
    response = queue(signed_in_client(world["doctor"]))

    assert response.status_code == 200
    assert response.context["day"] == MONDAY
    html = response.content.decode()
    assert "Today&#x27;s queue" in html or "Today's queue" in html
    assert "Adeyemi" in html and "Brown" not in html
    assert 'data-testid="day-switcher"' in html
    assert 'href="/workspace/queue/?date=2027-03-02" data-testid="day-tomorrow"' in html
    assert 'href="/workspace/queue/?date=2027-02-28" data-testid="day-yesterday"' in html
    assert 'value="2027-03-01"' in html  # the picker shows the day


def test_another_day_from_the_picker_or_the_tomorrow_link(world):
    response = queue(signed_in_client(world["doctor"]), "?date=2027-03-02")

    assert response.status_code == 200
    assert response.context["day"] == TUESDAY
    html = response.content.decode()
    assert "Brown" in html and "Adeyemi" not in html
    assert "Tuesday 2 March 2027" in html
    assert 'aria-current="date"' in html.split('data-testid="day-tomorrow"')[1][:40]
    assert 'href="/workspace/queue/" data-testid="day-today"' in html
    event = AuditEvent.objects.filter(resource_type="appointment_queue").latest("id")
    assert event.detail["day"] == "2027-03-02"
    assert event.detail["patients"] == [str(world["Brown"].public_id)]


def test_today_is_the_hospitals_day_not_utcs(world, frozen_now):
    # 13:00 UTC on Monday is 02:00 on Tuesday in Auckland.
    client = signed_in_client(world["doctor"])
    frozen_now.move_to(datetime(2027, 3, 1, 13, 0, tzinfo=UTC))
    with override_settings(TIME_ZONE="Pacific/Auckland"):
        response = client.get("/workspace/queue/")
    assert response.context["day"] == TUESDAY
    assert "Brown" in response.content.decode()


@pytest.mark.parametrize("bad", ["2027-02-30", "tomorrow", "9999-99-99"])
def test_a_bad_date_is_a_400_page_showing_today(world, bad):
    response = queue(signed_in_client(world["doctor"]), f"?date={bad}")

    assert response.status_code == 400
    assert response.context["day"] == MONDAY
    assert b"Enter a valid date." in response.content


@pytest.mark.parametrize("far", ["9999-12-31", "0001-01-01"])
def test_the_ends_of_the_calendar_do_not_break_the_page(world, far):
    response = queue(signed_in_client(world["doctor"]), f"?date={far}")
    assert response.status_code == 200
    html = response.content.decode()
    if far.startswith("9999"):
        assert 'data-testid="day-next"' not in html
    else:
        assert 'data-testid="day-previous"' not in html


def test_the_queue_is_for_doctors(world, make_user):
    for role in (Role.PATIENT, Role.NURSE):
        assert queue(signed_in_client(make_user(role)), "?date=2027-03-02").status_code == 403
