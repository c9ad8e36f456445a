"""Read-only staff pages: the reception queue (and the bed board when the wards module is in)."""

from datetime import UTC, date, datetime, time

import pytest
from django.test import Client

from hms.accounts.tests.factories import DoctorProfileFactory
from hms.appointments.services import appointment_book, appointment_cancel
from hms.appointments.tests.conftest import give_schedule
from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.patients.tests.factories import PatientFactory
from hms.web.tests.conftest import page_queries, signed_in_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

NOW = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)  # Monday
DAY = date(2027, 3, 1)
QUEUE = "/staff/queue/"


@pytest.fixture
def frozen_instant():
    return NOW


@pytest.fixture
def clinic(make_user):
    okafor = DoctorProfileFactory(
        user__first_name="Grace", user__last_name="Okafor", specialization="Cardiology"
    ).user
    mensah = DoctorProfileFactory(
        user__first_name="Kofi", user__last_name="Mensah", specialization="Dermatology"
    ).user
    give_schedule(okafor)
    give_schedule(mensah)
    alice = PatientFactory(first_name="Alice", last_name="Adeyemi")
    bob = PatientFactory(first_name="Bob", last_name="Brown")
    carol = PatientFactory(first_name="Carol", last_name="Chen")
    desk = make_user(Role.RECEPTIONIST, username="desk")

    def book(patient, doctor, slot, day=DAY):
        return appointment_book(
            actor=desk, patient=patient, doctor=doctor, date=day, slot=slot, reason="Check-up"
        )

    book(alice, okafor, time(9, 0))
    book(bob, mensah, time(9, 30))
    cancelled = book(carol, okafor, time(10, 0))
    appointment_cancel(actor=desk, appointment=cancelled, reason="Patient called")
    book(carol, okafor, time(9, 0), day=date(2027, 3, 2))  # tomorrow
    return {"okafor": okafor, "mensah": mensah, "desk": desk, "book": book}


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.NURSE])
def test_the_front_desk_sees_every_doctors_queue_for_today(clinic, make_user, role):
    response = signed_in_client(make_user(role)).get(QUEUE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Adeyemi, Alice" in html and "Dr Grace Okafor" in html
    assert "Brown, Bob" in html and "Dr Kofi Mensah" in html
    assert "Chen" not in html  # cancelled today; tomorrow's is on another day
    assert response.context["summary"]["booked"] == 2


@pytest.mark.parametrize(
    "role",
    [Role.PATIENT, Role.DOCTOR, Role.PHARMACIST, Role.ACCOUNTANT, Role.LAB_TECHNICIAN, Role.ADMIN],
)
def test_other_roles_may_not_open_the_reception_queue(clinic, make_user, role):
    assert signed_in_client(make_user(role)).get(QUEUE).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in():
    response = Client().get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_filter_by_day_and_doctor(clinic):
    client = signed_in_client(clinic["desk"])
    html = client.get(QUEUE, {"date": "2027-03-02"}).content.decode()
    assert "Chen, Carol" in html and "Adeyemi" not in html
    html = client.get(QUEUE, {"doctor": str(clinic["mensah"].public_id)}).content.decode()
    assert "Brown, Bob" in html and "Adeyemi" not in html


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"date": "someday"}, "date", "Enter a valid date."),
        ({"doctor": "not-a-doctor"}, "doctor", "Select a valid choice"),
    ],
)
def test_bad_filters_are_shown_next_to_the_field_and_today_is_shown(clinic, params, field, message):
    response = signed_in_client(clinic["desk"]).get(QUEUE, params)
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index(f'id="id_{field}_errors"')
    assert message in html[start : start + 200]
    assert "Adeyemi, Alice" in html


def test_each_view_of_the_queue_is_audited_with_its_patients(clinic):
    signed_in_client(clinic["desk"]).get(QUEUE)
    event = AuditEvent.objects.filter(actor=clinic["desk"], resource_type="appointment_queue").get()
    assert event.detail["count"] == 2
    assert event.detail["day"] == "2027-03-01"


def test_the_staff_home_links_the_queue_for_the_roles_that_may_read_it(clinic, make_user):
    html = signed_in_client(clinic["desk"]).get("/staff/").content.decode()
    assert 'href="/staff/queue/"' in html
    html = signed_in_client(make_user(Role.PHARMACIST)).get("/staff/").content.decode()
    assert 'href="/staff/queue/"' not in html


@pytest.mark.parametrize("role", [Role.PHARMACIST, Role.LAB_TECHNICIAN, Role.RADIOLOGIST])
def test_a_role_without_the_boards_is_told_its_role_does_not_include_them(make_user, role):
    html = signed_in_client(make_user(role)).get("/staff/").content.decode()
    assert 'href="/staff/beds/"' not in html and 'href="/staff/queue/"' not in html
    assert "your role does not include them" in html
    assert "installed" not in html  # the modules are installed; the role is what decides


def test_the_queue_query_count_does_not_grow(clinic):
    client = signed_in_client(clinic["desk"])
    client.get(QUEUE)

    def count() -> int:
        return page_queries(client, QUEUE)

    # session, user, doctors, appointments with patient/doctor/profile, audit (chain head,
    # insert), summary
    before = count()
    for slot in (time(14, 0), time(14, 30), time(15, 0)):
        clinic["book"](PatientFactory(), clinic["okafor"], slot)
        clinic["book"](PatientFactory(), clinic["mensah"], slot)
        DoctorProfileFactory()
    assert count() == before


# --- bed board -----------------------------------------------------------------------------------

BEDS = "/staff/beds/"


@pytest.fixture
def wards(make_user):
    from hms.inpatient import services as inpatient_services
    from hms.inpatient.tests.factories import WardFactory, beds_on

    nurse = make_user(Role.NURSE, username="ward_nurse")
    doctor = make_user(Role.DOCTOR, first_name="Grace", last_name="Okafor")
    medical = WardFactory(name="Medical ward", code="MED", type="medical")
    icu = WardFactory(name="Intensive care", code="ICU", type="icu")
    medical_beds = beds_on(medical, 3)
    icu_beds = beds_on(icu, 2)
    admitted = PatientFactory(first_name="Alice", last_name="Adeyemi")
    inpatient_services.admission_admit(
        actor=nurse,
        patient=admitted,
        bed=medical_beds[0],
        attending_doctor=doctor,
        reason="Pneumonia",
    )

    def admit(bed):
        return inpatient_services.admission_admit(
            actor=nurse, patient=PatientFactory(), bed=bed, attending_doctor=doctor, reason="Sepsis"
        )

    return {"nurse": nurse, "medical": medical_beds, "icu": icu_beds, "admit": admit}


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.NURSE, Role.ADMIN])
def test_the_bed_board_shows_each_ward_and_who_lies_where(wards, make_user, role):
    response = signed_in_client(make_user(role)).get(BEDS)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Medical ward" in html and "Intensive care" in html
    assert "Adeyemi, Alice" in html and "Dr Grace Okafor" in html and "Day 1" in html
    assert html.count('data-testid="bed"') == 5
    medical = next(e for e in response.context["board"] if e["ward"].code == "MED")
    assert (medical["counts"]["occupied"], medical["counts"]["available"]) == (1, 2)


@pytest.mark.parametrize(
    "role", [Role.PATIENT, Role.DOCTOR, Role.PHARMACIST, Role.ACCOUNTANT, Role.LAB_TECHNICIAN]
)
def test_other_roles_may_not_open_the_bed_board(wards, make_user, role):
    assert signed_in_client(make_user(role)).get(BEDS).status_code == 403


def test_the_bed_board_filters_by_ward_type_and_shows_bad_input(wards):
    client = signed_in_client(wards["nurse"])
    html = client.get(BEDS, {"type": "icu"}).content.decode()
    assert "Intensive care" in html and "Medical ward" not in html
    response = client.get(BEDS, {"type": "spa"})
    html = response.content.decode()
    start = html.index('id="id_type_errors"')
    assert "Select a valid choice" in html[start : start + 200]
    assert "Medical ward" in html  # every ward, as without the filter


def test_each_view_of_the_bed_board_is_audited_with_its_patients(wards):
    signed_in_client(wards["nurse"]).get(BEDS)
    event = AuditEvent.objects.get(actor=wards["nurse"], resource_type="bed_board")
    assert len(event.detail["patients"]) == 1


def test_the_bed_board_query_count_does_not_grow(wards):
    client = signed_in_client(wards["nurse"])
    client.get(BEDS)

    def count() -> int:
        return page_queries(client, BEDS)

    # session, user, wards, beds with rooms, active admissions with patient and doctor, audit
    before = count()
    wards["admit"](wards["medical"][1])
    wards["admit"](wards["icu"][0])
    wards["admit"](wards["icu"][1])
    assert count() == before


def test_the_staff_home_links_the_bed_board(wards, make_user):
    assert 'href="/staff/beds/"' in signed_in_client(wards["nurse"]).get("/staff/").content.decode()
    html = signed_in_client(make_user(Role.ACCOUNTANT)).get("/staff/").content.decode()
    assert 'href="/staff/beds/"' not in html
