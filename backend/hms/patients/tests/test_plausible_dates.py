"""Birth dates and allergy onsets that cannot be true are refused with a 400 naming the field.

Now is Monday 1 March 2027, 08:00 UTC (the test settings' hospital time zone is UTC).
"""

from datetime import UTC, date, datetime

import pytest
from rest_framework.test import APIClient

from hms.accounts.models import User
from hms.accounts.tests.factories import TEST_PASSWORD
from hms.core.roles import Role
from hms.patients.models import Allergy, Patient
from hms.patients.tests.factories import AllergyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def frozen_instant():
    return NOW


@pytest.fixture
def clinician(client_for, doctor, patient, assign):
    patient.date_of_birth = date(1986, 6, 15)
    patient.save(update_fields=["date_of_birth"])
    assign(patient, doctor)
    return client_for(Role.DOCTOR, user=doctor)


def allergies(patient, record=None):
    base = f"/api/patients/{patient.public_id}/allergies/"
    return base + (f"{record.public_id}/" if record is not None else "")


def refused(response, field: str) -> str:
    assert response.status_code == 400, response.json()
    body = response.json()
    assert field in body["fields"], body
    return body["fields"][field][0]


class TestAllergyOnset:
    def test_an_onset_in_9999_is_refused(self, clinician, patient):
        response = clinician.post(
            allergies(patient),
            {"substance": "Penicillin", "onset_date": "9999-12-31"},
            format="json",
        )
        assert "future" in refused(response, "onset_date")
        assert not Allergy.objects.exists()

    def test_an_onset_before_birth_is_refused(self, clinician, patient):
        response = clinician.post(
            allergies(patient),
            {"substance": "Penicillin", "onset_date": "1980-01-01"},
            format="json",
        )
        assert "1986-06-15" in refused(response, "onset_date")

    def test_an_onset_cannot_be_moved_to_9999(self, clinician, patient):
        allergy = AllergyFactory(patient=patient, onset_date=None)
        response = clinician.patch(
            allergies(patient, allergy), {"onset_date": "9999-12-31"}, format="json"
        )
        refused(response, "onset_date")
        allergy.refresh_from_db()
        assert allergy.onset_date is None

    def test_an_onset_last_year_is_accepted(self, clinician, patient):
        response = clinician.post(
            allergies(patient),
            {"substance": "Penicillin", "onset_date": "2026-05-01"},
            format="json",
        )
        assert response.status_code == 201, response.json()


class TestDateOfBirth:
    def test_a_birth_more_than_130_years_ago_is_refused(self, client_for):
        response = client_for(Role.RECEPTIONIST).post(
            "/api/patients/",
            {
                "first_name": "Ana",
                "last_name": "Old",
                "date_of_birth": "1890-01-01",
                "sex": "female",
            },
            format="json",
        )
        assert "130 years" in refused(response, "date_of_birth")
        assert not Patient.objects.exists()

    def test_self_registration_with_a_birth_in_year_1_is_refused(self):
        response = APIClient().post(
            "/api/register/",
            {
                "username": "ancient",
                "password": TEST_PASSWORD,
                "date_of_birth": "0001-01-01",
            },
            format="json",
        )
        refused(response, "date_of_birth")
        assert not User.objects.filter(username="ancient").exists()
