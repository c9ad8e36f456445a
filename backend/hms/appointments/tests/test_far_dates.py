"""Availability for dates no calendar arithmetic can reach is a 400 naming the parameter."""

import pytest

from hms.core.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"date": "9999-12-31"}, "date"),
        ({"from": "9999-12-01", "to": "9999-12-31"}, "date_from"),
        ({"from": "2027-03-01", "to": "9999-12-31"}, "date_to"),
        ({"date": "0001-01-01"}, "date"),
    ],
)
def test_far_dates_are_refused_by_name(client_for, doctor, params, named):
    response = client_for(Role.PATIENT).get(
        f"/api/doctors/{doctor.public_id}/availability/", params
    )
    assert response.status_code == 400, response.content
    assert named in response.json()["fields"]


def test_the_last_day_of_the_range_still_answers(client_for, doctor):
    response = client_for(Role.RECEPTIONIST).get(
        f"/api/doctors/{doctor.public_id}/availability/", {"date": "2199-12-31"}
    )
    assert response.status_code == 200
