import io

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid

from hms.core.roles import Role
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory, PatientUserFactory
from hms.radiology.models import ImagingProcedure
from hms.radiology.tests.factories import ImagingProcedureFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test stores its files in its own folder (checked for orphans by some tests)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def dicom_bytes(
    *, patient_id: str, name: str = "CT_small.dcm", sop_uid: str | None = None, **changes
) -> bytes:
    """A real DICOM file shipped with pydicom, with its Patient ID (and a fresh SOP Instance
    UID, so several uploads do not collide) rewritten."""
    dataset = pydicom.dcmread(get_testdata_file(name))
    dataset.PatientID = patient_id
    dataset.SOPInstanceUID = sop_uid or generate_uid()
    dataset.file_meta.MediaStorageSOPInstanceUID = dataset.SOPInstanceUID
    for keyword, value in changes.items():
        setattr(dataset, keyword, value)
    buffer = io.BytesIO()
    dataset.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def upload_file(content: bytes, name: str = "image.dcm"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/dicom")


@pytest.fixture
def patient(db):
    return PatientFactory(first_name="Amina", last_name="Yusuf")


@pytest.fixture
def portal_patient(db):
    return PatientFactory(user=PatientUserFactory(), first_name="Pat", last_name="Portal")


@pytest.fixture
def doctor_client(client_for, patient, portal_patient):
    """A doctor with both test patients assigned to them (in their care)."""
    client = client_for(Role.DOCTOR)
    CareAssignmentFactory(patient=patient, doctor=client.user)
    CareAssignmentFactory(patient=portal_patient, doctor=client.user)
    return client


@pytest.fixture
def radiologist(client_for):
    return client_for(Role.RADIOLOGIST)


def procedure(code: str, modality: str = "ct", with_contrast: bool = False) -> ImagingProcedure:
    """A catalogue procedure (shipped by the data migration; made here if a transactional
    test flushed the catalogue)."""
    return ImagingProcedureFactory(
        code=code, name=code, modality=modality, with_contrast=with_contrast
    )


@pytest.fixture
def ct_head(db):
    return procedure("CT-HEAD-WO")


@pytest.fixture
def order_for(doctor_client, ct_head):
    """POST /api/radiology/request/ as the doctor; returns the JSON body."""

    def make(patient, *, procedure=None, client=None, **extra):
        body = {
            "patient": str(patient.public_id),
            "procedure": str((procedure or ct_head).public_id),
            "clinical_indication": "Fall with head strike, on anticoagulants",
            **extra,
        }
        response = (client or doctor_client).post("/api/radiology/request/", body, format="json")
        assert response.status_code == 201, response.json()
        return response.json()

    return make


@pytest.fixture
def upload(radiologist):
    """POST DICOM bytes to an order's images as the radiologist; returns the response."""

    def do(order_id, *contents: bytes, client=None, names=None):
        files = [
            upload_file(content, (names or [])[i] if names else f"img{i}.dcm")
            for i, content in enumerate(contents)
        ]
        return (client or radiologist).post(
            f"/api/radiology/orders/{order_id}/images/", {"file": files}, format="multipart"
        )

    return do
