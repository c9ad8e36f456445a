"""Reads the portal owns: the patient's view of the audit log ("who viewed my record")."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

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


def record_access_events(*, patient) -> QuerySet[AuditEvent]:
    """Every successful access to this patient's chart by someone other than the patient,
    newest first (served by the (patient_id, occurred_at) index)."""
    events = AuditEvent.objects.filter(
        patient_id=str(patient.public_id),
        action__in=ACCESS_ACTIONS,
        outcome=AuditOutcome.SUCCESS,
    )
    if patient.user_id is not None:
        events = events.exclude(actor_id=patient.user_id)
    return events.only("occurred_at", "actor_role", "action", "resource_type", "detail").order_by(
        "-occurred_at", "-sequence"
    )


def record_access_rows(events) -> list[RecordAccess]:
    roles = dict(Role.choices)
    return [
        RecordAccess(
            occurred_at=event.occurred_at,
            role=roles.get(event.actor_role, "System"),
            action=VERBS.get(event.action, event.action),
            part=record_part_label(event.resource_type),
            emergency=event.action == AuditAction.EMERGENCY_ACCESS
            or bool((event.detail or {}).get("emergency")),
        )
        for event in events
    ]
