"""The shared cache's atomic add/incr and the throttle counting with them."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache

from hms.core.cache import CACHE_TABLE, DatabaseCache
from hms.core.tests.threads import run_at_once
from hms.core.throttling import attempt_in_window

START = datetime(2027, 5, 3, 9, 0, 30, tzinfo=UTC)


@pytest.fixture
def db_cache(db):
    shared = DatabaseCache(CACHE_TABLE, {})
    shared.clear()
    return shared


def test_database_cache_add_and_incr(db_cache):
    with time_machine.travel(START, tick=False):
        assert db_cache.add("k", 0, timeout=60)
        assert not db_cache.add("k", 5, timeout=60)  # a live key stays
        assert [db_cache.incr("k") for _ in range(3)] == [1, 2, 3]
        assert db_cache.incr("k", 10) == 13 and db_cache.get("k") == 13
        with pytest.raises(ValueError):
            db_cache.incr("missing")
    with time_machine.travel(START + timedelta(seconds=61), tick=False):
        with pytest.raises(ValueError):
            db_cache.incr("k")  # expired
        assert db_cache.add("k", 0, timeout=60)  # an expired key is replaced
        assert db_cache.incr("k") == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("require_row_locks")
def test_database_cache_counts_exactly_from_many_connections():
    shared = DatabaseCache(CACHE_TABLE, {})
    shared.clear()

    def count(_):
        added = shared.add("count", 0, timeout=600)
        return added, [shared.incr("count") for _ in range(5)]

    results = run_at_once(12, count, timeout=60)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(added for added, _ in results) == 1  # one of them opened the count
    seen = sorted(n for _, counts in results for n in counts)
    assert seen == list(range(1, 61))  # no increment lost or repeated
    shared.clear()


def test_the_window_opens_with_the_first_attempt():
    cache.clear()
    with time_machine.travel(START, tick=False):
        assert attempt_in_window("t", limit=2, seconds=60) is None
    with time_machine.travel(START + timedelta(seconds=40), tick=False):
        assert attempt_in_window("t", limit=2, seconds=60) is None  # 9:01 does not reset it
        assert attempt_in_window("t", limit=2, seconds=60) == 20  # the third: wait 20 s
    with time_machine.travel(START + timedelta(seconds=61), tick=False):
        assert attempt_in_window("t", limit=2, seconds=60) is None  # a new window
    cache.clear()


def test_login_api_refuses_attempts_over_the_rate(db, api_client, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    cache.clear()
    with time_machine.travel(START, tick=False):
        codes = [
            api_client.post("/api/login/", {"username": f"n{i}", "password": "x"}).status_code
            for i in range(3)
        ]
        response = api_client.post("/api/login/", {"username": "n4", "password": "x"})
    assert codes == [401, 401, 429]
    assert response.status_code == 429 and response.json()["code"] == "throttled"
    assert response.json()["extra"]["retry_after_seconds"] == 60 == int(response["Retry-After"])
    cache.clear()
