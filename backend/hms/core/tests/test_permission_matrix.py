"""Walk every URL under /api/ for every role and for an anonymous client, and check each answer
against the permission table. An endpoint missing from the table fails here."""

import re
import uuid
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from hms.core.errors import api_not_found
from hms.core.permissions import role_allowed, rule_for, view_action
from hms.core.roles import Role

CONVERTER_VALUES = {
    "uuid": str(uuid.UUID(int=0xDEADBEEF)),
    "int": "987654321",
    "slug": "no-such-thing",
    "str": "no-such-thing",
    "path": "no/such/thing",
}
SKIPPED_METHODS = {"options", "head", "trace"}


@dataclass(frozen=True)
class Endpoint:
    url: str
    method: str
    view_class: type
    action: str | None
    resource: str | None


def _iter_patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _iter_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _concrete_url(route: str) -> str:
    def substitute(match):
        converter = match.group(1) or "str"
        return CONVERTER_VALUES.get(converter, "no-such-thing")

    url = re.sub(r"<(?:(\w+):)?\w+>", substitute, route)
    return "/" + url.lstrip("^").rstrip("$")


def api_endpoints() -> list[Endpoint]:
    endpoints = []
    for route, pattern in _iter_patterns(get_resolver().url_patterns):
        if not route.startswith("api/") or pattern.callback is api_not_found:
            continue
        callback = pattern.callback
        view_class = getattr(callback, "cls", None)
        assert view_class is not None, f"/{route} is not a DRF view; API routes must be"
        viewset_actions = getattr(callback, "actions", None)
        if viewset_actions:
            methods = [m for m in viewset_actions if m not in SKIPPED_METHODS]
        else:
            methods = [
                m
                for m in view_class.http_method_names
                if m not in SKIPPED_METHODS and hasattr(view_class, m)
            ]
        for method in methods:
            view = view_class()
            if viewset_actions:
                view.action = viewset_actions[method]
            endpoints.append(
                Endpoint(
                    url=_concrete_url(route),
                    method=method.upper(),
                    view_class=view_class,
                    action=view_action(view, method.upper()),
                    resource=getattr(view_class, "permission_resource", None),
                )
            )
    return endpoints


ENDPOINTS = api_endpoints()
IDENTITIES = [None, *Role]  # None: anonymous


def test_every_api_endpoint_is_in_the_permission_table():
    missing = [
        f"{e.method} {e.url} ({e.view_class.__name__}: "
        f"resource={e.resource!r}, action={e.action!r})"
        for e in ENDPOINTS
        if rule_for(e.resource, e.action) is None
    ]
    assert not missing, "Endpoints missing from hms.core.permissions.PERMISSIONS:\n" + "\n".join(
        missing
    )


def test_the_walk_finds_the_known_endpoints():
    found = {(e.method, e.url) for e in ENDPOINTS}
    assert ("POST", "/api/login/") in found
    assert ("GET", "/api/users/") in found
    assert ("GET", "/api/audit/") in found
    assert ("GET", "/api/reports/") in found
    assert ("GET", "/api/reports/inpatient-movements/") in found
    assert ("GET", "/api/reports/finance-revenue/") in found
    assert ("GET", "/api/reports/finance-revenue/export/") in found
    assert ("GET", "/api/reports/schedules/") in found
    assert ("POST", "/api/reports/schedules/") in found
    for method in ("GET", "PATCH", "DELETE"):
        assert (method, f"/api/reports/schedules/{CONVERTER_VALUES['uuid']}/") in found
    assert ("GET", "/api/reports/dashboards/management/") in found
    assert ("GET", "/api/reports/dashboards/doctor/") in found
    assert ("GET", "/api/reports/dashboards/management/pdf/") in found
    assert ("GET", "/api/reports/dashboards/doctor/pdf/") in found
    for slug in (
        "diagnostic-volumes",
        "diagnostic-turnaround",
        "critical-results",
        "diagnoses",
        "medicine-consumption",
        "stock-value",
        "near-expiry",
        "safety-overrides",
        "break-glass",
        "denied-access",
        "record-readers",
    ):
        assert ("GET", f"/api/reports/{slug}/") in found


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method} {e.url}")
def test_endpoint_answers_every_role_as_the_table_says(endpoint, make_user):
    rule = rule_for(endpoint.resource, endpoint.action)
    for role in IDENTITIES:
        client = APIClient()
        user = None
        if role is not None:
            user = make_user(role)
            client.force_authenticate(user)
        response = client.generic(endpoint.method, endpoint.url, "{}", "application/json")
        allowed = role_allowed(rule, user) if user is not None else role_allowed(rule, None)
        who = role.value if role else "anonymous"
        if allowed:
            assert response.status_code not in (401, 403), (
                f"{who} should be allowed {endpoint.method} {endpoint.url}, "
                f"got {response.status_code}: {getattr(response, 'data', '')}"
            )
        else:
            assert response.status_code in (401, 403), (
                f"{who} should be denied {endpoint.method} {endpoint.url}, "
                f"got {response.status_code}"
            )
        assert response.status_code < 500, f"{who}: {endpoint.method} {endpoint.url} gave 5xx"
