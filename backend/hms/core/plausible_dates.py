"""Which dates and times a record may carry.

A clinical, laboratory or billing time is something that happened: it cannot lie in the
future (beyond a few minutes of clock skew between devices, `CLINICAL_CLOCK_SKEW_MINUTES`),
before the patient was born (or, birth date unknown, more than `MAX_AGE_YEARS` ago), or before
the event it follows (a specimen is collected after it is ordered). A tariff version starts and
ends within a sane window around today (`TARIFF_DATE_YEARS_BACK` .. `TARIFF_DATE_YEARS_AHEAD`),
so one typo cannot freeze a price for ever.

Services call these checks before they save, so the API, the web portal and the HL7 interface
share them. Each raises an ApplicationError (code `implausible_date`) keyed by the field it
names, which the error handler answers with a 400 naming that field, the web forms show beside
the field and the HL7 import answers with AE. Each returns the value it checked.

    measured_at = moment_check(measured_at, field="measured_at", patient=patient)
    onset_date = day_check(onset_date, field="onset_date", patient=patient)
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from hms.core.errors import ApplicationError

# The oldest a living person is taken to be: a birth date further back is a typo.
MAX_AGE_YEARS = 130


def clock_skew() -> timedelta:
    """How far ahead of the server's clock a recorded time may be."""
    return timedelta(minutes=getattr(settings, "CLINICAL_CLOCK_SKEW_MINUTES", 5))


def _error(field: str, message: str) -> ApplicationError:
    return ApplicationError(
        f"{field}: {message}", code="implausible_date", fields={field: [message]}
    )


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _years_after(day: date, years: int) -> date:
    return years_before(day, -years)


def _start_of(day: date) -> datetime:
    """Midnight starting `day` in the hospital's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def earliest_day(patient=None) -> date:
    """The first day anything can have happened to `patient`: their birth date if known."""
    born = getattr(patient, "date_of_birth", None)
    return born or years_before(timezone.localdate(), MAX_AGE_YEARS)


def _before_birth_message(patient) -> str:
    born = getattr(patient, "date_of_birth", None)
    if born:
        return f"Cannot be before the patient's date of birth ({born.isoformat()})."
    return f"Cannot be more than {MAX_AGE_YEARS} years ago."


def moment_check(
    value: datetime,
    *,
    field: str,
    patient=None,
    not_before: datetime | None = None,
    not_before_what: str = "",
) -> datetime:
    """A time something happened: not in the future (beyond the clock skew), not before the
    patient's birth, and not before `not_before` (less the clock skew), named `not_before_what`
    in the message."""
    if value > timezone.now() + clock_skew():
        raise _error(field, "Cannot be in the future.")
    if value < _start_of(earliest_day(patient)):
        raise _error(field, _before_birth_message(patient))
    if not_before is not None and value < not_before - clock_skew():
        stamp = timezone.localtime(not_before).isoformat(timespec="minutes")
        raise _error(field, f"Cannot be before {not_before_what or 'the start'} ({stamp}).")
    return value


def day_check(
    value: date,
    *,
    field: str,
    patient=None,
    not_before: date | None = None,
    not_before_what: str = "",
) -> date:
    """A day something happened (an onset, a resolution): not after today in the hospital's time
    zone, not before the patient's birth, not before `not_before`."""
    if value > timezone.localdate(timezone.now() + clock_skew()):
        raise _error(field, "Cannot be in the future.")
    if value < earliest_day(patient):
        raise _error(field, _before_birth_message(patient))
    if not_before is not None and value < not_before:
        raise _error(
            field, f"Cannot be before {not_before_what or 'the start'} ({not_before.isoformat()})."
        )
    return value


def date_of_birth_check(value: date | None, *, field: str = "date_of_birth") -> date | None:
    """A birth date: not in the future and not more than MAX_AGE_YEARS ago."""
    if value is None:
        return None
    today = timezone.localdate()
    if value > today:
        raise _error(field, "The date of birth cannot be in the future.")
    if value < years_before(today, MAX_AGE_YEARS):
        raise _error(field, f"The date of birth cannot be more than {MAX_AGE_YEARS} years ago.")
    return value


def tariff_day_check(value: date, *, field: str) -> date:
    """A tariff version's first or last day: within TARIFF_DATE_YEARS_BACK years before today
    and TARIFF_DATE_YEARS_AHEAD years after it."""
    today = timezone.localdate()
    back = getattr(settings, "TARIFF_DATE_YEARS_BACK", 10)
    ahead = getattr(settings, "TARIFF_DATE_YEARS_AHEAD", 2)
    earliest, latest = years_before(today, back), _years_after(today, ahead)
    if not earliest <= value <= latest:
        raise _error(
            field,
            f"Must be between {earliest.isoformat()} and {latest.isoformat()} "
            f"(at most {back} years back and {ahead} years ahead).",
        )
    return value


def day_window_check(
    value: date, *, field: str, days_back: int, days_ahead: int, patient=None
) -> date:
    """A day something starts (a course of treatment): within `days_back` days before today and
    `days_ahead` days after it, and not before the patient's birth."""
    today = timezone.localdate()
    earliest, latest = today - timedelta(days=days_back), today + timedelta(days=days_ahead)
    if not earliest <= value <= latest:
        raise _error(field, f"Must be between {earliest.isoformat()} and {latest.isoformat()}.")
    if value < earliest_day(patient):
        raise _error(field, _before_birth_message(patient))
    return value


def ahead_check(value: datetime, *, field: str, days: int) -> datetime:
    """A time something is planned for: at most `days` days from now."""
    if value > timezone.now() + timedelta(days=days):
        raise _error(field, f"Cannot be more than {days} days ahead.")
    return value
