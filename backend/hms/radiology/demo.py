"""Demo radiology: a reported CT chest (with its image, pydicom's shipped CT_small.dcm given the
portal patient's MRN) and a few open orders on the radiologist's worklist.

CT_small.dcm is one axial CT slice through the mid thorax in a bone window: a thoracic
vertebra with its spinal canal, the descending aorta beside it and lung at the edges. The
order and report describe that study (a low-dose chest CT after a fall), so what the viewer
shows is what the report reads."""

import io

import pydicom
from django.core.files.uploadedfile import SimpleUploadedFile
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid

from hms.accounts.models import User
from hms.core.demo import register_demo_loader
from hms.core.roles import Role
from hms.patients.models import Patient
from hms.radiology import services
from hms.radiology.models import ImagingOrder, ImagingProcedure

CHEST_CT = "CT-CHEST-WO"
CHEST_CT_NAME = "CT chest without contrast"


def _demo_dicom(*, patient_id: str):
    """pydicom's shipped CT test image (works offline) with the demo patient's MRN."""

    dataset = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    dataset.PatientID = patient_id
    dataset.BodyPartExamined = "CHEST"
    dataset.StudyDescription = CHEST_CT_NAME
    dataset.SOPInstanceUID = generate_uid()
    dataset.file_meta.MediaStorageSOPInstanceUID = dataset.SOPInstanceUID
    buffer = io.BytesIO()
    dataset.save_as(buffer, enforce_file_format=True)
    return SimpleUploadedFile("ct_chest.dcm", buffer.getvalue(), "application/dicom")


@register_demo_loader(order=55, name="radiology")
def load_demo_radiology() -> str:
    doctor = User.objects.get(username="doctor", role=Role.DOCTOR)
    radiologist = User.objects.get(username="radiologist", role=Role.RADIOLOGIST)
    receptionist = User.objects.get(username="receptionist")
    if ImagingOrder.objects.filter(ordering_doctor=doctor).exists():
        return "already present"
    portal = Patient.objects.filter(user__username="patient").first()
    others = list(Patient.objects.exclude(user__username="patient").order_by("id")[:3])
    procedure = {p.code: p for p in ImagingProcedure.objects.all()}

    reported = 0
    if portal is not None:
        order = services.imaging_order_create(
            actor=doctor,
            patient=portal,
            procedure=procedure[CHEST_CT],
            priority="urgent",
            clinical_indication=(
                "Fell from a ladder two days ago; mid-back pain and pain on deep breathing."
            ),
        )
        services.imaging_images_upload(
            actor=radiologist, order=order, files=[_demo_dicom(patient_id=portal.mrn)]
        )
        services.imaging_order_complete(actor=radiologist, order=order)
        report = services.imaging_report_create(
            actor=radiologist,
            order=order,
            findings=(
                "Axial images through the mid thorax, reviewed in bone and lung windows. The "
                "thoracic vertebral body, pedicles, laminae and spinous process are intact, "
                "with normal alignment and no fracture. The spinal canal is of normal calibre. "
                "The descending aorta is of normal calibre. No rib fracture, pneumothorax or "
                "pleural effusion; the visualised lungs are clear."
            ),
            impression="No fracture of the thoracic spine or ribs; no pneumothorax.",
        )
        services.imaging_report_finalize(actor=radiologist, report=report)
        reported += 1

    waiting = 0
    for patient, code, priority, indication in zip(
        others,
        ("XR-CHEST-PA-LAT", "US-ABD", "MR-LSPINE-WO"),
        ("stat", "routine", "routine"),
        (
            "Fever and productive cough; crackles at the right base.",
            "Right upper quadrant pain after meals.",
            "Low back pain radiating to the left leg for six weeks.",
        ),
        strict=False,
    ):
        services.imaging_order_create(
            actor=receptionist if priority == "routine" else doctor,
            ordering_doctor=doctor,
            patient=patient,
            procedure=procedure[code],
            priority=priority,
            clinical_indication=indication,
        )
        waiting += 1
    return f"{reported} reported study, {waiting} order(s) on the worklist"
