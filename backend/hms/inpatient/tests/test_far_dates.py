"""Chart and MAR windows ending in year 9999 are a 400 naming the parameter."""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"from": "2027-03-01", "to": "9999-12-31"}, "to"),
        ({"from": "9999-12-30"}, "from"),
        ({"from": "2027-03-01T00:00:00", "to": "9999-12-31T23:59:59"}, "to"),
    ],
)
def test_chart_window(early_admission, doctor_client, params, named):
    response = doctor_client.get(f"/api/admissions/{early_admission['id']}/chart/", params)
    assert response.status_code == 400, response.content
    assert named in response.json()["fields"]


@pytest.mark.parametrize(
    ("params", "named"),
    [({"date": "9999-12-31"}, "date"), ({"from": "2027-03-01", "to": "9999-12-31"}, "to")],
)
def test_mar_day(early_admission, ward_nurse, params, named):
    response = ward_nurse.get(f"/api/admissions/{early_admission['id']}/mar/", params)
    assert response.status_code == 400, response.content
    assert named in response.json()["fields"]
