"""Writes for accounts: staff administration, registration, login/lockout, logout, doctors'
profiles."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from hms.accounts.models import DoctorProfile, LoginThrottle, User
from hms.core.errors import ApplicationError, ConflictError, ForbiddenError
from hms.core.locks import lock_or_create, partial_unique_lock_table
from hms.core.metrics import login_failed
from hms.core.models import AuditAction, AuditOutcome
from hms.core.roles import STAFF_ROLES, Role
from hms.core.services import audit_record
from hms.core.transactions import service_transaction

USER_RESOURCE = "user"


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(
            "The password is too weak.", code="weak_password", fields={"password": exc.messages}
        ) from exc


def _check_username_free(username: str, *, exclude_pk: int | None = None) -> None:
    taken = User.objects.filter(username__iexact=username)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ConflictError(
            f"The username {username!r} is already taken.",
            code="username_taken",
            fields={"username": ["This username is already taken."]},
        )


def _create_user(
    *, actor: User | None, username: str, password: str, role: Role, audit: dict, **fields
) -> User:
    """Create the account and audit it (`actor` None: the new user created it), `audit` added
    to the event's detail."""
    username = username.strip()
    _check_username_free(username)
    user = User(username=username, role=role, **fields)
    _check_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # lost a race for the same username
        raise ConflictError(
            f"The username {username!r} is already taken.", code="username_taken"
        ) from exc
    audit_record(
        actor=actor or user,
        action=AuditAction.CREATE,
        resource_type=USER_RESOURCE,
        object_id=user.public_id,
        detail={"username": user.username, "role": user.role, **audit},
    )
    return user


@service_transaction
def user_create(
    *,
    actor: User,
    username: str,
    password: str,
    role: Role,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
) -> User:
    """An administrator creates a staff account (any role but patient)."""
    if role not in STAFF_ROLES:
        raise ApplicationError(
            "Staff accounts cannot have the patient role; patients register themselves or are "
            "registered at the front desk.",
            code="invalid_role",
            fields={"role": ["Choose a staff role."]},
        )
    return _create_user(
        actor=actor,
        username=username,
        password=password,
        role=role,
        audit={},
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
    )


@transaction.atomic
def patient_user_create(
    *,
    username: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
) -> User:
    """The account of a patient registering themself: always and only the patient role. Its
    chart comes with it from hms.patients (patient_account_register), which calls this."""
    return _create_user(
        actor=None,
        username=username,
        password=password,
        role=Role.PATIENT,
        audit={"self_registered": True},
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
    )


PROFILE_FIELDS = ("first_name", "last_name", "email", "phone")
ADMIN_EDITABLE_FIELDS = (*PROFILE_FIELDS, "username", "role")


def _apply_changes(instance, changes: dict, allowed: Collection[str]) -> dict:
    changed = {}
    for field, value in changes.items():
        if field not in allowed:
            raise ApplicationError(f"{field} cannot be changed here.", code="field_not_editable")
        if getattr(instance, field) != value:
            changed[field] = {"from": getattr(instance, field), "to": value}
            setattr(instance, field, value)
    return changed


@service_transaction
def user_update(*, actor: User, user: User, **changes) -> User:
    """An administrator edits an account. Roles move between staff roles only."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if "role" in changes:
        new_role = changes["role"]
        if (user.role == Role.PATIENT) != (new_role == Role.PATIENT):
            raise ApplicationError(
                "A patient account cannot become a staff account or the other way round.",
                code="invalid_role",
                fields={"role": ["Patients and staff use separate accounts."]},
            )
        if user.pk == actor.pk and new_role != Role.ADMIN:
            raise ApplicationError(
                "You cannot remove your own administrator role.", code="self_demotion"
            )
    if "username" in changes:
        changes["username"] = changes["username"].strip()
        _check_username_free(changes["username"], exclude_pk=user.pk)
    changed = _apply_changes(user, changes, ADMIN_EDITABLE_FIELDS)
    if changed:
        # The event first: a new username changes a key column, so saving it takes the row's
        # FOR UPDATE lock, which comes after the audit chain head (lock order: hms.core.locks).
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            resource_type=USER_RESOURCE,
            object_id=user.public_id,
            detail={"changed": sorted(changed)},
        )
        user.save()
    return user


@service_transaction
def profile_update(*, user: User, **changes) -> User:
    """A signed-in user edits their own contact details (never their role or username)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    changed = _apply_changes(user, changes, PROFILE_FIELDS)
    if changed:
        user.save()
        audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            resource_type="profile",
            object_id=user.public_id,
            detail={"changed": sorted(changed)},
        )
    return user


def _blacklist_all_refresh_tokens(user: User) -> int:
    outstanding = OutstandingToken.objects.filter(user=user).exclude(blacklistedtoken__isnull=False)
    count = 0
    for token in outstanding:
        BlacklistedToken.objects.get_or_create(token=token)
        count += 1
    return count


@service_transaction
def password_change(*, user: User, current_password: str, new_password: str) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.check_password(current_password):
        raise ApplicationError(
            "The current password is wrong.",
            code="wrong_password",
            fields={"current_password": ["The current password is wrong."]},
        )
    _check_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password", "updated_at"])
    _blacklist_all_refresh_tokens(user)
    audit_record(
        actor=user, action=AuditAction.UPDATE, resource_type="password", object_id=user.public_id
    )
    return user


@service_transaction
def user_password_reset(*, actor: User, user: User, new_password: str) -> User:
    """An administrator sets a new password; the user's sessions and tokens stop working."""
    user = User.objects.select_for_update().get(pk=user.pk)
    _check_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password", "updated_at"])
    _blacklist_all_refresh_tokens(user)
    LoginThrottle.objects.filter(username=user.username.lower()).delete()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type="password",
        object_id=user.public_id,
        detail={"reset_by_admin": True},
    )
    return user


@service_transaction
def user_deactivate(*, actor: User, user: User, reason: str = "") -> User:
    """Deactivate instead of delete: history and audit keep pointing at the account."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.pk == actor.pk:
        raise ApplicationError("You cannot deactivate your own account.", code="self_deactivation")
    if not user.is_active:
        raise ConflictError("This account is already deactivated.", code="already_inactive")
    user.is_active = False
    user.deactivated_at = timezone.now()
    user.save(update_fields=["is_active", "deactivated_at", "updated_at"])
    revoked = _blacklist_all_refresh_tokens(user)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type=USER_RESOURCE,
        object_id=user.public_id,
        detail={"deactivated": True, "reason": reason, "refresh_tokens_revoked": revoked},
    )
    return user


@service_transaction
def user_activate(*, actor: User, user: User) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        raise ConflictError("This account is already active.", code="already_active")
    user.is_active = True
    user.deactivated_at = None
    user.save(update_fields=["is_active", "deactivated_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        resource_type=USER_RESOURCE,
        object_id=user.public_id,
        detail={"activated": True},
    )
    return user


# --- Login, lockout, tokens ------------------------------------------------------------------


class AccountLockedError(ApplicationError):
    status_code = 429
    default_code = "account_locked"


@dataclass(frozen=True)
class LoginTokens:
    user: User
    access: str
    refresh: str


def _lockout_error(locked_until) -> AccountLockedError:
    seconds = max(1, int((locked_until - timezone.now()).total_seconds()))
    minutes = -(-seconds // 60)
    return AccountLockedError(
        f"Too many failed sign-in attempts. This account is locked for {minutes} more "
        f"minute{'s' if minutes != 1 else ''}.",
        extra={"retry_after_seconds": seconds, "locked_until": locked_until.isoformat()},
    )


def auth_authenticate(*, username: str, password: str, request=None) -> User:
    """Check credentials with lockout, auditing success and failure.

    Used by both the JWT login API and the web portal's session login, so the lockout and the
    audit trail are the same whichever door is used. Failures are committed before the error
    is raised, so a failed attempt is always counted and audited.
    """
    key = username.strip().lower()[:150]
    error: ApplicationError | None = None
    with transaction.atomic():
        throttle, _ = lock_or_create(LoginThrottle.objects, username=key)
        now = timezone.now()
        if throttle.locked_until and throttle.locked_until > now:
            error = _lockout_error(throttle.locked_until)
            audit_record(
                actor=None,
                actor_username=key,
                action=AuditAction.LOGIN_FAILED,
                resource_type="session",
                outcome=AuditOutcome.DENIED,
                detail={"reason": "locked"},
            )
            login_failed("locked")
        else:
            user = authenticate(request, username=username, password=password)
            if user is None:
                inactive = User.objects.filter(username=username, is_active=False).first()
                if inactive is not None and inactive.check_password(password):
                    error = ForbiddenError(
                        "This account has been deactivated. Contact an administrator.",
                        code="account_inactive",
                    )
                    reason = "inactive"
                else:
                    throttle.failed_count += 1
                    throttle.last_failed_at = now
                    reason = "bad_credentials"
                    if throttle.failed_count >= settings.LOGIN_MAX_FAILED_ATTEMPTS:
                        throttle.locked_until = now + timedelta(
                            minutes=settings.LOGIN_LOCKOUT_MINUTES
                        )
                        throttle.failed_count = 0
                        reason = "bad_credentials_locked"
                        error = _lockout_error(throttle.locked_until)
                    else:
                        error = ApplicationError(
                            "Invalid username or password.",
                            code="invalid_credentials",
                            status=401,
                        )
                    throttle.save()
                audit_record(
                    actor=None,
                    actor_username=key,
                    action=AuditAction.LOGIN_FAILED,
                    resource_type="session",
                    outcome=AuditOutcome.FAILURE,
                    detail={"reason": reason},
                )
                login_failed(reason, locked_now=reason == "bad_credentials_locked")
            else:
                throttle.failed_count = 0
                throttle.locked_until = None
                throttle.save()
                audit_record(actor=user, action=AuditAction.LOGIN, resource_type="session")
    if error is not None:
        raise error
    return user


def auth_issue_tokens(*, user: User) -> LoginTokens:
    refresh = RefreshToken.for_user(user)
    refresh["role"] = user.role
    access = refresh.access_token
    access["role"] = user.role
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return LoginTokens(user=user, access=str(access), refresh=str(refresh))


@service_transaction
def auth_logout(*, user: User, refresh: str) -> None:
    """Blacklist the given refresh token; it must belong to the signed-in user."""
    try:
        token = RefreshToken(refresh)
    except TokenError as exc:
        raise ApplicationError(
            "The refresh token is invalid or expired.",
            code="token_not_valid",
            fields={"refresh": [str(exc)]},
        ) from exc
    if str(token.payload.get("user_id")) != str(user.public_id):
        raise ApplicationError(
            "This refresh token belongs to another account.",
            code="token_not_yours",
            fields={"refresh": ["Not your token."]},
        )
    token.blacklist()
    auth_session_end(user=user)


def auth_session_end(*, user: User) -> None:
    """A signed-in session ended (a portal sign-out, or a refresh token given back): audited."""
    audit_record(actor=user, action=AuditAction.LOGOUT, resource_type="session")


@service_transaction
def password_reset_by_email_finalize(*, user: User) -> None:
    """After a password was set through an emailed reset link: sign the account out everywhere
    (refresh tokens revoked), lift any sign-in lockout, and audit the reset."""
    _blacklist_all_refresh_tokens(user)
    LoginThrottle.objects.filter(username=user.username.lower()).delete()
    audit_record(
        actor=user,
        action=AuditAction.UPDATE,
        resource_type="password",
        object_id=user.public_id,
        detail={"reset_by_email": True},
    )


# --- Doctors' profiles ------------------------------------------------------------------------

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
    changed = _apply_changes(profile, changes, allowed)
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
            detail={"changed": sorted(changed)},
        )
    return profile
