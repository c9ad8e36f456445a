"""A small hospital whose numbers the report tests check by hand.

The clock stands at Wednesday 10 March 2027, 12:00 UTC (the test settings' hospital time zone
is UTC). Events in the past are recorded by moving the clock to them, as the ward would have.
"""

from datetime import UTC, datetime

import pytest
import time_machine

from hms.accounts.tests.factories import DoctorProfileFactory
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
