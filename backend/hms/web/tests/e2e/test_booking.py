"""A patient books a free slot (choices narrowed with htmx), sees it, and the doctor finds it in
today's queue."""

import re
from datetime import time

import pytest
from playwright.sync_api import expect

from hms.accounts.tests.factories import TEST_PASSWORD, DoctorProfileFactory, UserFactory
from hms.appointments.models import Appointment
from hms.appointments.tests.conftest import give_schedule
from hms.core.roles import Role
from hms.patients.tests.factories import PatientFactory

from .test_portal_flows import sign_in, sign_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_patient_books_and_doctor_sees_the_queue(monday_morning, portal, shoot):
    doctor = DoctorProfileFactory(
        user__username="drokafor",
        user__first_name="Grace",
        user__last_name="Okafor",
        specialization="Cardiology",
    ).user
    DoctorProfileFactory(specialization="Dermatology")
    # The clock is pinned to 08:30 on a Monday: the first free slot is today at 09:00, well
    # after the booking is sent, and it is in today's queue when the doctor looks.
    give_schedule(doctor, blocks=[(d, time(9, 0), time(17, 0)) for d in range(7)])
    alice = UserFactory(username="alice", role=Role.PATIENT, first_name="Alice")
    PatientFactory(user=alice, first_name="Alice", last_name="Adeyemi")

    page = portal
    sign_in(page, "alice", TEST_PASSWORD)
    page.goto(page.base_url + "/portal/appointments/")
    page.get_by_role("link", name="Book an appointment").click()
    page.get_by_label("Specialization").select_option("Cardiology")
    expect(page.get_by_label("Doctor")).to_be_enabled()
    page.get_by_label("Doctor").select_option(label="Dr Grace Okafor")
    slots = page.get_by_test_id("slots")
    expect(slots).to_be_visible()
    first = slots.locator("label").first
    chosen = first.inner_text()
    first.click()
    page.get_by_label("Reason for the visit").fill("Palpitations")
    shoot(page, "portal-book")
    page.get_by_role("button", name="Book this time").click()

    expect(page).to_have_url(re.compile(r"/portal/appointments/$"))
    expect(page.get_by_role("alert")).to_contain_text("with Dr Grace Okafor.")
    expect(page.get_by_test_id("upcoming")).to_contain_text("Dr Grace Okafor")
    appointment = Appointment.objects.get()
    assert f"{appointment.slot:%H:%M}" == chosen == "09:00"
    assert appointment.date == monday_morning.date()
    shoot(page, "portal-appointments")
    page.get_by_role("link", name="Overview").first.click()
    expect(page.get_by_test_id("next-appointment")).to_contain_text("Dr Grace Okafor")
    shoot(page, "portal-dashboard-with-appointment")
    sign_out(page)

    sign_in(page, "drokafor", TEST_PASSWORD)
    page.get_by_role("link", name="Today").first.click()
    expect(page.get_by_test_id("queue")).to_contain_text("Adeyemi")
    page.get_by_role("link", name="Open chart of Alice Adeyemi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alice Adeyemi")
    page.go_back()
    shoot(page, "workspace-queue")


# The booking form narrows its choices with htmx. These tests make the timing that used to lose
# a choice deterministic, instead of waiting for a loaded CI machine to hit it.


@pytest.fixture
def booking(monday_morning, portal):
    """Alice signed in; two cardiologists who work all day, every day; the clock on a Monday
    morning, so that neither the free days nor the slots offered change while a test runs."""
    okafor = DoctorProfileFactory(
        user__first_name="Grace", user__last_name="Okafor", specialization="Cardiology"
    ).user
    bello = DoctorProfileFactory(
        user__first_name="Ada", user__last_name="Bello", specialization="Cardiology"
    ).user
    for doctor in (okafor, bello):
        give_schedule(doctor, blocks=[(d, time(0, 0), time(23, 30)) for d in range(7)])
    DoctorProfileFactory(specialization="Dermatology")
    alice = UserFactory(username="alice", role=Role.PATIENT, first_name="Alice")
    PatientFactory(user=alice, first_name="Alice", last_name="Adeyemi")
    sign_in(portal, "alice", TEST_PASSWORD)
    expect(portal).to_have_url(re.compile(r"/portal/$"))
    return {"page": portal, "okafor": okafor, "bello": bello}


def wait_until_held(page, held: list, seconds: float = 15) -> None:
    """Wait (pumping Playwright's events) until a route handler has held back a request."""
    for _ in range(int(seconds * 50)):
        if held:
            return
        page.wait_for_timeout(20)
    raise AssertionError("the request to hold back was never made")


def test_a_doctor_chosen_as_soon_as_the_list_arrives_shows_the_slots(booking):
    # Given a loaded machine, where htmx's settle step (which wires up swapped-in content) runs
    # late: the new Doctor select is on the page and enabled well before it.
    page = booking["page"]
    page.goto(page.base_url + "/portal/appointments/book/")
    page.evaluate("htmx.config.defaultSettleDelay = 3000")
    # When the patient picks the doctor the moment the list arrives,
    page.get_by_label("Specialization").select_option("Cardiology")
    page.get_by_label("Doctor").select_option(label="Dr Grace Okafor")
    # then the choice still reaches the server (it used to be dropped for good).
    expect(page.get_by_test_id("slots")).to_be_visible()
    expect(page.get_by_label("Doctor")).to_have_value(str(booking["okafor"].public_id))


def test_a_late_answer_does_not_undo_a_newer_choice(booking):
    # Given the answer for Dr Okafor's slots held back by a slow network,
    page = booking["page"]
    page.goto(page.base_url + "/portal/appointments/book/")
    page.get_by_label("Specialization").select_option("Cardiology")
    expect(page.get_by_label("Doctor")).to_be_enabled()
    held = []
    okafor, bello = (str(booking[name].public_id) for name in ("okafor", "bello"))
    page.route(f"**/portal/appointments/book/?*doctor={okafor}*", lambda route: held.append(route))
    page.get_by_label("Doctor").select_option(okafor)
    wait_until_held(page, held)
    # when the patient changes their mind before it arrives,
    page.get_by_label("Doctor").select_option(bello)
    expect(page.get_by_test_id("free-days").locator("a").first).to_have_attribute(
        "href", re.compile(f"doctor={bello}")
    )
    # and then the old answer turns up after all,
    held[0].continue_()
    page.wait_for_timeout(1_000)
    # then the page still shows the newer choice.
    expect(page.get_by_label("Doctor")).to_have_value(bello)
    expect(page.get_by_test_id("free-days").locator("a").first).to_have_attribute(
        "href", re.compile(f"doctor={bello}")
    )
    expect(page).to_have_url(re.compile(f"doctor={bello}"))


def test_a_choice_made_before_htmx_has_loaded_is_not_lost(booking):
    # Given a page whose scripts are still loading (htmx held back),
    page = booking["page"]
    held = []
    page.route("**/htmx.min.js", lambda route: held.append(route))
    page.goto(page.base_url + "/portal/appointments/book/", wait_until="commit")
    # when the patient already picks a specialization,
    page.get_by_label("Specialization").select_option("Cardiology")
    wait_until_held(page, held)
    held[0].continue_()
    # then once the scripts have loaded the doctors of that specialization are offered.
    expect(page.get_by_label("Doctor")).to_be_enabled()
    page.get_by_label("Doctor").select_option(label="Dr Ada Bello")
    expect(page.get_by_test_id("slots")).to_be_visible()
