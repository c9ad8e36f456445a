"""The medication administration record's schedule: when each dose of a prescription item is
due on the ward. Pure functions (no queries); the selectors feed them prescription items from
hms.pharmacy and the recorded administrations.

Doses follow the ward's drug-round times (hospital local time, settings.TIME_ZONE):

    od, mane 08:00 · nocte 22:00 · bd, q12h 08:00 20:00 · tds 08:00 14:00 22:00
    q8h 06:00 14:00 22:00 · qds 06:00 12:00 18:00 22:00 · q6h 00:00 06:00 12:00 18:00
    q4h 02:00 06:00 10:00 14:00 18:00 22:00 · weekly 08:00 on the weekday of the start date
    stat: one dose when prescribed (or at admission, if prescribed before) · prn: no schedule

An item is scheduled from its `start_date` for `duration_days` days (until stopped when no
duration), never before it was prescribed nor before the patient was admitted, and not after
discharge or cancellation. The first dose is the first round time at or after the later of
those instants. The schedule is computed, not stored: a new or cancelled prescription changes
it at once; only what the nurse records (given / held / refused) is stored, one record per dose.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

ROUND_TIMES: dict[str, tuple[time, ...]] = {
    "od": (time(8),),
    "mane": (time(8),),
    "nocte": (time(22),),
    "bd": (time(8), time(20)),
    "q12h": (time(8), time(20)),
    "tds": (time(8), time(14), time(22)),
    "q8h": (time(6), time(14), time(22)),
    "qds": (time(6), time(12), time(18), time(22)),
    "q6h": (time(0), time(6), time(12), time(18)),
    "q4h": (time(2), time(6), time(10), time(14), time(18), time(22)),
    "weekly": (time(8),),
}
STAT = "stat"
PRN = "prn"


@dataclass(frozen=True)
class ScheduledDose:
    item: object  # hms.pharmacy.models.PrescriptionItem
    scheduled_at: datetime


def item_end_date(item) -> date | None:
    """The first day the item is no longer taken (pharmacy's rule), None when open-ended."""
    if item.duration_days is None:
        return None
    return item.start_date + timedelta(days=item.duration_days)


def _local_instant(day: date, at: time) -> datetime:
    """The instant of a round time, in UTC: Python never finds a local time in the hour the
    clocks go back equal to the same instant in another zone (the UTC times from the
    database), so dose times are matched in UTC."""
    local = timezone.make_aware(datetime.combine(day, at), timezone.get_current_timezone())
    return local.astimezone(UTC)


def dose_times(
    *,
    item,
    window_start: datetime,
    window_end: datetime,
    admitted_at: datetime,
    discharged_at: datetime | None = None,
) -> list[datetime]:
    """The due times of one prescription item in [window_start, window_end)."""
    prescription = item.prescription
    if prescription.status == "cancelled":
        return []
    frequency = item.frequency
    not_before = max(admitted_at, prescription.prescribed_at, window_start)
    stop = window_end if discharged_at is None else min(window_end, discharged_at)
    if frequency == PRN:
        return []
    if frequency == STAT:
        at = max(admitted_at, prescription.prescribed_at).astimezone(UTC)
        return [at] if window_start <= at < stop else []
    times = ROUND_TIMES.get(frequency)
    if times is None:
        return []
    end_date = item_end_date(item)
    tz = timezone.get_current_timezone()
    day = max(item.start_date, timezone.localtime(not_before, tz).date())
    last_day = timezone.localtime(stop, tz).date()
    if end_date is not None:
        last_day = min(last_day, end_date - timedelta(days=1))
    due = []
    while day <= last_day:
        if frequency != "weekly" or (day - item.start_date).days % 7 == 0:
            for at in times:
                instant = _local_instant(day, at)
                if not_before <= instant < stop:
                    due.append(instant)
        day += timedelta(days=1)
    return due


def schedule_build(
    *,
    items: Iterable,
    window_start: datetime,
    window_end: datetime,
    admitted_at: datetime,
    discharged_at: datetime | None = None,
) -> list[ScheduledDose]:
    """Every due dose of the items in the window, in time order (then item order)."""
    doses = [
        ScheduledDose(item=item, scheduled_at=at)
        for item in items
        for at in dose_times(
            item=item,
            window_start=window_start,
            window_end=window_end,
            admitted_at=admitted_at,
            discharged_at=discharged_at,
        )
    ]
    doses.sort(key=lambda dose: (dose.scheduled_at, dose.item.pk))
    return doses
