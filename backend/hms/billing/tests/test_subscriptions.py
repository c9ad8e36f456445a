"""Billing charges for clinical work through the domain events it subscribes to."""

from datetime import UTC, date, datetime, time

import pytest
import time_machine

from hms.accounts.tests.factories import DoctorProfileFactory, UserFactory
from hms.appointments import services as appointments
from hms.appointments.events import AppointmentCompleted
from hms.appointments.models import Appointment, AppointmentStatus
from hms.appointments.tests.conftest import give_schedule
from hms.billing import subscriptions
from hms.billing.models import Charge
from hms.billing.tests.factories import TariffFactory
from hms.core.events import subscribers
from hms.core.roles import Role
from hms.inpatient.events import AdmissionDischarged
from hms.laboratory.events import LabOrderVerified
from hms.patients.tests.factories import PatientFactory
from hms.pharmacy.events import DispenseReturned, MedicationDispensed
from hms.radiology.events import RadiologyReportFinalised

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # a Monday


def test_billing_subscribes_to_every_billable_clinical_event():
    """The clinical apps publish; billing (above them) subscribes in BillingConfig.ready()."""
    assert subscriptions.charge_consultation in subscribers(AppointmentCompleted)
    assert subscriptions.charge_lab_test in subscribers(LabOrderVerified)
    assert subscriptions.charge_radiology_procedure in subscribers(RadiologyReportFinalised)
    assert subscriptions.charge_dispense in subscribers(MedicationDispensed)
    assert subscriptions.credit_return in subscribers(DispenseReturned)
    assert subscriptions.charge_bed_days_at_discharge in subscribers(AdmissionDischarged)


@pytest.mark.django_db
def test_a_billing_failure_rolls_back_the_clinical_write(monkeypatch):
    with time_machine.travel(NOW, tick=False):
        TariffFactory(code="CONSULT-GENERAL", category="consultation", name="GP")
        doctor = DoctorProfileFactory(specialization="General").user
        give_schedule(doctor, blocks=[(0, time(9), time(17))])
        desk = UserFactory(role=Role.RECEPTIONIST)
        appointment = appointments.appointment_book(
            actor=desk,
            patient=PatientFactory(),
            doctor=doctor,
            date=date(2027, 3, 1),
            slot=time(10),
        )
        appointment = appointments.appointment_check_in(actor=desk, appointment=appointment)

        def failing_charge(**kwargs):
            raise RuntimeError("billing failed")

        monkeypatch.setattr(subscriptions, "bill_appointment_completed", failing_charge)
        with pytest.raises(RuntimeError, match="billing failed"):
            appointments.appointment_complete(actor=doctor, appointment=appointment)

    appointment = Appointment.objects.get(pk=appointment.pk)
    assert appointment.status == AppointmentStatus.CHECKED_IN
    assert appointment.completed_at is None and not Charge.objects.exists()
