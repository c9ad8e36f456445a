from datetime import UTC, datetime

import pytest
from django.core.cache import cache

from hms.telemedicine import live

# Monday 1 March 2027, 08:50 UTC (the test settings' hospital time zone is UTC): the
# factories' teleconsult at 09:00 has its room open (from 08:45 to 10:00).
NOW = datetime(2027, 3, 1, 8, 50, tzinfo=UTC)


@pytest.fixture
def frozen_instant():
    return NOW


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def pushed(monkeypatch):
    """What the services send to channel groups (after commit), as (group, message) pairs."""
    sent = []
    monkeypatch.setattr(live, "_send", lambda group, message: sent.append((group, message)))
    return sent
