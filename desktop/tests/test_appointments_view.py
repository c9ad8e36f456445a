"""Appointments against the live server: booking from free slots, the lost races (409), the
day's queue with check-in, cancelling with a reason, rescheduling, and the doctor's own queue."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from PySide6.QtCore import QDate, Qt

from hms_desktop.api import Api
from hms_desktop.views.appointments import (
    AppointmentsPage,
    BookingDialog,
)

from .conftest import (
    DOCTOR_PASSWORD,
    hospital_now,
    hospital_today,
    hospital_tomorrow,
    make_doctor,
    make_patient,
    sign_in,
    snap,
    unique,
    wait_idle,
)


def free_slots(desk: Api, doctor_id: str, day: date):
    return desk.appointments.availability(doctor_id, day).slots


def slots_later_today(desk: Api, doctor_id: str):
    """Today's free slots that start an hour or more from now: a slow run cannot see one start
    (and stop being bookable, or become due for a no-show) halfway through a test."""
    soon = hospital_now() + timedelta(hours=1)
    return [s for s in free_slots(desk, doctor_id, hospital_today()) if s.start_at >= soon]


def open_appointments(qtbot, hms, role="receptionist", password=None):
    window = sign_in(qtbot, hms, role, *([password] if password else []))
    window.resize(1280, 800)
    page = window.open_module("appointments")
    assert isinstance(page, AppointmentsPage)
    qtbot.waitUntil(lambda: page._loaded and not page.model.loading, timeout=10_000)
    return window, page


def filter_doctor(qtbot, page: AppointmentsPage, doctor_id: str) -> None:
    qtbot.waitUntil(lambda: page.doctor_filter.findData(doctor_id) >= 0, timeout=10_000)
    page.doctor_filter.setCurrentIndex(page.doctor_filter.findData(doctor_id))
    qtbot.waitUntil(
        lambda: not page.model.loading and all(a.doctor.id == doctor_id for a in page.model.rows),
        timeout=10_000,
    )


def pick_patient(qtbot, dialog: BookingDialog, patient) -> None:
    picker = dialog.patient
    picker.search.setText(patient.mrn)
    qtbot.waitUntil(lambda: [p.id for p in picker.matches()] == [patient.id], timeout=10_000)
    results = picker.results
    rect = results.visualItemRect(results.item(0))
    qtbot.mouseClick(results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert picker.patient is not None and picker.patient.id == patient.id


def choose(qtbot, dialog, doctor_id: str | None, day: date) -> None:
    if doctor_id is not None:
        qtbot.waitUntil(lambda: dialog.doctor.findData(doctor_id) >= 0, timeout=10_000)
        dialog.doctor.setCurrentIndex(dialog.doctor.findData(doctor_id))
    dialog.day.setDate(QDate(day.year, day.month, day.day))
    qtbot.waitUntil(lambda: bool(dialog.slots.slots), timeout=10_000)


def select_slot(dialog, label: str) -> None:
    assert dialog.slots.select(label_time(label))
    assert dialog.slots.slot().label == label


def label_time(label: str) -> time:
    return time.fromisoformat(label)


def test_receptionist_books_from_live_availability(qtbot, hms, api_as):
    desk = api_as("receptionist")
    doctor = make_doctor(api_as)
    patient = make_patient(desk)
    _window, page = open_appointments(qtbot, hms)
    dialog = page.open_booking()
    assert isinstance(dialog, BookingDialog)
    pick_patient(qtbot, dialog, patient)
    choose(qtbot, dialog, doctor.id, hospital_tomorrow())
    # The grid is exactly the server's free slots for that doctor and day.
    assert dialog.slots.labels() == [
        s.label for s in free_slots(desk, doctor.id, hospital_tomorrow())
    ]
    select_slot(dialog, "09:30")
    dialog.reason.setText("Blood pressure review")
    snap(dialog, "appointments_book_dialog")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    booked = dialog.result_value
    assert (booked.date, booked.slot_text, booked.patient.id) == (
        hospital_tomorrow(),
        "09:30",
        patient.id,
    )
    # The queue moves to the booked day and selects the new appointment.
    qtbot.waitUntil(
        lambda: page.current is not None and page.current.id == booked.id, timeout=10_000
    )
    assert page.queue_day() == hospital_tomorrow()
    assert "09:30" in page.banner.message
    assert page.details.values["reason"].text() == "Blood pressure review"
    assert "09:30" not in [s.label for s in free_slots(desk, doctor.id, hospital_tomorrow())]


def test_required_choices_are_flagged_before_calling_the_server(qtbot, hms):
    _window, page = open_appointments(qtbot, hms)
    dialog = page.open_booking()
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=10_000)  # the doctors are in
    wait_idle(qtbot, hms)
    dialog.save_button.click()
    for name in ("patient", "doctor", "slot"):
        assert dialog.errors.fields[name].error_text, name
    assert hms.runner.pending == 0  # nothing was sent
    dialog.reject()


def test_a_slot_taken_meanwhile_is_said_plainly_and_the_slots_refresh(qtbot, hms, api_as):
    desk = api_as("receptionist")
    doctor = make_doctor(api_as)
    mine, theirs = make_patient(desk), make_patient(desk, "Bola")
    _window, page = open_appointments(qtbot, hms)
    dialog = page.open_booking()
    pick_patient(qtbot, dialog, mine)
    choose(qtbot, dialog, doctor.id, hospital_tomorrow())
    select_slot(dialog, "10:00")
    dialog.reason.setText("First visit")
    # A colleague books the same slot a moment earlier.
    desk.appointments.book(
        patient=theirs.id, doctor=doctor.id, day=hospital_tomorrow(), slot=label_time("10:00")
    )
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.errors.general.isVisible(), timeout=10_000)
    assert "just been booked" in dialog.errors.general.text()
    assert "refreshed" in dialog.errors.general.text()
    assert dialog.errors.fields["slot"].error_text
    qtbot.waitUntil(lambda: bool(dialog.slots.slots), timeout=10_000)
    assert "10:00" not in dialog.slots.labels()
    assert dialog.slots.slot() is None
    assert dialog.errors.fields["slot"].error_text  # still there after the refresh
    # Nothing typed is lost: same patient, doctor, day and reason; pick another time.
    assert dialog.isVisible()
    assert dialog.patient.patient.id == mine.id
    assert dialog.reason.text() == "First visit"
    snap(dialog, "appointments_slot_taken")
    select_slot(dialog, "10:15")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    assert dialog.result_value.slot_text == "10:15"


def test_a_patient_booked_elsewhere_at_that_time_is_refused(qtbot, hms, api_as):
    desk = api_as("receptionist")
    first, second = make_doctor(api_as), make_doctor(api_as, first_name="Omar")
    patient = make_patient(desk)
    desk.appointments.book(
        patient=patient.id, doctor=first.id, day=hospital_tomorrow(), slot=label_time("11:00")
    )
    _window, page = open_appointments(qtbot, hms)
    dialog = page.open_booking()
    pick_patient(qtbot, dialog, patient)
    choose(qtbot, dialog, second.id, hospital_tomorrow())
    select_slot(dialog, "11:00")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.errors.general.isVisible(), timeout=10_000)
    assert "already has an appointment at 11:00" in dialog.errors.general.text()
    assert dialog.errors.fields["patient"].error_text
    assert dialog.isVisible()
    dialog.reject()


@pytest.fixture
def busy_day(api_as):
    """A doctor with three patients booked in the next free slots today."""
    desk = api_as("receptionist")
    doctor = make_doctor(api_as)
    slots = slots_later_today(desk, doctor.id)[:3]
    names = ("Amara", "Bola", "Chidi")
    booked = [
        desk.appointments.book(
            patient=make_patient(desk, name).id,
            doctor=doctor.id,
            day=slot.date,
            slot=slot.start,
            reason="Follow-up visit",
        )
        for name, slot in zip(names, slots, strict=True)
    ]
    return doctor, booked


def test_todays_queue_with_counts_and_check_in(qtbot, hms, busy_day):
    doctor, booked = busy_day
    window, page = open_appointments(qtbot, hms)
    assert page.queue_day() == hospital_today()
    filter_doctor(qtbot, page, doctor.id)
    assert [a.id for a in page.model.rows] == [a.id for a in booked]
    assert page.counts.count("booked") == "3"
    page.table.selectRow(0)
    assert page.details.check_in_button.isEnabled()
    assert not page.details.no_show_button.isEnabled()  # not due before its time
    assert "no-show" in page.details.hint.text()
    assert not page.details.start_button.isVisible()  # doctors start visits
    page.details.check_in_button.click()
    qtbot.waitUntil(lambda: page.counts.count("checked_in") == "1", timeout=10_000)
    qtbot.waitUntil(
        lambda: page.current is not None and page.current.status == "checked_in", timeout=10_000
    )
    assert page.current.id == booked[0].id
    assert page.counts.count("booked") == "2"
    assert "checked in" in page.banner.message
    assert page.details.values["checked_in_at"].text() != "—"
    assert not page.details.check_in_button.isEnabled()
    wait_idle(qtbot, hms)
    snap(window, "appointments")


def test_cancel_needs_a_reason_and_frees_the_slot(qtbot, hms, api_as, busy_day):
    doctor, booked = busy_day
    desk = api_as("receptionist")
    _window, page = open_appointments(qtbot, hms)
    filter_doctor(qtbot, page, doctor.id)
    page.table.selectRow(1)
    dialog = page.open_cancel()
    dialog.save_button.click()
    qtbot.waitUntil(lambda: bool(dialog.errors.fields["reason"].error_text), timeout=10_000)
    assert dialog.isVisible()
    snap(dialog, "appointments_cancel_needs_reason")
    dialog.reason.setPlainText("The patient phoned: travelling this week")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    assert dialog.result_value.cancel_reason == "The patient phoned: travelling this week"
    qtbot.waitUntil(lambda: page.counts.count("cancelled") == "1", timeout=10_000)
    assert booked[1].id not in [a.id for a in page.model.rows]
    assert "cancelled" in page.banner.message
    assert booked[1].slot_text in [s.label for s in free_slots(desk, doctor.id, hospital_today())]


def test_reschedule_to_another_free_slot(qtbot, hms, busy_day):
    doctor, booked = busy_day
    _window, page = open_appointments(qtbot, hms)
    filter_doctor(qtbot, page, doctor.id)
    page.table.selectRow(2)
    dialog = page.open_reschedule()
    choose(qtbot, dialog, None, hospital_tomorrow())
    select_slot(dialog, "14:45")
    snap(dialog, "appointments_reschedule_dialog")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    moved = dialog.result_value
    assert moved.id == booked[2].id
    assert (moved.date, moved.slot_text) == (hospital_tomorrow(), "14:45")
    qtbot.waitUntil(
        lambda: page.current is not None and page.current.id == moved.id, timeout=10_000
    )
    assert page.queue_day() == hospital_tomorrow()
    assert "moved" in page.banner.message


def test_book_from_the_patient_record(qtbot, hms, api_as):
    desk = api_as("receptionist")
    patient = make_patient(desk)
    window = sign_in(qtbot, hms, "receptionist")
    patients = window.open_module("patients")
    patients.show_patient_by_mrn(patient.mrn, patient.id)
    qtbot.waitUntil(
        lambda: patients.current is not None and patients.current.detailed, timeout=10_000
    )
    assert patients.details.book_button.isEnabled()
    dialog = patients.book_appointment()
    assert isinstance(dialog, BookingDialog)
    assert window.sidebar.current_key() == "appointments"
    assert dialog.patient.patient.id == patient.id
    assert dialog.patient.chip.text().startswith(patient.list_name)
    dialog.reject()


def test_doctor_sees_their_own_queue_and_runs_the_visit(qtbot, hms, api_as):
    username = unique("drines")
    doctor = make_doctor(api_as, first_name="Ines", username=username)
    desk = api_as("receptionist")
    slot = slots_later_today(desk, doctor.id)[0]
    patient = make_patient(desk)
    booked = desk.appointments.book(
        patient=patient.id, doctor=doctor.id, day=slot.date, slot=slot.start
    )
    desk.appointments.check_in(booked.id)
    _window, page = open_appointments(qtbot, hms, role=username, password=DOCTOR_PASSWORD)
    assert page.doctor_filter.isHidden()
    assert [a.id for a in page.model.rows] == [booked.id]
    page.table.selectRow(0)
    assert page.details.check_in_button.isHidden()
    page.details.start_button.click()
    qtbot.waitUntil(lambda: page.current.status == "in_progress", timeout=10_000)
    page.details.complete_button.click()
    qtbot.waitUntil(lambda: page.current.status == "completed", timeout=10_000)
    qtbot.waitUntil(lambda: page.counts.count("completed") == "1", timeout=10_000)
    assert not page.details.cancel_button.isEnabled()


def test_front_desk_dashboard_counts_todays_appointments(qtbot, hms, api_as):
    window = sign_in(qtbot, hms, "receptionist")
    page = window.current_page()
    summary = api_as("receptionist").appointments.summary()
    active = sum(n for status, n in summary.items() if status != "cancelled")
    qtbot.waitUntil(lambda: page.card("appointments_today").value.text() != "…", timeout=10_000)
    assert page.card("appointments_today").value.text() == f"{active:,}"
    qtbot.waitUntil(lambda: bool(page.card("appointments_by_status").values), timeout=10_000)
    assert page.card("appointments_by_status").values["Booked"] == summary["booked"]
    assert "appointments" in page.shortcut_buttons


def test_the_queue_switches_to_tomorrow_yesterday_and_back_to_today(qtbot, hms, api_as):
    desk = api_as("receptionist")
    doctor = make_doctor(api_as)
    tomorrow_slot = free_slots(desk, doctor.id, hospital_tomorrow())[0]
    booked = desk.appointments.book(
        patient=make_patient(desk, "Dayo").id,
        doctor=doctor.id,
        day=tomorrow_slot.date,
        slot=tomorrow_slot.start,
        reason="Review",
    )
    _window, page = open_appointments(qtbot, hms)
    filter_doctor(qtbot, page, doctor.id)
    assert page.queue_day() == hospital_today() and page.days.quick[0].isChecked()
    assert page.model.rowCount() == 0

    page.days.quick[1].click()  # Tomorrow
    assert page.queue_day() == hospital_tomorrow() and page.days.quick[1].isChecked()
    qtbot.waitUntil(lambda: [a.id for a in page.model.rows] == [booked.id], timeout=10_000)

    page.days.quick[-1].click()  # Yesterday
    assert page.queue_day() == hospital_today() - timedelta(days=1)
    assert not any(b.isChecked() for d, b in page.days.quick.items() if d != -1)
    qtbot.waitUntil(lambda: not page.model.loading and page.model.rowCount() == 0, timeout=10_000)

    page.days.picker.setDate(QDate(2031, 1, 6))  # any day from the calendar
    assert page.queue_day() == date(2031, 1, 6)
    assert not any(b.isChecked() for b in page.days.quick.values())
    page.days.quick[0].click()
    assert page.queue_day() == hospital_today()
    wait_idle(qtbot, hms)
