"""The printed prescription: header, every drug with its dose, route, frequency and duration,
the prescriber and a signature line, the patient on every page; who may print it; audited."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hms.accounts.models import DoctorProfile
from hms.core.models import AuditAction, AuditEvent
from hms.core.roles import Role
from hms.core.tests.printed import assert_patient_document, pdf_pages
from hms.core.tests.query_budget import AUDIT_WRITE
from hms.patients.tests.factories import PatientFactory
from hms.pharmacy.models import Prescription, PrescriptionItem
from hms.pharmacy.pdf import prescription_reference
from hms.pharmacy.tests.factories import DrugFactory

pytestmark = pytest.mark.django_db
WRITTEN = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(WRITTEN, tick=False):
        yield


def _prescription(patient, doctor, drugs: int = 2, name: str = "Amoxicillin") -> Prescription:
    prescription = Prescription.objects.create(
        patient=patient, prescriber=doctor, prescribed_at=WRITTEN, note="Review in one week."
    )
    for n in range(drugs):
        PrescriptionItem.objects.create(
            prescription=prescription,
            drug=DrugFactory(generic_name=f"{name}{n:02d}", strength="500 mg"),
            dose=Decimal("500"),
            dose_unit="mg",
            route="oral",
            frequency="tds",
            duration_days=7,
            quantity=21,
            instructions="After food",
            start_date=date(2027, 3, 1),
        )
    return prescription


def test_prescription_pdf_prints_drugs_prescriber_and_patient_on_every_page(
    settings, doctor, patient, doctor_client
):
    settings.HOSPITAL_NAME = "St Luke Mission Hospital"
    DoctorProfile.objects.update_or_create(
        user=doctor, defaults={"specialization": "Family medicine", "license_number": "MD-4471"}
    )
    prescription = _prescription(patient, doctor, drugs=45)  # long enough for three pages

    response = doctor_client.get(f"/api/pharmacy/prescriptions/{prescription.public_id}/pdf/")
    pages = pdf_pages(response)

    assert len(pages) >= 2
    assert_patient_document(pages, patient, hospital="St Luke Mission Hospital")
    text = " ".join(" ".join(pages).split())
    assert f"Prescription {prescription_reference(prescription)}" in pages[0]
    for n in (0, 22, 44):
        assert f"Amoxicillin{n:02d} 500 mg" in text
    assert "500 mg" in text and "By mouth" in text and "Three times a day" in text
    assert "7 days" in text and "After food" in text
    assert "Prescriber: Grace Okafor (licence MD-4471)" in " ".join(pages[-1].split())
    assert "Signature:" in pages[-1]
    assert "Review in one week." in text
    assert 'attachment; filename="prescription-' in response["Content-Disposition"]


def test_printing_is_audited_as_an_export(doctor, patient, doctor_client):
    prescription = _prescription(patient, doctor)
    doctor_client.get(f"/api/pharmacy/prescriptions/{prescription.public_id}/pdf/")
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == doctor
    assert event.resource_type == "prescription"
    assert event.object_id == str(prescription.public_id)
    assert event.patient_id == str(patient.public_id)


def test_pharmacist_prints_any_prescription(doctor, patient, pharmacist_client):
    prescription = _prescription(patient, doctor)
    response = pharmacist_client.get(f"/api/pharmacy/prescriptions/{prescription.public_id}/pdf/")
    assert response.status_code == 200


def test_another_patient_gets_404_and_the_front_desk_403(doctor, patient, client_for):
    prescription = _prescription(patient, doctor)
    url = f"/api/pharmacy/prescriptions/{prescription.public_id}/pdf/"
    someone = PatientFactory(user=client_for(Role.PATIENT).user)
    outsider = client_for(Role.PATIENT, user=someone.user)
    assert outsider.get(url).status_code == 404
    assert client_for(Role.RECEPTIONIST).get(url).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_own_prescription_prints_for_the_patient(doctor, patient, client_for, make_user):
    patient.user = make_user(Role.PATIENT)
    patient.save()
    prescription = _prescription(patient, doctor)
    me = client_for(Role.PATIENT, user=patient.user)
    assert me.get(f"/api/pharmacy/prescriptions/{prescription.public_id}/pdf/").status_code == 200


def _pdf_queries(client, prescription) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/api/pharmacy/prescriptions/{prescription.public_id}/pdf/")
        assert response.status_code == 200
    return len(captured)


def test_query_count_does_not_grow_with_the_drugs(doctor, patient, doctor_client):
    # Queries: the prescription with patient, prescriber, encounter (1); its items with their
    # drugs and stock on hand (1); the patient's chart opened: the patient (1), the care
    # relationship check (1) and the read's audit event (AUDIT_WRITE); the prescriber's
    # directory entry for the licence number (1); the print's audit event (AUDIT_WRITE).
    one = _prescription(patient, doctor, drugs=1, name="Cefalexin")
    many = _prescription(patient, doctor, drugs=25, name="Doxycycline")
    _pdf_queries(doctor_client, one)  # the first audit event creates the chain's head row
    assert _pdf_queries(doctor_client, one) == 4 + 1 + 2 * AUDIT_WRITE
    assert _pdf_queries(doctor_client, many) == 4 + 1 + 2 * AUDIT_WRITE
