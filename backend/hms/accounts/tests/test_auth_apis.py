import uuid

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from hms.accounts.models import LoginThrottle, User
from hms.accounts.tests.factories import TEST_PASSWORD, UserFactory
from hms.core.models import AuditAction, AuditEvent, AuditOutcome
from hms.core.roles import Role

pytestmark = pytest.mark.django_db


def login(client, username, password=TEST_PASSWORD):
    return client.post("/api/login/", {"username": username, "password": password}, format="json")


def bearer(token) -> APIClient:
    """An APIClient that sends this access token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


class TestLogin:
    def test_login_returns_tokens_user_and_role(self):
        user = UserFactory(role=Role.NURSE)
        response = login(APIClient(), user.username)
        assert response.status_code == 200
        body = response.json()
        assert body["access"] and body["refresh"]
        assert body["user"]["id"] == str(user.public_id)
        assert body["user"]["role"] == "nurse"
        # The access token works for the API.
        client = bearer(body["access"])
        assert client.get("/api/profile/").json()["username"] == user.username

    def test_success_and_failure_are_audited(self):
        user = UserFactory()
        login(APIClient(), user.username)
        login(APIClient(), user.username, "wrong-password")
        events = list(AuditEvent.objects.order_by("sequence"))
        assert [(e.action, e.outcome) for e in events] == [
            (AuditAction.LOGIN, AuditOutcome.SUCCESS),
            (AuditAction.LOGIN_FAILED, AuditOutcome.FAILURE),
        ]
        assert events[0].actor == user
        assert events[1].actor is None and events[1].actor_username == user.username

    def test_wrong_password_is_401_with_clear_message(self):
        user = UserFactory()
        response = login(APIClient(), user.username, "nope")
        assert response.status_code == 401
        assert response.json()["code"] == "invalid_credentials"
        assert response.json()["message"] == "Invalid username or password."

    def test_missing_fields_are_400_with_field_errors(self):
        response = APIClient().post("/api/login/", {"username": "x"}, format="json")
        assert response.status_code == 400
        assert response.json()["code"] == "validation_error"
        assert "password" in response.json()["fields"]

    def test_deactivated_account_cannot_sign_in(self):
        user = UserFactory(is_active=False)
        response = login(APIClient(), user.username)
        assert response.status_code == 403
        assert response.json()["code"] == "account_inactive"


class TestLockout:
    def test_five_failures_lock_the_account_for_fifteen_minutes(self):
        user = UserFactory()
        client = APIClient()
        for _ in range(4):
            assert login(client, user.username, "bad").status_code == 401
        fifth = login(client, user.username, "bad")
        assert fifth.status_code == 429
        assert fifth.json()["code"] == "account_locked"
        assert "15 more minutes" in fifth.json()["message"]
        # Even the right password is refused while locked.
        locked = login(client, user.username)
        assert locked.status_code == 429
        assert 0 < locked.json()["extra"]["retry_after_seconds"] <= 15 * 60
        denied = AuditEvent.objects.filter(outcome=AuditOutcome.DENIED).count()
        assert denied == 1

    def test_lock_expires_after_fifteen_minutes(self):
        user = UserFactory()
        with time_machine.travel(timezone.now(), tick=False) as traveller:
            for _ in range(5):
                login(APIClient(), user.username, "bad")
            traveller.shift(14 * 60)
            assert login(APIClient(), user.username).status_code == 429
            traveller.shift(61)
            assert login(APIClient(), user.username).status_code == 200
        throttle = LoginThrottle.objects.get(username=user.username.lower())
        assert throttle.failed_count == 0 and throttle.locked_until is None

    def test_success_resets_the_failure_count(self):
        user = UserFactory()
        for _ in range(4):
            login(APIClient(), user.username, "bad")
        assert login(APIClient(), user.username).status_code == 200
        for _ in range(4):
            assert login(APIClient(), user.username, "bad").status_code == 401

    def test_unknown_usernames_are_throttled_too(self):
        for _ in range(5):
            response = login(APIClient(), "ghost", "bad")
        assert response.status_code == 429

    def test_lockout_is_per_username_case_insensitively(self):
        user = UserFactory(username="Mixed.Case")
        for _ in range(5):
            login(APIClient(), "mixed.case", "bad")
        assert login(APIClient(), "Mixed.Case").status_code == 429
        assert login(APIClient(), UserFactory().username).status_code == 200
        assert user.is_active


class TestTokens:
    def test_refresh_rotates_and_old_refresh_is_blacklisted(self):
        user = UserFactory()
        tokens = login(APIClient(), user.username).json()
        first = APIClient().post(
            "/api/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
        )
        assert first.status_code == 200
        assert first.json()["refresh"] != tokens["refresh"]
        again = APIClient().post(
            "/api/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
        )
        assert again.status_code == 401
        assert again.json()["code"] == "token_not_valid"

    def test_logout_blacklists_the_refresh_token(self):
        user = UserFactory()
        tokens = login(APIClient(), user.username).json()
        client = bearer(tokens["access"])
        response = client.post("/api/logout/", {"refresh": tokens["refresh"]}, format="json")
        assert response.status_code == 204
        refreshed = APIClient().post(
            "/api/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
        )
        assert refreshed.status_code == 401
        # Logging out twice with the same token is a clear 400, not a crash.
        second = client.post("/api/logout/", {"refresh": tokens["refresh"]}, format="json")
        assert second.status_code == 400
        assert second.json()["code"] == "token_not_valid"
        assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor=user).count() == 1

    def test_cannot_log_out_someone_elses_token(self):
        alice, bob = UserFactory(), UserFactory()
        bob_tokens = login(APIClient(), bob.username).json()
        client = APIClient()
        client.force_authenticate(alice)
        response = client.post("/api/logout/", {"refresh": bob_tokens["refresh"]}, format="json")
        assert response.status_code == 400
        assert response.json()["code"] == "token_not_yours"

    def test_expired_access_token_is_401(self):
        user = UserFactory()
        with time_machine.travel(timezone.now() - timezone.timedelta(hours=2), tick=False):
            tokens = login(APIClient(), user.username).json()
        client = bearer(tokens["access"])
        response = client.get("/api/profile/")
        assert response.status_code == 401
        assert response.json()["code"] == "token_not_valid"

    def test_garbage_token_is_401(self):
        client = bearer("not-a-token")
        response = client.get("/api/profile/")
        assert response.status_code == 401
        assert set(response.json()) >= {"status", "code", "message", "request_id"}

    def test_deactivation_revokes_refresh_tokens_and_access(self):
        admin = UserFactory(role=Role.ADMIN)
        user = UserFactory()
        tokens = login(APIClient(), user.username).json()
        client = APIClient()
        client.force_authenticate(admin)
        assert client.post(f"/api/users/{user.public_id}/deactivate/", {}).status_code == 200
        refreshed = APIClient().post(
            "/api/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
        )
        assert refreshed.status_code == 401
        with_access = bearer(tokens["access"])
        assert with_access.get("/api/profile/").status_code == 401


class TestRegister:
    def test_register_creates_a_patient_account(self):
        response = APIClient().post(
            "/api/register/",
            {"username": "newpatient", "password": TEST_PASSWORD, "email": "p@example.org"},
            format="json",
        )
        assert response.status_code == 201, response.json()
        user = User.objects.get(username="newpatient")
        assert user.role == Role.PATIENT
        assert user.check_password(TEST_PASSWORD)

    def test_register_refuses_any_other_role(self):
        response = APIClient().post(
            "/api/register/",
            {"username": "sneaky", "password": TEST_PASSWORD, "role": "admin"},
            format="json",
        )
        assert response.status_code == 400
        assert "role" in response.json()["fields"]
        assert not User.objects.filter(username="sneaky").exists()

    def test_weak_password_is_rejected_with_reasons(self):
        response = APIClient().post(
            "/api/register/", {"username": "weak", "password": "12345"}, format="json"
        )
        assert response.status_code == 400
        assert response.json()["code"] == "weak_password"
        assert response.json()["fields"]["password"]
        assert not User.objects.filter(username="weak").exists()

    def test_duplicate_username_is_409_case_insensitively(self):
        UserFactory(username="taken")
        response = APIClient().post(
            "/api/register/", {"username": "TAKEN", "password": TEST_PASSWORD}, format="json"
        )
        assert response.status_code == 409
        assert response.json()["code"] == "username_taken"


class TestProfile:
    def test_read_and_update_own_profile(self, client_for):
        client = client_for(Role.DOCTOR)
        response = client.patch("/api/profile/", {"first_name": "Jo", "phone": "+254700000001"})
        assert response.status_code == 200
        assert response.json()["first_name"] == "Jo"
        client.user.refresh_from_db()
        assert client.user.phone == "+254700000001"

    def test_role_cannot_be_changed_through_profile(self, client_for):
        client = client_for(Role.PATIENT)
        response = client.patch("/api/profile/", {"role": "admin"}, format="json")
        # Unknown fields are ignored by the serializer; the role stays.
        assert response.status_code == 200
        client.user.refresh_from_db()
        assert client.user.role == Role.PATIENT

    def test_invalid_email_is_400(self, client_for):
        response = client_for(Role.NURSE).patch("/api/profile/", {"email": "not-an-email"})
        assert response.status_code == 400
        assert "email" in response.json()["fields"]

    def test_password_change_needs_the_current_password(self, client_for):
        client = client_for(Role.NURSE)
        wrong = client.post(
            "/api/profile/password/",
            {"current_password": "nope", "new_password": "another-long-pass-99"},
        )
        assert wrong.status_code == 400
        assert wrong.json()["code"] == "wrong_password"
        right = client.post(
            "/api/profile/password/",
            {"current_password": TEST_PASSWORD, "new_password": "another-long-pass-99"},
        )
        assert right.status_code == 204
        client.user.refresh_from_db()
        assert client.user.check_password("another-long-pass-99")


def test_compatibility_route_put_profile(client_for):
    client = client_for(Role.PATIENT)
    response = client.put("/api/profile/", {"last_name": "Putman"}, format="json")
    assert response.status_code == 200
    assert response.json()["last_name"] == "Putman"


def test_password_reset_by_email_signs_out_everywhere_and_unlocks():
    from hms.accounts.services import password_reset_by_email_finalize

    user = UserFactory()
    tokens = login(APIClient(), user.username).json()
    for _ in range(5):
        login(APIClient(), user.username, "bad")
    assert login(APIClient(), user.username).status_code == 429
    password_reset_by_email_finalize(user=user)
    refreshed = APIClient().post(
        "/api/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
    )
    assert refreshed.status_code == 401
    assert login(APIClient(), user.username).status_code == 200
    assert AuditEvent.objects.filter(resource_type="password", actor=user).exists()


class TestBearerToken:
    """HmsJWTAuthentication keeps simplejwt's checks on every request."""

    def test_a_valid_token_signs_the_user_in(self):
        user = UserFactory()
        response = bearer(AccessToken.for_user(user)).get("/api/profile/")
        assert response.status_code == 200
        assert response.json()["username"] == user.username

    def test_a_user_deactivated_after_sign_in_is_refused(self):
        user = UserFactory()
        client = bearer(AccessToken.for_user(user))
        User.objects.filter(pk=user.pk).update(is_active=False)
        response = client.get("/api/profile/")
        assert response.status_code == 401
        assert response.json()["code"] == "user_inactive"

    def test_a_token_for_a_user_that_does_not_exist_is_refused(self):
        token = AccessToken()
        token["user_id"] = str(uuid.uuid4())
        response = bearer(token).get("/api/profile/")
        assert response.status_code == 401
        assert response.json()["code"] == "user_not_found"

    def test_a_token_without_a_user_claim_is_refused(self):
        assert bearer(AccessToken()).get("/api/profile/").status_code == 401


class TestPasswordChangeEndsAccessTokens:
    """Access tokens issued before a password change or reset stop working at once (the
    refresh tokens are blacklisted too), even after the token was verified and cached."""

    def test_an_own_password_change_ends_the_old_access_token(self):
        user = UserFactory()
        client = bearer(login(APIClient(), user.username).json()["access"])
        assert client.get("/api/profile/").status_code == 200  # verified and cached
        changed = client.post(
            "/api/profile/password/",
            {"current_password": TEST_PASSWORD, "new_password": "another-long-pass-99"},
        )
        assert changed.status_code == 204
        response = client.get("/api/profile/")
        assert response.status_code == 401
        assert response.json()["code"] == "password_changed"
        fresh = login(APIClient(), user.username, "another-long-pass-99").json()["access"]
        assert bearer(fresh).get("/api/profile/").status_code == 200

    def test_an_admin_reset_ends_the_users_access_token(self, client_for):
        user = UserFactory(role=Role.NURSE)
        client = bearer(login(APIClient(), user.username).json()["access"])
        assert client.get("/api/profile/").status_code == 200
        reset = client_for(Role.ADMIN).post(
            f"/api/users/{user.public_id}/reset-password/",
            {"new_password": "reset-long-pass-42"},
            format="json",
        )
        assert reset.status_code in (200, 204), reset.json()
        assert client.get("/api/profile/").status_code == 401


class TestVerifiedTokenCache:
    """A token's signature is checked once per process; expiry and the user on every request."""

    def test_the_signature_is_checked_once_for_repeated_requests(self, monkeypatch):
        from rest_framework_simplejwt.backends import TokenBackend

        from hms.accounts.authentication import _verified_token

        _verified_token.cache_clear()
        decoded = []
        library_decode = TokenBackend.decode

        def counting_decode(self, token, verify=True):
            decoded.append(verify)
            return library_decode(self, token, verify)

        monkeypatch.setattr(TokenBackend, "decode", counting_decode)
        client = bearer(AccessToken.for_user(UserFactory()))
        for _ in range(3):
            assert client.get("/api/profile/").status_code == 200
        assert decoded == [True]

    def test_a_verified_token_still_expires(self):
        client = bearer(AccessToken.for_user(UserFactory()))
        assert client.get("/api/profile/").status_code == 200
        with time_machine.travel(timezone.now() + timezone.timedelta(minutes=16), tick=False):
            response = client.get("/api/profile/")
        assert response.status_code == 401
        assert response.json()["code"] == "token_not_valid"

    def test_a_changed_signature_is_refused_after_the_genuine_token_was_accepted(self):
        token = str(AccessToken.for_user(UserFactory()))
        assert bearer(token).get("/api/profile/").status_code == 200
        header, payload, signature = token.split(".")
        forged = f"{header}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
        response = bearer(forged).get("/api/profile/")
        assert response.status_code == 401
        assert response.json()["code"] == "token_not_valid"

    def test_a_verified_token_of_a_deactivated_user_is_refused(self):
        user = UserFactory()
        client = bearer(AccessToken.for_user(user))
        assert client.get("/api/profile/").status_code == 200
        User.objects.filter(pk=user.pk).update(is_active=False)
        response = client.get("/api/profile/")
        assert response.status_code == 401
        assert response.json()["code"] == "user_inactive"
