"""A patient reports an allergy from the portal's record page."""

import pytest

from hms.core.roles import Role
from hms.patients.models import Allergy
from hms.patients.tests.factories import PatientFactory
from hms.web.tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(make_user):
    return PatientFactory(user=make_user(Role.PATIENT, username="alice"), first_name="Alice")


def test_patient_reports_an_allergy_and_sees_it_badged(alice):
    client = signed_in_client(alice.user)
    assert 'data-testid="report-allergy"' in client.get("/portal/record/").content.decode()

    response = client.post(
        "/portal/record/allergies/",
        {"substance": "Peanuts", "category": "food", "severity": "severe", "reaction": "Swelling"},
    )

    assert response.status_code == 302 and response["Location"] == "/portal/record/"
    allergy = Allergy.objects.get(patient=alice)
    assert allergy.patient_reported and allergy.created_by == alice.user
    html = client.get("/portal/record/").content.decode()
    assert "Peanuts" in html and 'data-testid="patient-reported"' in html


def test_a_missing_substance_is_shown_on_the_form(alice):
    response = signed_in_client(alice.user).post(
        "/portal/record/allergies/", {"category": "food", "severity": "mild"}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Allergy.objects.exists()


def test_a_second_report_of_the_same_substance_is_refused(alice):
    client = signed_in_client(alice.user)
    data = {"substance": "Latex", "category": "environment", "severity": "mild"}
    client.post("/portal/record/allergies/", data)
    response = client.post("/portal/record/allergies/", data)
    assert response.status_code == 400
    assert "Already recorded" in response.content.decode()
    assert Allergy.objects.count() == 1


def test_staff_cannot_use_the_portal_form(make_user):
    client = signed_in_client(make_user(Role.DOCTOR))
    assert client.post("/portal/record/allergies/", {"substance": "X"}).status_code == 403
