from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from hms.accounts.demo import DEMO_PASSWORD, DEMO_USERS
from hms.accounts.models import User

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_every_demo_login_works():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    assert User.objects.count() == len(DEMO_USERS)
    for username, role, _, _ in DEMO_USERS:
        response = APIClient().post(
            "/api/login/", {"username": username, "password": DEMO_PASSWORD}, format="json"
        )
        assert response.status_code == 200, username
        assert response.json()["user"]["role"] == role


def test_demo_logins_prints_every_account():
    out = StringIO()
    call_command("demo_logins", stdout=out)
    for username, *_ in DEMO_USERS:
        assert username in out.getvalue()
    assert DEMO_PASSWORD in out.getvalue()
