"""The doctor's own schedule on the web, read-only: hours per weekday, slot length, and the
leave, holidays and extra sessions ahead (not those past, not another doctor's)."""

from datetime import UTC, date, datetime, time

import pytest
import time_machine

from hms.accounts.tests.factories import DoctorProfileFactory
from hms.appointments.models import ExceptionKind
from hms.appointments.services import schedule_exception_cancel, schedule_exception_create
from hms.appointments.tests.conftest import give_schedule
from hms.core.roles import Role
from hms.web.tests.conftest import page_queries, signed_in_client

pytestmark = pytest.mark.django_db

URL = "/workspace/schedule/"
DASH = "\u2013"  # between the start and end of a range of hours
# Sunday 7 March 2027, 23:30 UTC (the test settings' hospital time zone is UTC).
NOW = datetime(2027, 3, 7, 23, 30, tzinfo=UTC)


@pytest.fixture
def world(make_user):
    with time_machine.travel(NOW, tick=False):
        doctor = DoctorProfileFactory(user__last_name="Okafor").user
        give_schedule(
            doctor,
            slot_minutes=20,
            blocks=[(0, time(8), time(12)), (0, time(13), time(16)), (2, time(9), time(11))],
        )
        other = DoctorProfileFactory().user
        desk = make_user(Role.RECEPTIONIST)

        def add(day, kind=ExceptionKind.LEAVE, who=doctor, **extra):
            return schedule_exception_create(actor=desk, doctor=who, date=day, kind=kind, **extra)

        yield {"doctor": doctor, "other": other, "desk": desk, "add": add}


def get(user):
    with time_machine.travel(NOW, tick=False):
        response = signed_in_client(user).get(URL)
    return response, response.content.decode()


def test_the_doctor_sees_their_week_and_the_days_off_ahead(world):
    add = world["add"]
    add(date(2027, 3, 5), reason="Past leave")  # before today: not listed
    add(date(2027, 3, 10), reason="Conference")
    add(date(2027, 4, 2), kind=ExceptionKind.HOLIDAY, who=None, reason="Good Friday")
    add(date(2027, 3, 13), kind=ExceptionKind.EXTRA, start_time=time(9), end_time=time(12))
    add(date(2027, 3, 11), who=world["other"], reason="Someone else's leave")
    cancelled = add(date(2027, 3, 12), reason="Cancelled leave")
    schedule_exception_cancel(actor=world["desk"], exception=cancelled)
    response, html = get(world["doctor"])
    assert response.status_code == 200
    assert "20-minute slots" in html
    for start, end in (("08:00", "12:00"), ("13:00", "16:00"), ("09:00", "11:00")):
        assert f"{start}{DASH}{end}" in html
    assert html.count("Day off") == 5  # Tuesday, Thursday to Sunday
    assert "Conference" in html and "Good Friday" in html and "whole hospital" in html
    assert "Extra session" in html and f"09:00{DASH}12:00" in html
    for hidden in ("Past leave", "Someone else&#x27;s leave", "Cancelled leave"):
        assert hidden not in html
    assert html.index("Conference") < html.index("Good Friday")  # date order


def test_a_doctor_without_hours_is_told_so(world):
    response, html = get(world["other"])
    assert response.status_code == 200
    assert 'data-testid="no-schedule"' in html
    assert 'data-testid="no-days-off"' in html


def test_the_page_is_in_the_workspace_menu(world):
    _response, html = get(world["doctor"])
    assert f'href="{URL}"' in html


@pytest.mark.parametrize("role", [Role.PATIENT, Role.NURSE, Role.RECEPTIONIST, Role.ADMIN])
def test_other_roles_have_no_such_page(world, make_user, role):
    response, _html = get(make_user(role))
    assert response.status_code == 403


def test_query_count_does_not_grow_with_the_days_off(world):
    client = signed_in_client(world["doctor"])
    with time_machine.travel(NOW, tick=False):
        world["add"](date(2027, 3, 10))
        client.get(URL)
        one = page_queries(client, URL)
        for day in range(11, 31):
            world["add"](date(2027, 3, day))
        assert page_queries(client, URL) == one
