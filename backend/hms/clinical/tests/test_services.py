"""Service rules and the database's own guarantees for the medical record."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hms.clinical import services
from hms.clinical.models import Problem, VitalSigns
from hms.clinical.tests.factories import (
    DoctorFactory,
    EncounterFactory,
    PatientFactory,
    VitalSignsFactory,
)
from hms.core.errors import ApplicationError, ConflictError
from hms.core.models import AuditEvent
from hms.core.tests.partial_unique import assert_no_insert, assert_row_locked


@pytest.mark.django_db
class TestDatabaseGuards:
    """The CheckConstraints hold even for code that skips the services."""

    @pytest.mark.parametrize(
        "values",
        [
            {"temperature_c": Decimal("98.6")},
            {"systolic_bp": 80, "diastolic_bp": 120},
            {"spo2": 150},
            {},  # nothing measured
        ],
    )
    def test_impossible_vitals_cannot_be_stored(self, values):
        patient = PatientFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            VitalSigns.objects.create(
                patient=patient,
                recorded_by=DoctorFactory(),
                measured_at=timezone.now(),
                **values,
            )

    def test_void_needs_who_when_and_why_together(self):
        vitals = VitalSignsFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            VitalSigns.all_objects.filter(pk=vitals.pk).update(voided_at=timezone.now())


@pytest.mark.django_db
class TestServices:
    def test_void_keeps_the_row_and_every_version(self):
        doctor = DoctorFactory()
        vitals = services.vital_signs_record(
            actor=doctor, patient=PatientFactory(), pulse=200, measured_at=timezone.now()
        )
        services.vital_signs_update(actor=doctor, vitals=vitals, pulse=72)
        services.clinical_record_void(actor=doctor, record=vitals, reason="Wrong patient")
        versions = list(vitals.history.order_by("history_date"))
        assert [v.pulse for v in versions] == [200, 72, 72]
        assert [v.history_type for v in versions] == ["+", "~", "~"]
        assert versions[-1].voided_at is not None and versions[-1].history_user == doctor
        assert VitalSigns.all_objects.filter(pk=vitals.pk).exists()
        actions = AuditEvent.objects.filter(object_id=str(vitals.public_id)).values_list(
            "action", flat=True
        )
        assert sorted(actions) == ["create", "update", "void"]

    def test_blank_reason_is_refused(self):
        vitals = VitalSignsFactory()
        with pytest.raises(ValidationError):
            services.clinical_record_void(actor=DoctorFactory(), record=vitals, reason="   ")

    def test_closed_encounter_cannot_be_edited(self):
        doctor = DoctorFactory()
        encounter = EncounterFactory(attending_doctor=doctor)
        services.encounter_close(actor=doctor, encounter=encounter)
        with pytest.raises(ConflictError):
            services.encounter_update(actor=doctor, encounter=encounter, reason="changed")

    def test_encounter_cannot_end_before_it_starts(self):
        doctor = DoctorFactory()
        encounter = EncounterFactory(attending_doctor=doctor)
        with pytest.raises(ValidationError):
            services.encounter_close(
                actor=doctor,
                encounter=encounter,
                ended_at=encounter.started_at - timezone.timedelta(hours=1),
            )

    def test_vitals_in_the_future_are_refused(self):
        with pytest.raises(ApplicationError) as error:
            services.vital_signs_record(
                actor=DoctorFactory(),
                patient=PatientFactory(),
                pulse=70,
                measured_at=timezone.now() + timezone.timedelta(days=1),
            )
        assert "measured_at" in error.value.fields


def run_together(count, work):
    barrier = threading.Barrier(count)
    results = []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(work())
        except Exception as exc:  # collected and asserted by the test
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("require_row_locks")
class TestRaces:
    """Real threads (PostgreSQL, MySQL/MariaDB): the row lock and the partial unique constraint
    (on MySQL/MariaDB, the service's own check under the patient's lock) hold."""

    def test_one_active_problem_per_code_under_concurrency(self):
        doctor, patient = DoctorFactory(), PatientFactory()
        results = run_together(
            8, lambda: services.problem_create(actor=doctor, patient=patient, code="I10")
        )
        created = [r for r in results if isinstance(r, Problem)]
        conflicts = [r for r in results if isinstance(r, ApplicationError)]
        assert len(created) == 1 and len(conflicts) == 7, results
        assert {c.code for c in conflicts} == {"problem_already_active"}
        assert Problem.objects.filter(patient=patient, code="I10").count() == 1

    def test_a_record_is_voided_once(self):
        doctor = DoctorFactory()
        vitals = VitalSignsFactory()
        results = run_together(
            6,
            lambda: services.clinical_record_void(actor=doctor, record=vitals, reason="Duplicate"),
        )
        assert sum(isinstance(r, VitalSigns) for r in results) == 1, results
        assert all(
            isinstance(r, VitalSigns) or getattr(r, "code", "") == "already_voided" for r in results
        )
        assert vitals.history.filter(voided_at__isnull=False).count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("without_partial_indexes")
class TestProblemsWithoutPartialIndexes:
    """MySQL/MariaDB cannot hold one-active-problem-per-code: writers of a patient's problems
    queue on the patient's row and the service refuses the duplicate itself."""

    def test_a_second_active_problem_is_refused_under_the_patient_lock(self):
        doctor, patient = DoctorFactory(), PatientFactory()
        services.problem_create(actor=doctor, patient=patient, code="I10")
        with CaptureQueriesContext(connection) as ctx, pytest.raises(ConflictError) as error:
            services.problem_create(actor=doctor, patient=patient, code="I10")
        assert error.value.code == "problem_already_active"
        assert_no_insert(ctx, "clinical_problem")
        assert_row_locked(ctx, "patients_patient")

    def test_reactivating_beside_an_active_one_is_refused_a_resolved_one_may_repeat(self):
        doctor, patient = DoctorFactory(), PatientFactory()
        old = services.problem_create(actor=doctor, patient=patient, code="I10")
        services.problem_update(actor=doctor, problem=old, status="resolved")
        services.problem_create(actor=doctor, patient=patient, code="I10")
        with CaptureQueriesContext(connection) as ctx, pytest.raises(ConflictError) as error:
            services.problem_update(actor=doctor, problem=old, status="active")
        assert error.value.code == "problem_already_active"
        assert_row_locked(ctx, "patients_patient")
        assert Problem.objects.filter(patient=patient, code="I10", status="active").count() == 1
