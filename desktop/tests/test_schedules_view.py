"""Doctors' schedules against the live server: the receptionist edits a doctor's hours and
slot length (bad hours are named next to their day, nothing is sent), adds a range of leave
(the free slots of those days disappear at once) and cancels a day; the admin closes the
hospital for a holiday. The hours parser is checked on its own."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from PySide6.QtCore import QDate

from hms_desktop.views.schedules import DaysOffDialog, HoursError, SchedulesPage, parse_hours

from .conftest import hospital_today, make_doctor, sign_in, snap, wait_idle


def test_hours_are_parsed_and_explained():
    assert parse_hours("") == []
    assert parse_hours("14:00-17:00, 9:00 - 12:30") == [
        (time(9), time(12, 30)),
        (time(14), time(17)),
    ]
    for text, words in (
        ("9-12", "not a range of hours"),
        ("12:00-09:00", "end must be after the start"),
        ("09:00-12:00, 11:00-13:00", "overlaps"),
        ("25:00-26:00", "not a time of day"),
    ):
        with pytest.raises(HoursError, match=words):
            parse_hours(text)


def open_schedules(qtbot, hms, doctor_id: str, role: str = "receptionist") -> SchedulesPage:
    window = sign_in(qtbot, hms, role)
    window.resize(1280, 800)
    page = window.open_module("schedules")
    assert isinstance(page, SchedulesPage)
    qtbot.waitUntil(lambda: page.doctor.findData(doctor_id) >= 0, timeout=10_000)
    page.doctor.setCurrentIndex(page.doctor.findData(doctor_id))
    qtbot.waitUntil(lambda: page.schedule is not None, timeout=10_000)
    wait_idle(qtbot, hms)
    return page


def slots_on(api_as, doctor_id: str, day) -> list:
    return api_as("receptionist").appointments.availability(doctor_id, day).slots


def set_dates(dialog: DaysOffDialog, first, last) -> None:
    dialog.date_from.setDate(QDate(first.year, first.month, first.day))
    dialog.date_to.setDate(QDate(last.year, last.month, last.day))


def test_receptionist_edits_hours_and_leave_and_booking_follows(qtbot, hms, api_as):
    doctor = make_doctor(api_as, first_name="Sade")
    page = open_schedules(qtbot, hms, doctor.id)
    assert page.slot_minutes.value() == 15
    assert page.days[0].text() == "00:00-23:59"

    # Hours that make no sense are named next to their day; nothing is sent.
    page.days[1].setText("17:00-09:00")
    page.save_button.click()
    assert "end must be after the start" in page.errors.fields["day1"].error_text
    assert page.errors.general.isVisible()
    snap(page, "schedules_bad_hours")

    # A real week: mornings, a split Wednesday, weekends off, 20-minute slots.
    for weekday in range(7):
        page.days[weekday].setText("" if weekday >= 5 else "08:00-12:00")
    page.days[2].setText("08:00-12:00, 14:00-16:00")
    page.slot_minutes.setValue(20)
    page.save_button.click()
    qtbot.waitUntil(lambda: "saved" in page.banner.message, timeout=10_000)
    wait_idle(qtbot, hms)
    schedule = api_as("receptionist").schedules.get(doctor.id)
    assert schedule.slot_minutes == 20
    assert len(schedule.blocks) == 6

    # A worked weekday after today has free slots, until leave is added over it.
    day = hospital_today() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    assert slots_on(api_as, doctor.id, day)
    assert all(
        (s.end.hour * 60 + s.end.minute) - (s.start.hour * 60 + s.start.minute) == 20
        for s in slots_on(api_as, doctor.id, day)
    )
    dialog = page.open_leave()
    assert isinstance(dialog, DaysOffDialog)
    set_dates(dialog, day, day + timedelta(days=2))
    dialog.reason.setText("Conference")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    assert "3 days" in page.banner.message
    wait_idle(qtbot, hms)
    assert slots_on(api_as, doctor.id, day) == []  # booking reflects the leave at once
    assert [e.date for e in page.days_off.rows if e.doctor] == [
        day + timedelta(days=n) for n in range(3)
    ]
    snap(page, "schedules")

    # Cancelling one day of the leave gives its slots back.
    page.table.selectRow(0)
    page.cancel_selected()
    qtbot.waitUntil(lambda: "cancelled" in page.banner.message, timeout=10_000)
    wait_idle(qtbot, hms)
    assert slots_on(api_as, doctor.id, day)
    assert len([e for e in page.days_off.rows if e.doctor]) == 2


def test_a_leave_that_ends_before_it_starts_is_refused_with_a_reason(qtbot, hms, api_as):
    doctor = make_doctor(api_as, first_name="Ayo")
    page = open_schedules(qtbot, hms, doctor.id)
    dialog = page.open_leave()
    first = hospital_today() + timedelta(days=5)
    dialog.date_from.setDate(QDate(first.year, first.month, first.day))
    dialog.date_to.setMinimumDate(QDate(2000, 1, 1))
    last = first - timedelta(days=2)
    dialog.date_to.setDate(QDate(last.year, last.month, last.day))
    dialog.save_button.click()
    qtbot.waitUntil(lambda: bool(dialog.errors.fields["date_to"].error_text), timeout=10_000)
    assert "before" in dialog.errors.fields["date_to"].error_text
    assert dialog.isVisible()
    assert api_as("receptionist").schedules.exceptions(doctor=doctor.id) == []
    dialog.reject()


def test_admin_closes_the_hospital_for_a_holiday(qtbot, hms, api_as):
    doctor = make_doctor(api_as, first_name="Ife")
    page = open_schedules(qtbot, hms, doctor.id, role="admin")
    assert page.holiday_button.isVisible()
    day = hospital_today() + timedelta(days=40)
    dialog = page.open_holiday()
    set_dates(dialog, day, day)
    dialog.reason.setText("Founders' Day")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    wait_idle(qtbot, hms)
    assert slots_on(api_as, doctor.id, day) == []
    holiday = next(e for e in page.days_off.rows if e.date == day)
    assert holiday.doctor is None and holiday.reason == "Founders' Day"
    # The holiday is the hospital's: cancel it so other tests' doctors keep that day.
    api_as("admin").schedules.cancel_exception(holiday.id)
