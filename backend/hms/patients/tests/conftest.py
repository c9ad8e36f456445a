import pytest

from hms.accounts.tests.factories import DoctorProfileFactory
from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory


@pytest.fixture
def patient(db):
    return PatientFactory(first_name="Ana", last_name="Silva")


@pytest.fixture
def doctor(make_user):
    user = make_user(Role.DOCTOR)
    DoctorProfileFactory(user=user)
    return user


@pytest.fixture
def assign():
    def make(patient, doctor):
        return CareAssignmentFactory(patient=patient, doctor=doctor)

    return make


@pytest.fixture
def last_audit():
    def get(**filters):
        return AuditEvent.objects.filter(**filters).order_by("-sequence").first()

    return get
