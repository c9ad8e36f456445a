"""Typed wrappers over the server's resources: one small class per API area."""

from __future__ import annotations

from typing import Any

from hms_desktop.api.client import ApiClient
from hms_desktop.api.dto import AuditEvent, Page, User

DEFAULT_PAGE_SIZE = 50


class ProfileApi:
    def __init__(self, client: ApiClient) -> None:
        self._client = client

    def get(self) -> User:
        return User.from_json(self._client.get("/api/profile/"))

    def update(self, **fields: Any) -> User:
        user = User.from_json(self._client.patch("/api/profile/", fields))
        self._client.user = user
        return user

    def change_password(self, *, current_password: str, new_password: str) -> None:
        """Change the own password, then sign in again: the server revokes every refresh
        token of the account on a password change, this session's included."""
        username = self._client.user.username if self._client.user else None
        self._client.post(
            "/api/profile/password/",
            {"current_password": current_password, "new_password": new_password},
        )
        if username:
            self._client.login(username, new_password)


class UsersApi:
    """Staff administration (admin only on the server)."""

    def __init__(self, client: ApiClient) -> None:
        self._client = client

    def list(
        self,
        *,
        page: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
        role: str | None = None,
        is_active: bool | None = None,
        q: str | None = None,
    ) -> Page[User]:
        params: dict[str, Any] = {"page": page, "page_size": page_size, "role": role, "q": q}
        if is_active is not None:
            params["is_active"] = "true" if is_active else "false"
        return Page.from_json(self._client.get("/api/users/", params), User.from_json, page)

    def count(self, **filters: Any) -> int:
        return self.list(page=1, page_size=1, **filters).count

    def get(self, user_id: str) -> User:
        return User.from_json(self._client.get(f"/api/users/{user_id}/"))

    def create(self, **fields: Any) -> User:
        return User.from_json(self._client.post("/api/users/", fields))

    def update(self, user_id: str, **fields: Any) -> User:
        return User.from_json(self._client.patch(f"/api/users/{user_id}/", fields))

    def deactivate(self, user_id: str, *, reason: str = "") -> User:
        return User.from_json(
            self._client.post(f"/api/users/{user_id}/deactivate/", {"reason": reason})
        )

    def activate(self, user_id: str) -> User:
        return User.from_json(self._client.post(f"/api/users/{user_id}/activate/"))

    def reset_password(self, user_id: str, *, new_password: str) -> None:
        self._client.post(f"/api/users/{user_id}/reset-password/", {"new_password": new_password})


AUDIT_ACTIONS = [
    ("create", "Create"),
    ("update", "Update"),
    ("void", "Void"),
    ("read", "Read"),
    ("login", "Login"),
    ("login_failed", "Login failed"),
    ("logout", "Logout"),
    ("emergency_access", "Emergency access"),
    ("export", "Export"),
]
AUDIT_OUTCOMES = [("success", "Success"), ("failure", "Failure"), ("denied", "Denied")]


class AuditApi:
    """The append-only audit log (admin only on the server)."""

    FILTERS = (
        "actor",
        "actor_id",
        "patient_id",
        "resource_type",
        "object_id",
        "action",
        "outcome",
        "since",
        "until",
    )

    def __init__(self, client: ApiClient) -> None:
        self._client = client

    def list(
        self, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE, **filters: Any
    ) -> Page[AuditEvent]:
        unknown = set(filters) - set(self.FILTERS)
        if unknown:
            raise TypeError(f"Unknown audit filters: {sorted(unknown)}")
        params = {"page": page, "page_size": page_size, **filters}
        return Page.from_json(self._client.get("/api/audit/", params), AuditEvent.from_json, page)

    def count(self, **filters: Any) -> int:
        return self.list(page=1, page_size=1, **filters).count


class Api:
    """Everything the desktop can ask the server, grouped by area."""

    def __init__(self, client: ApiClient) -> None:
        self.client = client
        self.profile = ProfileApi(client)
        self.users = UsersApi(client)
        self.audit = AuditApi(client)
