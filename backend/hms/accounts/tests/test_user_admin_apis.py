import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hms.accounts.models import User
from hms.accounts.tests.factories import TEST_PASSWORD, UserFactory
from hms.core.models import AuditEvent
from hms.core.roles import Role

pytestmark = pytest.mark.django_db

NEW_STAFF = {
    "username": "new.nurse",
    "password": TEST_PASSWORD,
    "role": "nurse",
    "first_name": "Nia",
    "last_name": "Otieno",
    "email": "nia@example.org",
}


class TestCreate:
    def test_admin_creates_staff_and_it_is_audited(self, admin_client):
        response = admin_client.post("/api/users/", NEW_STAFF, format="json")
        assert response.status_code == 201, response.json()
        user = User.objects.get(username="new.nurse")
        assert user.role == Role.NURSE and user.check_password(TEST_PASSWORD)
        assert response.json()["id"] == str(user.public_id)
        assert "password" not in response.json()
        event = AuditEvent.objects.get(resource_type="user", action="create")
        assert event.object_id == str(user.public_id)
        assert event.actor == admin_client.user

    def test_doctor_can_be_created(self, admin_client):
        response = admin_client.post("/api/users/", {**NEW_STAFF, "role": "doctor"}, format="json")
        assert response.status_code == 201

    @pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
    def test_only_admins_create_users(self, client_for, role):
        response = client_for(role).post("/api/users/", NEW_STAFF, format="json")
        assert response.status_code == 403
        assert not User.objects.filter(username="new.nurse").exists()

    def test_patient_role_is_not_a_staff_role(self, admin_client):
        response = admin_client.post("/api/users/", {**NEW_STAFF, "role": "patient"}, format="json")
        assert response.status_code == 400
        assert "role" in response.json()["fields"]

    def test_wrong_types_are_400_and_change_nothing(self, admin_client):
        before = User.objects.count()
        response = admin_client.post(
            "/api/users/", {"username": ["a"], "password": 5, "role": 12}, format="json"
        )
        assert response.status_code == 400
        assert {"username", "role"} <= set(response.json()["fields"])
        assert User.objects.count() == before

    def test_invalid_username_characters(self, admin_client):
        response = admin_client.post(
            "/api/users/", {**NEW_STAFF, "username": "bad name!"}, format="json"
        )
        assert response.status_code == 400
        assert "username" in response.json()["fields"]


class TestReadUpdate:
    def test_list_is_paginated_and_filterable(self, admin_client):
        UserFactory.create_batch(3, role=Role.PHARMACIST)
        UserFactory(role=Role.NURSE, first_name="Zed")
        response = admin_client.get("/api/users/", {"role": "pharmacist"})
        body = response.json()
        assert body["count"] == 3 and len(body["results"]) == 3
        assert {"next", "previous"} <= set(body)
        assert admin_client.get("/api/users/", {"q": "zed"}).json()["count"] == 1
        assert admin_client.get("/api/users/", {"page_size": 1}).json()["next"]

    def test_list_query_count_does_not_grow_with_rows(self, admin_client):
        def count_queries():
            with CaptureQueriesContext(connection) as ctx:
                assert admin_client.get("/api/users/", {"page_size": 100}).status_code == 200
            return len(ctx.captured_queries)

        UserFactory()
        one = count_queries()
        UserFactory.create_batch(50)
        # 1: COUNT(*) for the paginator, 2: the page of users. Nothing per row.
        assert count_queries() == one == 2

    def test_bad_filter_value_is_400(self, admin_client):
        response = admin_client.get("/api/users/", {"role": "wizard"})
        assert response.status_code == 400
        assert "role" in response.json()["fields"]

    def test_detail_and_unknown_id(self, admin_client):
        user = UserFactory()
        assert admin_client.get(f"/api/users/{user.public_id}/").json()["username"] == user.username
        missing = admin_client.get(f"/api/users/{uuid.uuid4()}/")
        assert missing.status_code == 404
        assert missing.json()["code"] == "user_not_found"
        # A non-UUID id never reaches a view: JSON 404 too.
        assert admin_client.get("/api/users/123/").status_code == 404

    def test_patch_changes_role_between_staff_roles_and_audits(self, admin_client):
        user = UserFactory(role=Role.NURSE)
        response = admin_client.patch(
            f"/api/users/{user.public_id}/", {"role": "receptionist"}, format="json"
        )
        assert response.status_code == 200
        user.refresh_from_db()
        assert user.role == Role.RECEPTIONIST
        event = AuditEvent.objects.get(action="update", object_id=str(user.public_id))
        assert event.detail == {"changed": ["role"]}
        assert user.history.count() == 2  # created + role change kept

    def test_staff_cannot_become_patient(self, admin_client):
        user = UserFactory(role=Role.NURSE)
        response = admin_client.patch(
            f"/api/users/{user.public_id}/", {"role": "patient"}, format="json"
        )
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_role"

    def test_admin_cannot_demote_self(self, admin_client):
        response = admin_client.patch(
            f"/api/users/{admin_client.user.public_id}/", {"role": "nurse"}, format="json"
        )
        assert response.status_code == 400
        assert response.json()["code"] == "self_demotion"

    def test_no_delete_route(self, admin_client):
        user = UserFactory()
        response = admin_client.delete(f"/api/users/{user.public_id}/")
        assert response.status_code == 405
        assert User.objects.filter(pk=user.pk).exists()


class TestDeactivate:
    def test_deactivate_then_activate(self, admin_client):
        user = UserFactory()
        response = admin_client.post(
            f"/api/users/{user.public_id}/deactivate/", {"reason": "left the hospital"}
        )
        assert response.status_code == 200 and response.json()["is_active"] is False
        again = admin_client.post(f"/api/users/{user.public_id}/deactivate/", {})
        assert again.status_code == 409
        assert admin_client.post(f"/api/users/{user.public_id}/activate/").status_code == 200
        user.refresh_from_db()
        assert user.is_active and user.deactivated_at is None

    def test_cannot_deactivate_self(self, admin_client):
        response = admin_client.post(f"/api/users/{admin_client.user.public_id}/deactivate/", {})
        assert response.status_code == 400
        assert response.json()["code"] == "self_deactivation"

    def test_unknown_user(self, admin_client):
        response = admin_client.post(f"/api/users/{uuid.uuid4()}/deactivate/", {})
        assert response.status_code == 404

    def test_password_reset_by_admin(self, admin_client):
        user = UserFactory()
        response = admin_client.post(
            f"/api/users/{user.public_id}/reset-password/", {"new_password": "brand-new-pass-77"}
        )
        assert response.status_code == 204
        user.refresh_from_db()
        assert user.check_password("brand-new-pass-77")
        weak = admin_client.post(
            f"/api/users/{user.public_id}/reset-password/", {"new_password": "123"}
        )
        assert weak.status_code == 400
