"""Registering doctors and editing their profiles."""

from django.db import IntegrityError, transaction

from hms.accounts.models import User
from hms.accounts.services import user_create
from hms.core.errors import ConflictError, ForbiddenError
from hms.core.locks import partial_unique_lock_table
from hms.core.models import AuditAction
from hms.core.roles import Role
from hms.core.services import audit_record
from hms.patients.models import DoctorProfile
from hms.patients.services.base import apply_changes, changed_names

DOCTOR_PROFILE_FIELDS = frozenset(
    {"specialization", "department", "bio", "available", "license_number"}
)


DOCTOR_SELF_EDITABLE_FIELDS = frozenset({"bio", "available"})


def _license_taken(license_number: str, *, exclude_pk: int | None = None) -> bool:
    if not license_number:
        return False
    # Where the unique-licence constraint cannot exist (MySQL/MariaDB), licence writers queue
    # here until the caller's transaction ends, so the answer stays true until then.
    partial_unique_lock_table(DoctorProfile)
    taken = DoctorProfile.objects.filter(license_number=license_number)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    return taken.exists()


def _license_conflict() -> ConflictError:
    return ConflictError(
        "Another doctor has this license number.",
        code="license_taken",
        fields={"license_number": ["Already used by another doctor."]},
    )


@transaction.atomic
def doctor_register(
    *,
    actor: User,
    username: str,
    password: str,
    specialization: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
    department: str = "",
    bio: str = "",
    available: bool = True,
    license_number: str = "",
) -> DoctorProfile:
    """An administrator registers a doctor: the account and the profile, together or not at
    all."""
    license_number = license_number.strip()
    if _license_taken(license_number):
        raise _license_conflict()
    user = user_create(
        actor=actor,
        username=username,
        password=password,
        role=Role.DOCTOR,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
    )
    profile = DoctorProfile(
        user=user,
        specialization=specialization.strip(),
        department=department.strip(),
        bio=bio,
        available=available,
        license_number=license_number,
    )
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError as exc:
        raise _license_conflict() from exc
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        resource_type="doctor_profile",
        object_id=user.public_id,
        detail={"specialization": profile.specialization},
    )
    return profile


@transaction.atomic
def doctor_profile_update(*, actor: User, profile: DoctorProfile, **changes) -> DoctorProfile:
    """An admin edits any doctor's profile; a doctor edits their own bio and availability."""
    profile = DoctorProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)
    if actor.role == Role.ADMIN:
        allowed = DOCTOR_PROFILE_FIELDS
    elif actor.role == Role.DOCTOR and actor.pk == profile.user_id:
        allowed = DOCTOR_SELF_EDITABLE_FIELDS
        not_allowed = sorted(set(changes) - allowed)
        if not_allowed:
            raise ForbiddenError(
                f"Only an administrator can change {', '.join(not_allowed)}.",
                code="field_not_editable",
                fields={field: ["Only an administrator can change this."] for field in not_allowed},
            )
    else:
        raise ForbiddenError("You can edit only your own profile.", code="not_own_profile")
    if "license_number" in changes:
        changes["license_number"] = changes["license_number"].strip()
        if _license_taken(changes["license_number"], exclude_pk=profile.pk):
            raise _license_conflict()
    changed = apply_changes(profile, changes, allowed)
    if changed:
        try:
            with transaction.atomic():  # a savepoint: the licence's unique constraint
                profile.save()
        except IntegrityError as exc:
            # Another doctor took this licence number since the check above.
            raise _license_conflict() from exc
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            resource_type="doctor_profile",
            object_id=profile.user.public_id,
            detail={"changed": changed_names(changed)},
        )
    return profile
