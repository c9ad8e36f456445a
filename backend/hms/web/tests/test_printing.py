"""Printed documents from the workspace and the portal: the visit summary with everything of
the encounter (its orders and prescriptions come from the lab and pharmacy modules), the
print links on the chart, results and appointments pages, who may open them, and the print
layout of the results pages (the patient on the page, no navigation)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.staticfiles import finders

from hms.accounts.tests.factories import DoctorProfileFactory
from hms.appointments.models import Appointment
from hms.appointments.tests.conftest import give_schedule
from hms.clinical import services as clinical_services
from hms.core.models import AuditAction, AuditEvent
from hms.core.roles import Role
from hms.core.tests.printed import assert_patient_document, pdf_pages
from hms.laboratory import services as lab_services
from hms.laboratory.models import LabTest
from hms.patients.models import Sex
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory
from hms.pharmacy import services as pharmacy_services
from hms.pharmacy.tests.factories import DrugFactory
from hms.radiology.tests.factories import ImagingOrderFactory, ImagingProcedureFactory
from hms.web.tests.conftest import signed_in_client

from .clinic import Lab, lab_catalog

pytestmark = pytest.mark.django_db
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(make_user):
    lab_catalog()
    alice = PatientFactory(
        user=make_user(Role.PATIENT, username="alice"),
        first_name="Alice",
        last_name="Adeyemi",
        sex=Sex.FEMALE,
        date_of_birth=date(1986, 6, 15),
    )
    bob = PatientFactory(user=make_user(Role.PATIENT, username="bob"), first_name="Bob")
    doctor = DoctorProfileFactory(user__first_name="Grace", user__last_name="Okafor").user
    CareAssignmentFactory(patient=alice, doctor=doctor)
    return {"alice": alice, "bob": bob, "doctor": doctor}


def _visit(doctor, patient, *, note_paragraphs: int = 1):
    encounter = clinical_services.encounter_create(
        actor=doctor,
        patient=patient,
        type="outpatient",
        started_at=NOW - timedelta(hours=1),
        reason="Cough and fever for five days",
    )
    clinical_services.vital_signs_record(
        actor=doctor,
        patient=patient,
        encounter=encounter,
        systolic_bp=128,
        diastolic_bp=82,
        pulse=96,
        temperature_c=Decimal("38.4"),
    )
    clinical_services.diagnosis_create(
        actor=doctor, encounter=encounter, code="J18.9", notes="Right lower lobe"
    )
    notes = "\n".join(
        f"Paragraph {n}: crackles at the right base, no wheeze, mild tachypnoea."
        for n in range(1, note_paragraphs + 1)
    )
    clinical_services.visit_note_create(
        actor=doctor, patient=patient, encounter=encounter, notes=notes
    )
    lab_services.lab_order_create(
        actor=doctor, patient=patient, tests=[LabTest.objects.get(code="CBC")], encounter=encounter
    )
    ImagingOrderFactory(
        patient=patient,
        ordering_doctor=doctor,
        encounter=encounter,
        procedure=ImagingProcedureFactory(code="CXR-PA-PRINT", name="Chest X-ray PA"),
    )
    pharmacy_services.prescription_create(
        actor=doctor,
        patient=patient,
        encounter=encounter,
        items=[
            {
                "drug": DrugFactory(generic_name="Amoxicillin"),
                "dose": 500,
                "frequency": "tds",
                "duration_days": 7,
            }
        ],
    )
    return encounter


def test_visit_summary_has_complaint_vitals_diagnoses_notes_orders_and_prescriptions(
    settings, world, client_for
):
    settings.HOSPITAL_NAME = "St Luke Mission Hospital"
    alice, doctor = world["alice"], world["doctor"]
    encounter = _visit(doctor, alice, note_paragraphs=120)  # several pages of notes

    api = client_for(Role.DOCTOR, user=doctor)
    pages = pdf_pages(api.get(f"/api/encounters/{encounter.public_id}/pdf/"))

    assert len(pages) >= 3
    assert_patient_document(pages, alice, hospital="St Luke Mission Hospital")
    text = " ".join(" ".join(pages).split())
    assert "Visit summary" in text and "Outpatient visit" in text
    assert "Cough and fever for five days" in text
    assert "BP 128/82 mmHg" in text and "Pulse 96/min" in text and "Temp 38.4" in text
    assert "J18.9" in text and "Right lower lobe" in text
    assert "Paragraph 1: crackles" in text and "Paragraph 120: crackles" in text
    assert "Laboratory orders" in text and "Complete blood count (CBC)" in text
    assert "Imaging orders" in text and "Chest X-ray PA" in text
    assert "Prescriptions" in text and "Amoxicillin" in text and "Three times a day" in text
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, resource_type="visit_summary", actor=doctor
    ).exists()


def test_doctor_prints_from_the_chart(world):
    alice, doctor = world["alice"], world["doctor"]
    encounter = _visit(doctor, alice)
    browser = signed_in_client(doctor)

    chart = browser.get(f"/workspace/patients/{alice.public_id}/").content.decode()

    visit_url = f"/print/visit-summaries/{encounter.public_id}/"
    assert visit_url in chart
    assert 'data-testid="print-prescription"' in chart
    assert 'data-testid="print-lab_order"' in chart
    mine = browser.get("/workspace/prescriptions/").content.decode()
    assert 'data-testid="print-prescription"' in mine
    response = browser.get(visit_url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline;")
    assert "sandbox" in response["Content-Security-Policy"]
    assert_patient_document(pdf_pages(response), alice, hospital=django_settings.HOSPITAL_NAME)


def test_patient_prints_own_lab_report_and_slip_only(world, reception):
    alice, bob, doctor = world["alice"], world["bob"], world["doctor"]
    lab = Lab()
    own = lab.verified(doctor=doctor, patient=alice, code="HGB", values={"HGB": "13.1"})
    other = lab.verified(doctor=doctor, patient=bob, code="HGB", values={"HGB": "14.2"})
    give_schedule(doctor)
    booked = reception.post(
        "/api/appointments/",
        {
            "patient": str(alice.public_id),
            "doctor": str(doctor.public_id),
            "date": "2027-03-02",
            "slot": "10:00",
        },
        format="json",
    )
    assert booked.status_code == 201, booked.json()
    appointment = Appointment.objects.get(public_id=booked.json()["id"])
    browser = signed_in_client(alice.user)

    results = browser.get("/portal/results/").content.decode()
    assert f"/print/lab-reports/{own.public_id}/" in results
    report = pdf_pages(browser.get(f"/print/lab-reports/{own.public_id}/"))
    assert_patient_document(report, alice, hospital=django_settings.HOSPITAL_NAME)
    assert "13.1" in report[0]
    assert browser.get(f"/print/lab-reports/{other.public_id}/").status_code == 404

    slips = browser.get("/portal/appointments/").content.decode()
    assert f"/print/appointment-slips/{appointment.public_id}/" in slips
    slip = pdf_pages(browser.get(f"/print/appointment-slips/{appointment.public_id}/"))
    assert "Grace Okafor" in slip[0] and "10:00" in slip[0]


def test_print_pages_follow_the_permission_table(world, make_user):
    alice, doctor = world["alice"], world["doctor"]
    encounter = _visit(doctor, alice)
    pharmacist = signed_in_client(make_user(Role.PHARMACIST))
    assert pharmacist.get(f"/print/visit-summaries/{encounter.public_id}/").status_code == 403
    assert (
        signed_in_client(alice.user)
        .get(f"/print/visit-summaries/{encounter.public_id}/")
        .status_code
        == 200
    )  # her own visit
    stranger = signed_in_client(world["bob"].user)
    assert stranger.get(f"/print/visit-summaries/{encounter.public_id}/").status_code == 404


def test_results_pages_print_with_the_patient_and_without_navigation(world):
    alice, doctor = world["alice"], world["doctor"]
    for browser, url in (
        (signed_in_client(alice.user), "/portal/results/"),
        (signed_in_client(doctor), f"/workspace/patients/{alice.public_id}/results/"),
    ):
        page = browser.get(url).content.decode()
        identity = page.split('data-testid="print-identity"', 1)[1].split("</div>", 1)[0]
        assert "Alice" in identity and "Adeyemi" in identity
        assert f"MRN {alice.mrn}" in identity and "DOB 1986-06-15" in identity
    css = Path(finders.find("web/css/portal.css")).read_text()
    print_rules = css.split("@media print", 1)[1]
    assert ".hms-print-identity" in print_rules and "position: fixed" in print_rules
    assert "header, .hms-navbar, .hms-footer" in print_rules and "display: none" in print_rules
