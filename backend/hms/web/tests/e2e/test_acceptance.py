"""A patient's first visit, end to end in the browser.

A patient signs up, books a slot and sees it; the doctor signs in, finds the patient in today's
queue, opens the chart, writes a note with an ICD-10 diagnosis, prescribes a drug the patient
is allergic to (sees the warning, overrides it with a reason) and orders a lab test; the
patient then sees the note and the prescription; a second patient cannot open the first one's
pages (404). Every main page is screenshotted at 1280 and 375 px; the fixtures fail the test on
any request that leaves the server or any Content-Security-Policy violation.

The clock is set to a Monday morning in the hospital's time zone (time-machine, ticking) so
today's queue always has the booked slot, whenever and wherever the suite runs.
"""

import re
from datetime import time
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from hms.accounts.tests.factories import TEST_PASSWORD, DoctorProfileFactory, UserFactory
from hms.appointments.models import Appointment
from hms.appointments.tests.conftest import give_schedule
from hms.clinical.models import Diagnosis, VisitNote
from hms.clinical.tests.factories import DocumentFactory
from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.laboratory.models import LabOrder
from hms.patients import services as patient_services
from hms.patients.models import Patient
from hms.patients.tests.factories import PatientFactory
from hms.pharmacy.models import Prescription
from hms.pharmacy.tests.factories import DrugFactory, add_stock

from ..clinic import issued_invoice, lab_catalog
from .pickers import choose_medicine
from .test_portal_flows import sign_in, sign_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-and-happy-passphrase-1"


@pytest.fixture
def hospital(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    lab_catalog()
    doctor = DoctorProfileFactory(
        user__username="drokafor",
        user__first_name="Grace",
        user__last_name="Okafor",
        specialization="Cardiology",
    ).user
    give_schedule(doctor, blocks=[(d, time(9, 0), time(17, 0)) for d in range(7)])
    amoxicillin = DrugFactory(
        generic_name="Amoxicillin", drug_class="penicillin", form="capsule", unit="capsule"
    )
    add_stock(amoxicillin, 200)
    add_stock(DrugFactory(generic_name="Paracetamol"), 200)
    nurse = UserFactory(username="nurse", role=Role.NURSE)
    bob = PatientFactory(
        user=UserFactory(username="bob", role=Role.PATIENT, first_name="Bob"),
        first_name="Bob",
        last_name="Brown",
    )
    return {"doctor": doctor, "amoxicillin": amoxicillin, "nurse": nurse, "bob": bob}


def test_a_patients_first_visit_end_to_end(monday_morning, hospital, portal, shoot):
    page = portal

    # 1. A patient signs up, books a slot and sees it.
    page.goto(page.base_url + "/signup/")
    page.get_by_label("First name").fill("Amina")
    page.get_by_label("Last name").fill("Yusuf")
    page.get_by_label("Date of birth").fill("1990-04-12")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("Email").fill("amina@example.org")
    page.get_by_label("Username").fill("amina")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/portal/$"))
    expect(page.get_by_text("Welcome, Amina! Your account is ready.")).to_be_visible()
    amina = Patient.objects.get(user__username="amina")

    page.goto(page.base_url + "/portal/appointments/book/")
    page.get_by_label("Specialization").select_option("Cardiology")
    page.get_by_label("Doctor").select_option(label="Dr Grace Okafor")
    slots = page.get_by_test_id("slots")
    expect(slots).to_be_visible()
    slots.get_by_text("10:00", exact=True).click()
    page.get_by_label("Reason for the visit").fill("Chest tightness when climbing stairs")
    page.get_by_role("button", name="Book this time").click()
    expect(page).to_have_url(re.compile(r"/portal/appointments/$"))
    expect(page.get_by_test_id("upcoming")).to_contain_text("Dr Grace Okafor")
    expect(page.get_by_test_id("upcoming")).to_contain_text("10:00")
    shoot(page, "acceptance-patient-appointments")
    appointment = Appointment.objects.get(patient=amina)
    assert appointment.date == monday_morning.date()
    sign_out(page)

    # At triage the nurse records her penicillin allergy (desktop client; its service here).
    patient_services.allergy_create(
        actor=hospital["nurse"],
        patient=amina,
        substance="Penicillin",
        reaction="Hives and swollen lips",
        severity="severe",
    )

    # 2. The doctor finds her in today's queue and opens the chart.
    sign_in(page, "drokafor", TEST_PASSWORD)
    expect(page).to_have_url(re.compile(r"/workspace/$"))
    shoot(page, "acceptance-doctor-workspace")
    page.get_by_role("link", name="Today").first.click()
    queue = page.get_by_test_id("queue")
    expect(queue).to_contain_text("Yusuf, Amina")
    shoot(page, "acceptance-doctor-queue")
    page.get_by_role("link", name="Open chart of Amina Yusuf").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amina Yusuf")
    expect(page.get_by_test_id("allergy-banner")).to_contain_text("Penicillin")
    shoot(page, "acceptance-doctor-chart")

    # 3. A visit note with an ICD-10 diagnosis picked from the suggestions.
    page.get_by_test_id("chart-actions").get_by_role("link", name="Write a note").click()
    page.get_by_label("Note").fill(
        "Exertional chest tightness for 3 weeks, wheeze on expiration.\n"
        "Plan: inhaler, spirometry, full blood count."
    )
    diagnosis = page.get_by_label("Diagnosis 1")
    with page.expect_response(re.compile(r"/workspace/icd10/")):
        diagnosis.press_sequentially("asthma", delay=20)
    options = page.locator("#id_dx-0-code_options option")
    expect(options.first).to_have_attribute("value", re.compile(r"^J45"))
    picked = next(
        value
        for value in options.evaluate_all("(nodes) => nodes.map((n) => n.value)")
        if value.startswith("J45.9 ")
    )
    diagnosis.fill(picked)
    shoot(page, "acceptance-doctor-note")
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_role("alert").first).to_contain_text("Visit note saved with 1 diagnosis.")
    expect(page.get_by_test_id("timeline")).to_contain_text("J45.9")

    # 4. Prescribe amoxicillin: the allergy warning appears as soon as the drug is chosen; the
    # prescription is refused without a reason and goes through with one.
    page.get_by_test_id("chart-actions").get_by_role("link", name="Prescribe").click()
    expect(page.get_by_role("heading", name="Prescribe")).to_be_visible()
    with page.expect_response(re.compile(r"/prescribe/check/")):
        choose_medicine(page, hospital["amoxicillin"])
    warnings = page.get_by_test_id("rx-warnings")
    expect(warnings).to_contain_text("Recorded allergy to Penicillin")
    expect(warnings).to_contain_text("Severe")
    page.locator("#id_rx-0-dose").fill("500")
    page.locator("#id_rx-0-frequency").select_option("tds")
    page.locator("#id_rx-0-duration_days").fill("7")
    shoot(page, "acceptance-doctor-prescribe-warning")
    page.get_by_role("button", name="Send to the pharmacy").click()
    expect(page.locator("#id_override_reason_errors")).to_contain_text("override with a reason")
    assert not Prescription.objects.exists()
    page.get_by_label("Reason to prescribe despite the severe warnings").fill(
        "Tolerated amoxicillin in 2024 without reaction; label disputed"
    )
    page.get_by_role("button", name="Send to the pharmacy").click()
    expect(page.get_by_text("Prescription sent to the pharmacy (1 medicine).")).to_be_visible()
    expect(page.get_by_text("Severe safety warnings were overridden")).to_be_visible()
    prescription = Prescription.objects.get(patient=amina)
    assert prescription.override_reason.startswith("Tolerated amoxicillin")
    assert prescription.items.get().quantity == 21

    # 5. Order a full blood count.
    page.get_by_test_id("chart-actions").get_by_role("link", name="Order lab tests").click()
    page.get_by_label("Complete blood count (CBC)", exact=False).check()
    page.get_by_label("Clinical notes for the laboratory").fill("Wheeze; on amoxicillin")
    shoot(page, "acceptance-doctor-lab-order")
    page.get_by_role("button", name="Send to the laboratory").click()
    expect(page.get_by_text("Sent to the laboratory: Complete blood count (CBC).")).to_be_visible()
    expect(page.get_by_test_id("lab-results")).to_contain_text("No verified result yet.")
    shoot(page, "acceptance-doctor-results")
    assert LabOrder.objects.get(patient=amina).test.code == "CBC"
    sign_out(page)

    # 6. The patient sees the note, the diagnosis and the prescription.
    sign_in(page, "amina", PASSWORD)
    page.get_by_role("link", name="Visits").first.click()
    visits = page.get_by_test_id("visits")
    expect(visits).to_contain_text("Exertional chest tightness")
    expect(page.get_by_test_id("visit-diagnoses")).to_contain_text("J45.9")
    shoot(page, "acceptance-patient-visits")
    page.get_by_role("link", name="Prescriptions").first.click()
    expect(page.get_by_test_id("prescriptions")).to_contain_text("Amoxicillin 500 mg capsule")
    expect(page.get_by_test_id("prescriptions")).to_contain_text("three times a day for 7 days")
    shoot(page, "acceptance-patient-prescriptions")
    page.get_by_role("button", name="More").click()
    page.get_by_role("link", name="Access log").click()
    expect(page.get_by_test_id("access-log")).to_contain_text("Doctor")
    sign_out(page)

    # 7. Another patient cannot open her pages: her ids answer 404.
    document = DocumentFactory(patient=amina, original_name="referral.pdf")
    invoice = issued_invoice(patient=amina)
    sign_in(page, "bob", TEST_PASSWORD)
    expect(page).to_have_url(re.compile(r"/portal/$"))
    for url in (
        f"/documents/{document.public_id}/download/",
        f"/portal/invoices/{invoice.public_id}/pdf/",
    ):
        response = page.goto(page.base_url + url)
        assert response.status == 404, url
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    cancel = page.request.post(
        f"{page.base_url}/portal/appointments/{appointment.public_id}/cancel/",
        form={"reason": "Not mine"},
        headers={"X-CSRFToken": _csrf(page), "Referer": page.base_url + "/portal/"},
    )
    assert cancel.status == 404
    appointment.refresh_from_db()
    assert appointment.status == "booked"
    page.goto(page.base_url + "/portal/visits/")
    expect(page.get_by_text("Exertional chest tightness")).to_have_count(0)

    assert VisitNote.objects.get(patient=amina).doctor == hospital["doctor"]
    assert Diagnosis.objects.get(patient=amina).code == "J45.9"
    assert AuditEvent.objects.filter(
        resource_type="prescription_safety_override", patient_id=str(amina.public_id)
    ).exists()
    assert Decimal(invoice.total) == Decimal("150.00")


def _csrf(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
