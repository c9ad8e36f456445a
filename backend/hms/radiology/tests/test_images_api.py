"""DICOM upload: real files from pydicom's test data, the patient check, refusals that store
nothing, and images served only through authorised, audited endpoints."""

import io

import numpy as np
import pytest
from PIL import Image

from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.patients.tests.factories import PatientFactory
from hms.radiology.models import ImagingImage, ImagingOrder
from hms.radiology.tests.conftest import dicom_bytes, stored_files

pytestmark = pytest.mark.django_db


class TestUpload:
    def test_a_real_ct_is_stored_with_metadata_and_a_windowed_preview(
        self, order_for, patient, upload, radiologist, media_root
    ):
        order = order_for(patient)
        response = upload(order["id"], dicom_bytes(patient_id=patient.mrn, sop_uid="1.2.826.0.1.7"))
        assert response.status_code == 201, response.json()
        (image,) = response.json()
        assert image["sop_instance_uid"] == "1.2.826.0.1.7"
        assert image["study_instance_uid"].startswith("1.3.6.1.4.1.5962")
        assert image["series_instance_uid"] and image["modality"] == "CT"
        assert image["study_date"] == "2004-01-19" and (image["rows"], image["columns"]) == (
            128,
            128,
        )
        assert image["window_source"] == "computed" and image["window_width"] > 0
        assert len(image["sha256"]) == 64 and image["preview_url"].endswith("/preview/")
        # The order moved on: images arriving mean the examination was performed.
        detail = radiologist.get(f"/api/radiology/orders/{order['id']}/").json()
        assert detail["status"] == "in_progress" and detail["image_count"] == 1
        assert [i["id"] for i in detail["images"]] == [image["id"]]
        # Stored under MEDIA_ROOT: the DICOM original and the PNG preview.
        assert {p.suffix for p in stored_files(media_root)} == {".dcm", ".png"}

        preview = radiologist.get(image["preview_url"])
        assert preview.status_code == 200 and preview["Content-Type"] == "image/png"
        png = b"".join(preview.streaming_content)
        picture = Image.open(io.BytesIO(png))
        assert picture.format == "PNG" and picture.size == (128, 128)
        assert len(np.unique(np.asarray(picture))) > 50  # a real picture, not a blank
        assert preview["Cache-Control"] == "private, no-store"

        original = radiologist.get(image["dicom_url"])
        assert original.status_code == 200 and original["Content-Type"] == "application/dicom"
        assert "attachment" in original["Content-Disposition"]
        served = AuditEvent.objects.filter(resource_type="imaging_image", action="read")
        assert sorted(e.detail["served"] for e in served) == ["dicom", "preview"]

    def test_several_files_in_one_request(self, order_for, patient, upload):
        order = order_for(patient, procedure=None)
        response = upload(
            order["id"],
            dicom_bytes(patient_id=patient.mrn, InstanceNumber=2),
            dicom_bytes(patient_id=patient.mrn, InstanceNumber=1),
        )
        assert response.status_code == 201 and len(response.json()) == 2
        assert ImagingImage.objects.count() == 2

    def test_patient_mismatch_is_refused_and_nothing_is_stored(
        self, order_for, patient, upload, media_root
    ):
        order = order_for(patient)
        response = upload(
            order["id"],
            dicom_bytes(patient_id=patient.mrn),  # a good file first: it is rolled back too
            dicom_bytes(patient_id="H999999999"),
        )
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "patient_mismatch" and "file" in body["fields"]
        assert body["extra"] == {"file_patient_id": "H999999999", "order_mrn": patient.mrn}
        assert not ImagingImage.objects.exists()
        assert stored_files(media_root) == []
        assert ImagingOrder.objects.get(public_id=order["id"]).status == "ordered"

    @pytest.mark.parametrize(
        ("content", "code"),
        [
            (b"%PDF-1.4\n%%EOF", "not_dicom"),
            (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "not_dicom"),
            (b"\x00" * 128 + b"DICM" + b"\x02\x00\x10\x00UI\xff\xff", "invalid_dicom"),
        ],
        ids=["pdf", "png", "corrupt-header"],
    )
    def test_non_dicom_or_corrupt_files_answer_400(
        self, order_for, patient, upload, media_root, content, code
    ):
        order = order_for(patient)
        response = upload(order["id"], content)
        assert response.status_code == 400
        assert response.json()["code"] == code
        assert not ImagingImage.objects.exists() and stored_files(media_root) == []

    def test_truncated_pixel_data_answers_400(self, order_for, patient, upload, media_root):
        order = order_for(patient)
        content = dicom_bytes(patient_id=patient.mrn)
        response = upload(order["id"], content[:-5000])
        assert response.status_code == 400 and response.json()["code"] == "invalid_dicom"
        assert stored_files(media_root) == []

    def test_wrong_modality_and_duplicates(self, order_for, patient, upload):
        order = order_for(patient)
        mr = upload(order["id"], dicom_bytes(patient_id=patient.mrn, name="MR_small.dcm"))
        assert mr.status_code == 400 and mr.json()["code"] == "modality_mismatch"
        content = dicom_bytes(patient_id=patient.mrn, sop_uid="1.2.3.99")
        assert upload(order["id"], content).status_code == 201
        again = upload(order["id"], content)
        assert again.status_code == 409 and again.json()["code"] == "duplicate_instance"

    def test_no_file_and_closed_orders(self, order_for, patient, radiologist, upload):
        order = order_for(patient)
        url = f"/api/radiology/orders/{order['id']}/images/"
        empty = radiologist.post(url, {}, format="multipart")
        assert empty.status_code == 400 and empty.json()["code"] == "file_required"
        radiologist.post(f"/api/radiology/orders/{order['id']}/cancel/", {"reason": "Not needed"})
        closed = upload(order["id"], dicom_bytes(patient_id=patient.mrn))
        assert closed.status_code == 409 and closed.json()["code"] == "invalid_status"

    def test_too_large_answers_413(self, order_for, patient, upload, settings):
        settings.RADIOLOGY_MAX_UPLOAD_MB = 0.01  # 10 kB; CT_small is 39 kB
        order = order_for(patient)
        response = upload(order["id"], dicom_bytes(patient_id=patient.mrn))
        assert response.status_code == 413 and response.json()["code"] == "file_too_large"


class TestWhoSeesImages:
    def test_upload_is_for_radiologists(
        self, order_for, patient, doctor_client, client_for, upload
    ):
        order = order_for(patient)
        content = dicom_bytes(patient_id=patient.mrn)
        for client in (doctor_client, client_for(Role.NURSE), client_for(Role.RECEPTIONIST)):
            assert upload(order["id"], content, client=client).status_code == 403

    def test_patient_sees_images_once_the_report_is_final(
        self, order_for, portal_patient, upload, radiologist, client_for
    ):
        order = order_for(portal_patient)
        (image,) = upload(order["id"], dicom_bytes(patient_id=portal_patient.mrn)).json()
        client = client_for(Role.PATIENT, user=portal_patient.user)
        assert client.get(image["preview_url"]).status_code == 404
        assert client.get(f"/api/radiology/orders/{order['id']}/images/").json()["count"] == 0
        radiologist.put(
            "/api/radiology/update-result/",
            {
                "order": order["id"],
                "findings": "Normal.",
                "impression": "Normal.",
                "finalize": True,
            },
            format="json",
        )
        assert client.get(image["preview_url"]).status_code == 200
        assert client.get(f"/api/radiology/orders/{order['id']}/images/").json()["count"] == 1
        # Another patient never reaches it.
        stranger = client_for(Role.PATIENT, user=PatientFactory(user=None).user)
        other = client_for(Role.PATIENT)
        assert other.get(image["preview_url"]).status_code == 404
        assert other.get(image["dicom_url"]).status_code == 404
        assert stranger.get(image["preview_url"]).status_code == 404

    def test_clinicians_need_the_patient_in_care(
        self, order_for, patient, upload, doctor_client, client_for
    ):
        order = order_for(patient)
        (image,) = upload(order["id"], dicom_bytes(patient_id=patient.mrn)).json()
        assert doctor_client.get(image["preview_url"]).status_code == 200
        stranger = client_for(Role.DOCTOR).get(image["preview_url"])
        assert stranger.status_code == 403 and stranger.json()["code"] == "break_glass_required"
        for role in (Role.RECEPTIONIST, Role.PHARMACIST, Role.ADMIN):
            assert client_for(role).get(image["preview_url"]).status_code == 403
        denied = AuditEvent.objects.filter(outcome="denied", resource_type="orders")
        assert denied.exists()
