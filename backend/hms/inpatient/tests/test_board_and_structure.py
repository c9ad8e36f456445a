"""Wards, rooms and beds; the bed board (query count independent of the number of beds)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.inpatient import services
from hms.inpatient.models import Bed, BedStatus
from hms.inpatient.tests.factories import RoomFactory, WardFactory, beds_on
from hms.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


class TestStructure:
    def test_admin_builds_a_ward_with_rooms_and_beds(self, admin_client):
        ward = admin_client.post(
            "/api/wards/", {"name": "Surgical Ward", "code": "sw1", "type": "surgical"}
        )
        assert ward.status_code == 201 and ward.json()["code"] == "SW1"
        ward_id = ward.json()["id"]
        room = admin_client.post(f"/api/wards/{ward_id}/rooms/", {"name": "Bay 1"})
        assert room.status_code == 201
        for label in ("1", "2"):
            bed = admin_client.post("/api/beds/", {"room": room.json()["id"], "label": label})
            assert bed.status_code == 201 and bed.json()["status"] == "available"
        again = admin_client.post("/api/beds/", {"room": room.json()["id"], "label": "1"})
        assert again.status_code == 409 and again.json()["code"] == "bed_exists"
        listing = admin_client.get("/api/wards/", {"type": "surgical"}).json()
        assert listing["results"][0]["bed_count"] == 2
        assert listing["results"][0]["free_count"] == 2
        duplicate = admin_client.post(
            "/api/wards/", {"name": "Surgical Ward", "code": "X", "type": "surgical"}
        )
        assert duplicate.status_code == 409

    def test_only_admins_configure(self, client_for, ward):
        for role in (Role.RECEPTIONIST, Role.NURSE, Role.DOCTOR, Role.PHARMACIST):
            client = client_for(role)
            assert (
                client.post("/api/wards/", {"name": "X", "code": "X", "type": "icu"}).status_code
                == 403
            )
        assert client_for(Role.NURSE).get("/api/wards/").status_code == 200
        assert client_for(Role.PHARMACIST).get("/api/wards/").status_code == 403

    def test_occupied_beds_and_wards_cannot_be_taken_out_of_use(
        self, admitted, admin_client, beds, ward
    ):
        response = admin_client.patch(f"/api/beds/{beds[0].public_id}/", {"active": False})
        assert response.status_code == 409
        response = admin_client.patch(f"/api/wards/{ward.public_id}/", {"active": False})
        assert response.status_code == 409 and response.json()["code"] == "ward_occupied"
        assert (
            admin_client.patch(f"/api/beds/{beds[1].public_id}/", {"active": False}).status_code
            == 200
        )

    def test_bed_status_rules(self, admitted, reception, beds):
        url = f"/api/beds/{beds[0].public_id}/status/"
        occupied = reception.post(url, {"status": "cleaning"})
        assert occupied.status_code == 409 and occupied.json()["code"] == "bed_occupied"
        free = f"/api/beds/{beds[1].public_id}/status/"
        assert reception.post(free, {"status": "occupied"}).status_code == 400
        response = reception.post(free, {"status": "maintenance", "note": "Broken rail"})
        assert response.json()["status"] == "maintenance"
        assert response.json()["status_note"] == "Broken rail"


class TestBedBoard:
    def test_occupancy_per_ward_with_occupants_and_days(
        self, frozen_now, reception, admit, patient, beds, ward, icu_beds, doctor
    ):
        admit(patient, beds[0])
        Bed.objects.filter(pk=beds[1].pk).update(status=BedStatus.CLEANING)
        frozen_now.shift(timedelta(days=2, hours=3))
        response = reception.get("/api/beds/board/")
        assert response.status_code == 200
        wards = {w["name"]: w for w in response.json()["results"]}
        medical = wards["Medical Ward A"]
        assert medical["counts"] == {
            "total": 3,
            "available": 1,
            "occupied": 1,
            "cleaning": 1,
            "maintenance": 0,
            "reserved": 0,
        }
        occupied = next(b for b in medical["beds"] if b["status"] == "occupied")
        assert occupied["occupant"]["patient"]["id"] == str(patient.public_id)
        assert occupied["occupant"]["days_admitted"] == 2
        assert occupied["occupant"]["attending_doctor"]["id"] == str(doctor.public_id)
        assert wards["Intensive Care"]["counts"]["available"] == 2
        event = AuditEvent.objects.filter(resource_type="bed_board").get()
        assert event.detail["patients"] == [str(patient.public_id)]
        only_icu = reception.get("/api/beds/board/", {"type": "icu"}).json()
        assert [w["name"] for w in only_icu["results"]] == ["Intensive Care"]

    def test_query_count_does_not_grow_with_beds(self, reception, doctor):
        wards = [WardFactory(), WardFactory()]

        def count():
            with CaptureQueriesContext(connection) as ctx:
                assert reception.get("/api/beds/board/").status_code == 200
            return len(ctx.captured_queries)

        first = beds_on(wards[0], 1)
        beds_on(wards[1], 1)
        services.admission_admit(
            actor=reception.user,
            patient=PatientFactory(),
            bed=first[0],
            attending_doctor=doctor,
            reason="x",
        )
        count()  # warm-up: the first audit event creates the chain head
        few = count()
        for ward in wards:
            more = beds_on(ward, 40, room=RoomFactory(ward=ward))
            for bed in more[:20]:
                services.admission_admit(
                    actor=reception.user,
                    patient=PatientFactory(),
                    bed=bed,
                    attending_doctor=doctor,
                    reason="x",
                )
        # COUNT of wards, the page of wards, their beds (rooms joined), the active admissions
        # in those beds (patient and doctor joined), then the audit write.
        assert count() == few
