"""Break-the-glass: a time-limited grant to open a chart outside one's care, and its review."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hms.accounts.models import User
from hms.core.errors import ApplicationError, ConflictError
from hms.core.models import AuditAction
from hms.core.services import audit_record
from hms.patients.access import user_has_care_relationship
from hms.patients.models import BreakGlassGrant, Patient

DEFAULT_BREAK_GLASS_HOURS = 12


BREAK_GLASS_REASON_MIN_LENGTH = 10


def break_glass_hours() -> int:
    return int(getattr(settings, "BREAK_GLASS_HOURS", DEFAULT_BREAK_GLASS_HOURS))


@transaction.atomic
def break_glass_grant_create(*, user: User, patient: Patient, reason: str) -> BreakGlassGrant:
    """Emergency access to a chart outside the clinician's care, for BREAK_GLASS_HOURS."""
    reason = " ".join((reason or "").split())
    if len(reason) < BREAK_GLASS_REASON_MIN_LENGTH:
        raise ApplicationError(
            f"Give the reason for emergency access (at least {BREAK_GLASS_REASON_MIN_LENGTH} "
            "characters).",
            code="validation_error",
            fields={"reason": [f"At least {BREAK_GLASS_REASON_MIN_LENGTH} characters."]},
        )
    if user_has_care_relationship(user=user, patient=patient):
        raise ConflictError(
            "This patient is already in your care; no emergency access is needed.",
            code="break_glass_not_needed",
        )
    grant = BreakGlassGrant.objects.create(
        user=user,
        patient=patient,
        reason=reason,
        expires_at=timezone.now() + timedelta(hours=break_glass_hours()),
    )
    audit_record(
        actor=user,
        action=AuditAction.EMERGENCY_ACCESS,
        resource_type="break_glass_grant",
        object_id=grant.public_id,
        patient_id=patient.public_id,
        detail={"reason": reason, "expires_at": grant.expires_at.isoformat()},
    )
    return grant


@transaction.atomic
def break_glass_grant_review(
    *, actor: User, grant: BreakGlassGrant, note: str = ""
) -> BreakGlassGrant:
    grant = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.reviewed_at is not None:
        raise ConflictError("This emergency access was already reviewed.", code="already_reviewed")
    grant.reviewed_at = timezone.now()
    grant.reviewed_by = actor
    grant.review_note = note.strip()
    grant.save(update_fields=["reviewed_at", "reviewed_by", "review_note", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="break_glass_grant",
        object_id=grant.public_id,
        patient_id=grant.patient.public_id,
        detail={"reviewed": True},
    )
    return grant
