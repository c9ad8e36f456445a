"""The doctor opens an assigned patient's chart (a chart per vital sign, drawn on the server);
the patient sees their record, visits, documents (upload and download) and who viewed their
record; another patient gets 404 for the first one's document."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hms.accounts.tests.factories import TEST_PASSWORD, UserFactory
from hms.clinical.tests.factories import (
    DocumentFactory,
    ProblemFactory,
    VisitNoteFactory,
    VitalSignsFactory,
)
from hms.clinical.tests.files import PDF
from hms.core.roles import Role
from hms.patients.tests.factories import AllergyFactory, CareAssignmentFactory, PatientFactory

from .test_portal_flows import sign_in, sign_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    alice_user = UserFactory(
        username="alice", role=Role.PATIENT, first_name="Alice", last_name="Adeyemi"
    )
    alice = PatientFactory(user=alice_user, first_name="Alice", last_name="Adeyemi")
    doctor = UserFactory(
        username="drokafor", role=Role.DOCTOR, first_name="Grace", last_name="Okafor"
    )
    CareAssignmentFactory(patient=alice, doctor=doctor)
    for name in ("Mensah", "Novak", "Ortiz"):
        CareAssignmentFactory(patient=PatientFactory(last_name=name), doctor=doctor)
    AllergyFactory(patient=alice, substance="Penicillin", reaction="Hives", severity="severe")
    AllergyFactory(patient=alice, substance="Peanuts", reaction="Swelling", severity="moderate")
    ProblemFactory(patient=alice, code="J45.9", title="Asthma, unspecified", recorded_by=doctor)
    ProblemFactory(patient=alice, code="I10", title="Essential hypertension", recorded_by=doctor)
    now = timezone.now()
    readings = [
        (148, 95, 88, 97),
        (142, 92, 84, 97),
        (138, 88, 80, 98),
        (131, 84, 76, 98),
        (126, 82, 72, 99),
    ]
    for days, (sys, dia, pulse, spo2) in zip(range(20, 0, -4), readings, strict=True):
        VitalSignsFactory(
            patient=alice,
            measured_at=now - timedelta(days=days),
            systolic_bp=sys,
            diastolic_bp=dia,
            pulse=pulse,
            spo2=spo2,
        )
    VisitNoteFactory(
        patient=alice,
        doctor=doctor,
        visit_date=now - timedelta(days=4),
        notes="Wheeze improving on the new inhaler.\n"
        "Blood pressure coming down; recheck in 4 weeks.",
    )
    DocumentFactory(patient=alice, original_name="chest-xray-report.pdf", uploaded_by=doctor)
    bob_user = UserFactory(username="bob", role=Role.PATIENT, first_name="Bob")
    bob = PatientFactory(user=bob_user, first_name="Bob", last_name="Brown")
    bobs_document = DocumentFactory(patient=bob, original_name="bob.pdf")
    return {"alice": alice, "doctor": doctor, "bobs_document": bobs_document}


def test_doctor_chart_then_patient_record_pages(portal, shoot, world, tmp_path):
    page = portal
    alice = world["alice"]

    # The doctor finds the patient and opens the chart.
    sign_in(page, "drokafor", TEST_PASSWORD)
    expect(page).to_have_url(re.compile(r"/workspace/$"))
    page.get_by_role("link", name="My patients").first.click()
    expect(page.get_by_test_id("patients")).to_contain_text("Adeyemi")
    shoot(page, "workspace-patients")
    page.get_by_role("searchbox").fill("adey")
    expect(page.get_by_test_id("patients").locator("tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Adeyemi, Alice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alice Adeyemi")
    expect(page.get_by_test_id("allergy-banner")).to_contain_text("Penicillin")
    expect(page.get_by_test_id("problems")).to_contain_text("Asthma")
    expect(page.get_by_test_id("vital-charts").locator("svg").first).to_be_visible()
    shoot(page, "workspace-chart")
    sign_out(page)

    # The patient sees their record.
    sign_in(page, "alice", TEST_PASSWORD)
    page.goto(page.base_url + "/portal/record/")
    expect(page.get_by_test_id("allergies")).to_contain_text("Penicillin")
    shoot(page, "portal-record")

    page.goto(page.base_url + "/portal/visits/")
    expect(page.get_by_test_id("visits")).to_contain_text("Wheeze improving")
    shoot(page, "portal-visits")

    page.goto(page.base_url + "/portal/documents/")
    upload = tmp_path / "my-blood-test.pdf"
    upload.write_bytes(PDF)
    page.get_by_label("File").set_input_files(str(upload))
    page.get_by_label("Type").select_option("lab")
    page.get_by_label("Description").fill("From my GP")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("my-blood-test.pdf was uploaded.")).to_be_visible()
    expect(page.get_by_test_id("documents")).to_contain_text("chest-xray-report.pdf")
    shoot(page, "portal-documents")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download chest-xray-report.pdf").click()
    assert download.value.suggested_filename == "chest-xray-report.pdf"

    page.goto(page.base_url + "/portal/access/")
    log = page.get_by_test_id("access-log")
    expect(log).to_contain_text("Doctor")
    expect(log).to_contain_text("Clinical record")
    shoot(page, "portal-access")
    sign_out(page)

    # Another patient cannot open Alice's pages.
    sign_in(page, "bob", TEST_PASSWORD)
    expect(page).to_have_url(re.compile(r"/portal/$"))
    document = alice.documents.first()
    response = page.goto(f"{page.base_url}/documents/{document.public_id}/download/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    response = page.goto(f"{page.base_url}/workspace/patients/{alice.public_id}/")
    assert response.status == 403
    shoot(page, "forbidden")
