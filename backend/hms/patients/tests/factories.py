import factory

from hms.accounts.tests.factories import UserFactory
from hms.core.roles import Role
from hms.patients import names
from hms.patients.encryption import keyed_hash
from hms.patients.models import (
    Allergy,
    CareAssignment,
    EmergencyContact,
    InsurancePolicy,
    Patient,
    Sex,
)
from hms.patients.services import mrn_allocate, patient_set_derived_fields


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    # Adults: tests that need a child set the date of birth themselves (reference ranges differ).
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=95)
    sex = Sex.FEMALE
    phone = factory.Sequence(lambda n: f"+1 555 {n:07d}")
    email = factory.LazyAttribute(lambda p: f"{p.first_name.lower()}@example.org")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        patient = model_class(*args, **kwargs)
        patient_set_derived_fields(patient)  # search columns, as the services do
        (patient.mrn,) = mrn_allocate(count=1)
        patient.save()
        return patient


class PatientUserFactory(UserFactory):
    role = Role.PATIENT


class CareAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareAssignment

    patient = factory.SubFactory(PatientFactory)
    doctor = factory.SubFactory(UserFactory, role=Role.DOCTOR)
    active = True


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmergencyContact

    patient = factory.SubFactory(PatientFactory)
    name = factory.Faker("name")
    relationship = "sibling"
    phone = factory.Sequence(lambda n: f"+1 555 9{n:06d}")


class AllergyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allergy

    patient = factory.SubFactory(PatientFactory)
    substance = factory.Sequence(lambda n: f"Substance {n}")
    substance_norm = factory.LazyAttribute(lambda a: names.name_normalise(a.substance))
    reaction = "Rash"
    severity = "moderate"


class InsurancePolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InsurancePolicy

    patient = factory.SubFactory(PatientFactory)
    payer = "Acme Health"
    policy_number = factory.Sequence(lambda n: f"POL{n:08d}")
    policy_number_hash = factory.LazyAttribute(lambda p: keyed_hash(p.policy_number))
    valid_from = factory.Faker("date_between", start_date="-2y", end_date="-1d")
