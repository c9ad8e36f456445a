"""A doctor outside the care relationship breaks the glass and writes a note with an ICD-10
diagnosis picked from the suggestions; the front desk reads the reception queue."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hms.accounts.tests.factories import TEST_PASSWORD, DoctorProfileFactory, UserFactory
from hms.appointments.models import Appointment
from hms.clinical.models import Diagnosis, VisitNote
from hms.core.roles import Role
from hms.patients.tests.factories import AllergyFactory, PatientFactory

from .test_portal_flows import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_break_the_glass_then_write_a_note_with_a_diagnosis(portal, shoot):
    UserFactory(username="drnovak", role=Role.DOCTOR, first_name="Ivan", last_name="Novak")
    alice = PatientFactory(first_name="Alice", last_name="Adeyemi")
    AllergyFactory(patient=alice, substance="Penicillin", reaction="Hives", severity="severe")
    page = portal
    sign_in(page, "drnovak", TEST_PASSWORD)
    expect(page).to_have_url(re.compile(r"/workspace/$"))

    response = page.goto(f"{page.base_url}/workspace/patients/{alice.public_id}/")
    assert response.status == 403
    expect(page.get_by_text("This patient is not in your care.")).to_be_visible()
    page.get_by_label("Why do you need this chart now?").fill("short")
    page.get_by_role("button", name="Open the chart in an emergency").click()
    expect(page.locator("#id_reason_errors")).to_contain_text("at least 10 characters")
    shoot(page, "workspace-break-glass")
    page.get_by_label("Why do you need this chart now?").fill(
        "Brought in unconscious to the emergency department"
    )
    page.get_by_role("button", name="Open the chart in an emergency").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alice Adeyemi")
    expect(page.get_by_text("Emergency access — recorded and reviewed")).to_be_visible()

    page.get_by_test_id("chart-actions").get_by_role("link", name="Write a note").click()
    expect(page.get_by_role("heading", name="Write a visit note")).to_be_visible()
    page.get_by_label("Note").fill("Found collapsed. Wheeze on both sides.\nSalbutamol given.")
    code = page.get_by_label("Diagnosis 1")
    with page.expect_response(re.compile(r"/workspace/icd10/")):
        code.press_sequentially("asthma", delay=20)
    expect(page.locator("#id_dx-0-code_options option").first).to_have_attribute(
        "value", re.compile(r"^J45")
    )
    code.fill("J45.9 · Asthma, unspecified")  # what picking the suggestion puts in the field
    page.locator("#id_dx-0-type").select_option("confirmed")
    shoot(page, "workspace-note")
    page.get_by_role("button", name="Save note").click()

    expect(page.get_by_role("alert").first).to_contain_text("Visit note saved with 1 diagnosis.")
    expect(page.get_by_test_id("timeline")).to_contain_text("Found collapsed")
    expect(page.get_by_test_id("timeline")).to_contain_text("J45.9")
    shoot(page, "workspace-chart-after-note")
    assert VisitNote.objects.get().patient == alice
    assert Diagnosis.objects.get().code == "J45.9"


def test_the_front_desk_reads_the_reception_queue(monday_morning, portal, shoot):
    desk = UserFactory(username="desk", role=Role.RECEPTIONIST, first_name="Rita")
    for first, last, specialization, slot in (
        ("Grace", "Okafor", "Cardiology", time(9, 0)),
        ("Kofi", "Mensah", "Dermatology", time(9, 30)),
    ):
        doctor = DoctorProfileFactory(
            user__first_name=first, user__last_name=last, specialization=specialization
        ).user
        # Today's list on the server's (pinned) clock: it stays today while the test runs.
        day = monday_morning.date()
        start = timezone.make_aware(datetime.combine(day, slot))
        Appointment.objects.create(
            patient=PatientFactory(last_name=f"Patient-of-{last}"),
            doctor=doctor,
            date=day,
            slot=slot,
            start_at=start,
            end_at=start + timedelta(minutes=30),
            reason="Follow-up",
            booked_by=desk,
        )
    page = portal
    sign_in(page, "desk", TEST_PASSWORD)
    expect(page).to_have_url(re.compile(r"/staff/$"))
    page.get_by_role("main").get_by_role("link", name="Reception queue").click()
    queue = page.get_by_test_id("queue")
    expect(queue).to_contain_text("Patient-of-Okafor")
    expect(queue).to_contain_text("Patient-of-Mensah")
    shoot(page, "staff-queue")
    with page.expect_response(re.compile(r"/staff/queue/\?")):
        page.get_by_label("Doctor").select_option(label="Dr Kofi Mensah")
    expect(queue).not_to_contain_text("Patient-of-Okafor")
    expect(page).to_have_url(re.compile(r"doctor="))
