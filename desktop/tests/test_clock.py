"""The desktop tests share one clock and time zone with their server, whatever the wall clock
says and whatever ran before them in the same process."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from PySide6.QtCore import QDate, QDateTime

from .conftest import HOSPITAL_TIME_ZONE, hospital_now, hospital_today, midmorning_zone

ELSEWHERE = "Pacific/Kiritimati" if HOSPITAL_TIME_ZONE != "Pacific/Kiritimati" else "Etc/GMT+12"


@pytest.mark.parametrize("utc_hour", range(24))
def test_the_suite_runs_in_a_zone_where_it_is_mid_morning(utc_hour):
    now = datetime(2026, 12, 5, utc_hour, 59, tzinfo=UTC)
    assert now.astimezone(ZoneInfo(midmorning_zone(now))).hour == 10


@pytest.fixture(scope="module")
def a_backend_test_moved_the_process_zone():
    """What a backend test that sets settings.TIME_ZONE does to the process: Django points TZ at
    the new zone (and back at the backend's own when the override ends), not at the desktop's.
    Module scope: it happens before the function-scoped fixtures of the test below."""
    with override_settings(TIME_ZONE=ELSEWHERE):
        assert os.environ["TZ"] == ELSEWHERE
        yield


def test_a_desktop_test_runs_in_the_hospital_zone_after_a_backend_test_moved_it(
    a_backend_test_moved_the_process_zone,
):
    offset = int(hospital_now().utcoffset().total_seconds())
    assert time.localtime().tm_gmtoff == offset
    assert QDateTime.currentDateTime().offsetFromUtc() == offset
    today = hospital_today()
    assert QDate.currentDate() == QDate(today.year, today.month, today.day)
