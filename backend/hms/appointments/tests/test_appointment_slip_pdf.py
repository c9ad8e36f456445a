"""The printed appointment slip: doctor, department, date and time in the hospital's time
zone, location, booking reference, the patient; who may print it; audited."""

import pytest

from hms.appointments.models import Appointment
from hms.appointments.pdf import booking_reference
from hms.core.models import AuditAction, AuditEvent
from hms.core.roles import Role
from hms.core.tests.printed import assert_patient_document, pdf_pages

pytestmark = pytest.mark.django_db


@pytest.fixture
def nairobi(settings):
    settings.TIME_ZONE = "Africa/Nairobi"  # UTC+3 all year


def test_slip_prints_the_visit_in_hospital_time(
    settings, nairobi, frozen_now, book, reception, patient, doctor
):
    settings.HOSPITAL_NAME = "St Luke Mission Hospital"
    settings.HOSPITAL_ADDRESS = "12 Hospital Road, Nairobi"
    doctor.doctor_profile.department = "Cardiology"
    doctor.doctor_profile.save()
    booked = book(day="2027-03-02", slot="09:30")
    assert booked.status_code == 201, booked.json()
    appointment = Appointment.objects.get(public_id=booked.json()["id"])
    assert appointment.start_at.hour == 6  # stored in UTC

    response = reception.get(f"/api/appointments/{appointment.public_id}/pdf/")
    pages = pdf_pages(response)

    assert len(pages) == 1
    assert_patient_document(pages, patient, hospital="St Luke Mission Hospital")
    text = pages[0]
    assert booking_reference(appointment) in text
    assert "Tuesday 02 March 2027" in text
    assert "09:30 - 10:00 (Africa/Nairobi)" in text
    assert "Grace Okafor" in text
    assert "Cardiology clinic, 12 Hospital Road, Nairobi" in text
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.resource_type, event.object_id) == (
        "appointment_slip",
        str(appointment.public_id),
    )


def test_patient_prints_their_own_slip_only(frozen_now, book, portal_patient, patient, client_for):
    own = book(day="2027-03-02", slot="09:00", patient_obj=portal_patient).json()["id"]
    other = book(day="2027-03-02", slot="10:00").json()["id"]
    me = client_for(Role.PATIENT, user=portal_patient.user)
    assert me.get(f"/api/appointments/{own}/pdf/").status_code == 200
    assert me.get(f"/api/appointments/{other}/pdf/").status_code == 404


def test_lab_and_pharmacy_may_not_print_slips(frozen_now, book, client_for):
    appointment_id = book(day="2027-03-02", slot="09:00").json()["id"]
    for role in (Role.LAB_TECHNICIAN, Role.PHARMACIST, Role.ACCOUNTANT):
        assert client_for(role).get(f"/api/appointments/{appointment_id}/pdf/").status_code == 403
