from datetime import UTC, datetime

import pytest

from hms.accounts.tests.factories import DoctorProfileFactory
from hms.core.roles import Role
from hms.inpatient.models import WardType
from hms.inpatient.tests.factories import WardFactory, assign_nurse, beds_on, prescribe
from hms.patients.tests.factories import PatientFactory

# Monday 1 March 2027, 10:00 UTC (the test settings' hospital time zone is UTC).
NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def frozen_instant():
    return NOW


@pytest.fixture
def ward(db):
    return WardFactory(name="Medical Ward A", code="MWA", type=WardType.MEDICAL)


@pytest.fixture
def beds(ward):
    return beds_on(ward, 3)


@pytest.fixture
def icu(db):
    return WardFactory(name="Intensive Care", code="ICU", type=WardType.ICU)


@pytest.fixture
def icu_beds(icu):
    return beds_on(icu, 2)


@pytest.fixture
def doctor(db):
    return DoctorProfileFactory(user__first_name="Grace", user__last_name="Okafor").user


@pytest.fixture
def patient(db):
    return PatientFactory(first_name="Amina", last_name="Yusuf")


@pytest.fixture
def doctor_client(client_for, doctor):
    return client_for(Role.DOCTOR, user=doctor)


@pytest.fixture
def ward_nurse(client_for, make_user, ward, icu):
    """A nurse assigned today to the medical ward and the ICU."""
    nurse = make_user(Role.NURSE)
    assign_nurse(nurse, ward)
    assign_nurse(nurse, icu)
    return client_for(Role.NURSE, user=nurse)


@pytest.fixture
def admit(reception, doctor):
    """POST /api/patients/admit/ as the receptionist; returns the response."""

    def do(patient, bed, *, client=None, attending=None, **extra):
        body = {
            "patient": str(patient.public_id),
            "bed": str(bed.public_id),
            "attending_doctor": str((attending or doctor).public_id),
            "reason": "Community-acquired pneumonia",
            **extra,
        }
        return (client or reception).post("/api/patients/admit/", body, format="json")

    return do


@pytest.fixture
def admitted(admit, patient, beds):
    """The patient admitted to the first bed of the medical ward; the admission's JSON."""
    response = admit(patient, beds[0])
    assert response.status_code == 201, response.json()
    return response.json()


SUMMARY = {
    "diagnoses": [{"code": "J18.9"}],
    "procedures": ["Chest X-ray"],
    "medications_on_discharge": [
        {"drug": "Amoxicillin 500 mg capsule", "dose": "500 mg", "frequency": "tds"}
    ],
    "follow_up": "GP review in one week; repeat chest X-ray in six weeks.",
}


@pytest.fixture
def early_admission(frozen_now, admit, patient, beds):
    """Admitted at 06:00 on Monday 1 March 2027; it is now 10:00."""
    response = admit(patient, beds[0], admitted_at="2027-03-01T06:00:00Z")
    assert response.status_code == 201, response.json()
    return response.json()


@pytest.fixture
def tds_item(early_admission, patient, doctor):
    """A three-times-a-day prescription item of the patient, prescribed the day before."""
    return prescribe(
        patient=patient,
        doctor=doctor,
        frequency="tds",
        prescribed_at=datetime(2027, 2, 28, 0, 0, tzinfo=UTC),
    )
