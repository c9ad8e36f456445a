"""What every area shares: people, references to people and patients, pages, health."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Generic, Self, TypeVar

from hms_desktop.api.dto.convert import Dto, completed, json_key, structure
from hms_desktop.roles import role_label

T = TypeVar("T")


@dataclass(frozen=True)
class Capabilities(Dto):
    """What the signed-in user may do and the clinical rules the server judges by, read once
    at sign-in from `GET /api/profile/capabilities/`. Screens ask `may(resource, action)` with
    the server's own permission names instead of keeping a copy of its role table."""

    role: str
    permissions: dict[str, frozenset[str]]
    clinical_rules: dict[str, dict[str, Any]]

    def may(self, resource: str, action: str) -> bool:
        return action in self.permissions.get(resource, ())

    @property
    def news2(self) -> dict[str, Any]:
        return self.clinical_rules["news2"]

    @property
    def lab_flags(self) -> dict[str, Any]:
        return self.clinical_rules["lab_flags"]


@dataclass(frozen=True)
class User(Dto):
    id: str
    username: str
    role: str
    role_display: str = field(
        default="", metadata=completed(lambda u: u.role_display or role_label(u.role))
    )
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    is_active: bool = True
    last_login: datetime | None = None
    created_at: datetime | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


@dataclass(frozen=True)
class LoginResult(Dto):
    access: str
    refresh: str
    user: User


@dataclass(frozen=True)
class RefreshedTokens(Dto):
    """`POST /token/refresh/`: a new access token, and the rotated refresh token."""

    access: str
    refresh: str = ""


@dataclass(frozen=True)
class ErrorBody(Dto):
    """Every error the server answers: `{"status", "code", "message", "fields", "extra",
    "request_id"}` (`fields` and `extra` only when there is something in them)."""

    status: int
    code: str
    message: str
    fields: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    request_id: str = ""


@dataclass(frozen=True)
class AuditEvent(Dto):
    unread = frozenset({"chain"})

    id: str
    sequence: int
    occurred_at: datetime | None
    actor_username: str
    actor_role: str
    action: str
    resource_type: str
    object_id: str
    patient_id: str
    ip: str
    request_id: str
    outcome: str
    detail: Any = None
    hash: str = ""
    actor_id: str | None = None


@dataclass(frozen=True)
class PersonRef(Dto):
    """Someone an answer refers to: `{"id", "name"}` (doctors, staff who acted)."""

    id: str
    name: str


@dataclass(frozen=True)
class PatientRef(Dto):
    """A patient as other records name them: `{"id", "mrn", "name"}`."""

    id: str
    mrn: str
    name: str


@dataclass(frozen=True)
class PageJson(Dto):
    """A page as the server sends it; `Page` keeps what the client needs."""

    count: int
    next: str | None
    previous: str | None
    results: list[Any]


@dataclass(frozen=True)
class SummaryPageJson(PageJson):
    summary: dict[str, int]


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a paginated list: `{"count", "next", "previous", "results"}`."""

    count: int
    results: list[T]
    page: int = 1
    next_page: int | None = None

    envelope: ClassVar[type[PageJson]] = PageJson

    @classmethod
    def from_json(cls, data: dict[str, Any], item: Any, page: int) -> Self:
        """`item` converts each row (e.g. `Patient.from_json`); `page` is the page asked for."""
        envelope = structure(data, cls.envelope)
        return cls(
            count=envelope.count,
            results=[item(row) for row in envelope.results],
            page=page,
            next_page=page + 1 if envelope.next else None,
            **cls.kept(envelope),
        )

    @staticmethod
    def kept(envelope: Any) -> dict[str, Any]:
        """What a kind of page keeps from its envelope besides the rows."""
        return {}


@dataclass(frozen=True)
class SummaryPage(Page[T]):
    """A page of a worklist that also carries counts for the whole list (`summary`)."""

    summary: dict[str, int] = field(default_factory=dict)

    envelope: ClassVar[type[PageJson]] = SummaryPageJson

    @staticmethod
    def kept(envelope: Any) -> dict[str, Any]:
        return {"summary": envelope.summary}


@dataclass(frozen=True)
class HealthJson(Dto):
    status: str = ""
    checks: dict[str, Any] = field(default_factory=dict)
    # Whether the slow reference tables (drug names, ICD-10) have loaded since the start.
    warm: bool = True
    warm_up: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Health:
    ok: bool
    status: str
    checks: dict[str, Any] = field(default_factory=dict)
    warm: bool = True

    @classmethod
    def from_json(cls, data: dict[str, Any], http_ok: bool) -> Health:
        report = structure(data, HealthJson)
        return cls(
            ok=http_ok and report.status == "ok",
            status=report.status or ("ok" if http_ok else "unavailable"),
            checks=report.checks,
            warm=report.warm,
        )

    @property
    def failing(self) -> list[str]:
        return [name for name, check in self.checks.items() if not check.get("ok", False)]


@dataclass(frozen=True)
class Notification(Dto):
    """One of the signed-in user's notifications (`GET /api/notifications/`, and the live feed
    at `ws/notifications/`). `needs_attention`: critical and not yet acknowledged."""

    id: str
    kind: str
    severity: str
    title: str
    body: str
    link: str
    patient_id: str
    created_at: datetime | None
    read_at: datetime | None
    needs_attention: bool
    acknowledged_at: datetime | None
    acknowledged_by: PersonRef | None
    escalated_at: datetime | None
    escalation_of: str | None

    @property
    def critical(self) -> bool:
        return self.severity == "critical"


@dataclass(frozen=True)
class NotificationCounts(Dto):
    """The bell's numbers: unread, and critical ones not yet acknowledged. (`unread` is taken
    by `Dto`: the JSON key is read into `unread_count`.)"""

    unread_count: int = field(metadata=json_key("unread"))
    attention: int = 0


@dataclass(frozen=True)
class NotificationPageJson(PageJson):
    unread_count: int = field(metadata=json_key("unread"))
    attention: int = 0


@dataclass(frozen=True)
class NotificationPage(Page[T]):
    """A page of the inbox, with the bell's counts for the whole inbox."""

    counts: NotificationCounts = NotificationCounts(unread_count=0, attention=0)

    envelope: ClassVar[type[PageJson]] = NotificationPageJson

    @staticmethod
    def kept(envelope: Any) -> dict[str, Any]:
        return {
            "counts": NotificationCounts(
                unread_count=envelope.unread_count, attention=envelope.attention
            )
        }


@dataclass(frozen=True)
class AcknowledgedNotification(Notification):
    """`POST /api/notifications/<id>/acknowledge/`: the notification and the new counts."""

    unread_count: int = field(default=0, metadata=json_key("unread"))
    attention: int = 0
