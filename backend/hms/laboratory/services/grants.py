"""Self-verification grants."""

from django.db import transaction
from django.utils import timezone

from hms.accounts.models import User
from hms.core.errors import ApplicationError, ConflictError
from hms.core.models import AuditAction
from hms.core.roles import Role
from hms.core.services import audit_record
from hms.laboratory.models import LabVerifierGrant
from hms.laboratory.services.common import GRANT_RESOURCE
from hms.laboratory.services.results import active_verifier_grant


@transaction.atomic
def lab_verifier_grant_create(*, actor: User, user: User, reason: str) -> LabVerifierGrant:
    if user.role != Role.LAB_TECHNICIAN or not user.is_active:
        raise ApplicationError(
            "Only an active lab technician can be granted self-verification.",
            code="not_lab_technician",
            fields={"user": ["Not an active lab technician."]},
        )
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise ApplicationError(
            "Say why the grant is given.", code="reason_required", fields={"reason": ["Required."]}
        )
    User.objects.select_for_update().filter(pk=user.pk).first()
    if active_verifier_grant(user) is not None:
        raise ConflictError("This technician already holds a grant.", code="already_granted")
    grant = LabVerifierGrant.objects.create(user=user, reason=reason, granted_by=actor)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type=GRANT_RESOURCE,
        object_id=grant.public_id,
        detail={"user": str(user.public_id), "reason": reason},
    )
    return grant


@transaction.atomic
def lab_verifier_grant_revoke(*, actor: User, grant: LabVerifierGrant) -> LabVerifierGrant:
    grant = LabVerifierGrant.objects.select_for_update().select_related("user").get(pk=grant.pk)
    if grant.revoked_at is not None:
        raise ConflictError("This grant is already revoked.", code="already_revoked")
    grant.revoked_at, grant.revoked_by = timezone.now(), actor
    grant.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.VOID,
        resource_type=GRANT_RESOURCE,
        object_id=grant.public_id,
        detail={"user": str(grant.user.public_id)},
    )
    return grant
