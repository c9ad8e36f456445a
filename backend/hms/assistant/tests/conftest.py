import pytest

from hms.core.roles import Role
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory
from hms.pharmacy.tests.conftest import (  # noqa: F401 - shared drug fixtures
    amoxicillin,
    atorvastatin,
    ibuprofen,
    paracetamol,
    warfarin,
)


@pytest.fixture
def doctor(make_user):
    return make_user(Role.DOCTOR, first_name="Gregory", last_name="Housemann")


@pytest.fixture
def patient(doctor):
    patient = PatientFactory(
        first_name="Amina",
        last_name="Yusuf",
        phone="+44 7700 900123",
        email="amina.yusuf@example.org",
        national_id="AB123456C",
    )
    CareAssignmentFactory(patient=patient, doctor=doctor)
    return patient


@pytest.fixture
def doctor_client(client_for, doctor):
    return client_for(Role.DOCTOR, user=doctor)


@pytest.fixture
def analyse(doctor_client):
    def do(client=None, **body):
        return (client or doctor_client).post("/api/analyze-prescription/", body, format="json")

    return do
