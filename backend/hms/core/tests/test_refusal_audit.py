"""Every refusal (403) of a signed-in user, and every read of the audit log, is audited."""

import pytest
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from hms.accounts.tests.factories import DoctorProfileFactory
from hms.core.models import AuditAction, AuditEvent, AuditOutcome
from hms.core.roles import Role
from hms.core.selectors import audit_chain_verify
from hms.core.tests.query_budget import AUDIT_WRITE
from hms.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def denied():
    return AuditEvent.objects.filter(outcome=AuditOutcome.DENIED)


class TestRefusals:
    def test_a_role_refusal_leaves_one_denied_event(self, client_for):
        pharmacist = client_for(Role.PHARMACIST)

        response = pharmacist.get("/api/visitnotes/")

        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        event = denied().get()
        assert event.actor == pharmacist.user
        assert event.actor_username == pharmacist.user.username
        assert event.actor_role == Role.PHARMACIST
        assert event.action == AuditAction.READ
        assert event.resource_type == "visitnotes"
        assert event.request_id == response.json()["request_id"]
        assert event.detail == {
            "reason": "permission_denied",
            "method": "GET",
            "path": "/api/visitnotes/",
            "route": "api/visitnotes/",
            "permission": "visitnotes:list",
        }
        assert audit_chain_verify().ok

    def test_a_refused_write_names_the_record_and_the_patient(self, client_for):
        patient = PatientFactory()
        accountant = client_for(Role.ACCOUNTANT)

        response = accountant.post(
            f"/api/patients/{patient.public_id}/allergies/", {"substance": "x"}, format="json"
        )

        assert response.status_code == 403
        event = denied().get()
        assert event.action == AuditAction.CREATE
        assert event.patient_id == str(patient.public_id)
        assert event.detail["method"] == "POST"
        assert event.detail["route"] == "api/patients/<uuid:public_id>/allergies/"
        assert event.detail["permission"] == "patient_allergies:create"

    def test_a_business_rule_refusal_is_audited_with_its_code(self, client_for):
        doctor = DoctorProfileFactory().user
        other = client_for(Role.DOCTOR)

        response = other.put(
            f"/api/doctors/{doctor.public_id}/schedule/",
            {"slot_minutes": 30, "blocks": []},
            format="json",
        )

        assert response.status_code == 403
        event = denied().get()
        assert event.detail["reason"] == response.json()["code"] == "not_your_schedule"
        assert event.action == AuditAction.UPDATE
        assert event.object_id == str(doctor.public_id)

    def test_a_chart_refusal_is_audited_once_by_the_access_module(self, client_for):
        patient = PatientFactory()

        response = client_for(Role.DOCTOR).get("/api/visitnotes/", {"patient": patient.public_id})

        assert response.json()["code"] == "break_glass_required"
        event = denied().get()
        assert event.detail == {"reason": "break_glass_required"}
        assert event.patient_id == str(patient.public_id)

    def test_anonymous_and_allowed_requests_leave_no_denied_event(self, client_for):
        assert APIClient().get("/api/visitnotes/").status_code == 401
        assert client_for(Role.DOCTOR).get("/api/visitnotes/").status_code == 200
        assert not denied().exists()

    def test_the_portal_audits_its_refusals_too(self, make_user):
        browser = Client()
        pharmacist = make_user(Role.PHARMACIST)
        browser.force_login(pharmacist)

        assert browser.get("/portal/appointments/").status_code == 403

        event = denied().get()
        assert event.actor == pharmacist
        assert event.detail["path"] == "/portal/appointments/"
        assert event.detail["reason"] == "permission_denied"

    def test_a_refusal_costs_one_audit_write(self, client_for):
        pharmacist = client_for(Role.PHARMACIST)
        pharmacist.get("/api/visitnotes/")  # warm up: the chain's head row
        with CaptureQueriesContext(connection) as ctx:
            assert pharmacist.get("/api/visitnotes/").status_code == 403
        assert len(ctx.captured_queries) == AUDIT_WRITE, ctx.captured_queries


@pytest.mark.django_db(transaction=True)
class TestRefusalsOutliveTheRequestsTransaction:
    """The event is written after the view returns, so it commits even when the view's
    transaction is rolled back: a service's, or every request's under ATOMIC_REQUESTS."""

    def test_refused_inside_a_service_transaction(self, client_for):
        doctor = DoctorProfileFactory().user
        response = client_for(Role.DOCTOR).put(
            f"/api/doctors/{doctor.public_id}/schedule/",
            {"slot_minutes": 30, "blocks": []},
            format="json",
        )
        assert response.status_code == 403
        assert denied().filter(detail__reason="not_your_schedule").count() == 1

    def test_refused_under_atomic_requests(self, client_for, monkeypatch):
        monkeypatch.setitem(connections.settings["default"], "ATOMIC_REQUESTS", True)
        monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)

        assert client_for(Role.PHARMACIST).get("/api/visitnotes/").status_code == 403

        assert denied().count() == 1
        assert audit_chain_verify().ok


class TestAuditLogReads:
    def test_reading_the_audit_log_is_audited(self, admin_client):
        response = admin_client.get("/api/audit/", {"action": "login"})

        assert response.status_code == 200 and response.json()["count"] == 0
        event = AuditEvent.objects.get(action=AuditAction.AUDIT_READ)
        assert event.actor == admin_client.user
        assert event.resource_type == "audit_log"
        assert event.detail == {"filters": {"action": "login"}, "count": 0}
        # The next read shows the previous one.
        rows = admin_client.get("/api/audit/").json()["results"]
        assert [row["action"] for row in rows] == [AuditAction.AUDIT_READ]
        assert AuditEvent.objects.filter(action=AuditAction.AUDIT_READ).count() == 2

    def test_reading_the_break_glass_review_list_is_audited(self, admin_client):
        assert admin_client.get("/api/audit/break-glass/").status_code == 200
        event = AuditEvent.objects.get(action=AuditAction.AUDIT_READ)
        assert event.resource_type == "break_glass_grants"

    def test_a_refused_read_of_the_audit_log_is_a_denied_event(self, client_for):
        assert client_for(Role.DOCTOR).get("/api/audit/").status_code == 403
        assert not AuditEvent.objects.filter(action=AuditAction.AUDIT_READ).exists()
        assert denied().get().resource_type == "audit"
