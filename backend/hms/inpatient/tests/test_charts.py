"""Observation (NEWS2), fluid balance, GCS and nursing-note charts; the chart series; who may
chart (ward nurse, attending doctor)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hms.clinical.models import VitalSigns
from hms.core.models import Notification
from hms.core.roles import Role
from hms.inpatient.models import Admission, Observation
from hms.inpatient.tests.factories import assign_nurse

pytestmark = pytest.mark.django_db

NORMAL = {
    "respiratory_rate": 16,
    "spo2": 97,
    "on_oxygen": False,
    "systolic_bp": 120,
    "diastolic_bp": 75,
    "pulse": 70,
    "consciousness": "A",
    "temperature_c": "37.0",
}


def _observe(client, admission_id, **values):
    return client.post(
        f"/api/admissions/{admission_id}/observations/", {**NORMAL, **values}, format="json"
    )


class TestObservations:
    def test_a_set_is_scored_and_copied_into_the_medical_record(self, admitted, ward_nurse):
        response = _observe(ward_nurse, admitted["id"], respiratory_rate=22, temperature_c="38.5")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["news2_score"] == 3 and body["news2_risk"] == "low"
        assert body["news2_components"]["respiratory_rate"] == 2
        assert body["alert_sent"] is False
        vitals = VitalSigns.objects.get()
        admission = Admission.objects.get(public_id=admitted["id"])
        assert vitals.encounter == admission.encounter and vitals.respiratory_rate == 22
        assert not Notification.objects.exists()

    def test_aggregate_five_notifies_the_attending_doctor(self, admitted, ward_nurse, doctor):
        response = _observe(
            ward_nurse, admitted["id"], respiratory_rate=22, pulse=112, temperature_c="38.5"
        )
        assert response.json()["news2_score"] == 5 and response.json()["alert_sent"] is True
        note = Notification.objects.get()
        assert note.recipient == doctor and note.kind == "news2_alert"
        # NEWS2 5 needs an urgent review: critical, in the doctor's "needs attention" strip.
        assert note.severity == "critical" and "NEWS2 5" in note.title
        assert note.link == f"/api/admissions/{admitted['id']}/chart/"

    def test_a_single_three_notifies_too(self, admitted, ward_nurse, doctor):
        _observe(ward_nurse, admitted["id"], consciousness="V")
        note = Notification.objects.get(recipient=doctor)
        assert "consciousness" in note.body

    def test_high_risk_is_critical(self, admitted, ward_nurse, doctor, doctor_client):
        _observe(
            ward_nurse, admitted["id"], respiratory_rate=26, spo2=90, on_oxygen=True, pulse=135
        )
        assert Notification.objects.get().severity == "critical"
        inbox = doctor_client.get("/api/notifications/").json()
        assert inbox["count"] == 1

    def test_scale_2_is_set_by_a_doctor_and_used(self, admitted, ward_nurse, doctor_client):
        url = f"/api/admissions/{admitted['id']}/spo2-scale/"
        assert ward_nurse.post(url, {"scale": 2, "reason": "COPD"}).status_code == 403
        assert doctor_client.post(url, {"scale": 2}).status_code == 400  # reason required
        response = doctor_client.post(url, {"scale": 2, "reason": "Type 2 respiratory failure"})
        assert response.status_code == 200 and response.json()["spo2_scale"] == 2
        body = _observe(ward_nurse, admitted["id"], spo2=90, on_oxygen=True).json()
        assert body["spo2_scale"] == 2 and body["news2_components"]["spo2"] == 0

    def test_impossible_values_are_400(self, admitted, ward_nurse):
        response = _observe(ward_nurse, admitted["id"], systolic_bp=70, diastolic_bp=80)
        assert response.status_code == 400 and "systolic_bp" in response.json()["fields"]
        response = _observe(ward_nurse, admitted["id"], consciousness="X")
        assert response.status_code == 400
        assert not Observation.all_objects.exists() and not VitalSigns.all_objects.exists()

    def test_void_removes_it_from_the_chart_and_the_record(self, admitted, ward_nurse):
        entry = _observe(ward_nurse, admitted["id"]).json()
        url = f"/api/admissions/{admitted['id']}/observations/{entry['id']}/void/"
        assert ward_nurse.post(url, {}).status_code == 400
        response = ward_nurse.post(url, {"reason": "Wrong patient"})
        assert response.status_code == 200 and response.json()["voided"] is True
        listing = ward_nurse.get(f"/api/admissions/{admitted['id']}/observations/").json()
        assert listing["count"] == 0
        everything = ward_nurse.get(
            f"/api/admissions/{admitted['id']}/observations/", {"include_voided": "true"}
        ).json()
        assert everything["count"] == 1
        assert VitalSigns.all_objects.get().is_voided
        assert ward_nurse.post(url, {"reason": "again"}).status_code == 409

    def test_no_charting_after_discharge(self, admitted, ward_nurse):
        Admission.objects.filter(public_id=admitted["id"]).update(
            status="discharged", discharged_at=timezone.now()
        )
        response = _observe(ward_nurse, admitted["id"])
        assert response.status_code == 409 and response.json()["code"] == "admission_not_active"


class TestWhoMayChart:
    def test_a_nurse_not_on_the_ward_needs_break_the_glass(self, admitted, client_for):
        response = _observe(client_for(Role.NURSE), admitted["id"])
        assert response.status_code == 403 and response.json()["code"] == "break_glass_required"

    def test_the_ward_assignment_gives_and_its_end_takes_care(
        self, admitted, client_for, make_user, ward, admin_client
    ):
        nurse = client_for(Role.NURSE)
        created = admin_client.post(
            f"/api/wards/{ward.public_id}/nurses/", {"nurse": str(nurse.user.public_id)}
        )
        assert created.status_code == 201, created.json()
        assert _observe(nurse, admitted["id"]).status_code == 201
        yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
        ended = admin_client.post(
            f"/api/nurse-assignments/{created.json()['id']}/end/", {"ends_on": yesterday}
        )
        assert ended.status_code == 200
        assert _observe(nurse, admitted["id"]).status_code == 403

    def test_only_nurses_can_be_assigned_and_only_by_admins(
        self, ward, admin_client, client_for, make_user
    ):
        doctor = make_user(Role.DOCTOR)
        url = f"/api/wards/{ward.public_id}/nurses/"
        response = admin_client.post(url, {"nurse": str(doctor.public_id)})
        assert response.status_code == 400 and response.json()["code"] == "not_a_nurse"
        nurse = make_user(Role.NURSE)
        assert client_for(Role.NURSE).post(url, {"nurse": str(nurse.public_id)}).status_code == 403

    def test_a_transfer_moves_the_patient_out_of_the_old_wards_nurses_care(
        self, admitted, reception, client_for, make_user, ward
    ):
        from hms.inpatient.tests.factories import BedFactory

        nurse_user = make_user(Role.NURSE)
        assign_nurse(nurse_user, ward)
        nurse = client_for(Role.NURSE, user=nurse_user)
        assert _observe(nurse, admitted["id"]).status_code == 201
        reception.post(
            f"/api/admissions/{admitted['id']}/transfer/", {"bed": str(BedFactory().public_id)}
        )
        assert _observe(nurse, admitted["id"]).status_code == 403

    def test_the_attending_doctor_charts_others_do_not_and_pharmacists_never(
        self, admitted, doctor_client, client_for
    ):
        assert _observe(doctor_client, admitted["id"]).status_code == 201
        assert _observe(client_for(Role.DOCTOR), admitted["id"]).status_code == 403
        for role in (Role.PHARMACIST, Role.RECEPTIONIST, Role.PATIENT):
            client = client_for(role)
            assert _observe(client, admitted["id"]).status_code == 403
            assert client.get(f"/api/admissions/{admitted['id']}/chart/").status_code == 403


class TestOtherCharts:
    def test_fluids_gcs_and_notes(self, admitted, ward_nurse):
        base = f"/api/admissions/{admitted['id']}"
        for body in (
            {"direction": "in", "kind": "iv", "volume_ml": 1000},
            {"direction": "in", "kind": "oral", "volume_ml": 250},
            {"direction": "out", "kind": "urine", "volume_ml": 600},
        ):
            assert ward_nurse.post(f"{base}/fluids/", body).status_code == 201
        bad = ward_nurse.post(
            f"{base}/fluids/", {"direction": "in", "kind": "urine", "volume_ml": 5}
        )
        assert bad.status_code == 400 and "kind" in bad.json()["fields"]
        gcs = ward_nurse.post(f"{base}/gcs/", {"eye": 3, "verbal": 4, "motor": 6})
        assert gcs.status_code == 201 and gcs.json()["total"] == 13
        assert (
            ward_nurse.post(f"{base}/gcs/", {"eye": 5, "verbal": 4, "motor": 6}).status_code == 400
        )
        note = ward_nurse.post(f"{base}/nursing-notes/", {"text": "Settled overnight."})
        assert note.status_code == 201
        assert ward_nurse.get(f"{base}/nursing-notes/").json()["count"] == 1
        assert ward_nurse.get(f"{base}/fluids/").json()["count"] == 3

    def test_chart_series_for_plotting(self, frozen_now, admitted, ward_nurse):
        base = f"/api/admissions/{admitted['id']}"
        _observe(ward_nurse, admitted["id"], pulse=80)
        frozen_now.shift(timedelta(hours=4))
        _observe(ward_nurse, admitted["id"], pulse=95)
        ward_nurse.post(f"{base}/fluids/", {"direction": "in", "kind": "iv", "volume_ml": 1000})
        ward_nurse.post(f"{base}/fluids/", {"direction": "out", "kind": "urine", "volume_ml": 400})
        ward_nurse.post(f"{base}/gcs/", {"eye": 4, "verbal": 5, "motor": 6})
        chart = ward_nurse.get(f"{base}/chart/").json()
        assert [p["pulse"] for p in chart["observations"]] == [80, 95]  # oldest first
        assert [p["news2"] for p in chart["observations"]] == [0, 1]
        assert chart["fluid_balance"] == [
            {
                "date": "2027-03-01",
                "in_ml": 1000,
                "out_ml": 400,
                "balance_ml": 600,
                "cumulative_ml": 600,
            }
        ]
        assert [g["total"] for g in chart["gcs"]] == [15]
        later = ward_nurse.get(f"{base}/chart/", {"from": "2027-03-01T12:00:00Z"}).json()
        assert [p["pulse"] for p in later["observations"]] == [95]
        day = ward_nurse.get(f"{base}/chart/", {"from": "2027-03-01", "to": "2027-03-01"}).json()
        assert len(day["observations"]) == 2
        assert ward_nurse.get(f"{base}/chart/", {"from": "nonsense"}).status_code == 400
        too_long = ward_nurse.get(f"{base}/chart/", {"from": "2027-01-01", "to": "2027-03-01"})
        assert too_long.status_code == 400

    def test_chart_list_query_count_is_flat(self, admitted, ward_nurse):
        url = f"/api/admissions/{admitted['id']}/observations/"

        def count():
            with CaptureQueriesContext(connection) as ctx:
                assert ward_nurse.get(url, {"page_size": 100}).status_code == 200
            return len(ctx.captured_queries)

        _observe(ward_nurse, admitted["id"])
        count()  # warm-up
        one = count()
        for _ in range(49):
            _observe(ward_nurse, admitted["id"])
        # The admission (joined), the chart access check (care subqueries + audit), COUNT,
        # the page with recorded_by and voided_by joined.
        assert count() == one
