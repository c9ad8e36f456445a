import pytest

from hms.accounts.tests.factories import UserFactory
from hms.clinical.tests.factories import CareAssignmentFactory, DoctorFactory, PatientFactory
from hms.core.roles import Role


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to a fresh directory per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def doctor(db):
    return DoctorFactory()


@pytest.fixture
def nurse(db):
    return UserFactory(role=Role.NURSE)


@pytest.fixture
def patient(doctor):
    """A patient with a portal account, assigned to `doctor`."""
    chart = PatientFactory(user=UserFactory(role=Role.PATIENT))
    CareAssignmentFactory(patient=chart, doctor=doctor)
    return chart


@pytest.fixture
def other_patient(db):
    return PatientFactory(user=UserFactory(role=Role.PATIENT))
