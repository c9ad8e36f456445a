"""The problem list fed from diagnoses, and a problem resolved."""

from datetime import date

import pytest
import time_machine

from hms.clinical import services
from hms.clinical.models import Problem, ProblemStatus
from hms.clinical.tests.factories import DoctorFactory, EncounterFactory
from hms.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fixed_clock():
    with time_machine.travel("2027-03-01T09:00Z", tick=False):
        yield


def test_a_diagnosis_becomes_an_active_problem():
    doctor = DoctorFactory()
    encounter = EncounterFactory(attending_doctor=doctor)

    diagnosis = services.diagnosis_create(actor=doctor, encounter=encounter, code="I10")

    problem = Problem.objects.get(patient=encounter.patient)
    assert (problem.code, problem.status, problem.onset_date) == (
        "I10",
        ProblemStatus.ACTIVE,
        date(2027, 3, 1),
    )
    assert problem.title == diagnosis.title and problem.recorded_by == doctor
    event = AuditEvent.objects.get(resource_type="problem", object_id=str(problem.public_id))
    assert event.detail["from_diagnosis"] == str(diagnosis.public_id)


def test_a_code_already_active_is_not_added_again_a_resolved_one_comes_back():
    doctor = DoctorFactory()
    encounter = EncounterFactory(attending_doctor=doctor)
    existing = services.problem_create(actor=doctor, patient=encounter.patient, code="I10")

    services.diagnosis_create(actor=doctor, encounter=encounter, code="I10")
    assert Problem.objects.filter(patient=encounter.patient).count() == 1

    services.problem_update(actor=doctor, problem=existing, status=ProblemStatus.RESOLVED)
    services.diagnosis_create(actor=doctor, encounter=encounter, code="I10")
    statuses = sorted(Problem.objects.filter(patient=encounter.patient).values_list("status"))
    assert statuses == [("active",), ("resolved",)]


def test_resolving_sets_the_resolved_date():
    doctor = DoctorFactory()
    encounter = EncounterFactory(attending_doctor=doctor)
    problem = services.problem_create(actor=doctor, patient=encounter.patient, code="J45.9")
    services.problem_update(
        actor=doctor,
        problem=problem,
        status=ProblemStatus.RESOLVED,
        resolved_date=date(2027, 2, 20),
    )
    problem.refresh_from_db()
    assert problem.resolved_date == date(2027, 2, 20)
