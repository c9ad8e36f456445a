import factory

from hms.accounts.tests.factories import UserFactory
from hms.core.roles import Role
from hms.patients.tests.factories import PatientFactory
from hms.radiology.models import ImagingOrder, ImagingProcedure, Modality


class ImagingProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImagingProcedure
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"TEST-CT-{n}")
    name = factory.Sequence(lambda n: f"Test CT procedure {n}")
    modality = Modality.CT
    body_part = "HEAD"


class ImagingOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImagingOrder

    patient = factory.SubFactory(PatientFactory)
    procedure = factory.SubFactory(ImagingProcedureFactory)
    modality = factory.LazyAttribute(lambda o: o.procedure.modality)
    accession_number = factory.Sequence(lambda n: f"T{n:012d}")
    ordering_doctor = factory.SubFactory(UserFactory, role=Role.DOCTOR)
    requested_by = factory.LazyAttribute(lambda o: o.ordering_doctor)
    clinical_indication = "Headache after a fall"
