"""The booking page ignores a date no calendar arithmetic can reach (it was a 500)."""

from datetime import UTC, datetime

import pytest
import time_machine

from hms.accounts.tests.factories import DoctorProfileFactory
from hms.appointments.models import Appointment
from hms.appointments.tests.conftest import give_schedule
from hms.core.roles import Role
from hms.patients.tests.factories import PatientFactory
from hms.web.tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_booking_page_with_a_far_date(make_user, method, day):
    with time_machine.travel(datetime(2027, 3, 1, 7, 0, tzinfo=UTC), tick=False):
        doctor = DoctorProfileFactory(specialization="Cardiology").user
        give_schedule(doctor)
        patient = PatientFactory(user=make_user(Role.PATIENT))
        client = signed_in_client(patient.user)
        response = getattr(client, method)(
            "/portal/appointments/book/",
            {
                "specialization": "Cardiology",
                "doctor": str(doctor.public_id),
                "date": day,
                "slot": "09:00",
                "reason": "Check-up",
            },
        )
    # A choice is shown again (200); a booking attempt is refused with the form's errors (400).
    assert response.status_code == (200 if method == "get" else 400)
    assert not Appointment.objects.exists()
