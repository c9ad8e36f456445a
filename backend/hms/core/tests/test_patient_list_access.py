"""Every list that takes `?patient=` obeys the chart rule of the detail routes.

The routes are found in the OpenAPI schema (every GET operation with a `patient` query
parameter), so a list added later is checked without anyone remembering to add it here.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from hms.accounts.tests.factories import DoctorProfileFactory
from hms.appointments.models import Appointment
from hms.core.roles import Role
from hms.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

# Lists known to take ?patient= today: the discovery must find at least these.
KNOWN_PATIENT_LISTS = {
    "/api/appointments/",
    "/api/encounters/",
    "/api/visitnotes/",
    "/api/vitals/",
    "/api/lab/orders/",
    "/api/radiology/orders/",
    "/api/pharmacy/prescriptions/",
}


def patient_filtered_lists() -> list[str]:
    """The path of every GET operation of the API that takes a `patient` query parameter."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = []
    for path, operations in schema["paths"].items():
        parameters = operations.get("get", {}).get("parameters", [])
        if any(p["in"] == "query" and p["name"] == "patient" for p in parameters):
            paths.append(path)
    return sorted(paths)


@pytest.fixture(scope="module")
def lists(django_db_setup, django_db_blocker) -> list[str]:
    with django_db_blocker.unblock():
        return patient_filtered_lists()


def test_discovery_finds_the_patient_filtered_lists(lists):
    assert set(lists) >= KNOWN_PATIENT_LISTS
    # The check below calls each route as it is; a route with path parameters needs ids.
    assert not [p for p in lists if re.search(r"{\w+}", p)], "extend the test for path ids"


@pytest.mark.parametrize("role", [Role.DOCTOR, Role.NURSE])
def test_a_clinician_outside_the_patients_care_gets_403_from_every_patient_list(
    client_for, lists, role
):
    # Given a patient with an appointment (and its reason) with another doctor, outside the
    # care of the clinician asking...
    patient = PatientFactory()
    other_doctor = DoctorProfileFactory().user
    start_at = timezone.now() + timedelta(days=2)
    Appointment.objects.create(
        patient=patient,
        doctor=other_doctor,
        date=timezone.localtime(start_at).date(),
        slot=timezone.localtime(start_at).time().replace(microsecond=0),
        start_at=start_at,
        end_at=start_at + timedelta(minutes=30),
        booked_by=other_doctor,
        reason="Follow-up of a positive HIV test",
    )
    client = client_for(role)

    # ...every list filtered to that patient refuses, as the patient's detail routes do.
    answers = {
        path: client.get(path, {"patient": str(patient.public_id)}).status_code for path in lists
    }
    assert {path: status for path, status in answers.items() if status != 403} == {}
