"""The demo has a teleconsult whose room is open whenever it is loaded, and a chart
conversation of the demo doctor and the portal patient; loading it again adds nothing."""

from datetime import UTC, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from hms.appointments.models import Appointment
from hms.telemedicine import selectors
from hms.telemedicine.models import ConsultRoom, Message

pytestmark = pytest.mark.django_db

HOSPITAL_TZ = "Africa/Nairobi"
HOURS = {
    "wednesday_10_05": datetime(2026, 12, 9, 10, 5),
    "sunday_23_50": datetime(2026, 12, 6, 23, 50),
}


@pytest.mark.parametrize("local", list(HOURS))
def test_the_demo_teleconsult_room_is_open_whatever_the_hour(settings, local):
    settings.TIME_ZONE = HOSPITAL_TZ
    instant = HOURS[local].replace(tzinfo=ZoneInfo(HOSPITAL_TZ)).astimezone(UTC)
    with time_machine.travel(instant, tick=False):
        call_command("seed_demo", stdout=StringIO())
        counts = (Appointment.objects.count(), ConsultRoom.objects.count(), Message.objects.count())

        room = ConsultRoom.objects.select_related("appointment").get()
        appointment = room.appointment
        assert appointment.visit_type == "teleconsult"
        assert appointment.patient.user.username == "patient"
        assert appointment.doctor.username == "doctor"
        assert appointment.date == HOURS[local].date()
        assert selectors.room_state(room=room) == "open"
        assert Message.objects.filter(conversation__kind="chart").count() == 3

        call_command("seed_demo", stdout=StringIO())
        assert (
            Appointment.objects.count(),
            ConsultRoom.objects.count(),
            Message.objects.count(),
        ) == counts
