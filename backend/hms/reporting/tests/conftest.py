"""A small hospital whose numbers the report tests check by hand.

The clock stands at Wednesday 10 March 2027, 12:00 UTC (the test settings' hospital time zone
is UTC). Events in the past are recorded by moving the clock to them, as the ward would have.
"""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine

from hms.accounts.tests.factories import DoctorProfileFactory
from hms.appointments import services as appointment_services
from hms.appointments.models import VisitType
from hms.appointments.tests.conftest import give_schedule
from hms.core.roles import Role
from hms.inpatient import services as inpatient_services
from hms.inpatient.models import DischargeDisposition, WardType
from hms.inpatient.tests.factories import WardFactory, beds_on
from hms.patients.tests.factories import PatientFactory

NOW = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)


def at(day: int, hour: int = 10, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=UTC)


DISCHARGE_SUMMARY = {
    "diagnoses": [{"code": "J18.9"}],
    "procedures": ["Chest X-ray"],
    "medications_on_discharge": [],
    "follow_up": "GP review in one week.",
}


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def nurse(make_user):
    return make_user(Role.NURSE)


@pytest.fixture
def doctor(db):
    return DoctorProfileFactory(
        user__first_name="Grace", user__last_name="Okafor", department="Medicine"
    ).user


@pytest.fixture
def medical(db):
    return WardFactory(name="Medical Ward", code="MED", type=WardType.MEDICAL)


@pytest.fixture
def icu(db):
    return WardFactory(name="Intensive Care", code="ICU", type=WardType.ICU)


@pytest.fixture
def medical_beds(medical):
    return beds_on(medical, 4)


@pytest.fixture
def icu_beds(icu):
    return beds_on(icu, 2)


class Ward:
    """Records admissions, transfers and discharges at past instants, then returns the clock
    to NOW."""

    def __init__(self, clock, nurse, doctor):
        self.clock, self.nurse, self.doctor = clock, nurse, doctor

    def _at(self, when, action):
        self.clock.move_to(when)
        try:
            return action()
        finally:
            self.clock.move_to(NOW)

    def admit(self, when, bed, *, patient=None):
        patient = patient or PatientFactory()
        return self._at(
            when,
            lambda: inpatient_services.admission_admit(
                actor=self.nurse,
                patient=patient,
                bed=bed,
                attending_doctor=self.doctor,
                reason="Pneumonia",
            ),
        )

    def transfer(self, when, admission, bed):
        admission.refresh_from_db()
        return self._at(
            when,
            lambda: inpatient_services.admission_transfer(
                actor=self.nurse, admission=admission, bed=bed, reason="Needs closer care"
            ),
        )

    def discharge(self, when, admission, disposition=DischargeDisposition.HOME):
        admission.refresh_from_db()

        def do():
            inpatient_services.discharge_summary_save(
                actor=self.doctor, admission=admission, finalise=True, **DISCHARGE_SUMMARY
            )
            return inpatient_services.admission_discharge(
                actor=self.nurse, admission=admission, disposition=disposition
            )

        return self._at(when, do)


@pytest.fixture
def ward(clock, nurse, doctor):
    return Ward(clock, nurse, doctor)


def hospital_week(ward: Ward, medical_beds, icu_beds) -> dict:
    """Five admissions on a 4-bed medical ward (MED) and a 2-bed ICU, 5 to 10 March 2027:

    A: MED 5 Mar 10:00, discharged home 8 Mar 09:00 (stay 71 h);
    B: MED 6 Mar 22:00, to ICU 7 Mar 08:00, died there 9 Mar 15:00 (stay 65 h);
    C: MED 9 Mar 11:00, still in;
    E: A's patient again, straight to ICU 9 Mar 20:00 (a readmission), still in;
    D: MED today (10 Mar) 08:00, still in.
    """
    a = ward.admit(at(5, 10), medical_beds[0])
    b = ward.admit(at(6, 22), medical_beds[1])
    ward.transfer(at(7, 8), b, icu_beds[0])
    ward.discharge(at(8, 9), a)
    ward.discharge(at(9, 15), b, DischargeDisposition.DECEASED)
    c = ward.admit(at(9, 11), medical_beds[2])
    e = ward.admit(at(9, 20), icu_beds[1], patient=a.patient)
    d = ward.admit(at(10, 8), medical_beds[3])
    return {"A": a, "B": b, "C": c, "D": d, "E": e}


class Clinic:
    """Books appointments the day before and records the visit as it happened (check-in,
    start and end, no-show, cancellation), each at its own instant, then returns the clock to
    NOW."""

    def __init__(self, clock, reception):
        self.clock, self.reception = clock, reception

    def _at(self, when, action):
        self.clock.move_to(when)
        try:
            return action()
        finally:
            self.clock.move_to(NOW)

    def book(self, doctor, day: int, slot: str, *, teleconsult=False, patient=None):
        hour, minute = (int(part) for part in slot.split(":"))
        return self._at(
            at(day, 7) - timedelta(days=1),
            lambda: appointment_services.appointment_book(
                actor=self.reception,
                patient=patient or PatientFactory(),
                doctor=doctor,
                date=at(day).date(),
                slot=time(hour, minute),
                visit_type=VisitType.TELECONSULT if teleconsult else VisitType.IN_PERSON,
            ),
        )

    def visit(self, appointment, checked_in, started, completed=None):
        """Check in at `checked_in`, start at `started`, complete at `completed` (or 15 min
        after the start); each a datetime."""
        doctor = appointment.doctor
        self._at(
            checked_in,
            lambda: appointment_services.appointment_check_in(
                actor=self.reception, appointment=appointment
            ),
        )
        self._at(
            started,
            lambda: appointment_services.appointment_start(actor=doctor, appointment=appointment),
        )
        return self._at(
            completed or started + timedelta(minutes=15),
            lambda: appointment_services.appointment_complete(
                actor=doctor, appointment=appointment
            ),
        )

    def no_show(self, appointment):
        return self._at(
            appointment.start_at + timedelta(minutes=20),
            lambda: appointment_services.appointment_mark_no_show(
                actor=self.reception, appointment=appointment
            ),
        )

    def cancel(self, appointment):
        return self._at(
            appointment.start_at - timedelta(hours=20),
            lambda: appointment_services.appointment_cancel(
                actor=self.reception, appointment=appointment, reason="Feeling better"
            ),
        )


@pytest.fixture
def receptionist(make_user):
    return make_user(Role.RECEPTIONIST)


@pytest.fixture
def clinic(clock, receptionist):
    return Clinic(clock, receptionist)


def clinic_doctor(first, last, department):
    user = DoctorProfileFactory(
        user__first_name=first, user__last_name=last, department=department
    ).user
    give_schedule(user)
    return user


def clinic_days(clinic: Clinic) -> dict:
    """Nine appointments of three doctors, Mon 8 to Wed 10 March 2027 (today):

    Okafor (Medicine), 8 Mar: 09:00 seen (in 08:50, started 09:05: 15 min wait);
      09:30 teleconsult seen (in 09:28, started 09:31: 3 min); 10:00 no-show; 10:30 cancelled.
    Okafor, 9 Mar: 09:00 seen (in 08:40, started 09:20: 40 min).
    Mensah (Medicine), 9 Mar: 09:00 seen (in 09:00, started 09:10:59: 10 min, rounded down);
      09:30 no-show.
    Diallo (Surgery), today: 09:00 seen (in 08:55, started 09:00: 5 min); 09:30 still booked.
    """
    okafor = clinic_doctor("Grace", "Okafor", "Medicine")
    mensah = clinic_doctor("Kofi", "Mensah", "Medicine")
    diallo = clinic_doctor("Awa", "Diallo", "Surgery")
    appointments = {
        "o1": clinic.book(okafor, 8, "09:00"),
        "o2": clinic.book(okafor, 8, "09:30", teleconsult=True),
        "o3": clinic.book(okafor, 8, "10:00"),
        "o4": clinic.book(okafor, 8, "10:30"),
        "o5": clinic.book(okafor, 9, "09:00"),
        "m1": clinic.book(mensah, 9, "09:00"),
        "m2": clinic.book(mensah, 9, "09:30"),
        "d1": clinic.book(diallo, 10, "09:00"),
        "d2": clinic.book(diallo, 10, "09:30"),
    }
    clinic.cancel(appointments["o4"])
    clinic.visit(appointments["o1"], at(8, 8, 50), at(8, 9, 5))
    clinic.visit(appointments["o2"], at(8, 9, 28), at(8, 9, 31))
    clinic.no_show(appointments["o3"])
    clinic.visit(appointments["o5"], at(9, 8, 40), at(9, 9, 20))
    clinic.visit(appointments["m1"], at(9, 9, 0), at(9, 9, 10).replace(second=59))
    clinic.no_show(appointments["m2"])
    clinic.visit(appointments["d1"], at(10, 8, 55), at(10, 9, 0))
    return {"okafor": okafor, "mensah": mensah, "diallo": diallo, **appointments}
