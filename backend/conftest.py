"""Fixtures shared by every app's tests."""

import pytest
import time_machine
from django.test import override_settings
from rest_framework.test import APIClient

from hms.accounts.tests.factories import UserFactory
from hms.core.roles import Role


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory):
    """Files the tests store or render (uploads, radiology previews, the demo data's images)
    go to the session's temporary directory: a run leaves nothing in the working tree."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


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
def frozen_now(frozen_instant):
    """The clock stopped (time-machine, no ticking) at `frozen_instant`, which each app's
    tests define: the traveller is yielded to move the clock on."""
    with time_machine.travel(frozen_instant, tick=False) as traveller:
        yield traveller


@pytest.fixture
def as_user(client_for):
    """An APIClient signed in as the given user: as_user(doctor)."""

    def make(user):
        return client_for(user.role, user=user)

    return make


@pytest.fixture
def reception(client_for) -> APIClient:
    """An APIClient signed in as a new receptionist."""
    return client_for(Role.RECEPTIONIST)


@pytest.fixture
def admin_client(client_for) -> APIClient:
    return client_for(Role.ADMIN)


@pytest.fixture
def require_postgres():
    """For tests of what only PostgreSQL has (exclusion constraints, pg_trgm): skip clearly
    on other databases."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://... (CI does)")


@pytest.fixture
def require_row_locks():
    """For race tests with real threads, closed by row locks (SELECT ... FOR UPDATE) and the
    database's constraints: they run on PostgreSQL and on MySQL/MariaDB (where services check
    the partial unique rules themselves, see hms.core.locks). Skip clearly on SQLite, which
    has no row locks."""
    from django.db import connection

    if not connection.features.has_select_for_update:
        pytest.skip(
            "needs row locks: run with DATABASE_URL=postgres://... (CI does) or mysql://..."
        )


@pytest.fixture
def without_partial_indexes(monkeypatch):
    """Run the services as on MySQL/MariaDB, which cannot hold UniqueConstraint(condition=...):
    they lock and check those rules themselves (hms.core.locks). This database keeps its real
    constraints as a second line of defence, so a test asserts the service refused before any
    INSERT (hms.core.tests.partial_unique)."""
    from django.db import connection

    monkeypatch.setattr(connection.features, "supports_partial_indexes", False)


@pytest.fixture
def require_partial_indexes():
    """For tests of the partial unique constraints themselves (rows written around the
    services): MySQL/MariaDB have no partial indexes, so Django does not create them there;
    the services' own checks are tested with `without_partial_indexes` instead."""
    from django.db import connection

    if not connection.features.supports_partial_indexes:
        pytest.skip(
            f"{connection.display_name} cannot hold partial unique constraints; the services "
            "check these rules themselves (tests using without_partial_indexes)"
        )
