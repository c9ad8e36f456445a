"""Reports: draft → final, a final report never edited, addenda as separate rows, and final
reports reaching the ordering doctor, the patient portal and the timeline."""

import pytest

from hms.core.models import Notification
from hms.core.roles import Role
from hms.radiology.models import ImagingReport
from hms.radiology.tests.conftest import dicom_bytes, upload_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def performed(order_for, portal_patient, upload):
    """An order of the portal patient with one image (in progress)."""
    order = order_for(portal_patient)
    assert upload(order["id"], dicom_bytes(patient_id=portal_patient.mrn)).status_code == 201
    return order


def reports_url(order):
    return f"/api/radiology/orders/{order['id']}/reports/"


class TestDraftAndFinal:
    def test_draft_edit_finalise(self, performed, radiologist, doctor_client, portal_patient):
        created = radiologist.post(reports_url(performed), {"findings": "No bleed."}, format="json")
        assert created.status_code == 201
        report = created.json()
        assert report["status"] == "draft" and report["kind"] == "report"
        url = f"/api/radiology/reports/{report['id']}/"
        # Drafts are not results: the ordering doctor does not see them yet.
        assert doctor_client.get(reports_url(performed)).json() == []
        assert doctor_client.get(url).status_code == 404
        order_url = f"/api/radiology/orders/{performed['id']}/"
        assert doctor_client.get(order_url).json()["report_status"] is None
        assert radiologist.get(order_url).json()["report_status"] == "draft"
        no_impression = radiologist.post(f"{url}finalize/")
        assert no_impression.status_code == 400
        assert no_impression.json()["code"] == "impression_required"
        edited = radiologist.patch(
            url,
            {"findings": "No intracranial haemorrhage.", "impression": "Normal CT head."},
            format="json",
        )
        assert edited.status_code == 200 and edited.json()["impression"] == "Normal CT head."
        final = radiologist.post(f"{url}finalize/")
        assert final.status_code == 200
        assert final.json()["status"] == "final" and final.json()["finalized_at"]
        assert final.json()["finalized_by"]["id"] == str(radiologist.user.public_id)
        order = doctor_client.get(f"/api/radiology/orders/{performed['id']}/").json()
        assert order["status"] == "reported" and order["report_status"] == "final"
        assert [r["id"] for r in order["reports"]] == [report["id"]]
        # Draft versions are kept.
        assert ImagingReport.objects.get(public_id=report["id"]).history.count() >= 3

    def test_a_final_report_is_never_edited(self, performed, radiologist):
        report = radiologist.post(
            reports_url(performed), {"findings": "F", "impression": "I"}, format="json"
        ).json()
        url = f"/api/radiology/reports/{report['id']}/"
        radiologist.post(f"{url}finalize/")
        for attempt in (
            radiologist.patch(url, {"impression": "Changed"}, format="json"),
            radiologist.post(f"{url}finalize/"),
            radiologist.put(
                "/api/radiology/update-result/",
                {"order": performed["id"], "impression": "Changed"},
                format="json",
            ),
        ):
            assert attempt.status_code == 409 and attempt.json()["code"] == "report_final"
        second = radiologist.post(reports_url(performed), {"findings": "x"}, format="json")
        assert second.status_code == 409
        stored = ImagingReport.objects.get(public_id=report["id"])
        assert (stored.findings, stored.impression) == ("F", "I")

    def test_addendum_is_a_separate_row_and_keeps_the_original(
        self, performed, radiologist, doctor_client, client_for, portal_patient
    ):
        report = radiologist.post(
            reports_url(performed),
            {"findings": "Clear lungs.", "impression": "Normal."},
            format="json",
        ).json()
        url = f"/api/radiology/reports/{report['id']}/"
        radiologist.post(f"{url}finalize/")
        addendum = radiologist.post(
            f"{url}addenda/",
            {
                "findings": "On review, a 4 mm nodule in the right upper lobe.",
                "impression": "Small nodule: follow-up CT in 12 months.",
                "finalize": True,
            },
            format="json",
        )
        assert addendum.status_code == 201
        body = addendum.json()
        assert body["kind"] == "addendum" and body["amends"] == report["id"]
        assert body["status"] == "final"
        original = ImagingReport.objects.get(public_id=report["id"])
        assert (original.findings, original.impression) == ("Clear lungs.", "Normal.")
        assert ImagingReport.objects.filter(order__public_id=performed["id"]).count() == 2
        listed = doctor_client.get(reports_url(performed)).json()
        assert [r["kind"] for r in listed] == ["report", "addendum"]
        # A final addendum is not edited either; another addendum can follow.
        patch = radiologist.patch(
            f"/api/radiology/reports/{body['id']}/", {"findings": "x"}, format="json"
        )
        assert patch.status_code == 409
        notes = Notification.objects.filter(recipient=doctor_client.user).order_by("created_at")
        assert [n.title.split(":")[0] for n in notes] == ["Report", "Addendum to the report"]

    def test_addendum_only_to_a_final_report(self, performed, radiologist):
        report = radiologist.post(reports_url(performed), {"findings": "F"}, format="json").json()
        response = radiologist.post(
            f"/api/radiology/reports/{report['id']}/addenda/", {"findings": "more"}, format="json"
        )
        assert response.status_code == 409 and response.json()["code"] == "report_not_final"

    def test_not_reportable_before_the_examination(self, order_for, portal_patient, radiologist):
        order = order_for(portal_patient)
        response = radiologist.post(reports_url(order), {"findings": "F"}, format="json")
        assert response.status_code == 409 and response.json()["code"] == "not_reportable"
        assert response.json()["message"] == (
            "An ordered order cannot be reported (the examination has not been performed)."
        )

    def test_only_radiologists_write_reports(
        self, performed, doctor_client, client_for, radiologist
    ):
        body = {"findings": "F", "impression": "I"}
        for client in (doctor_client, client_for(Role.NURSE), client_for(Role.PATIENT)):
            assert client.post(reports_url(performed), body, format="json").status_code == 403
        report = radiologist.post(reports_url(performed), body, format="json").json()
        url = f"/api/radiology/reports/{report['id']}/"
        assert doctor_client.post(f"{url}finalize/").status_code == 403
        assert doctor_client.patch(url, {"findings": "x"}, format="json").status_code == 403
        assert doctor_client.post(f"{url}addenda/", body, format="json").status_code == 403


class TestReachingPeople:
    def test_final_report_notifies_the_doctor_and_reaches_the_portal_and_timeline(
        self, performed, radiologist, doctor_client, client_for, portal_patient
    ):
        patient_client = client_for(Role.PATIENT, user=portal_patient.user)
        report = radiologist.post(
            reports_url(performed),
            {"findings": "Acute subdural haematoma.", "impression": "Acute SDH.", "critical": True},
            format="json",
        ).json()
        assert patient_client.get(reports_url(performed)).json() == []
        assert not Notification.objects.filter(recipient=doctor_client.user).exists()
        radiologist.post(f"/api/radiology/reports/{report['id']}/finalize/")

        note = Notification.objects.get(recipient=doctor_client.user)
        assert note.kind == "radiology_report_final" and note.severity == "critical"
        assert note.title.startswith("CRITICAL") and portal_patient.mrn in note.title
        assert note.link == f"/api/radiology/orders/{performed['id']}/"
        assert doctor_client.get("/api/notifications/").json()["count"] == 1
        assert (
            Notification.objects.get(recipient=portal_patient.user).kind == "radiology_report_ready"
        )

        portal = patient_client.get(reports_url(performed)).json()
        assert [r["impression"] for r in portal] == ["Acute SDH."]
        timeline = patient_client.get(f"/api/patients/{portal_patient.public_id}/timeline/").json()
        types = [entry["type"] for entry in timeline["results"]]
        assert "imaging_report" in types and "imaging_order" in types
        entry = next(e for e in timeline["results"] if e["type"] == "imaging_report")
        assert entry["summary"] == "Acute SDH." and entry["detail"]["critical"] is True

    def test_the_ordering_doctor_has_the_patient_in_care(self, client_for, patient, ct_head):
        from hms.patients.access import user_has_care_relationship

        reception = client_for(Role.RECEPTIONIST)
        doctor = client_for(Role.DOCTOR)
        assert not user_has_care_relationship(user=doctor.user, patient=patient)
        created = reception.post(
            "/api/radiology/request/",
            {
                "patient": str(patient.public_id),
                "procedure": str(ct_head.public_id),
                "clinical_indication": "Headache",
                "ordering_doctor": str(doctor.user.public_id),
            },
            format="json",
        ).json()
        assert user_has_care_relationship(user=doctor.user, patient=patient)
        assert doctor.get(f"/api/radiology/orders/{created['id']}/").status_code == 200


class TestCompatibilityUpdateResult:
    def test_one_call_uploads_writes_and_signs(
        self, order_for, patient, radiologist, doctor_client
    ):
        order = order_for(patient)
        response = radiologist.put(
            "/api/radiology/update-result/",
            {
                "order": order["id"],
                "file": [upload_file(dicom_bytes(patient_id=patient.mrn))],
                "findings": "Normal appearances.",
                "impression": "No acute abnormality.",
                "finalize": "true",
            },
            format="multipart",
        )
        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["status"] == "reported" and body["image_count"] == 1
        assert body["reports"][0]["status"] == "final"
        assert Notification.objects.filter(recipient=doctor_client.user).count() == 1

    def test_all_or_nothing(self, order_for, patient, radiologist, media_root):
        from hms.radiology.tests.conftest import stored_files

        order = order_for(patient)
        # A good image with a report missing its impression: signing fails, nothing is kept.
        response = radiologist.put(
            "/api/radiology/update-result/",
            {
                "order": order["id"],
                "file": [upload_file(dicom_bytes(patient_id=patient.mrn))],
                "findings": "Normal.",
                "finalize": "true",
            },
            format="multipart",
        )
        assert response.status_code == 400 and response.json()["code"] == "impression_required"
        assert not ImagingReport.objects.exists()
        assert stored_files(media_root) == []
        mismatch = radiologist.put(
            "/api/radiology/update-result/",
            {"order": order["id"], "file": [upload_file(dicom_bytes(patient_id="H0000"))]},
            format="multipart",
        )
        assert mismatch.status_code == 400 and mismatch.json()["code"] == "patient_mismatch"
        nothing = radiologist.put(
            "/api/radiology/update-result/", {"order": order["id"]}, format="json"
        )
        assert nothing.status_code == 400 and nothing.json()["code"] == "nothing_to_update"

    def test_only_radiologists_update_results(self, order_for, patient, doctor_client, client_for):
        order = order_for(patient)
        body = {"order": order["id"], "findings": "x"}
        for client in (doctor_client, client_for(Role.LAB_TECHNICIAN), client_for(Role.PATIENT)):
            response = client.put("/api/radiology/update-result/", body, format="json")
            assert response.status_code == 403
