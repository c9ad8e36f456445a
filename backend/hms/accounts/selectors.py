from django.db.models import Q, QuerySet

from hms.accounts.models import User
from hms.core.clinical_rules import clinical_rules
from hms.core.errors import NotFoundError
from hms.core.permissions import PERMISSIONS, role_allowed


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
