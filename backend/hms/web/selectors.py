"""Reads the portal owns: the patient's view of the audit log ("who viewed my record")."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, CharField, F, Max, Min, Q, QuerySet, Value, When
from django.db.models.functions import Cast

from hms.core.models import AuditAction, AuditEvent, AuditOutcome
from hms.core.roles import Role
from hms.patients.access import ChartSection

# Events that mean someone looked at or changed the chart (logins and the like carry no patient).
ACCESS_ACTIONS = (
    AuditAction.READ,
    AuditAction.EMERGENCY_ACCESS,
    AuditAction.CREATE,
    AuditAction.UPDATE,
    AuditAction.VOID,
    AuditAction.EXPORT,
)
VERBS = {
    AuditAction.READ: "Viewed",
    AuditAction.EMERGENCY_ACCESS: "Emergency access",
    AuditAction.CREATE: "Added to",
    AuditAction.UPDATE: "Changed",
    AuditAction.VOID: "Voided an entry in",
    AuditAction.EXPORT: "Exported",
}
_SECTION_LABELS = {section.value: section.label for section in ChartSection}


def record_part_label(resource_type: str) -> str:
    """A patient-readable name for the part of the record an audit event touched."""
    if resource_type in _SECTION_LABELS:
        return _SECTION_LABELS[resource_type]
    return resource_type.replace("_", " ").capitalize()


@dataclass(frozen=True)
class RecordAccess:
    occurred_at: datetime
    role: str
    action: str
    part: str
    emergency: bool


def record_access_events(*, patient) -> QuerySet:
    """Successful accesses to this patient's chart by anyone but the patient, newest first.

    One page view can open several parts of a chart, each audited; the events of one request
    by one person on one part are one row here (events without a request id stay apart).
    Each row: occurred_at, actor_role, action, resource_type, emergency (0/1).
    """
    events = AuditEvent.objects.filter(
        patient_id=str(patient.public_id),
        action__in=ACCESS_ACTIONS,
        outcome=AuditOutcome.SUCCESS,
    )
    if patient.user_id is not None:
        events = events.exclude(actor_id=patient.user_id)
    emergency = Q(action=AuditAction.EMERGENCY_ACCESS) | Q(detail__emergency=True)
    return (
        events.annotate(
            visit=Case(
                When(request_id="", then=Cast("sequence", CharField())),
                default=F("request_id"),
                output_field=CharField(),
            )
        )
        .values("visit", "actor_id", "actor_role", "action", "resource_type")
        .annotate(
            occurred_at=Min("occurred_at"),
            last_sequence=Max("sequence"),
            emergency=Max(Case(When(emergency, then=Value(1)), default=Value(0))),
        )
        .order_by("-last_sequence")
    )


def record_access_rows(rows) -> list[RecordAccess]:
    roles = dict(Role.choices)
    return [
        RecordAccess(
            occurred_at=row["occurred_at"],
            role=roles.get(row["actor_role"], "System"),
            action=VERBS.get(row["action"], row["action"]),
            part=record_part_label(row["resource_type"]),
            emergency=bool(row["emergency"]),
        )
        for row in rows
    ]
