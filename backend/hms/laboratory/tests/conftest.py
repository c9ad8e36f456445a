"""Personas and helpers for the laboratory tests.

Now is Monday 1 March 2027, 08:00 UTC (the test settings' hospital time zone is UTC). Alice is
a 40-year-old woman in Dr Grace's care; Bob is someone else's patient.
"""

from datetime import UTC, date, datetime

import pytest

from hms.accounts.tests.factories import UserFactory
from hms.core.roles import Role
from hms.laboratory import services
from hms.laboratory.catalog import catalog_load_shipped
from hms.laboratory.models import LabTest
from hms.patients.models import Sex
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def frozen_instant():
    return NOW


@pytest.fixture(autouse=True)
def _clock_stopped(frozen_now):
    return frozen_now


@pytest.fixture(autouse=True)
def lab_catalog(request):
    """The shipped catalog, as the data migration loads it. A transactional test (anywhere in
    the suite) flushes the tables afterwards, migration data included: reload it then."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
    if not LabTest.objects.exists():
        catalog_load_shipped()


@pytest.fixture
def doctor(db):
    return UserFactory(role=Role.DOCTOR, first_name="Grace", last_name="Hopper")


@pytest.fixture
def other_doctor(db):
    return UserFactory(role=Role.DOCTOR)


@pytest.fixture
def alice(doctor):
    chart = PatientFactory(
        first_name="Alice",
        last_name="Archer",
        sex=Sex.FEMALE,
        date_of_birth=date(1986, 6, 15),
        user=UserFactory(role=Role.PATIENT),
    )
    CareAssignmentFactory(patient=chart, doctor=doctor)
    return chart


@pytest.fixture
def bob(db):
    return PatientFactory(
        first_name="Bob",
        last_name="Baker",
        sex=Sex.MALE,
        date_of_birth=date(1970, 1, 2),
        user=UserFactory(role=Role.PATIENT),
    )


@pytest.fixture
def tech(db):
    return UserFactory(role=Role.LAB_TECHNICIAN, first_name="Tess", last_name="Tech")


@pytest.fixture
def tech2(db):
    return UserFactory(role=Role.LAB_TECHNICIAN, first_name="Victor", last_name="Verifier")


def catalog(code: str) -> LabTest:
    return LabTest.objects.get(code=code)


@pytest.fixture
def make_order(doctor, alice):
    """An order placed through the service (by Dr Grace for Alice unless told otherwise)."""

    def make(code="HGB", *, patient=None, actor=None, priority="routine", **kwargs):
        (order,) = services.lab_order_create(
            actor=actor or doctor,
            patient=patient or alice,
            tests=[catalog(code)],
            priority=priority,
            **kwargs,
        )
        return order

    return make


@pytest.fixture
def resulted_order(make_order, tech):
    """Place, collect and result an order: resulted_order("HGB", {"HGB": "6.5"})."""

    def make(code="HGB", values=None, *, patient=None, units=None, by=None):
        order = make_order(code, patient=patient)
        order = services.lab_order_collect(actor=tech, order=order)
        values = values or {code: "13.0"}
        units = units or {}
        return services.lab_results_enter(
            actor=by or tech,
            order=order,
            results=[
                services.ResultInput(test=catalog(c), value=v, unit=units.get(c, ""))
                for c, v in values.items()
            ],
        )

    return make
