"""The own profile, staff administration and the audit log."""

from __future__ import annotations

from typing import Any

from hms_desktop.api.dto import (
    AcknowledgedNotification,
    AuditEvent,
    Notification,
    NotificationPage,
    Page,
    User,
)
from hms_desktop.api.resources.base import DEFAULT_PAGE_SIZE, Resource, action, flags

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
    ("audit_read", "Audit log read"),
]
AUDIT_OUTCOMES = [("success", "Success"), ("failure", "Failure"), ("denied", "Denied")]


class ProfileApi(Resource):
    def get(self) -> User:
        return self._get(User, "/api/profile/")

    def update(self, **fields: Any) -> User:
        user = self._patch(User, "/api/profile/", fields)
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


class UsersApi(Resource):
    """Staff administration (admin only on the server)."""

    def list(
        self,
        *,
        page: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
        role: str | None = None,
        is_active: bool | None = None,
        q: str | None = None,
    ) -> Page[User]:
        params: dict[str, Any] = {"role": role, "q": q}
        if is_active is not None:
            params["is_active"] = "true" if is_active else "false"
        return self._page(User, "/api/users/", params, page=page, page_size=page_size)

    def count(self, **filters: Any) -> int:
        return self.list(page=1, page_size=1, **filters).count

    def get(self, user_id: str) -> User:
        return self._get(User, f"/api/users/{user_id}/")

    def create(self, **fields: Any) -> User:
        return self._post(User, "/api/users/", fields)

    def update(self, user_id: str, **fields: Any) -> User:
        return self._patch(User, f"/api/users/{user_id}/", fields)

    def deactivate(self, user_id: str, *, reason: str = "") -> User:
        return self._post(User, f"/api/users/{user_id}/deactivate/", {"reason": reason})

    activate = action(User, "/api/users/{}/activate/")

    def reset_password(self, user_id: str, *, new_password: str) -> None:
        self._client.post(f"/api/users/{user_id}/reset-password/", {"new_password": new_password})


class AuditApi(Resource):
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

    def list(
        self, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE, **filters: Any
    ) -> Page[AuditEvent]:
        unknown = set(filters) - set(self.FILTERS)
        if unknown:
            raise TypeError(f"Unknown audit filters: {sorted(unknown)}")
        return self._page(AuditEvent, "/api/audit/", filters, page=page, page_size=page_size)

    def count(self, **filters: Any) -> int:
        return self.list(page=1, page_size=1, **filters).count


class NotificationsApi(Resource):
    """The signed-in user's own notifications (every role)."""

    def list(
        self,
        *,
        page: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
        unread: bool = False,
        attention: bool = False,
    ) -> NotificationPage[Notification]:
        filters = flags({"unread": unread, "attention": attention})
        return self._page(
            Notification,
            "/api/notifications/",
            filters,
            page=page,
            page_size=page_size,
            page_type=NotificationPage,
        )

    def acknowledge(self, notification_id: str) -> AcknowledgedNotification:
        return self._post(
            AcknowledgedNotification, f"/api/notifications/{notification_id}/acknowledge/"
        )

    def mark_read(self, notification_ids: list[str] | None = None) -> int:
        body = {"ids": notification_ids} if notification_ids else {}
        return self._client.post("/api/notifications/read/", body)["marked"]
