"""Reads owned by the core app: the audit log and its integrity check, notifications."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Model, Q, QuerySet

from hms.core.audit_chain import GENESIS_HASH, audit_event_digest
from hms.core.models import AuditChainHead, AuditEvent, Notification, NotificationSeverity


def one_or_none(queryset: QuerySet, **lookup) -> Model | None:
    """`queryset.get(**lookup)` by a unique key, or None when no row matches or the key is
    one the field cannot hold (None, a malformed UUID): a request's unknown id is a 404, not
    a 500."""
    if any(value is None for value in lookup.values()):
        return None  # `= NULL` matches nothing; the ORM would mean IS NULL
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValidationError, ValueError, TypeError):
        return None


def audit_event_list(*, filters: dict | None = None) -> QuerySet[AuditEvent]:
    """Audit events, newest first, with the actor joined (one query per page)."""
    queryset = AuditEvent.objects.select_related("actor").order_by("-id")
    filters = filters or {}
    if actor := filters.get("actor"):
        queryset = queryset.filter(actor_username=actor)
    if actor_id := filters.get("actor_id"):
        queryset = queryset.filter(actor__public_id=actor_id)
    for field in ("patient_id", "resource_type", "action", "outcome", "object_id"):
        if value := filters.get(field):
            queryset = queryset.filter(**{field: value})
    if since := filters.get("since"):
        queryset = queryset.filter(occurred_at__gte=since)
    if until := filters.get("until"):
        queryset = queryset.filter(occurred_at__lt=until)
    return queryset


@dataclass(frozen=True)
class AuditChainReport:
    ok: bool
    checked: int
    broken_sequence: int | None = None
    reason: str = ""
    broken_chain: int | None = None


def audit_chain_verify() -> AuditChainReport:
    """Walk every chain in order and report the first event whose link does not hold."""
    heads = {head.id: head for head in AuditChainHead.objects.all()}
    chains = set(heads) | set(AuditEvent.objects.values_list("chain", flat=True).distinct())
    checked_total = 0
    for chain in sorted(chains):
        report = _verify_chain(chain, heads.get(chain))
        checked_total += report.checked
        if not report.ok:
            return AuditChainReport(
                False, checked_total, report.broken_sequence, report.reason, chain
            )
    return AuditChainReport(True, checked_total)


def _verify_chain(chain: int, head: AuditChainHead | None) -> AuditChainReport:
    prev_hash = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    events = AuditEvent.objects.filter(chain=chain).order_by("sequence").iterator(chunk_size=2000)
    for event in events:
        if event.sequence != expected_sequence:
            return AuditChainReport(
                False, checked, expected_sequence, f"event #{expected_sequence} is missing"
            )
        if event.prev_hash != prev_hash:
            return AuditChainReport(
                False, checked, event.sequence, "previous-hash link does not match"
            )
        if audit_event_digest(event, prev_hash) != event.hash:
            return AuditChainReport(
                False, checked, event.sequence, "content does not match its hash (edited)"
            )
        prev_hash = event.hash
        expected_sequence += 1
        checked += 1
    if head is None or (head.last_sequence, head.last_hash) != (checked, prev_hash):
        return AuditChainReport(
            False, checked, checked + 1, "events after the last verified one were removed"
        )
    return AuditChainReport(True, checked)


# Critical and unacknowledged (Notification.needs_attention, as a filter).
NEEDS_ATTENTION = Q(severity=NotificationSeverity.CRITICAL, acknowledged_at__isnull=True)


def notification_list(*, user, unread_only: bool = False, attention_only: bool = False):
    queryset = (
        Notification.objects.filter(recipient=user)
        .select_related("acknowledged_by", "escalation_of")
        .order_by("-created_at", "-id")
    )
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    if attention_only:
        queryset = queryset.filter(NEEDS_ATTENTION)
    return queryset


def notification_counts(*, user) -> dict[str, int]:
    """The bell's two numbers, in one query: unread, and critical not yet acknowledged."""
    return Notification.objects.filter(recipient=user).aggregate(
        unread=Count("pk", filter=Q(read_at__isnull=True)),
        attention=Count("pk", filter=NEEDS_ATTENTION),
    )


def notification_get_for_user(*, user, public_id) -> Notification | None:
    """One of the user's own notifications (None for anyone else's: no hint it exists)."""
    return one_or_none(notification_list(user=user), public_id=public_id)


def notifications_overdue_for_escalation(*, cutoff) -> QuerySet[Notification]:
    """Critical originals created before `cutoff`, unacknowledged and not yet escalated."""
    return Notification.objects.filter(
        NEEDS_ATTENTION,
        escalated_at__isnull=True,
        escalation_of__isnull=True,
        created_at__lte=cutoff,
    ).order_by("created_at", "id")
