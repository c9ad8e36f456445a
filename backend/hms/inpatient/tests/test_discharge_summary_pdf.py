"""The printed discharge summary: header, the stay, diagnoses, procedures, medications on
discharge and follow-up, the patient on every page; who may print it; audited."""

import pytest

from hms.core.models import AuditAction, AuditEvent
from hms.core.roles import Role
from hms.core.tests.printed import assert_patient_document, pdf_pages
from hms.inpatient.tests.conftest import SUMMARY

pytestmark = pytest.mark.django_db


def _url(admission_id) -> str:
    return f"/api/admissions/{admission_id}/discharge-summary/pdf/"


def test_discharge_summary_pdf_has_every_part_and_the_patient_on_every_page(
    settings, frozen_now, admitted, doctor_client, patient, doctor
):
    settings.HOSPITAL_NAME = "St Luke Mission Hospital"
    course = "\n".join(f"Day {n}: afebrile, oxygen weaned, mobilising." for n in range(1, 90))
    body = {**SUMMARY, "hospital_course": course}
    written = doctor_client.put(
        f"/api/admissions/{admitted['id']}/discharge-summary/", body, format="json"
    )
    assert written.status_code == 200, written.json()

    pages = pdf_pages(doctor_client.get(_url(admitted["id"])))

    assert len(pages) >= 2
    assert_patient_document(pages, patient, hospital="St Luke Mission Hospital")
    text = "\n".join(pages)
    assert "Discharge summary" in pages[0]
    assert "Community-acquired pneumonia" in text  # the reason for admission
    assert "J18.9" in text and "Chest X-ray" in text
    assert "Amoxicillin 500 mg capsule" in text
    assert "GP review in one week" in text
    assert "Day 89: afebrile" in text
    assert "Written by Grace Okafor" in text
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.resource_type, event.actor, event.patient_id) == (
        "discharge_summary",
        doctor,
        str(patient.public_id),
    )


def test_not_written_yet_is_404(admitted, doctor_client):
    response = doctor_client.get(_url(admitted["id"]))
    assert response.status_code == 404
    assert response.json()["code"] == "discharge_summary_not_found"


def test_roles_and_other_patients(admitted, doctor_client, reception, client_for):
    doctor_client.put(
        f"/api/admissions/{admitted['id']}/discharge-summary/", SUMMARY, format="json"
    )
    assert reception.get(_url(admitted["id"])).status_code == 403
    assert client_for(Role.PATIENT).get(_url(admitted["id"])).status_code == 404
    assert client_for(Role.DOCTOR).get(_url(admitted["id"])).status_code == 403  # not in care
