"""Writes owned by the core app: the audit log."""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from hms.core.audit_chain import GENESIS_HASH, audit_chain_for_new_event, audit_event_digest
from hms.core.locks import lock_or_create, partial_unique_lock
from hms.core.models import AuditAction, AuditChainHead, AuditEvent, AuditOutcome, Notification
from hms.core.request_context import current_request_context


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
):
    """Notify one user. With a dedupe_key, a second call with the same key does nothing and
    returns the existing notification."""
    notification = Notification(
        recipient=recipient,
        kind=kind,
        title=title[:200],
        body=body,
        severity=severity,
        link=link,
        patient_id=str(patient_id or ""),
        dedupe_key=dedupe_key,
    )
    if not dedupe_key:
        notification.save()
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
    return notification


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
