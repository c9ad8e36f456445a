"""Local days: reports count by the hospital's calendar day, the database stores UTC."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models.functions import TruncDate
from django.utils import timezone


def local_day_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """[start of date_from, start of the day after date_to) as aware datetimes."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(date_from, time.min, tzinfo=tz)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


def local_day(moment: datetime) -> date:
    return timezone.localdate(moment)


def local_day_of(field: str) -> TruncDate:
    """The local calendar day of a datetime column, computed by the database."""
    return TruncDate(field, tzinfo=timezone.get_current_timezone())
