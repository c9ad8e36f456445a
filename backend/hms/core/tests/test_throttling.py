"""Throttle counting in RateLimitWindow rows: the window, exact counts from many connections,
and the login API's answer over the rate."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from hms.core.models import RateLimitWindow
from hms.core.tests.threads import run_at_once
from hms.core.throttling import attempt_in_window

START = datetime(2027, 5, 3, 9, 0, 30, tzinfo=UTC)


def test_the_window_opens_with_the_first_attempt(db):
    with time_machine.travel(START, tick=False):
        assert attempt_in_window("t", limit=2, seconds=60) is None
    with time_machine.travel(START + timedelta(seconds=40), tick=False):
        assert attempt_in_window("t", limit=2, seconds=60) is None  # 9:01 does not reset it
        assert attempt_in_window("t", limit=2, seconds=60) == 20  # the third: wait 20 s
    with time_machine.travel(START + timedelta(seconds=61), tick=False):
        assert attempt_in_window("t", limit=2, seconds=60) is None  # a new window
    window = RateLimitWindow.objects.get(key="t")
    assert window.attempts == 1 and window.opened_at == START + timedelta(seconds=61)


def test_keys_count_apart(db):
    with time_machine.travel(START, tick=False):
        assert attempt_in_window("a", limit=1, seconds=60) is None
        assert attempt_in_window("b", limit=1, seconds=60) is None
        assert attempt_in_window("a", limit=1, seconds=60) == 60


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("require_row_locks")
def test_attempts_from_many_connections_at_once_are_counted_exactly():
    def count(_):
        return [attempt_in_window("shared", limit=30, seconds=3600) for _ in range(5)]

    results = run_at_once(12, count, timeout=60)
    assert not [r for r in results if isinstance(r, Exception)], results
    answers = [answer for attempts in results for answer in attempts]
    assert answers.count(None) == 30  # exactly the limit let through, of 60 attempts
    assert RateLimitWindow.objects.get(key="shared").attempts == 60


def test_login_api_refuses_attempts_over_the_rate(db, api_client, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    with time_machine.travel(START, tick=False):
        codes = [
            api_client.post("/api/login/", {"username": f"n{i}", "password": "x"}).status_code
            for i in range(3)
        ]
        response = api_client.post("/api/login/", {"username": "n4", "password": "x"})
    assert codes == [401, 401, 429]
    assert response.status_code == 429 and response.json()["code"] == "throttled"
    assert response.json()["extra"]["retry_after_seconds"] == 60 == int(response["Retry-After"])
