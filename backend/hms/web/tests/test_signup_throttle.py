"""Web sign-up is rate-limited per client address at the API's `register` rate."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from hms.accounts.models import User
from hms.web.throttle import Rate, signup_rate

from .test_public import signup_data

pytestmark = pytest.mark.django_db

START = datetime(2027, 5, 3, 9, 0, 5, tzinfo=UTC)


@pytest.fixture(autouse=True)
def three_per_minute(settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "register": "3/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    cache.clear()
    yield
    cache.clear()


def post(client: Client, ip: str = "203.0.113.7", **data):
    return client.post("/signup/", signup_data(**data), REMOTE_ADDR=ip)


def test_the_rate_is_the_apis_register_rate(settings):
    assert signup_rate() == Rate(requests=3, seconds=60)
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "register": "20/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    assert signup_rate() == Rate(requests=20, seconds=3600)


def test_attempts_over_the_rate_are_refused_with_a_clear_message():
    client = Client()
    with time_machine.travel(START, tick=False):
        for _ in range(3):  # failed attempts count too (guessing usernames is what we stop)
            assert post(client, password2="not-the-same-1").status_code == 400
        response = post(client, username="late")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    html = response.content.decode()
    assert "Too many sign-up attempts from your network" in html
    assert "try again in 1 minute." in html
    assert 'id="form-errors"' in html
    assert not User.objects.filter(username="late").exists()


def test_a_refused_attempt_reveals_nothing_about_the_input(make_user):
    make_user(username="taken")
    client = Client()
    with time_machine.travel(START, tick=False):
        for _ in range(3):
            post(client, password2="not-the-same-1")
        html = post(client, username="taken").content.decode()
    assert "already taken" not in html
    assert "is-invalid" not in html


def test_the_limit_is_per_client_address():
    with time_machine.travel(START, tick=False):
        for _ in range(3):
            post(Client(), ip="203.0.113.7", password2="not-the-same-1")
        assert post(Client(), ip="203.0.113.7").status_code == 429
        response = post(Client(), ip="198.51.100.20")
    assert response.status_code == 302
    assert User.objects.filter(username="amina").exists()


def test_behind_a_proxy_the_forwarded_address_counts(settings):
    settings.NUM_PROXIES = 1
    proxy = "10.0.0.2"
    with time_machine.travel(START, tick=False):
        for _ in range(3):
            Client().post(
                "/signup/",
                signup_data(password2="x"),
                REMOTE_ADDR=proxy,
                HTTP_X_FORWARDED_FOR="203.0.113.7",
            )
        blocked = Client().post(
            "/signup/", signup_data(), REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7"
        )
        other = Client().post(
            "/signup/", signup_data(), REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.20"
        )
    assert blocked.status_code == 429
    assert other.status_code == 302


def test_showing_the_form_does_not_count():
    client = Client()
    with time_machine.travel(START, tick=False):
        for _ in range(10):
            assert client.get("/signup/", REMOTE_ADDR="203.0.113.7").status_code == 200
        assert post(client).status_code == 302


def test_the_next_window_accepts_attempts_again():
    client = Client()
    with time_machine.travel(START, tick=False):
        for _ in range(3):
            post(client, password2="not-the-same-1")
        assert post(client).status_code == 429
    with time_machine.travel(START + timedelta(minutes=1), tick=False):
        assert post(client).status_code == 302


def test_no_rate_means_no_limit(settings):
    rates = {k: v for k, v in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].items()}
    rates["register"] = None
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    client = Client()
    for _ in range(5):
        assert post(client, password2="not-the-same-1").status_code == 400
