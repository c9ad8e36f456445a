"""Doctors' schedules (admin, front desk): each weekday's working hours and the slot length,
the doctor's leave and the hospital's holidays. The server applies a change at once: booking
offers the new free slots straight away.

Hours are typed as ranges, several a day: `09:00-12:30, 14:00-17:00`; an empty day is a day
off. Leave and holidays are whole days over a range of dates; nothing is deleted, a day off
is cancelled (and the record kept).
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from hms_desktop import roles
from hms_desktop.api.dto import WEEKDAYS, Schedule, ScheduleException, ScheduleExceptionRange
from hms_desktop.api.errors import ApiError
from hms_desktop.models.paged import Column, PagedTableModel
from hms_desktop.views.dialogs import FormDialog
from hms_desktop.widgets.flow import FlowLayout
from hms_desktop.widgets.forms import FieldBox, FormErrors, add_row, combo, line_edit
from hms_desktop.widgets.page import Page, button
from hms_desktop.widgets.pickers import load_doctors
from hms_desktop.widgets.table import DataTable

HOURS_EXAMPLE = "e.g. 09:00-12:30, 14:00-17:00 (empty: day off)"
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*[-\u2013]\s*(\d{1,2}):(\d{2})$")


class HoursError(ValueError):
    """What is wrong with a weekday's hours, worded for the person typing them."""


def _time(hours: str, minutes: str) -> time:
    hour, minute = int(hours), int(minutes)
    if hour > 23 or minute > 59:
        raise HoursError(f"{hours}:{minutes} is not a time of day.")
    return time(hour, minute)


def parse_hours(text: str) -> list[tuple[time, time]]:
    """`09:00-12:30, 14:00-17:00` → [(09:00, 12:30), (14:00, 17:00)]; empty → []. Each range
    must end after it starts and not overlap another."""
    ranges: list[tuple[time, time]] = []
    for part in (p.strip() for p in text.replace(";", ",").split(",")):
        if not part:
            continue
        match = _RANGE.match(part)
        if match is None:
            raise HoursError(f"'{part}' is not a range of hours: write it as 09:00-12:30.")
        start, end = _time(*match.group(1, 2)), _time(*match.group(3, 4))
        if end <= start:
            raise HoursError(f"{part}: the end must be after the start.")
        if any(start < other_end and other_start < end for other_start, other_end in ranges):
            raise HoursError(f"{part} overlaps another range of the same day.")
        ranges.append((start, end))
    return sorted(ranges)


def hours_text(blocks: list[tuple[time, time]]) -> str:
    return ", ".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in blocks)


def _who(exception: ScheduleException) -> str:
    return exception.doctor.name if exception.doctor else "Whole hospital"


class DaysOffModel(PagedTableModel[ScheduleException]):
    DATE, WHAT, WHO, TIMES, REASON = range(5)
    columns = (
        Column("date", "Date", lambda e: e.date, lambda d: f"{d:%a %d %b %Y}"),
        Column("what", "What", lambda e: e.kind_display),
        Column("who", "Who", _who),
        Column("times", "Hours", lambda e: e.times),
        Column("reason", "Reason", lambda e: e.reason),
    )


def _panel(title: str) -> tuple[QFrame, QVBoxLayout]:
    panel = QFrame()
    panel.setObjectName("panel")
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(20, 16, 20, 16)
    layout.setSpacing(10)
    heading = QLabel(title)
    heading.setObjectName("sectionTitle")
    layout.addWidget(heading)
    return panel, layout


def _date_edit(value: date, name: str) -> QDateEdit:
    edit = QDateEdit(QDate(value.year, value.month, value.day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("ddd d MMM yyyy")
    edit.setObjectName(name)
    return edit


class DaysOffDialog(FormDialog):
    """Whole days of leave for the doctor, or a holiday of the whole hospital, from one date
    to another (both included)."""

    def __init__(
        self, page: Page, *, kind: str, doctor_id: str | None, doctor_name: str, first: date
    ) -> None:
        holiday = kind == "holiday"
        title = "Hospital holiday" if holiday else "Leave"
        heading = "Close the hospital for" if holiday else f"Leave for {doctor_name}"
        super().__init__(page, title, heading)
        self.kind, self.doctor_id = kind, doctor_id
        note = (
            "No doctor works on these days; booking offers no slots."
            if holiday
            else "The doctor works none of these days; booking offers no slots on them."
        )
        self.add_note(QLabel(note), muted=True)
        self.date_from = _date_edit(first, "daysOffFrom")
        self.date_to = _date_edit(first, "daysOffTo")
        self.date_from.dateChanged.connect(self._keep_order)
        self.reason = line_edit("e.g. Annual leave" if not holiday else "e.g. Independence Day")
        self.reason.setObjectName("daysOffReason")
        self.field("date_from", "First day", self.date_from)
        self.field("date_to", "Last day", self.date_to, "The same as the first for one day.")
        self.field("reason", "Reason", self.reason)
        self.save_as("Add holiday" if holiday else "Add leave")
        self.finish_layout()

    def _keep_order(self, first: QDate) -> None:
        if self.date_to.date() < first:
            self.date_to.setDate(first)

    def submit(self) -> None:
        self.errors.clear()
        fields: dict[str, Any] = {
            "kind": self.kind,
            "doctor": self.doctor_id,
            "date_from": self.date_from.date().toPython(),
            "date_to": self.date_to.date().toPython(),
            "reason": self.reason.text().strip(),
        }
        schedules = self.ctx.api.schedules
        self.call(lambda: schedules.add_days_off(**fields))


class SchedulesPage(Page):
    title = "Schedules"
    intro = (
        "Each doctor's working hours and slot length, their leave and the hospital's holidays. "
        "Booking follows a change at once."
    )

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.dialog = None
        self.schedule: Schedule | None = None
        picker = QHBoxLayout()
        label = QLabel("Doctor")
        label.setObjectName("fieldLabel")
        self.doctor = combo([("", "Loading doctors…")])
        self.doctor.setObjectName("scheduleDoctor")
        self.doctor.setMinimumWidth(320)
        self.doctor.currentIndexChanged.connect(lambda _i: self.load())
        picker.addWidget(label)
        picker.addWidget(self.doctor)
        picker.addStretch(1)
        self.outer.addLayout(picker)

        row = QHBoxLayout()
        row.setSpacing(16)
        hours, layout = _panel("Working hours")
        self.hours_state = QLabel("Choose a doctor.")
        self.hours_state.setObjectName("muted")
        self.hours_state.setWordWrap(True)
        layout.addWidget(self.hours_state)
        self.errors = FormErrors(QLabel())
        layout.addWidget(self.errors.general)
        form = QFormLayout()
        form.setVerticalSpacing(6)
        # A narrow window puts a label above its field rather than cut the label short.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.slot_minutes = QSpinBox()
        self.slot_minutes.setRange(5, 240)
        self.slot_minutes.setSingleStep(5)
        self.slot_minutes.setValue(15)
        self.slot_minutes.setSuffix(" min")
        self.slot_minutes.setObjectName("slotMinutes")
        self.errors.add("slot_minutes", add_row(form, "Slot length", FieldBox(self.slot_minutes)))
        self.days: list[QLineEdit] = []
        for weekday, name in enumerate(WEEKDAYS):
            edit = line_edit(HOURS_EXAMPLE)
            edit.setObjectName(f"hours{name}")
            self.days.append(edit)
            self.errors.add(f"day{weekday}", add_row(form, name, FieldBox(edit)))
        layout.addLayout(form)
        self.save_button = button("Save hours", primary=True, name="saveHours")
        self.save_button.clicked.connect(self.save_hours)
        layout.addLayout(_right(self.save_button))
        layout.addStretch(1)
        row.addWidget(hours, 3)

        days_off, layout = _panel("Leave and holidays")
        note = QLabel("From today on: this doctor's leave and the whole hospital's holidays.")
        note.setObjectName("muted")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.days_off = DaysOffModel(parent=self)
        self.table = DataTable()
        self.table.setObjectName("daysOffTable")
        self.table.setModel(self.days_off)
        self.table.stretch_column(DaysOffModel.REASON)
        layout.addWidget(self.table, 1)
        # Wraps on a narrow window rather than squeeze the buttons' text.
        buttons_row = QWidget()
        buttons = FlowLayout(buttons_row, spacing=8, row_spacing=6)
        self.leave_button = button("Add leave…", name="addLeave")
        self.leave_button.clicked.connect(self.open_leave)
        self.holiday_button = button("Add hospital holiday…", name="addHoliday")
        self.holiday_button.clicked.connect(self.open_holiday)
        self.holiday_button.setVisible(ctx.user is None or ctx.user.role != roles.DOCTOR)
        self.cancel_button = button("Cancel selected", danger=True, name="cancelDayOff")
        self.cancel_button.clicked.connect(self.cancel_selected)
        buttons.addWidget(self.leave_button)
        buttons.addWidget(self.holiday_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        layout.addWidget(buttons_row)
        row.addWidget(days_off, 4)
        self.outer.addLayout(row, 1)
        self._set_enabled(False)
        self._loaded = False

    # --- loading ---------------------------------------------------------------------------

    def activated(self) -> None:
        if not self._loaded:
            self._loaded = True
            own = self.ctx.user.id if self._is_doctor() else None
            load_doctors(self.ctx, self.doctor, owner=self, select=own)

    def _is_doctor(self) -> bool:
        return self.ctx.user is not None and self.ctx.user.role == roles.DOCTOR

    @property
    def doctor_id(self) -> str | None:
        return self.doctor.currentData() or None

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.save_button, self.leave_button, self.cancel_button, *self.days):
            widget.setEnabled(enabled)
        self.slot_minutes.setEnabled(enabled)

    def load(self) -> None:
        """Read the chosen doctor's schedule and days off."""
        self.errors.clear()
        doctor_id = self.doctor_id
        if doctor_id is None:
            self._set_enabled(False)
            self.hours_state.setText("Choose a doctor.")
            self.days_off.set_rows([])
            return
        schedules = self.ctx.api.schedules

        def read() -> tuple[Schedule | None, list[ScheduleException]]:
            return schedules.get(doctor_id), schedules.exceptions(
                doctor=doctor_id, date_from=date.today()
            )

        self.run(
            read,
            on_done=lambda result: self._show(doctor_id, *result),
            on_error=self.show_error,
            busy=[self.save_button, self.leave_button, self.cancel_button],
        )

    def _show(self, doctor_id: str, schedule: Schedule | None, days_off) -> None:
        if doctor_id != self.doctor_id:
            return  # another doctor was chosen meanwhile
        self.schedule = schedule
        self._set_enabled(True)
        by_day: dict[int, list[tuple[time, time]]] = {d: [] for d in range(7)}
        for block in schedule.blocks if schedule else []:
            by_day[block.weekday].append((block.start_time, block.end_time))
        for weekday, edit in enumerate(self.days):
            edit.setText(hours_text(sorted(by_day[weekday])))
        self.slot_minutes.setValue(schedule.slot_minutes if schedule else 15)
        self.hours_state.setText(
            "No working hours yet: type them and save."
            if schedule is None
            else f"{len(schedule.blocks)} working blocks a week, {schedule.slot_minutes}-minute "
            "slots."
        )
        self.days_off.set_rows(days_off)

    # --- working hours ---------------------------------------------------------------------

    def save_hours(self) -> None:
        """Check each weekday's hours here (the message goes next to the day), then replace
        the doctor's week on the server."""
        self.errors.clear()
        self.banner.hide()
        doctor_id = self.doctor_id
        if doctor_id is None:
            return
        blocks: list[dict[str, Any]] = []
        slot = self.slot_minutes.value()
        wrong = False
        for weekday, edit in enumerate(self.days):
            try:
                ranges = parse_hours(edit.text())
            except HoursError as exc:
                self.errors.fields[f"day{weekday}"].set_error(str(exc))
                wrong = True
                continue
            for start, end in ranges:
                blocks.append(
                    {"weekday": weekday, "start_time": f"{start:%H:%M}", "end_time": f"{end:%H:%M}"}
                )
        if wrong:
            self.errors.show_message("Some hours are not right: see the days marked below.")
            return
        schedules = self.ctx.api.schedules
        self.run(
            lambda: schedules.save(doctor_id, slot_minutes=slot, blocks=blocks),
            on_done=self._hours_saved,
            on_error=lambda exc: self._hours_refused(exc, blocks),
            busy=[self.save_button],
        )

    def _hours_saved(self, schedule: Schedule) -> None:
        self.show_success(
            f"Working hours of {schedule.doctor.name} saved: booking offers the new slots now."
        )
        self.load()

    def _hours_refused(self, exc: Exception, blocks: list[dict[str, Any]]) -> None:
        """The server names a block by its index: put its message next to the weekday."""
        if not isinstance(exc, ApiError) or "blocks" not in exc.fields:
            self.errors.show(exc)
            return
        self.errors.clear()
        for message in exc.fields["blocks"]:
            index, _, text = message.partition(": ")
            if index.isdigit() and int(index) < len(blocks):
                weekday = blocks[int(index)]["weekday"]
                self.errors.fields[f"day{weekday}"].set_error(text)
        self.errors.show_message(exc.message)

    # --- leave and holidays ----------------------------------------------------------------

    def _open_days_off(self, kind: str) -> DaysOffDialog | None:
        doctor_id = self.doctor_id if kind == "leave" else None
        if kind == "leave" and doctor_id is None:
            return None
        dialog = DaysOffDialog(
            self,
            kind=kind,
            doctor_id=doctor_id,
            doctor_name=self.doctor.currentText(),
            first=date.today(),
        )
        self._open(dialog, self._days_off_added)
        return dialog

    def open_leave(self) -> DaysOffDialog | None:
        return self._open_days_off("leave")

    def open_holiday(self) -> DaysOffDialog | None:
        return self._open_days_off("holiday")

    def _days_off_added(self, added: ScheduleExceptionRange) -> None:
        days = len(added.results)
        what = added.results[0].kind_display.lower() if added.results else "days off"
        message = f"{what.capitalize()} added: {days} day{'s' if days != 1 else ''}."
        if added.affected_appointments:
            message += (
                f" {added.affected_appointments} booked appointment(s) fall on them: call the "
                "patients to rebook."
            )
        self.show_success(message)
        self.load()

    def cancel_selected(self) -> None:
        exception = self.table.selected_row()
        if exception is None:
            self.banner.show_message("Select a day in the list first.", kind="info")
            return
        schedules = self.ctx.api.schedules
        self.run(
            lambda: schedules.cancel_exception(exception.id),
            on_done=lambda _e: self._cancelled(exception),
            on_error=self.show_error,
            busy=[self.cancel_button],
        )

    def _cancelled(self, exception: ScheduleException) -> None:
        self.show_success(
            f"{exception.kind_display} on {exception.date:%d %b %Y} cancelled: the day is worked "
            "again."
        )
        self.load()


def _right(widget) -> QHBoxLayout:
    layout = QHBoxLayout()
    layout.addStretch(1)
    layout.addWidget(widget)
    return layout
