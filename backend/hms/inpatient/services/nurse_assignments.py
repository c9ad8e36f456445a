"""Nurse ward assignments: which nurses work on a ward, from when until when."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hms.accounts.models import User
from hms.core.errors import ApplicationError, ConflictError
from hms.core.models import AuditAction
from hms.core.roles import Role
from hms.inpatient.models import NurseWardAssignment, Ward
from hms.inpatient.services.common import audit


@transaction.atomic
def nurse_ward_assign(
    *,
    actor: User,
    nurse: User,
    ward: Ward,
    starts_on: date | None = None,
    ends_on: date | None = None,
    note: str = "",
) -> NurseWardAssignment:
    if nurse.role != Role.NURSE or not nurse.is_active:
        raise ApplicationError(
            "Only an active nurse can be assigned to a ward.",
            code="not_a_nurse",
            fields={"nurse": ["Not an active nurse."]},
        )
    starts_on = starts_on or timezone.localdate()
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": ["Must not be before starts_on."]})
    assignment = NurseWardAssignment.objects.create(
        nurse=nurse, ward=ward, starts_on=starts_on, ends_on=ends_on, assigned_by=actor, note=note
    )
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="nurse_ward_assignment",
        record=assignment,
        detail={"nurse": str(nurse.public_id), "ward": str(ward.public_id)},
    )
    return assignment


@transaction.atomic
def nurse_ward_assignment_end(
    *, actor: User, assignment: NurseWardAssignment, ends_on: date | None = None
) -> NurseWardAssignment:
    assignment = NurseWardAssignment.objects.select_for_update().get(pk=assignment.pk)
    ends_on = ends_on or timezone.localdate()
    if ends_on < assignment.starts_on:
        # Never started: it ends the day before it would have started.
        ends_on = assignment.starts_on - timedelta(days=1)
        assignment.starts_on = ends_on
    if assignment.ends_on is not None and assignment.ends_on <= ends_on:
        raise ConflictError("This assignment has already ended.", code="assignment_ended")
    assignment.ends_on = ends_on
    assignment.save()
    audit(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="nurse_ward_assignment",
        record=assignment,
        detail={"ends_on": ends_on.isoformat()},
    )
    return assignment
