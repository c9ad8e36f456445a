"""The shared plausibility rules for recorded dates and times.

Now is Thursday 29 February 2024, 12:00 UTC (a leap day; the test settings' hospital time zone
is UTC).
"""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from hms.core.errors import ApplicationError
from hms.core.plausible_dates import (
    ahead_check,
    date_of_birth_check,
    day_check,
    day_window_check,
    moment_check,
    tariff_day_check,
    years_before,
)

NOW = datetime(2024, 2, 29, 12, 0, tzinfo=UTC)
PATIENT = SimpleNamespace(date_of_birth=date(1990, 5, 17))
UNKNOWN_BIRTH = SimpleNamespace(date_of_birth=None)


@pytest.fixture
def frozen_instant():
    return NOW


@pytest.fixture(autouse=True)
def _clock_stopped(frozen_now):
    return frozen_now


def refusal(check, *args, **kwargs) -> tuple[str, str]:
    with pytest.raises(ApplicationError) as error:
        check(*args, **kwargs)
    assert error.value.status_code == 400 and error.value.code == "implausible_date"
    ((field, (message,)),) = error.value.fields.items()
    return field, message


class TestMoment:
    def test_the_clock_skew_is_allowed_and_no_more(self, settings):
        assert moment_check(NOW + timedelta(minutes=5), field="at") == NOW + timedelta(minutes=5)
        assert refusal(moment_check, NOW + timedelta(minutes=6), field="at") == (
            "at",
            "Cannot be in the future.",
        )
        settings.CLINICAL_CLOCK_SKEW_MINUTES = 10
        moment_check(NOW + timedelta(minutes=9), field="at")

    def test_the_extremes_of_the_calendar_do_not_overflow(self):
        far = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
        early = datetime(1, 1, 1, tzinfo=UTC)
        assert refusal(moment_check, far, field="at", patient=PATIENT)[1] == (
            "Cannot be in the future."
        )
        assert "1990-05-17" in refusal(moment_check, early, field="at", patient=PATIENT)[1]

    def test_not_before_birth_or_130_years_ago(self):
        moment_check(datetime(1990, 5, 17, 0, 0, tzinfo=UTC), field="at", patient=PATIENT)
        refusal(
            moment_check, datetime(1990, 5, 16, 23, 59, tzinfo=UTC), field="at", patient=PATIENT
        )
        moment_check(datetime(1894, 3, 1, tzinfo=UTC), field="at", patient=UNKNOWN_BIRTH)
        assert (
            "130 years"
            in refusal(
                moment_check, datetime(1894, 2, 27, tzinfo=UTC), field="at", patient=UNKNOWN_BIRTH
            )[1]
        )

    def test_not_before_what_it_follows_beyond_the_skew(self):
        ordered = NOW - timedelta(hours=1)
        moment_check(ordered - timedelta(minutes=5), field="at", not_before=ordered)
        field, message = refusal(
            moment_check,
            ordered - timedelta(minutes=6),
            field="collected_at",
            not_before=ordered,
            not_before_what="the order",
        )
        assert field == "collected_at" and message.startswith("Cannot be before the order")


class TestDays:
    def test_a_day_is_today_at_the_latest(self):
        assert day_check(date(2024, 2, 29), field="onset_date") == date(2024, 2, 29)
        refusal(day_check, date(2024, 3, 1), field="onset_date")
        refusal(day_check, date(1990, 5, 16), field="onset_date", patient=PATIENT)

    def test_date_of_birth(self):
        assert date_of_birth_check(None) is None
        date_of_birth_check(date(1894, 2, 28))  # 130 years ago today (no 29 Feb in 1894)
        assert "130 years" in refusal(date_of_birth_check, date(1894, 2, 27))[1]
        refusal(date_of_birth_check, date(2024, 3, 1))

    def test_years_before_a_leap_day(self):
        assert years_before(date(2024, 2, 29), 1) == date(2023, 2, 28)
        assert years_before(date(2024, 2, 29), 4) == date(2020, 2, 29)

    def test_tariff_window(self, settings):
        tariff_day_check(date(2014, 2, 28), field="valid_from")
        tariff_day_check(date(2026, 2, 28), field="valid_from")
        refusal(tariff_day_check, date(2026, 3, 1), field="valid_from")
        refusal(tariff_day_check, date(9999, 12, 31), field="valid_from")
        refusal(tariff_day_check, date(2014, 2, 27), field="valid_from")
        settings.TARIFF_DATE_YEARS_BACK = 1
        refusal(tariff_day_check, date(2020, 1, 1), field="valid_from")

    def test_day_window(self):
        day_window_check(date(2024, 3, 7), field="start_date", days_back=7, days_ahead=7)
        refusal(day_window_check, date(2024, 3, 8), field="start_date", days_back=7, days_ahead=7)
        refusal(day_window_check, date(2024, 2, 21), field="start_date", days_back=7, days_ahead=7)

    def test_ahead(self):
        ahead_check(NOW + timedelta(days=30), field="scheduled_at", days=30)
        refusal(ahead_check, NOW + timedelta(days=31), field="scheduled_at", days=30)
