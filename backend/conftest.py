"""Fixtures shared by every app's tests."""

import pytest
from rest_framework.test import APIClient

from hms.accounts.tests.factories import UserFactory
from hms.core.roles import Role


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def make_user(db):
    def make(role: Role = Role.ADMIN, **kwargs):
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def client_for(make_user):
    """An APIClient signed in (force_authenticate) as a new user of the given role."""

    def make(role: Role, user=None) -> APIClient:
        client = APIClient()
        client.user = user or make_user(role)
        client.force_authenticate(client.user)
        return client

    return make


@pytest.fixture
def admin_client(client_for) -> APIClient:
    return client_for(Role.ADMIN)


@pytest.fixture
def require_postgres():
    """For race tests that need real row locks: skip clearly unless running on PostgreSQL."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://... (CI does)")
