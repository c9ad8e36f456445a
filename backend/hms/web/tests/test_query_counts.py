"""List pages run the same number of queries for 1 row and for many (no N+1)."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from hms.accounts.tests.factories import DoctorProfileFactory
from hms.appointments.services import appointment_book
from hms.appointments.tests.conftest import give_schedule
from hms.clinical.tests.factories import (
    DiagnosisFactory,
    DocumentFactory,
    EncounterFactory,
    VisitNoteFactory,
)
from hms.core.roles import Role
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory
from hms.web.tests.conftest import page_queries, signed_in_client

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    client.get(url)  # warm up: first-time rows (audit chain head, session) are not per-row cost
    return page_queries(client, url)


@pytest.fixture
def world(make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    doctor = DoctorProfileFactory(specialization="Cardiology").user
    alice = PatientFactory(user=make_user(Role.PATIENT))
    CareAssignmentFactory(patient=alice, doctor=doctor)
    return {
        "doctor": doctor,
        "alice": alice,
        "patient": signed_in_client(alice.user),
        "dr": signed_in_client(doctor),
    }


def test_my_patients(world):
    one = queries(world["dr"], "/workspace/patients/")
    for _ in range(15):
        CareAssignmentFactory(patient=PatientFactory(), doctor=world["doctor"])
    assert queries(world["dr"], "/workspace/patients/") == one


def _visit_with_diagnoses(patient, doctor=None):
    encounter = EncounterFactory(
        patient=patient, **({"attending_doctor": doctor} if doctor else {})
    )
    VisitNoteFactory(patient=patient, doctor=encounter.attending_doctor, encounter=encounter)
    DiagnosisFactory(encounter=encounter)
    DiagnosisFactory(encounter=encounter, code="I10", title="Essential (primary) hypertension")


def test_visits_and_documents(world):
    _visit_with_diagnoses(world["alice"], world["doctor"])
    DocumentFactory(patient=world["alice"])
    # session, user, own chart id, chart read (+audit), notes with doctor/encounter/prescription,
    # their encounters' diagnoses (one prefetch), count
    visits = queries(world["patient"], "/portal/visits/")
    documents = queries(world["patient"], "/portal/documents/")
    for _ in range(15):
        _visit_with_diagnoses(world["alice"])
        VisitNoteFactory(patient=world["alice"])  # a note without an encounter
        DocumentFactory(patient=world["alice"])
    assert queries(world["patient"], "/portal/visits/") == visits
    assert queries(world["patient"], "/portal/documents/") == documents


def test_appointments_and_queue(world):
    with time_machine.travel(datetime(2027, 3, 1, 7, 0, tzinfo=UTC), tick=False):
        give_schedule(world["doctor"])
        day = date(2027, 3, 1)

        def book(patient, slot):
            appointment_book(
                actor=world["doctor"], patient=patient, doctor=world["doctor"], date=day, slot=slot
            )

        world["patient"].force_login(world["alice"].user)  # sessions in the travelled-to time
        world["dr"].force_login(world["doctor"])
        book(world["alice"], time(9, 0))
        mine = queries(world["patient"], "/portal/appointments/")
        queue = queries(world["dr"], "/workspace/queue/")
        start = datetime(2027, 3, 1, 9, 30)
        for n in range(5):
            book(PatientFactory(), (start + timedelta(minutes=30 * n)).time())
        for n in range(5):  # more of Alice's own, with other doctors (weekdays only)
            other = DoctorProfileFactory().user
            give_schedule(other)
            appointment_book(
                actor=other,
                patient=world["alice"],
                doctor=other,
                date=day + timedelta(days=n),
                slot=time(16, 0),
            )
        assert queries(world["patient"], "/portal/appointments/") == mine
        assert queries(world["dr"], "/workspace/queue/") == queue
