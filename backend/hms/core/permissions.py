"""The role permission table: who may do what, per resource. Deny by default.

Every API view names its `permission_resource`; the action comes from `permission_actions`
(keyed by viewset action or HTTP method) or the method defaults below. A view whose
(resource, action) is not in PERMISSIONS answers 403 to everyone, and the permission-matrix
test (hms/core/tests/test_permission_matrix.py) fails, so nothing ships unlisted.

Patient-level scope (a patient sees only their own chart, a doctor the patients in their care)
is the job of each app's selectors; this table decides only whether a role may try at all.
"""

from collections.abc import Collection

from rest_framework.permissions import BasePermission

from hms.core.roles import ALL_ROLES, Role

PUBLIC = "public"  # anyone, signed in or not
AUTHENTICATED = "authenticated"  # any active signed-in user, whatever the role

Rule = str | Collection[Role]

ADMIN = frozenset({Role.ADMIN})

PERMISSIONS: dict[str, dict[str, Rule]] = {
    # Authentication and the signed-in user's own account.
    "auth": {
        "login": PUBLIC,
        "refresh": PUBLIC,
        "register": PUBLIC,
        "logout": AUTHENTICATED,
    },
    "profile": {"read": AUTHENTICATED, "update": AUTHENTICATED, "change_password": AUTHENTICATED},
    # Staff administration: only an admin creates, edits and deactivates accounts.
    "users": {
        "list": ADMIN,
        "read": ADMIN,
        "create": ADMIN,
        "update": ADMIN,
        "deactivate": ADMIN,
        "activate": ADMIN,
        "reset_password": ADMIN,
    },
    # The audit log is read by admins only and never written through the API.
    "audit": {"list": ADMIN},
    # --- patients and doctors (hms.patients, issue 3) ---
    # --- end patients ---
    # --- medical record and documents (hms.clinical, issue 3) ---
    # --- end clinical ---
    # API documentation.
    "schema": {"read": PUBLIC},
}

DEFAULT_METHOD_ACTIONS = {
    "GET": "read",
    "POST": "create",
    "PUT": "update",
    "PATCH": "update",
    "DELETE": "delete",
}


def view_action(view, method: str) -> str | None:
    """The table action a request to `view` with `method` performs."""
    actions = getattr(view, "permission_actions", None) or {}
    viewset_action = getattr(view, "action", None)
    if viewset_action and viewset_action in actions:
        return actions[viewset_action]
    if method in ("HEAD", "OPTIONS"):
        method = "GET"
    if method in actions:
        return actions[method]
    return DEFAULT_METHOD_ACTIONS.get(method)


def rule_for(resource: str | None, action: str | None) -> Rule | None:
    if resource is None or action is None:
        return None
    return PERMISSIONS.get(resource, {}).get(action)


def role_allowed(rule: Rule | None, user) -> bool:
    if rule is None:
        return False
    if rule == PUBLIC:
        return True
    if not (user and user.is_authenticated and user.is_active):
        return False
    if rule == AUTHENTICATED:
        return True
    return getattr(user, "role", None) in rule


def roles_allowed(rule: Rule | None) -> frozenset[Role]:
    """Every role the rule admits (used by tests and the permission docs)."""
    if rule is None:
        return frozenset()
    if rule in (PUBLIC, AUTHENTICATED):
        return ALL_ROLES
    return frozenset(rule)


def user_may(user, resource: str, action: str) -> bool:
    """For services and templates: may this user perform `action` on `resource`?"""
    return role_allowed(rule_for(resource, action), user)


class RolePermission(BasePermission):
    message = "Your role does not allow this action."

    def has_permission(self, request, view) -> bool:
        if request.method != "OPTIONS" and not hasattr(view, request.method.lower()):
            return True  # let DRF answer 405 Method Not Allowed rather than a misleading 403
        resource = getattr(view, "permission_resource", None)
        rule = rule_for(resource, view_action(view, request.method))
        return role_allowed(rule, request.user)
