"""Writes owned by the core app: the audit log, notifications and their escalation."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from hms.core.audit_chain import GENESIS_HASH, audit_chain_for_new_event, audit_event_digest
from hms.core.escalation import escalation_targets
from hms.core.live import push_after_commit
from hms.core.locks import lock_or_create, partial_unique_lock
from hms.core.models import AuditAction, AuditChainHead, AuditEvent, AuditOutcome, Notification
from hms.core.request_context import current_request_context
from hms.core.selectors import notification_counts, notifications_overdue_for_escalation
from hms.core.serializers import NOTIFICATION_OUTPUT


# No savepoint: inside a caller's transaction a failed audit write must fail the whole write,
# and skipping SAVEPOINT/RELEASE saves two round trips on every audited action.
@transaction.atomic(savepoint=False)
def audit_record(
    *,
    actor,
    action: AuditAction | str,
    resource_type: str,
    object_id: Any = "",
    patient_id: Any = "",
    outcome: AuditOutcome | str = AuditOutcome.SUCCESS,
    detail: dict | None = None,
    actor_username: str | None = None,
) -> AuditEvent:
    """Append one event to the audit chain.

    Call it inside the transaction of the write it records, as the last step, so the event
    commits or rolls back with the write and the chain lock is held only briefly.
    """
    context = current_request_context()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    chain = audit_chain_for_new_event(settings.AUDIT_CHAIN_SHARDS)
    head = _lock_chain_head(chain)
    last_hash = head.last_hash
    event = AuditEvent(
        chain=chain,
        sequence=head.last_sequence + 1,
        occurred_at=timezone.now(),
        actor=actor if authenticated else None,
        actor_username=actor_username
        if actor_username is not None
        else (actor.get_username() if authenticated else ""),
        actor_role=getattr(actor, "role", "") if authenticated else "",
        action=str(action),
        resource_type=resource_type,
        object_id=str(object_id or ""),
        patient_id=str(patient_id or ""),
        ip=context.ip,
        request_id=context.request_id,
        outcome=str(outcome),
        detail=detail or {},
        prev_hash=last_hash,
    )
    event.hash = audit_event_digest(event, last_hash)
    event.save()
    head.last_sequence, head.last_hash = event.sequence, event.hash
    head.save(update_fields=["last_sequence", "last_hash"])
    return event


def _lock_chain_head(chain: int) -> AuditChainHead:
    """The chain's head row, locked until the transaction ends (SELECT ... FOR UPDATE; FOR NO
    KEY UPDATE on PostgreSQL): concurrent events of one chain line up behind it instead of
    forking, and each reads the head its predecessor committed. Created with the chain's
    first event."""
    head, _ = lock_or_create(
        AuditChainHead.objects, id=chain, defaults={"last_sequence": 0, "last_hash": GENESIS_HASH}
    )
    return head


def audit_page_read(
    *, actor, resource_type: str, patient_ids: list, count: int | None, detail: dict | None = None
) -> AuditEvent:
    """One read event for a page of a list: who looked, and which patients were on the page."""
    return audit_record(
        actor=actor,
        action=AuditAction.READ,
        resource_type=resource_type,
        detail={"patients": [str(pid) for pid in patient_ids], "count": count, **(detail or {})},
    )


# A refused request's audit action, from its HTTP method (the table's action is in detail).
_REFUSED_METHOD_ACTIONS = {
    "GET": AuditAction.READ,
    "HEAD": AuditAction.READ,
    "OPTIONS": AuditAction.READ,
    "POST": AuditAction.CREATE,
    "PUT": AuditAction.UPDATE,
    "PATCH": AuditAction.UPDATE,
    "DELETE": AuditAction.VOID,
}


def audit_refusal(
    *,
    actor,
    method: str,
    path: str,
    route: str,
    resource_type: str,
    reason: str,
    permission: str = "",
    object_id: Any = "",
    patient_id: Any = "",
) -> AuditEvent:
    """One `denied` event for a request refused with 403: who, which route (the path holds
    only ids; the query string, which may hold a searched name, is not kept), why."""
    detail = {"reason": reason, "method": method, "path": path[:500], "route": route}
    if permission:
        detail["permission"] = permission
    return audit_record(
        actor=actor,
        action=_REFUSED_METHOD_ACTIONS.get(method, AuditAction.READ),
        resource_type=(resource_type or "request")[:64],
        object_id=str(object_id or "")[:64],
        patient_id=patient_id,
        outcome=AuditOutcome.DENIED,
        detail=detail,
    )


def audit_log_read(*, actor, resource_type: str, filters: dict, count: int | None) -> AuditEvent:
    """Reading the audit trail is itself audited: who looked, at what (the filters)."""
    return audit_record(
        actor=actor,
        action=AuditAction.AUDIT_READ,
        resource_type=resource_type,
        detail={"filters": {key: str(value) for key, value in filters.items()}, "count": count},
    )


@transaction.atomic
def notification_create(
    *,
    recipient,
    kind: str,
    title: str,
    body: str = "",
    severity: str = "info",
    link: str = "",
    patient_id: Any = "",
    dedupe_key: str = "",
    escalation_of: Notification | None = None,
):
    """Notify one user, live on their open clients once the transaction commits. With a
    dedupe_key, a second call with the same key does nothing and returns the existing
    notification."""
    notification = Notification(
        recipient=recipient,
        kind=kind,
        title=title[:200],
        body=body,
        severity=severity,
        link=link,
        patient_id=str(patient_id or ""),
        dedupe_key=dedupe_key,
        escalation_of=escalation_of,
    )
    if not dedupe_key:
        notification.save()
        _push(notification, event="created")
        return notification
    # MySQL/MariaDB hold no dedupe constraint: same-key callers queue on the recipient.
    partial_unique_lock(get_user_model().objects.filter(pk=recipient.pk))
    existing = Notification.objects.filter(recipient=recipient, dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    # PostgreSQL and SQLite: a caller with the same key may have inserted since the check
    # above, and the dedupe constraint refuses this row. The savepoint keeps that refusal from
    # aborting the caller's transaction (a verified lab result must not fail because its alert
    # was sent twice); the notification already sent is returned instead.
    try:
        with transaction.atomic():
            notification.save()
    except IntegrityError:
        return Notification.objects.get(recipient=recipient, dedupe_key=dedupe_key)
    _push(notification, event="created")
    return notification


def _push(notification: Notification, *, event: str) -> None:
    """Tell the recipient's open clients, after commit: the notification and the bell's counts."""
    recipient = notification.recipient

    def message() -> dict:
        return {
            "event": event,
            "notification": NOTIFICATION_OUTPUT.data(notification),
            **notification_counts(user=recipient),
        }

    push_after_commit(user_id=recipient.pk, build_message=message)


def notification_create_for_role(*, role: str, **kwargs) -> int:
    """Notify every active user of a role (e.g. all pharmacists). Returns how many."""
    count = 0
    for user in get_user_model().objects.filter(role=role, is_active=True):
        notification_create(recipient=user, **kwargs)
        count += 1
    return count


@transaction.atomic
def notification_mark_read(*, user, notification_ids: list | None = None) -> int:
    """Mark the user's notifications read (all unread ones when no ids are given)."""
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        queryset = queryset.filter(public_id__in=notification_ids)
    return queryset.update(read_at=timezone.now())


@transaction.atomic
def notification_acknowledge(*, actor, notification: Notification) -> Notification:
    """The recipient has seen the alert and is acting on it: who and when, audited.

    An escalated alert is one alert: acknowledging the original or any copy closes them all,
    and every recipient's strip drops it. Acknowledging again changes nothing.
    """
    original = notification.escalation_of or notification
    # Lock the alert's open copies alone (no joins: PostgreSQL cannot lock the nullable side
    # of an outer join, and the recipients' rows need no lock), then read them with what the
    # live push shows.
    locked = list(
        Notification.objects.select_for_update()
        .filter(Q(pk=original.pk) | Q(escalation_of=original), acknowledged_at__isnull=True)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    open_copies = list(
        Notification.objects.select_related("recipient", "escalation_of")
        .filter(pk__in=locked)
        .order_by("id")
    )
    if not open_copies:
        notification.refresh_from_db()
        return notification
    now = timezone.now()
    for copy in open_copies:
        copy.acknowledged_at, copy.acknowledged_by = now, actor
        copy.read_at = copy.read_at or now
        copy.save(update_fields=["acknowledged_at", "acknowledged_by", "read_at", "updated_at"])
        _push(copy, event="acknowledged")
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="notification_acknowledgement",
        object_id=original.public_id,
        patient_id=original.patient_id,
        detail={
            "kind": original.kind,
            "severity": original.severity,
            "title": original.title,
            "created_at": original.created_at.isoformat(),
            "copies": len(open_copies),
        },
    )
    notification.refresh_from_db()
    return notification


def notification_escalate_overdue(*, now=None) -> int:
    """Escalate every critical alert left unacknowledged for CRITICAL_ALERT_ESCALATION_MINUTES
    (Celery beat, every minute): a copy to the people who can act (hms.core.escalation), and
    the escalation recorded on the alert and in the audit log. Returns how many escalated."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.CRITICAL_ALERT_ESCALATION_MINUTES)
    escalated = 0
    for notification_id in list(
        notifications_overdue_for_escalation(cutoff=cutoff).values_list("pk", flat=True)[:500]
    ):
        escalated += _escalate_one(notification_id=notification_id, now=now)
    return escalated


@transaction.atomic
def _escalate_one(*, notification_id: int, now) -> int:
    # Locked and checked again: an acknowledgement or another sweep may have come first.
    notification = (
        Notification.objects.select_for_update()
        .filter(pk=notification_id, acknowledged_at__isnull=True, escalated_at__isnull=True)
        .first()
    )
    if notification is None:
        return 0
    minutes = settings.CRITICAL_ALERT_ESCALATION_MINUTES
    escalation = escalation_targets(notification)
    targets = escalation.users
    who = notification.recipient.display_name
    for target in targets:
        notification_create(
            recipient=target,
            kind=notification.kind,
            severity=notification.severity,
            title=f"Escalated: {notification.title}",
            body=(
                f"Not acknowledged by {who} within {minutes} minutes; sent to you as "
                f"{escalation.audience}.\n{notification.body}"
            ),
            link=notification.link,
            patient_id=notification.patient_id,
            dedupe_key=f"escalation:{notification.public_id}",
            escalation_of=notification,
        )
    notification.escalated_at = now
    notification.save(update_fields=["escalated_at", "updated_at"])
    audit_record(
        actor=None,
        actor_username="system:escalation",
        action=AuditAction.UPDATE,
        resource_type="notification_escalation",
        object_id=notification.public_id,
        patient_id=notification.patient_id,
        detail={
            "kind": notification.kind,
            "title": notification.title,
            "recipient": notification.recipient.get_username(),
            "minutes": minutes,
            "rule": escalation.rule or "no one to escalate to",
            "escalated_to": [target.get_username() for target in targets],
        },
    )
    _push(notification, event="escalated")
    return 1


def audit_document_print(*, actor, document: str, object_id: Any, patient_id: Any) -> AuditEvent:
    """One `export` event for a printed (downloaded) document about a patient: who printed
    which document of whom. The chart read that fetched its data is audited as usual."""
    return audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        resource_type=document,
        object_id=object_id,
        patient_id=patient_id,
        detail={"format": "pdf"},
    )
