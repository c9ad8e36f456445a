"""Local days and the instants that bound them (reports count in the hospital's time zone)."""

from datetime import date, datetime, time, timedelta

from django.db.models.functions import TruncDate
from django.utils import timezone


def day_start(day: date) -> datetime:
    """The local midnight that starts `day`, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min))


def day_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """[start, end) instants of the local days date_from..date_to (inclusive)."""
    return day_start(date_from), day_start(date_to + timedelta(days=1))


def local_day(field: str) -> TruncDate:
    """The local day of a date-time column, in SQL."""
    return TruncDate(field, tzinfo=timezone.get_current_timezone())


def days_between(date_from: date, date_to: date) -> list[date]:
    return [date_from + timedelta(days=i) for i in range((date_to - date_from).days + 1)]
