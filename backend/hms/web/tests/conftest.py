import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hms.core.roles import Role


def signed_in_client(user) -> Client:
    """A Django test client signed in (session) as this user."""
    client = Client()
    client.force_login(user)
    return client


def page_queries(client, url: str) -> int:
    """How many queries one GET of `url` runs (the page must answer 200)."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.fixture
def web_client_for(make_user):
    """A Django test client signed in (session) as a new user of the given role."""

    def make(role: Role, user=None) -> Client:
        user = user or make_user(role)
        client = signed_in_client(user)
        client.user = user
        return client

    return make
