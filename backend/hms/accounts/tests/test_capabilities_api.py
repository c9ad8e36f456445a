"""GET /api/profile/capabilities/: what the signed-in user may do, and the clinical rules."""

import pytest

from hms.core.permissions import PERMISSIONS, roles_allowed
from hms.core.roles import Role

pytestmark = pytest.mark.django_db

URL = "/api/profile/capabilities/"


def test_anonymous_is_refused(api_client):
    assert api_client.get(URL).status_code == 401


@pytest.mark.parametrize("role", list(Role))
def test_permissions_are_the_tables_grants_for_the_role(client_for, role):
    body = client_for(role).get(URL).json()
    assert body["role"] == role
    expected = {
        resource: sorted(a for a, rule in actions.items() if role in roles_allowed(rule))
        for resource, actions in PERMISSIONS.items()
    }
    assert body["permissions"] == {r: a for r, a in expected.items() if a}


def test_accountant_may_refund_a_receptionist_may_not(client_for):
    accountant = client_for(Role.ACCOUNTANT).get(URL).json()["permissions"]
    reception = client_for(Role.RECEPTIONIST).get(URL).json()["permissions"]
    assert "create" in accountant["billing_refunds"]
    assert "create" not in reception.get("billing_refunds", [])
    assert "users" not in reception


def test_clinical_rules_are_published(client_for):
    rules = client_for(Role.NURSE).get(URL).json()["clinical_rules"]
    assert {"news2", "lab_flags"} <= set(rules)
