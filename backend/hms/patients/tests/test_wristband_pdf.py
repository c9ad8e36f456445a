"""The printed wristband: a small strip with the hospital, the patient's name, MRN, date of
birth, sex and allergy flag, and the MRN as a Code 128 barcode that a scanner decodes."""

from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm

from hms.core.models import AuditAction, AuditEvent
from hms.core.roles import Role
from hms.core.tests.printed import barcodes_in, pdf_page_image, pdf_pages
from hms.patients.models import AllergyStatus, Sex
from hms.patients.tests.factories import AllergyFactory, PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def amina(db):
    return PatientFactory(
        first_name="Amina", last_name="Yusuf", sex=Sex.FEMALE, date_of_birth=date(1984, 2, 29)
    )


def _url(patient) -> str:
    return f"/api/patients/{patient.public_id}/wristband/pdf/"


def test_wristband_barcode_decodes_to_the_mrn(settings, amina, reception):
    settings.HOSPITAL_NAME = "St Luke Mission Hospital"
    AllergyFactory(patient=amina, substance="Penicillin")

    response = reception.get(_url(amina))

    assert response.status_code == 200
    content = response.content
    (page,) = PdfReader(BytesIO(content)).pages
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width / mm), round(height / mm)) == (200, 28)  # a strip, not a sheet
    (text,) = pdf_pages(content)
    assert "St Luke Mission Hospital" in text
    assert "YUSUF, Amina" in text
    assert f"MRN {amina.mrn}" in text
    assert "DOB 1984-02-29" in text and "Sex Female" in text
    assert "ALLERGIES" in text
    assert barcodes_in(pdf_page_image(content)) == [("Code128", amina.mrn)]


def test_no_allergy_flag_without_active_allergies(amina, reception):
    AllergyFactory(
        patient=amina, substance="Latex", status=AllergyStatus.INACTIVE
    )  # resolved: no flag
    (text,) = pdf_pages(reception.get(_url(amina)))
    assert "ALLERGIES" not in text
    assert "No allergies recorded" in text


def test_printing_is_audited(amina, reception):
    reception.get(_url(amina))
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.resource_type, event.actor, event.patient_id) == (
        "wristband",
        reception.user,
        str(amina.public_id),
    )


def test_who_prints_wristbands(amina, client_for):
    assert client_for(Role.NURSE).get(_url(amina)).status_code == 200
    for role in (Role.DOCTOR, Role.PHARMACIST, Role.LAB_TECHNICIAN, Role.PATIENT):
        assert client_for(role).get(_url(amina)).status_code == 403
