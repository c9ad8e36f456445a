"""Ending a teleconsult bills the teleconsult tariff of the doctor's specialization, or the
general one; an in-person visit keeps the consultation tariff."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from hms.accounts.tests.factories import DoctorProfileFactory, UserFactory
from hms.appointments import services as appointment_services
from hms.billing.models import Charge
from hms.billing.services import tariff_set_price
from hms.core.roles import Role
from hms.telemedicine import services
from hms.telemedicine.tests.conftest import NOW as TELECONSULT_NOW
from hms.telemedicine.tests.factories import TeleconsultAppointmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def frozen_instant():
    """While the factories' teleconsult room is open (09:00 on 1 March 2027)."""
    return TELECONSULT_NOW


PRICES = {
    "CONSULT-CARDIOLOGY": ("consultation", "45.00"),
    "TELECONSULT-CARDIOLOGY": ("teleconsult", "35.00"),
    "TELECONSULT-GENERAL": ("teleconsult", "15.00"),
}


@pytest.fixture(autouse=True)
def tariffs():
    accountant = UserFactory(role=Role.ACCOUNTANT)
    for code, (category, price) in PRICES.items():
        tariff_set_price(
            actor=accountant,
            code=code,
            category=category,
            name=code.title(),
            price=Decimal(price),
            valid_from=date(2027, 1, 1),
        )


def end_consult(appointment, frozen_now):
    services.consult_join(actor=appointment.doctor, appointment=appointment)
    frozen_now.shift(timedelta(minutes=20))
    services.consult_end(actor=appointment.doctor, appointment=appointment)
    return Charge.objects.get(source_id=str(appointment.public_id))


def test_a_teleconsult_is_billed_at_the_teleconsult_tariff_of_the_specialization(frozen_now):
    appointment = TeleconsultAppointmentFactory()  # a cardiologist

    charge = end_consult(appointment, frozen_now)

    assert charge.tariff.code == "TELECONSULT-CARDIOLOGY"
    assert charge.unit_price == Decimal("35.00")
    assert charge.description.startswith("Teleconsultation, Cardiology")


def test_a_teleconsult_without_its_own_price_falls_back_to_the_general_one(frozen_now):
    doctor = DoctorProfileFactory(specialization="Dermatology").user
    appointment = TeleconsultAppointmentFactory(doctor=doctor)

    charge = end_consult(appointment, frozen_now)

    assert charge.tariff.code == "TELECONSULT-GENERAL"


def test_ending_twice_bills_once(frozen_now):
    appointment = TeleconsultAppointmentFactory()
    end_consult(appointment, frozen_now)

    with pytest.raises(Exception):  # noqa: B017 - the room is closed
        services.consult_end(actor=appointment.doctor, appointment=appointment)

    assert Charge.objects.count() == 1


def test_an_in_person_visit_keeps_the_consultation_tariff():
    appointment = TeleconsultAppointmentFactory(visit_type="in_person")
    doctor = appointment.doctor
    appointment = appointment_services.appointment_check_in(actor=doctor, appointment=appointment)
    appointment = appointment_services.appointment_start(actor=doctor, appointment=appointment)
    appointment_services.appointment_complete(actor=doctor, appointment=appointment)

    charge = Charge.objects.get(source_id=str(appointment.public_id))
    assert charge.tariff.code == "CONSULT-CARDIOLOGY"
    assert appointment.encounter.type == "outpatient"
