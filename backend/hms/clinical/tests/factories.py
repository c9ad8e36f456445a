"""Factories for the medical record. Patients are built directly (not through the registry's
service) so these tests do not depend on duplicate checks or request context."""

import hashlib

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from hms.accounts.tests.factories import UserFactory
from hms.clinical.models import (
    Diagnosis,
    Document,
    DocumentType,
    Encounter,
    EncounterType,
    Problem,
    VisitNote,
    VitalSigns,
)
from hms.clinical.tests.files import PDF
from hms.core.roles import Role
from hms.patients.models import CareAssignment, Patient
from hms.patients.mrn import mrn_format
from hms.patients.services import patient_set_derived_fields


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    mrn = factory.Sequence(lambda n: mrn_format(900_000 + n))
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    # Adults: tests that need a child set the date of birth themselves (reference ranges differ).
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=90)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        patient = model_class(*args, **kwargs)
        patient_set_derived_fields(patient)
        patient.save()
        return patient


class DoctorFactory(UserFactory):
    role = Role.DOCTOR


class CareAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareAssignment

    patient = factory.SubFactory(PatientFactory)
    doctor = factory.SubFactory(DoctorFactory)
    active = True


class EncounterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Encounter

    patient = factory.SubFactory(PatientFactory)
    attending_doctor = factory.SubFactory(DoctorFactory)
    created_by = factory.SelfAttribute("attending_doctor")
    type = EncounterType.OUTPATIENT
    started_at = factory.LazyFunction(timezone.now)
    reason = "Cough for two weeks"


class VisitNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VisitNote

    patient = factory.SubFactory(PatientFactory)
    doctor = factory.SubFactory(DoctorFactory)
    visit_date = factory.LazyFunction(timezone.now)
    notes = "Chest clear. Continue inhaler."


class VitalSignsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VitalSigns

    patient = factory.SubFactory(PatientFactory)
    recorded_by = factory.SubFactory(UserFactory, role=Role.NURSE)
    measured_at = factory.LazyFunction(timezone.now)
    systolic_bp = 120
    diastolic_bp = 80
    pulse = 70


class DiagnosisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Diagnosis

    encounter = factory.SubFactory(EncounterFactory)
    patient = factory.SelfAttribute("encounter.patient")
    code = "J45.9"
    title = "Asthma, unspecified"
    diagnosed_at = factory.LazyFunction(timezone.now)
    diagnosed_by = factory.SelfAttribute("encounter.attending_doctor")


class ProblemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Problem

    patient = factory.SubFactory(PatientFactory)
    # Distinct codes, so several active problems of one patient never collide.
    code = factory.Sequence(lambda n: f"Z{n % 10000:04d}")
    title = "A condition"
    recorded_by = factory.SubFactory(DoctorFactory)


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    patient = factory.SubFactory(PatientFactory)
    doc_type = DocumentType.LAB
    file = factory.LazyFunction(lambda: ContentFile(PDF, name="report.pdf"))
    original_name = "report.pdf"
    content_type = "application/pdf"
    size = len(PDF)
    sha256 = hashlib.sha256(PDF).hexdigest()
    uploaded_by = factory.SubFactory(DoctorFactory)
