"""Ordering, the worklist, the status flow and who may do each step."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.patients.tests.factories import AllergyFactory, PatientFactory
from hms.radiology.models import ImagingOrder, OrderStatus
from hms.radiology.tests.conftest import dicom_bytes, procedure
from hms.radiology.tests.factories import ImagingOrderFactory

pytestmark = pytest.mark.django_db


class TestCatalogue:
    def test_the_shipped_catalogue_covers_every_modality(self, radiologist):
        body = radiologist.get("/api/radiology/procedures/", {"page_size": 100}).json()
        assert body["count"] >= 30
        assert {row["modality"] for row in body["results"]} == {
            "xray",
            "ct",
            "mri",
            "us",
            "mammo",
            "fluoro",
        }
        ct = radiologist.get("/api/radiology/procedures/", {"modality": "ct", "q": "head"}).json()
        assert {row["code"] for row in ct["results"]} == {"CT-HEAD-WO", "CT-HEAD-W"}
        modalities = radiologist.get("/api/radiology/modalities/").json()
        assert {"code": "mri", "name": "MRI"} in modalities

    def test_admin_adds_and_deactivates_a_procedure(self, admin_client, client_for):
        created = admin_client.post(
            "/api/radiology/procedures/",
            {"code": "ct-sinus", "name": "CT sinuses", "modality": "ct", "body_part": "sinus"},
            format="json",
        )
        assert created.status_code == 201
        assert created.json()["code"] == "CT-SINUS" and created.json()["body_part"] == "SINUS"
        again = admin_client.post(
            "/api/radiology/procedures/",
            {"code": "CT-SINUS", "name": "x", "modality": "ct"},
            format="json",
        )
        assert again.status_code == 409
        url = f"/api/radiology/procedures/{created.json()['id']}/"
        assert admin_client.patch(url, {"active": False}, format="json").json()["active"] is False
        doctor = client_for(Role.DOCTOR)
        listed = doctor.get("/api/radiology/procedures/", {"q": "sinus"}).json()
        assert listed["count"] == 0
        assert doctor.patch(url, {"active": True}, format="json").status_code == 403


class TestRequest:
    def test_doctor_requests_a_scan_through_both_compatibility_routes(
        self, doctor_client, patient, ct_head
    ):
        body = {
            "patient": str(patient.public_id),
            "procedure": str(ct_head.public_id),
            "clinical_indication": "Sudden severe headache",
            "priority": "stat",
        }
        first = doctor_client.post("/api/radiology/request/", body, format="json")
        second = doctor_client.post("/api/patients/request-radiology/", body, format="json")
        assert first.status_code == second.status_code == 201
        order = first.json()
        assert order["status"] == "ordered" and order["priority"] == "stat"
        assert order["modality"] == "ct" and order["procedure"]["code"] == "CT-HEAD-WO"
        assert order["ordering_doctor"]["id"] == str(doctor_client.user.public_id)
        assert order["patient"]["mrn"] == patient.mrn
        assert order["accession_number"].startswith("R") and len(order["accession_number"]) == 13
        assert first.json()["accession_number"] != second.json()["accession_number"]
        assert AuditEvent.objects.filter(
            resource_type="imaging_order", action="create", object_id=order["id"]
        ).exists()

    def test_receptionist_names_the_ordering_doctor(
        self, client_for, patient, doctor_client, ct_head
    ):
        reception = client_for(Role.RECEPTIONIST)
        body = {
            "patient": str(patient.public_id),
            "procedure": str(ct_head.public_id),
            "clinical_indication": "Referred for headache",
        }
        missing = reception.post("/api/radiology/request/", body, format="json")
        assert missing.status_code == 400 and missing.json()["code"] == "ordering_doctor_required"
        body["ordering_doctor"] = str(doctor_client.user.public_id)
        created = reception.post("/api/radiology/request/", body, format="json")
        assert created.status_code == 201
        assert created.json()["requested_by"]["id"] == str(reception.user.public_id)
        assert created.json()["ordering_doctor"]["id"] == str(doctor_client.user.public_id)
        body["ordering_doctor"] = str(reception.user.public_id)
        not_doctor = reception.post("/api/radiology/request/", body, format="json")
        assert not_doctor.status_code == 400
        assert not_doctor.json()["fields"] == {"ordering_doctor": ["No doctor with this id."]}

    def test_a_non_doctor_named_as_ordering_doctor_is_refused_when_the_request_is_read(
        self, client_for, patient, ct_head, make_user
    ):
        """The named doctor is looked up as an active doctor (as the lab does), so a nurse named
        as the ordering doctor is refused before anything else about the order is considered."""
        reception = client_for(Role.RECEPTIONIST)
        inactive_doctor = make_user(Role.DOCTOR, is_active=False)
        for not_a_doctor in (make_user(Role.NURSE), inactive_doctor):
            response = reception.post(
                "/api/radiology/request/",
                {
                    "patient": str(patient.public_id),
                    "procedure": str(ct_head.public_id),
                    "clinical_indication": "Referred for headache",
                    "ordering_doctor": str(not_a_doctor.public_id),
                    "encounter": "00000000-0000-0000-0000-000000000001",
                },
                format="json",
            )
            assert response.status_code == 400
            assert response.json()["code"] == "validation_error"
            assert response.json()["fields"] == {"ordering_doctor": ["No doctor with this id."]}
        assert not ImagingOrder.objects.exists()

    def test_bad_input_answers_400(self, doctor_client, patient, ct_head):
        base = {"patient": str(patient.public_id), "procedure": str(ct_head.public_id)}
        no_reason = doctor_client.post("/api/radiology/request/", base, format="json")
        assert no_reason.status_code == 400 and "clinical_indication" in no_reason.json()["fields"]
        unknown = doctor_client.post(
            "/api/radiology/request/",
            {
                **base,
                "procedure": "00000000-0000-0000-0000-000000000001",
                "clinical_indication": "x y z",
            },
            format="json",
        )
        assert unknown.status_code == 400 and "procedure" in unknown.json()["fields"]
        ct_head.active = False
        ct_head.save()
        inactive = doctor_client.post(
            "/api/radiology/request/", {**base, "clinical_indication": "headache"}, format="json"
        )
        assert inactive.status_code == 400 and inactive.json()["code"] == "procedure_inactive"

    def test_contrast_allergy_is_flagged(self, order_for, patient):
        AllergyFactory(patient=patient, substance="Iodinated contrast media", severity="severe")
        with_contrast = procedure("CT-CHEST-W", with_contrast=True)
        order = order_for(patient, procedure=with_contrast)
        assert [w["code"] for w in order["warnings"]] == ["contrast_allergy"]
        assert order_for(patient)["warnings"] == []  # CT head without contrast

    def test_who_may_request(self, client_for, patient, ct_head, doctor_client):
        body = {
            "patient": str(patient.public_id),
            "procedure": str(ct_head.public_id),
            "clinical_indication": "Headache",
            "ordering_doctor": str(doctor_client.user.public_id),
        }
        for role in (Role.RADIOLOGIST, Role.LAB_TECHNICIAN, Role.PHARMACIST, Role.PATIENT):
            response = client_for(role).post("/api/radiology/request/", body, format="json")
            assert response.status_code == 403, role
        # A doctor without the patient in their care must break the glass first.
        stranger = client_for(Role.DOCTOR).post("/api/radiology/request/", body, format="json")
        assert stranger.status_code == 403
        assert stranger.json()["code"] == "break_glass_required"
        assert not ImagingOrder.objects.exists()


class TestReading:
    def test_patients_see_their_own_orders_only(
        self, order_for, patient, portal_patient, client_for
    ):
        mine = order_for(portal_patient)
        theirs = order_for(patient)
        client = client_for(Role.PATIENT, user=portal_patient.user)
        listed = client.get("/api/radiology/orders/").json()
        assert [row["id"] for row in listed["results"]] == [mine["id"]]
        assert client.get(f"/api/radiology/orders/{mine['id']}/").status_code == 200
        other = client.get(f"/api/radiology/orders/{theirs['id']}/")
        assert other.status_code == 404

    def test_doctors_and_nurses_need_the_patient_in_their_care(
        self, order_for, patient, client_for
    ):
        order = order_for(patient)
        for role in (Role.DOCTOR, Role.NURSE):
            client = client_for(role)
            assert client.get("/api/radiology/orders/").json()["count"] == 0
            response = client.get(f"/api/radiology/orders/{order['id']}/")
            assert response.status_code == 403
            assert response.json()["code"] == "break_glass_required"
        for role in (Role.RECEPTIONIST, Role.ACCOUNTANT, Role.LAB_TECHNICIAN):
            assert client_for(role).get(f"/api/radiology/orders/{order['id']}/").status_code == 403

    def test_break_the_glass_lists_that_patients_orders(self, order_for, patient, client_for):
        order = order_for(patient)
        client = client_for(Role.DOCTOR)
        url = f"/api/radiology/orders/?patient={patient.public_id}"
        refused = client.get(url)
        assert refused.status_code == 403 and refused.json()["code"] == "break_glass_required"
        glass = client.post(
            f"/api/patients/{patient.public_id}/break-glass/",
            {"reason": "Unconscious in the emergency room, head CT needed now"},
            format="json",
        )
        assert glass.status_code == 201, glass.json()
        listed = client.get(url)
        assert listed.status_code == 200
        assert [row["id"] for row in listed.json()["results"]] == [order["id"]]
        assert client.get("/api/radiology/orders/").json()["count"] == 0  # not a standing list
        opened = AuditEvent.objects.filter(
            actor=client.user, resource_type="orders", patient_id=str(patient.public_id)
        )
        assert any(event.detail.get("emergency") is True for event in opened)

    def test_radiologist_reads_any_order_and_it_is_audited(self, order_for, patient, radiologist):
        order = order_for(patient)
        assert radiologist.get(f"/api/radiology/orders/{order['id']}/").status_code == 200
        event = AuditEvent.objects.filter(actor=radiologist.user, resource_type="orders").first()
        assert event.patient_id == str(patient.public_id)
        assert event.detail["via"] == "radiology"


class TestWorklist:
    def test_open_orders_most_urgent_first_with_filters(self, order_for, patient, radiologist):
        routine = order_for(patient, priority="routine")
        stat = order_for(patient, priority="stat")
        urgent = order_for(patient, priority="urgent", procedure=procedure("MR-BRAIN-WO", "mri"))
        cancelled = order_for(patient)
        ImagingOrder.objects.filter(public_id=cancelled["id"]).update(
            status=OrderStatus.CANCELLED,
            cancel_reason="duplicate",
            cancelled_at="2027-01-01T00:00Z",
        )
        body = radiologist.get("/api/radiology/").json()
        assert [row["id"] for row in body["results"]] == [stat["id"], urgent["id"], routine["id"]]
        assert (
            body["results"][0]["image_count"] == 0 and body["results"][0]["report_status"] is None
        )
        mri = radiologist.get("/api/radiology/", {"modality": "mri"}).json()
        assert [row["id"] for row in mri["results"]] == [urgent["id"]]
        by_status = radiologist.get("/api/radiology/", {"status": "cancelled,ordered"}).json()
        assert by_status["count"] == 4
        by_mrn = radiologist.get("/api/radiology/", {"q": patient.mrn}).json()
        assert by_mrn["count"] == 3
        by_accession = radiologist.get("/api/radiology/", {"q": stat["accession_number"]}).json()
        assert [row["id"] for row in by_accession["results"]] == [stat["id"]]
        assert radiologist.get("/api/radiology/", {"status": "nonsense"}).status_code == 400
        assert AuditEvent.objects.filter(resource_type="radiology_worklist").exists()

    def test_day_filters_are_the_hospitals_calendar_days(self, radiologist, settings):
        """Local days (here UTC+5:30) on every database; MySQL/MariaDB without their time zone
        tables matched nothing at all with `__date` filters."""
        settings.TIME_ZONE = "Asia/Kolkata"
        order = ImagingOrderFactory()
        late = datetime(2027, 3, 1, 20, 0, tzinfo=UTC)  # 2 March, 01:30 in Kolkata
        ImagingOrder.objects.filter(pk=order.pk).update(created_at=late, scheduled_at=late)

        def ids(**filters):
            response = radiologist.get("/api/radiology/orders/", filters)
            assert response.status_code == 200, response.json()
            return [row["id"] for row in response.json()["results"]]

        assert ids(date_from="2027-03-02", date_to="2027-03-02") == [str(order.public_id)]
        assert ids(date_to="2027-03-01") == [] and ids(date_from="2027-03-03") == []
        assert ids(scheduled_date="2027-03-02") == [str(order.public_id)]
        assert ids(scheduled_date="2027-03-01") == []

    def test_only_radiologists_see_the_worklist(self, client_for):
        for role in (Role.DOCTOR, Role.NURSE, Role.RECEPTIONIST, Role.PATIENT, Role.ADMIN):
            assert client_for(role).get("/api/radiology/").status_code == 403

    @pytest.mark.parametrize("url", ["/api/radiology/", "/api/radiology/orders/"])
    def test_list_query_count_is_flat(self, radiologist, url):
        def count():
            with CaptureQueriesContext(connection) as context:
                response = radiologist.get(url, {"page_size": 100})
                assert response.status_code == 200
            return len(context.captured_queries), response.json()["count"]

        ImagingOrderFactory()
        count()  # warm up: the first audit event also creates the chain's head row
        one, rows = count()
        assert rows == 1
        ImagingOrderFactory.create_batch(49)
        fifty, rows = count()
        assert rows == 50
        # COUNT; the page (patient, procedure, ordering doctor, requester and encounter joined;
        # image count and report status as subqueries); the audit write (savepoint, lock the
        # chain head, insert the event, update the head, release).
        assert fifty == one


class TestStatusFlow:
    def test_an_examination_cannot_be_booked_in_9999(self, order_for, patient, radiologist):
        order = order_for(patient)
        with time_machine.travel("2027-03-01T08:00Z", tick=False):
            response = radiologist.post(
                f"/api/radiology/orders/{order['id']}/schedule/",
                {"scheduled_at": "9999-12-31T09:00Z"},
                format="json",
            )
        assert response.status_code == 400, response.json()
        assert "days ahead" in response.json()["fields"]["scheduled_at"][0]
        assert ImagingOrder.objects.get(public_id=order["id"]).scheduled_at is None

    def test_schedule_start_complete(self, order_for, patient, radiologist, client_for, upload):
        order = order_for(patient)
        url = f"/api/radiology/orders/{order['id']}"
        with time_machine.travel("2027-03-01T08:00Z", tick=False):
            past = radiologist.post(
                f"{url}/schedule/", {"scheduled_at": "2027-02-01T09:00Z"}, format="json"
            )
            assert past.status_code == 400 and past.json()["code"] == "scheduled_in_past"
            reception = client_for(Role.RECEPTIONIST)
            scheduled = reception.post(
                f"{url}/schedule/", {"scheduled_at": "2027-03-02T09:00Z"}, format="json"
            )
            assert scheduled.status_code == 200 and scheduled.json()["status"] == "scheduled"
            moved = radiologist.post(
                f"{url}/schedule/", {"scheduled_at": "2027-03-03T09:00Z"}, format="json"
            )
            assert moved.json()["scheduled_at"].startswith("2027-03-03")
        no_images = radiologist.post(f"{url}/complete/")
        assert no_images.status_code == 409 and no_images.json()["code"] == "invalid_transition"
        started = radiologist.post(f"{url}/start/")
        assert started.json()["status"] == "in_progress" and started.json()["started_at"]
        empty = radiologist.post(f"{url}/complete/")
        assert empty.status_code == 409 and empty.json()["code"] == "no_images"
        assert upload(order["id"], dicom_bytes(patient_id=patient.mrn)).status_code == 201
        done = radiologist.post(f"{url}/complete/")
        assert done.json()["status"] == "acquired" and done.json()["image_count"] == 1
        again = radiologist.post(f"{url}/start/")
        assert again.status_code == 409 and again.json()["extra"] == {
            "from": "acquired",
            "to": "in_progress",
        }
        cancel = radiologist.post(f"{url}/cancel/", {"reason": "Patient left"}, format="json")
        assert cancel.status_code == 409
        history = ImagingOrder.objects.get(public_id=order["id"]).history.values_list(
            "status", flat=True
        )
        assert set(history) >= {"ordered", "scheduled", "in_progress", "acquired"}

    def test_cancel_needs_a_reason_and_is_final(
        self, order_for, patient, doctor_client, radiologist
    ):
        order = order_for(patient)
        url = f"/api/radiology/orders/{order['id']}"
        assert (
            doctor_client.post(f"{url}/cancel/", {"reason": ""}, format="json").status_code == 400
        )
        cancelled = doctor_client.post(f"{url}/cancel/", {"reason": "Ordered twice"}, format="json")
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        assert radiologist.post(f"{url}/start/").status_code == 409
        assert ImagingOrder.objects.filter(public_id=order["id"]).exists()  # nothing is deleted

    def test_who_may_move_an_order(self, order_for, patient, doctor_client, client_for):
        order = order_for(patient)
        url = f"/api/radiology/orders/{order['id']}"
        assert doctor_client.post(f"{url}/start/").status_code == 403
        assert client_for(Role.RECEPTIONIST).post(f"{url}/start/").status_code == 403
        assert (
            client_for(Role.PATIENT)
            .post(f"{url}/cancel/", {"reason": "no"}, format="json")
            .status_code
            == 403
        )
        other_patient_order = ImagingOrderFactory(patient=PatientFactory())
        assert (
            doctor_client.post(
                f"/api/radiology/orders/{other_patient_order.public_id}/cancel/",
                {"reason": "not mine"},
                format="json",
            ).status_code
            == 403
        )
