from django.db.models import Q, QuerySet

from hms.accounts.models import DoctorProfile, User
from hms.core.clinical_rules import clinical_rules
from hms.core.errors import ApplicationError, NotFoundError
from hms.core.permissions import PERMISSIONS, role_allowed
from hms.core.roles import Role


def user_list(*, filters: dict | None = None) -> QuerySet[User]:
    filters = filters or {}
    queryset = User.objects.order_by("username")
    if role := filters.get("role"):
        queryset = queryset.filter(role=role)
    if (is_active := filters.get("is_active")) is not None:
        queryset = queryset.filter(is_active=is_active)
    if q := (filters.get("q") or "").strip():
        queryset = queryset.filter(
            Q(username__icontains=q)
            | Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
            | Q(email__icontains=q)
        )
    return queryset


def user_find(*, public_id) -> User | None:
    """The user with this id, or None (the caller answers for the field that named it)."""
    return User.objects.filter(public_id=public_id).first()


def user_get(*, public_id) -> User:
    user = User.objects.filter(public_id=public_id).first()
    if user is None:
        raise NotFoundError("No user with this id.", code="user_not_found")
    return user


def user_capabilities(*, user) -> dict:
    """What `user` may do, from the permission table (resource -> the actions their role is
    granted), and the clinical rules the server judges by (NEWS2 bands, lab flag rules)."""
    permissions = {}
    for resource, actions in PERMISSIONS.items():
        granted = sorted(action for action, rule in actions.items() if role_allowed(rule, user))
        if granted:
            permissions[resource] = granted
    return {
        "role": user.role,
        "permissions": permissions,
        "clinical_rules": clinical_rules(),
    }


# --- Doctors ---------------------------------------------------------------------------------


def doctor_list(*, filters: dict | None = None) -> QuerySet[DoctorProfile]:
    filters = filters or {}
    queryset = DoctorProfile.objects.select_related("user").filter(user__is_active=True)
    if specialization := filters.get("specialization"):
        queryset = queryset.filter(specialization__iexact=specialization)
    if department := filters.get("department"):
        queryset = queryset.filter(department__iexact=department)
    if (available := filters.get("available")) is not None:
        queryset = queryset.filter(available=available)
    if q := (filters.get("q") or "").strip():
        queryset = queryset.filter(
            Q(user__first_name__istartswith=q)
            | Q(user__last_name__istartswith=q)
            | Q(specialization__istartswith=q)
        )
    return queryset.order_by("user__last_name", "user__first_name", "id")


def doctor_get(*, public_id) -> DoctorProfile:
    """A doctor's profile by the doctor's user id (the one id a person has in the API)."""
    profile = DoctorProfile.objects.select_related("user").filter(user__public_id=public_id).first()
    if profile is None:
        raise NotFoundError("No doctor with this id.", code="doctor_not_found")
    return profile


def doctor_user_find(*, public_id) -> User | None:
    """The active user with the doctor role that this id names, or None. The one lookup for
    "the doctor named in a request" (attending, ordering, assigned doctor)."""
    return User.objects.filter(public_id=public_id, role=Role.DOCTOR, is_active=True).first()


def doctor_user_for_optional_field(*, public_id, field: str) -> User | None:
    """Like `doctor_user_for_field`, for a field a request may leave out: None when it names
    no one."""
    if public_id is None:
        return None
    return doctor_user_for_field(public_id=public_id, field=field)


def doctor_user_for_field(*, public_id, field: str) -> User:
    """The active doctor named by `field` of a request; a 400 naming the field otherwise."""
    doctor = doctor_user_find(public_id=public_id)
    if doctor is None:
        raise ApplicationError(
            "No doctor with this id.",
            code="validation_error",
            fields={field: ["No doctor with this id."]},
        )
    return doctor
