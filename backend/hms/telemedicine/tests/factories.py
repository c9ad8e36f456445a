from datetime import UTC, datetime, time, timedelta

import factory

from hms.accounts.tests.factories import DoctorProfileFactory, UserFactory
from hms.appointments.models import Appointment, AppointmentStatus, VisitType
from hms.core.roles import Role
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory
from hms.telemedicine.models import Conversation, ConversationKind


class TeleconsultAppointmentFactory(factory.django.DjangoModelFactory):
    """A booked teleconsult, 09:00-09:30 UTC on Monday 1 March 2027 unless told otherwise."""

    class Meta:
        model = Appointment

    patient = factory.SubFactory(
        PatientFactory, user=factory.SubFactory(UserFactory, role=Role.PATIENT)
    )
    doctor = factory.LazyFunction(lambda: DoctorProfileFactory(specialization="Cardiology").user)
    start_at = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    end_at = factory.LazyAttribute(lambda a: a.start_at + timedelta(minutes=30))
    date = factory.LazyAttribute(lambda a: a.start_at.date())
    slot = factory.LazyAttribute(lambda a: time(a.start_at.hour, a.start_at.minute))
    status = AppointmentStatus.BOOKED
    visit_type = VisitType.TELECONSULT
    booked_by = factory.SelfAttribute("doctor")


class ChartConversationFactory(factory.django.DjangoModelFactory):
    """A chart conversation of a doctor and a patient in their care (an active assignment)."""

    class Meta:
        model = Conversation
        skip_postgeneration_save = True

    patient = factory.SubFactory(
        PatientFactory, user=factory.SubFactory(UserFactory, role=Role.PATIENT)
    )
    doctor = factory.SubFactory(UserFactory, role=Role.DOCTOR)
    kind = ConversationKind.CHART
    care = factory.RelatedFactory(
        CareAssignmentFactory,
        patient=factory.SelfAttribute("..patient"),
        doctor=factory.SelfAttribute("..doctor"),
    )
