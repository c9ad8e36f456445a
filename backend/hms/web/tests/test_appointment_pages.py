"""Booking from live availability, cancelling, and the doctor's queue."""

from datetime import UTC, date, datetime, time
from html.parser import HTMLParser

import pytest

from hms.accounts.tests.factories import DoctorProfileFactory
from hms.appointments.models import Appointment, AppointmentStatus
from hms.appointments.services import appointment_book
from hms.appointments.tests.conftest import give_schedule
from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.patients.tests.factories import PatientFactory
from hms.web.tests.conftest import signed_in_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

# Monday 1 March 2027, 07:00 UTC; the doctor works 09-12 and 14-17 on weekdays, 30-min slots.
NOW = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
DAY = date(2027, 3, 1)


@pytest.fixture
def frozen_instant():
    return NOW


@pytest.fixture
def world(make_user):
    doctor = DoctorProfileFactory(
        user__first_name="Grace", user__last_name="Okafor", specialization="Cardiology"
    ).user
    give_schedule(doctor)
    alice = PatientFactory(user=make_user(Role.PATIENT), first_name="Alice", last_name="Adeyemi")
    bob = PatientFactory(user=make_user(Role.PATIENT), first_name="Bob", last_name="Brown")
    return {"doctor": doctor, "alice": alice, "bob": bob}


def book_url(doctor, day=DAY):
    return (
        f"/portal/appointments/book/?specialization=Cardiology&doctor={doctor.public_id}"
        f"&date={day.isoformat()}"
    )


def test_booking_page_lists_specializations_doctors_and_free_slots(world):
    client = signed_in_client(world["alice"].user)
    html = client.get("/portal/appointments/book/").content.decode()
    assert "Cardiology" in html
    html = client.get(book_url(world["doctor"])).content.decode()
    assert "Dr Grace Okafor" in html
    assert 'value="09:00"' in html and 'value="16:30"' in html
    assert "csrfmiddlewaretoken" in html  # the POST form keeps its token
    assert "is-invalid" not in html  # choosing shows no errors


class Tags(HTMLParser):
    """Every start tag of a page: (tag, attributes, ids of the elements it sits in)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict, list[str]]] = []
        self.open: list[tuple[str, str]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        self.tags.append((tag, attrs, [i for _, i in self.open if i]))
        if tag not in self.VOID:
            self.open.append((tag, attrs.get("id", "")))

    def handle_endtag(self, tag):
        while self.open and self.open.pop()[0] != tag:
            pass

    def one(self, tag, **attrs) -> tuple[dict, list[str]]:
        found = [
            (a, within)
            for t, a, within in self.tags
            if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]
        assert len(found) == 1, f"{len(found)} <{tag} {attrs}>"
        return found[0]


def test_booking_form_narrows_by_swapping_only_its_fields(world):
    # Given the booking page,
    html = signed_in_client(world["alice"].user).get("/portal/appointments/book/").content.decode()
    page = Tags(html)
    # then the form listens for changes itself and is never swapped (a swapped-in control works
    # at once), a newer choice cancels an older request, and only its fields are replaced;
    form, _ = page.one("form", **{"data-testid": "booking-form"})
    assert form["hx-trigger"] == "change target:.hms-refresh"
    assert form["hx-sync"] == "this:replace"
    assert form["hx-target"] == form["hx-select"] == "#booking-fields"
    assert form["hx-swap"] == "outerHTML"
    # No token, slot or reason in URLs; the visit type survives a narrowing.
    assert form["hx-params"] == "specialization,doctor,date,visit_type"
    assert "data-replay-early-changes" in form
    _, fields_within = page.one("div", id="booking-fields")
    assert "booking" in fields_within  # the form sits outside the swapped part
    # and every narrowing control sits in the swapped part and triggers a refresh.
    for name in ("specialization", "doctor", "date"):
        control, within = page.one("input" if name == "date" else "select", name=name)
        assert "hms-refresh" in control["class"].split()
        assert "booking-fields" in within


def test_htmx_narrowing_answers_with_the_fields_for_the_latest_choices(world):
    client = signed_in_client(world["alice"].user)
    dermatologist = DoctorProfileFactory(specialization="Dermatology").user
    give_schedule(dermatologist)
    htmx = {"HTTP_HX_REQUEST": "true"}
    # A specialization: its doctors, none chosen yet, and no slots.
    page = Tags(
        client.get("/portal/appointments/book/?specialization=Cardiology", **htmx).content.decode()
    )
    doctor, _ = page.one("select", name="doctor")
    assert "disabled" not in doctor
    page.one("option", value=str(world["doctor"].public_id))
    assert [a for t, a, within in page.tags if "id_doctor" in within and "selected" in a] == []
    # A doctor: their free slots for the day, in the swapped part.
    page = Tags(client.get(book_url(world["doctor"]), **htmx).content.decode())
    option, _ = page.one("option", value=str(world["doctor"].public_id))
    assert "selected" in option
    _, within = page.one("input", name="slot", value="09:00")
    assert "booking-fields" in within
    # A doctor picked from an older list (another specialization): nothing is chosen.
    html = client.get(book_url(dermatologist), **htmx).content.decode()
    assert "Choose a doctor to see their free times." in html
    assert 'name="slot"' not in html


def test_patient_books_a_free_slot(world):
    client = signed_in_client(world["alice"].user)
    response = client.post(
        "/portal/appointments/book/",
        {
            "specialization": "Cardiology",
            "doctor": str(world["doctor"].public_id),
            "date": "2027-03-01",
            "slot": "09:30",
            "reason": "Palpitations",
        },
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.patient == world["alice"]
    assert appointment.slot == time(9, 30)
    page = client.get("/portal/appointments/").content.decode()
    assert "Booked: Monday 01 March at 09:30 with Dr Grace Okafor." in page
    assert "Palpitations" in page
    # The booked slot is no longer offered.
    html = client.get(book_url(world["doctor"])).content.decode()
    assert 'value="09:30"' not in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"slot": ""}, "slot", "This field is required."),
        ({"slot": "09:10"}, "slot", "Select a valid choice"),
        ({"doctor": "not-a-doctor"}, "doctor", "Select a valid choice"),
        ({"date": "not-a-date"}, "date", "Enter a valid date."),
    ],
)
def test_booking_bad_input_shows_errors_and_saves_nothing(world, changes, field, message):
    data = {
        "specialization": "Cardiology",
        "doctor": str(world["doctor"].public_id),
        "date": "2027-03-01",
        "slot": "09:30",
    }
    response = signed_in_client(world["alice"].user).post(
        "/portal/appointments/book/", {**data, **changes}
    )
    assert response.status_code == 400
    html = response.content.decode()
    start = html.index(f'id="id_{field}_errors"')
    assert message in html[start : start + 300]
    assert not Appointment.objects.exists()


def test_a_slot_taken_meanwhile_is_refused_by_the_service(world):
    client = signed_in_client(world["alice"].user)
    form = {
        "specialization": "Cardiology",
        "doctor": str(world["doctor"].public_id),
        "date": "2027-03-01",
        "slot": "10:00",
    }
    appointment_book(
        actor=world["bob"].user,
        patient=world["bob"],
        doctor=world["doctor"],
        date=DAY,
        slot=time(10, 0),
    )
    response = client.post("/portal/appointments/book/", form)
    assert response.status_code == 400
    assert Appointment.objects.count() == 1


def test_cancel_own_appointment_with_a_reason(world):
    appointment = appointment_book(
        actor=world["alice"].user,
        patient=world["alice"],
        doctor=world["doctor"],
        date=DAY,
        slot=time(9, 0),
    )
    client = signed_in_client(world["alice"].user)
    url = f"/portal/appointments/{appointment.public_id}/cancel/"
    response = client.post(url, {"reason": "x"}, follow=True)
    assert b"at least 3 characters" in response.content
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    response = client.post(url, {"reason": "Feeling better"}, follow=True)
    assert b"The appointment was cancelled." in response.content
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def test_another_patients_appointment_is_404(world):
    appointment = appointment_book(
        actor=world["alice"].user,
        patient=world["alice"],
        doctor=world["doctor"],
        date=DAY,
        slot=time(9, 0),
    )
    response = signed_in_client(world["bob"].user).post(
        f"/portal/appointments/{appointment.public_id}/cancel/", {"reason": "Not mine"}
    )
    assert response.status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


@pytest.mark.parametrize("url", ["/portal/appointments/", "/portal/appointments/book/"])
def test_appointment_pages_are_for_patients(world, url):
    assert signed_in_client(world["doctor"]).get(url).status_code == 403
    assert signed_in_client(world["alice"].user).get(url).status_code == 200


def test_doctor_sees_todays_queue_and_the_view_is_audited(world, make_user):
    appointment_book(
        actor=world["alice"].user,
        patient=world["alice"],
        doctor=world["doctor"],
        date=DAY,
        slot=time(9, 0),
        reason="Palpitations",
    )
    response = signed_in_client(world["doctor"]).get("/workspace/queue/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Adeyemi" in html and "Palpitations" in html
    event = AuditEvent.objects.filter(resource_type="appointment_queue").get()
    assert event.detail["patients"] == [str(world["alice"].public_id)]
    assert signed_in_client(world["alice"].user).get("/workspace/queue/").status_code == 403
    other = make_user(Role.DOCTOR)
    assert "Adeyemi" not in signed_in_client(other).get("/workspace/queue/").content.decode()


def test_dashboard_shows_the_next_appointment(world):
    client = signed_in_client(world["alice"].user)
    assert 'data-testid="next-appointment"' not in client.get("/portal/").content.decode()
    appointment_book(
        actor=world["alice"].user,
        patient=world["alice"],
        doctor=world["doctor"],
        date=DAY,
        slot=time(14, 0),
    )
    html = client.get("/portal/").content.decode()
    assert 'data-testid="next-appointment"' in html
    assert "Monday 1 March, 14:00" in html
    assert "Cardiology" in html
