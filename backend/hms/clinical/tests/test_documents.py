"""Documents: content-sniffed uploads, size limit, private storage, audited downloads."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import encode_multipart

from hms.accounts.tests.factories import UserFactory
from hms.clinical.models import Document
from hms.clinical.tests.factories import DocumentFactory, VisitNoteFactory
from hms.clinical.tests.files import DICOM, ELF, JPEG, PDF, PNG, WINDOWS_EXE
from hms.core.models import AuditEvent
from hms.core.roles import Role

pytestmark = pytest.mark.django_db


def upload(client, content, name="report.pdf", **fields):
    return client.post(
        "/api/documents/",
        {"file": SimpleUploadedFile(name, content), "doc_type": "lab", **fields},
        format="multipart",
    )


def stored_files(media_root):
    return [path for path in media_root.rglob("*") if path.is_file()] if media_root.exists() else []


class TestUpload:
    @pytest.mark.parametrize(
        ("content", "name", "content_type", "stored_name"),
        [
            (PDF, "report.pdf", "application/pdf", "report.pdf"),
            (PNG, "photo.png", "image/png", "photo.png"),
            (JPEG, "xray.jpeg", "image/jpeg", "xray.jpeg"),
            (DICOM, "ct.dcm", "application/dicom", "ct.dcm"),
            (PNG, "actually-a-png.pdf", "image/png", "actually-a-png.png"),
        ],
    )
    def test_type_comes_from_the_content(
        self, as_user, doctor, patient, media_root, content, name, content_type, stored_name
    ):
        response = upload(as_user(doctor), content, name, patient=str(patient.public_id))
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["content_type"] == content_type
        assert body["original_name"] == stored_name
        assert body["sha256"] == hashlib.sha256(content).hexdigest()
        assert body["size"] == len(content)
        # stored under MEDIA_ROOT with a random name, never the client's
        (path,) = stored_files(media_root)
        assert path.read_bytes() == content and name not in path.name

    @pytest.mark.parametrize("content", [ELF, WINDOWS_EXE, b"#!/bin/sh\nrm -rf /\n", b""])
    def test_pdf_that_is_an_executable_is_400(self, as_user, doctor, patient, media_root, content):
        response = upload(as_user(doctor), content, "invoice.pdf", patient=str(patient.public_id))
        assert response.status_code == 400
        body = response.json()
        assert body["code"] in {"unsupported_file_type", "validation_error"}
        assert "file" in body.get("fields", {}) or body["code"] == "unsupported_file_type"
        assert not Document.all_objects.exists() and stored_files(media_root) == []

    def test_executable_is_named_in_the_message(self, as_user, doctor, patient):
        response = upload(as_user(doctor), ELF, "scan.pdf", patient=str(patient.public_id))
        assert response.json()["code"] == "unsupported_file_type"
        assert "ELF executable" in response.json()["message"]

    def test_oversized_upload_is_413(self, as_user, doctor, patient, settings, media_root):
        settings.DOCUMENT_MAX_UPLOAD_MB = 1
        big = PDF + b"0" * (1024 * 1024)
        response = upload(as_user(doctor), big, patient=str(patient.public_id))
        assert response.status_code == 413
        body = response.json()
        assert body["code"] == "file_too_large" and body["extra"]["max_upload_mb"] == 1
        assert set(body) >= {"status", "message", "request_id"}
        assert not Document.all_objects.exists() and stored_files(media_root) == []

    def test_declared_length_over_the_limit_is_refused_before_reading(
        self, as_user, doctor, patient, settings
    ):
        settings.DOCUMENT_MAX_UPLOAD_MB = 1
        payload = encode_multipart(
            "BoUnDaRy",
            {
                "file": SimpleUploadedFile("a.pdf", PDF + b"0" * (3 * 1024 * 1024)),
                "doc_type": "lab",
            },
        )
        response = as_user(doctor).generic(
            "POST", "/api/documents/", payload, "multipart/form-data; boundary=BoUnDaRy"
        )
        assert response.status_code == 413

    def test_limit_is_configurable(self, as_user, doctor, patient, settings):
        settings.DOCUMENT_MAX_UPLOAD_MB = 3
        response = upload(
            as_user(doctor), PDF + b"0" * (2 * 1024 * 1024), patient=str(patient.public_id)
        )
        assert response.status_code == 201

    def test_patient_uploads_to_own_chart(self, as_user, patient):
        response = upload(as_user(patient.user), PDF, "referral.pdf")
        assert response.status_code == 201, response.json()
        assert response.json()["patient"] == str(patient.public_id)

    def test_patient_cannot_upload_to_another_chart(self, as_user, patient, other_patient):
        response = upload(as_user(patient.user), PDF, patient=str(other_patient.public_id))
        assert response.status_code == 404

    def test_staff_must_name_the_patient(self, as_user, doctor):
        response = upload(as_user(doctor), PDF)
        assert response.status_code == 400 and "patient" in response.json()["fields"]

    def test_json_without_a_file_is_400(self, as_user, doctor, patient):
        response = as_user(doctor).post(
            "/api/documents/", {"patient": str(patient.public_id), "doc_type": "lab"}
        )
        assert response.status_code == 400 and "file" in response.json()["fields"]

    def test_visit_note_prescription_file_is_checked_like_a_document(
        self, as_user, doctor, patient
    ):
        client = as_user(doctor)
        spoofed = client.post(
            "/api/visitnotes/",
            {
                "patient": str(patient.public_id),
                "notes": "Amoxicillin",
                "prescription": SimpleUploadedFile("rx.pdf", WINDOWS_EXE),
            },
            format="multipart",
        )
        assert spoofed.status_code == 400 and spoofed.json()["code"] == "unsupported_file_type"
        response = client.post(
            "/api/visitnotes/",
            {
                "patient": str(patient.public_id),
                "notes": "Amoxicillin 500 mg tds x 5 days",
                "prescription": SimpleUploadedFile("rx.pdf", PDF),
            },
            format="multipart",
        )
        assert response.status_code == 201, response.json()
        prescription = response.json()["prescription"]
        assert prescription["content_type"] == "application/pdf"
        download = client.get(prescription["download_url"])
        assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
        document = Document.objects.get(public_id=prescription["id"])
        assert document.doc_type == "prescription"

    @pytest.mark.parametrize("method", ["create", "update"])
    def test_a_note_that_fails_after_its_file_was_stored_leaves_no_file(
        self, doctor, patient, media_root, monkeypatch, method
    ):
        from hms.clinical import services
        from hms.clinical.models import VisitNote
        from hms.clinical.services import notes

        note = VisitNoteFactory(patient=patient, doctor=doctor) if method == "update" else None
        original_audit = notes.record_audit

        def fail_on_the_note(*, record, **kwargs):
            if isinstance(record, VisitNote):
                raise RuntimeError("the database went away")
            return original_audit(record=record, **kwargs)

        monkeypatch.setattr(notes, "record_audit", fail_on_the_note)
        upload = SimpleUploadedFile("rx.pdf", PDF)
        with pytest.raises(RuntimeError):
            if note is None:
                services.visit_note_create(
                    actor=doctor, patient=patient, notes="Amoxicillin", prescription_file=upload
                )
            else:
                services.visit_note_update(
                    actor=doctor, note=note, notes="Amoxicillin", prescription_file=upload
                )
        assert not Document.objects.exists()
        stored = [path for path in media_root.rglob("*") if path.is_file()]
        assert stored == []

    def test_replacing_a_prescription_voids_the_old_file(self, as_user, doctor, patient):
        client = as_user(doctor)
        old = DocumentFactory(patient=patient, doc_type="prescription")
        note = VisitNoteFactory(patient=patient, doctor=doctor, prescription=old)
        response = client.patch(
            f"/api/visitnotes/{note.public_id}/",
            {"prescription": SimpleUploadedFile("new.png", PNG)},
            format="multipart",
        )
        assert response.status_code == 200, response.json()
        assert response.json()["prescription"]["id"] != str(old.public_id)
        old.refresh_from_db()
        assert old.is_voided and "Replaced" in old.void_reason


class TestDownload:
    def test_download_streams_the_file_and_is_audited(self, as_user, doctor, patient):
        document = DocumentFactory(patient=patient, original_name="blood count.pdf")
        response = as_user(doctor).get(f"/api/documents/{document.public_id}/download/")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment")
        assert 'filename="blood count.pdf"' in response["Content-Disposition"]
        event = AuditEvent.objects.filter(
            resource_type="document", object_id=str(document.public_id), action="read"
        ).get()
        assert event.detail["download"] is True and event.actor == doctor
        assert event.patient_id == str(patient.public_id)

    def test_inline_view_for_pdf(self, as_user, doctor, patient):
        document = DocumentFactory(patient=patient)
        response = as_user(doctor).get(
            f"/api/documents/{document.public_id}/download/", {"inline": "1"}
        )
        assert response["Content-Disposition"].startswith("inline")

    def test_patient_downloads_own_document(self, as_user, patient):
        document = DocumentFactory(patient=patient)
        response = as_user(patient.user).get(f"/api/documents/{document.public_id}/download/")
        assert response.status_code == 200

    def test_another_patients_document_is_404(self, as_user, patient, other_patient):
        document = DocumentFactory(patient=other_patient)
        client = as_user(patient.user)
        assert client.get(f"/api/documents/{document.public_id}/download/").status_code == 404
        assert client.get(f"/api/documents/{document.public_id}/").status_code == 404
        denied = AuditEvent.objects.filter(outcome="denied", actor=patient.user)
        assert denied.exists()  # the attempt itself is recorded
        assert not AuditEvent.objects.filter(resource_type="document", action="read").exists()

    def test_doctor_outside_care_needs_break_the_glass(self, as_user, other_patient):
        document = DocumentFactory(patient=other_patient)
        response = as_user(UserFactory(role=Role.DOCTOR)).get(
            f"/api/documents/{document.public_id}/download/"
        )
        assert response.status_code == 403 and response.json()["code"] == "break_glass_required"

    @pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.ACCOUNTANT, Role.PHARMACIST])
    def test_roles_without_the_documents_section_are_403(self, as_user, patient, role):
        document = DocumentFactory(patient=patient)
        response = as_user(UserFactory(role=role)).get(
            f"/api/documents/{document.public_id}/download/"
        )
        assert response.status_code == 403

    def test_missing_file_is_a_clear_404(self, as_user, doctor, patient):
        document = DocumentFactory(patient=patient)
        document.file.storage.delete(document.file.name)
        response = as_user(doctor).get(f"/api/documents/{document.public_id}/download/")
        assert response.status_code == 404 and response.json()["code"] == "file_missing"


class TestVoid:
    def test_documents_are_voided_not_deleted(self, as_user, doctor, patient, media_root):
        document = DocumentFactory(patient=patient)
        client = as_user(doctor)
        response = client.delete(
            f"/api/documents/{document.public_id}/", {"reason": "Other patient's scan"}
        )
        assert response.status_code == 200 and response.json()["voided"] is True
        assert Document.all_objects.filter(pk=document.pk).exists()
        assert len(stored_files(media_root)) == 1  # the file stays too
        listed = client.get("/api/documents/", {"patient": str(patient.public_id)}).json()
        assert listed["count"] == 0

    def test_patient_voids_only_own_uploads(self, as_user, doctor, patient):
        theirs = DocumentFactory(patient=patient, uploaded_by=doctor)
        own = DocumentFactory(patient=patient, uploaded_by=patient.user)
        client = as_user(patient.user)
        denied = client.post(f"/api/documents/{theirs.public_id}/void/", {"reason": "mine?"})
        assert denied.status_code == 403 and denied.json()["code"] == "not_your_upload"
        allowed = client.post(f"/api/documents/{own.public_id}/void/", {"reason": "Wrong file"})
        assert allowed.status_code == 200
