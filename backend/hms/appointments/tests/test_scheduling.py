"""Slot arithmetic, including the days a clock change skips or repeats an hour."""

from datetime import date, time
from zoneinfo import ZoneInfo

from hms.appointments.scheduling import TimeRange, local_instant, slot_grid, working_ranges

LONDON = ZoneInfo("Europe/London")


def test_working_ranges_subtract_leave_and_add_extra_sessions():
    blocks = [TimeRange(time(9), time(12)), TimeRange(time(14), time(17))]
    ranges = working_ranges(
        weekly_blocks=blocks,
        removals=[TimeRange(time(10), time(11))],
        extra_sessions=[TimeRange(time(18), time(19))],
    )
    assert ranges == [
        TimeRange(time(9), time(10)),
        TimeRange(time(11), time(12)),
        TimeRange(time(14), time(17)),
        TimeRange(time(18), time(19)),
    ]


def test_whole_day_removal_leaves_only_extra_sessions():
    ranges = working_ranges(
        weekly_blocks=[TimeRange(time(9), time(12))],
        removals=[None],
        extra_sessions=[TimeRange(time(8), time(9))],
    )
    assert ranges == [TimeRange(time(8), time(9))]


def test_slot_grid_fits_whole_slots_only():
    slots = slot_grid(
        day=date(2027, 3, 1),
        ranges=[TimeRange(time(9), time(10, 10))],
        slot_minutes=20,
        tz=ZoneInfo("UTC"),
    )
    assert [s.start for s in slots] == [time(9), time(9, 20), time(9, 40)]
    assert slots[-1].end == time(10)


def test_spring_forward_day_skips_the_missing_hour():
    # 29 March 2026, London: 01:00 jumps to 02:00.
    slots = slot_grid(
        day=date(2026, 3, 29), ranges=[TimeRange(time(0), time(3))], slot_minutes=30, tz=LONDON
    )
    starts = [s.start for s in slots]
    assert time(1) not in starts and time(1, 30) not in starts
    # 00:30-01:00 ends at a time that does not exist either.
    assert starts == [time(0), time(2), time(2, 30)]
    assert all((s.end_at - s.start_at).total_seconds() == 1800 for s in slots)
    assert local_instant(date(2026, 3, 29), time(1, 30), LONDON) is None


def test_fall_back_day_keeps_one_slot_per_wall_clock_time():
    # 25 October 2026, London: 02:00 goes back to 01:00; 01:xx happens twice.
    slots = slot_grid(
        day=date(2026, 10, 25), ranges=[TimeRange(time(0), time(3))], slot_minutes=30, tz=LONDON
    )
    starts = [s.start for s in slots]
    assert starts == [time(0), time(0, 30), time(1), time(1, 30), time(2), time(2, 30)]
    assert len(set(starts)) == len(starts)
    one_am = next(s for s in slots if s.start == time(1))
    assert one_am.start_at.utcoffset().total_seconds() == 3600  # first occurrence (BST)


def test_utc_offsets_follow_the_zone():
    summer = local_instant(date(2026, 7, 1), time(9), LONDON)
    winter = local_instant(date(2026, 12, 1), time(9), LONDON)
    assert summer.utcoffset().total_seconds() == 3600
    assert winter.utcoffset().total_seconds() == 0


def test_slot_at_agrees_with_the_grid_on_ordinary_and_clock_change_days():
    from datetime import datetime, timedelta

    from hms.appointments.scheduling import slot_at

    ranges = [TimeRange(time(0), time(3)), TimeRange(time(8, 10), time(12, 25))]
    for day in (date(2026, 3, 29), date(2026, 10, 25), date(2027, 3, 1)):
        grid = {s.start: s for s in slot_grid(day=day, ranges=ranges, slot_minutes=15, tz=LONDON)}
        moment = datetime.combine(day, time(0))
        while moment.date() == day:
            found = slot_at(day=day, start=moment.time(), ranges=ranges, slot_minutes=15, tz=LONDON)
            assert found == grid.get(moment.time()), (day, moment.time())
            moment += timedelta(minutes=5)
