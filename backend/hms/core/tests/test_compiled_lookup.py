import uuid

import pytest
from django.core.exceptions import MultipleObjectsReturned
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hms.accounts.models import User
from hms.accounts.tests.factories import UserFactory
from hms.appointments.models import DoctorSchedule
from hms.core.compiled_lookup import CompiledLookup
from hms.core.roles import Role
from hms.patients.models import Patient
from hms.patients.tests.factories import DoctorProfileFactory, PatientFactory

pytestmark = pytest.mark.django_db

PLACEHOLDER = uuid.UUID(int=0)


def field_values(instance):
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def doctors_with_profile_and_schedule():
    return User.objects.select_related("doctor_profile", "schedule").filter(role=Role.DOCTOR)


class TestSameAsTheOrm:
    def test_a_patient_is_what_get_returns_with_fields_converted(self):
        # given a patient with an encrypted national id and aware timestamps
        patient = PatientFactory(national_id="AB-123456")
        lookup = CompiledLookup(lambda: Patient.objects.all(), "public_id", PLACEHOLDER)
        # when it is looked up both ways
        compiled = lookup.get(patient.public_id)
        orm = Patient.objects.get(public_id=patient.public_id)
        # then every column matches, decrypted and time-zone aware like the ORM's
        assert field_values(compiled) == field_values(orm)
        assert compiled.national_id == "AB-123456"
        assert compiled.created_at.tzinfo is not None
        assert compiled._state.db == "default" and compiled._state.adding is False

    def test_select_related_objects_come_with_the_row_in_one_query(self):
        # given a doctor with a profile and a schedule, and another without either
        profile = DoctorProfileFactory(available=False)
        DoctorSchedule.objects.create(doctor=profile.user, slot_minutes=20)
        bare = UserFactory(role=Role.DOCTOR)
        lookup = CompiledLookup(doctors_with_profile_and_schedule, "public_id", PLACEHOLDER)
        lookup.get(uuid.uuid4())  # compiled on first use
        # when the doctor is looked up and the related objects are read
        with CaptureQueriesContext(connection) as queries:
            doctor = lookup.get(str(profile.user.public_id))
            available, slot_minutes = doctor.doctor_profile.available, doctor.schedule.slot_minutes
            without = lookup.get(bare.public_id)
        # then one query each, and the related rows are the ORM's
        assert len(queries) == 2
        assert (available, slot_minutes) == (False, 20)
        orm = doctors_with_profile_and_schedule().get(public_id=profile.user.public_id)
        assert field_values(doctor.doctor_profile) == field_values(orm.doctor_profile)
        assert field_values(doctor.schedule) == field_values(orm.schedule)
        assert not hasattr(without, "doctor_profile") and not hasattr(without, "schedule")

    def test_the_querysets_filters_apply(self):
        # given a user who is not a doctor
        receptionist = UserFactory(role=Role.RECEPTIONIST)
        lookup = CompiledLookup(doctors_with_profile_and_schedule, "public_id", PLACEHOLDER)
        # then the doctor lookup does not find them
        assert lookup.get(receptionist.public_id) is None

    def test_a_looked_up_instance_saves_as_an_update(self):
        user = UserFactory(first_name="Before")
        found = CompiledLookup(lambda: User.objects.all(), "public_id", PLACEHOLDER).get(
            user.public_id
        )
        found.first_name = "After"
        found.save()
        assert User.objects.count() == 1
        assert User.objects.get(pk=user.pk).first_name == "After"


class TestEdges:
    def test_missing_and_malformed_keys_are_none_without_a_query_for_the_malformed(self):
        lookup = CompiledLookup(lambda: Patient.objects.all(), "public_id", PLACEHOLDER)
        assert lookup.get(uuid.uuid4()) is None
        with CaptureQueriesContext(connection) as queries:
            assert lookup.get("not-a-uuid") is None
            assert lookup.get(None) is None
        assert len(queries) == 0

    def test_a_key_matching_two_rows_is_an_error(self):
        UserFactory(role=Role.ACCOUNTANT)
        UserFactory(role=Role.ACCOUNTANT)
        lookup = CompiledLookup(lambda: User.objects.all(), "role", "nurse")
        with pytest.raises(MultipleObjectsReturned):
            lookup.get(Role.ACCOUNTANT)

    def test_a_placeholder_that_is_not_unique_among_the_parameters_is_refused(self):
        lookup = CompiledLookup(
            lambda: User.objects.filter(role=Role.DOCTOR), "role", Role.DOCTOR.value
        )
        with pytest.raises(ValueError, match="placeholder"):
            lookup.get(Role.DOCTOR)
