"""The desktop's only way to the server: one HTTP client, typed DTOs, transparent JWT refresh."""

from hms_desktop.api.client import ApiClient, normalise_server_url
from hms_desktop.api.dto import (
    Appointment,
    AuditEvent,
    Availability,
    Doctor,
    Health,
    LoginResult,
    Page,
    Patient,
    Slot,
    User,
)
from hms_desktop.api.errors import ApiError, ServerUnreachable, SessionExpired
from hms_desktop.api.resources import Api

__all__ = [
    "Api",
    "ApiClient",
    "ApiError",
    "Appointment",
    "AuditEvent",
    "Availability",
    "Doctor",
    "Health",
    "LoginResult",
    "Page",
    "Patient",
    "ServerUnreachable",
    "SessionExpired",
    "Slot",
    "User",
    "normalise_server_url",
]
