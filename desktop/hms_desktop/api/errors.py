"""Errors the API client raises. Every server error arrives in one JSON shape:

    {"status", "code", "message", "fields", "extra", "request_id"}

and becomes an ApiError carrying exactly those parts, so a view can show `message` in a banner
and `fields` next to the inputs they belong to.
"""

from __future__ import annotations

from typing import Any

import httpx

from hms_desktop.api.dto import ErrorBody


class ApiError(Exception):
    """The server answered with an error (or could not be understood)."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        code: str = "error",
        fields: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
        request_id: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.fields = fields or {}
        self.extra = extra or {}
        self.request_id = request_id

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status}, code={self.code!r}, {self.message!r})"

    @classmethod
    def from_response(cls, response: httpx.Response) -> ApiError:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or "message" not in body:
            reason = response.reason_phrase or "error"
            return cls(
                f"The server answered HTTP {response.status_code} ({reason}).",
                status=response.status_code,
                code="http_error",
                request_id=response.headers.get("X-Request-ID", ""),
            )
        error = ErrorBody.from_json(body)
        return cls(
            error.message or "Request failed.",
            status=error.status or response.status_code,
            code=error.code or "error",
            fields={name: _as_messages(value) for name, value in error.fields.items()},
            extra=error.extra,
            request_id=error.request_id or response.headers.get("X-Request-ID", ""),
        )

    def field_message(self, name: str) -> str:
        return " ".join(self.fields.get(name, []))


class ServerUnreachable(ApiError):
    """No answer: connection refused, DNS failure, timeout, dropped connection."""

    def __init__(self, message: str) -> None:
        super().__init__(message, status=0, code="unreachable")


class SessionExpired(ApiError):
    """The access token was refused and could not be refreshed: the user must sign in again."""

    def __init__(self, message: str = "Your session has ended. Please sign in again.") -> None:
        super().__init__(message, status=401, code="session_expired")


class DownloadCancelled(ApiError):
    """The user stopped a download; nothing was saved."""

    def __init__(self, message: str = "Download cancelled; nothing was saved.") -> None:
        super().__init__(message, status=0, code="cancelled")


class SaveFailed(ApiError):
    """The answer arrived but could not be written where the user asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message, status=0, code="save_failed")


def _as_messages(value: Any) -> list[str]:
    if isinstance(value, list):
        out: list[str] = []
        for item in value:
            out.extend(_as_messages(item))
        return out
    if isinstance(value, dict):  # nested serializer errors: flatten "sub: message"
        return [f"{key}: {msg}" for key, sub in value.items() for msg in _as_messages(sub)]
    return [str(value)]
