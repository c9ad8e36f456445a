"""A doctor's calendar feed carries names with line breaks escaped (they were a 500)."""

import pytest
from icalendar import Calendar

from hms.core.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def test_a_name_with_a_line_break_is_escaped(client_for, doctor, book):
    # Given a doctor whose name was saved with a line break (profile edits accept one),
    doctor.first_name = "Grace\nAnn"
    doctor.save(update_fields=["first_name"])
    book(day="2027-03-02", slot="09:00")
    # when they download their calendar,
    response = client_for(Role.DOCTOR, user=doctor).get(
        f"/api/doctors/{doctor.public_id}/calendar.ics"
    )
    # then it is a valid calendar named after them.
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["x-wr-calname"]).endswith("Ann Okafor")
    assert len(calendar.walk("VEVENT")) == 1
