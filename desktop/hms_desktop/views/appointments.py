"""Appointments: the day's queue (check-in, no-show, start/complete), booking from live
availability, rescheduling and cancelling with a reason.

The front desk (receptionist, nurse) sees every doctor's queue and may filter it per doctor;
a doctor sees their own. Free slots always come from the server (`/availability/`); when a
booking loses a race (409 `slot_taken` / `patient_double_booked`) the dialog says so plainly,
keeps what was typed and reloads the free slots.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QVBoxLayout,
)

from hms_desktop import roles
from hms_desktop.api.capabilities import Capabilities
from hms_desktop.api.dto import Appointment, AppointmentStatus, Availability, Patient
from hms_desktop.api.errors import ApiError, ServerUnreachable
from hms_desktop.api.resources import booking_conflict
from hms_desktop.formatting import fmt_datetime, fmt_text
from hms_desktop.models.appointments import STATUS_COLOURS, STATUS_ORDER, AppointmentsModel
from hms_desktop.views.base import Page, button
from hms_desktop.views.dialogs import FormDialog
from hms_desktop.widgets.cards import CountStrip
from hms_desktop.widgets.forms import combo, line_edit
from hms_desktop.widgets.pickers import PatientPicker, SlotPicker, load_doctors
from hms_desktop.widgets.table import TablePanel
from hms_desktop.workers import is_busy

CONFLICT_HINTS = {
    "slot_taken": "The free slots below were refreshed: choose another time.",
    "patient_double_booked": "Choose a time that does not overlap, or reschedule the other one.",
}


def qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def long_date(value: date) -> str:
    return value.strftime("%a %d %b %Y")


class DatePicker(QDateEdit):
    """A day to book on: from today, within the server's booking horizon."""

    def __init__(self, value: date | None = None, parent=None) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("ddd d MMM yyyy")
        self.setMinimumDate(QDate.currentDate())
        self.setDate(qdate(value) if value else QDate.currentDate())
        self.textChanged = self.dateChanged  # FieldBox clears its error on change

    def value(self) -> date:
        return pydate(self.date())

    def set_value(self, value: date) -> None:
        self.setDate(qdate(value))


class SlotDialog(FormDialog):
    """Shared by booking and rescheduling: a doctor and a day → the live free slots."""

    def __init__(self, page: Page, title: str, heading: str) -> None:
        super().__init__(page, title, heading)
        self.setMinimumWidth(640)
        self.day = DatePicker()
        self.day.setObjectName("bookingDate")
        self.slots = SlotPicker()
        self.slots.setObjectName("slotPicker")
        self._availability_generation = 0
        self.availability: Availability | None = None

    def doctor_id(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def load_slots(self) -> None:
        """Ask the server for the doctor's free slots on the chosen day."""
        doctor_id = self.doctor_id()
        self._availability_generation += 1
        generation = self._availability_generation
        if not doctor_id:
            self.slots.set_message("Choose a doctor to see the free slots.")
            return
        day = self.day.value()
        self.slots.set_loading()
        appointments = self.ctx.api.appointments
        self.ctx.runner.run(
            lambda: appointments.availability(doctor_id, day),
            on_done=lambda result: self._slots_loaded(generation, day, result),
            on_error=lambda exc: self._slots_failed(generation, exc),
            on_unreachable=lambda exc: self._slots_failed(generation, exc),
            owner=self,
        )

    def _slots_loaded(self, generation: int, day: date, result: Availability) -> None:
        if generation != self._availability_generation:
            return  # the doctor or the day changed meanwhile
        self.availability = result
        name = result.doctor.name if result.doctor else "The doctor"
        if result.slot_minutes is None:
            self.slots.set_message(f"{name} has no working hours set up yet.")
        elif not result.slots:
            self.slots.set_message(f"No free slot on {long_date(day)}. Try another day.")
        else:
            self.slots.set_slots(
                result.slots,
                f"{len(result.slots)} free {result.slot_minutes}-minute slots on "
                f"{long_date(day)} · times in {result.time_zone}",
            )

    def _slots_failed(self, generation: int, exc: Exception) -> None:
        if generation == self._availability_generation:
            message = exc.message if isinstance(exc, ApiError) else str(exc)
            self.slots.set_message(f"Could not load the free slots: {message}")

    def booking_failed(self, exc: Exception) -> None:
        """Show why the server refused; on a lost race say so plainly and refresh the slots."""
        conflict = booking_conflict(exc)
        if conflict is None:
            self.errors.show(exc)
            if isinstance(exc, ApiError) and exc.status == 409:
                self.load_slots()  # e.g. the doctor stopped working that day
            return
        self.errors.show_message(f"{exc.message}\n{CONFLICT_HINTS[conflict]}")
        if conflict == "slot_taken":
            self.errors.fields["slot"].set_error("Just taken by another booking.")
        elif "patient" in self.errors.fields:
            self.errors.fields["patient"].set_error("Already booked at an overlapping time.")
        self.load_slots()


class BookingDialog(SlotDialog):
    """Book a patient with a doctor in one of the doctor's free slots."""

    def __init__(
        self, page: Page, *, patient: Patient | None = None, doctor_id: str | None = None
    ) -> None:
        super().__init__(page, "Book appointment", "Book an appointment")
        self.patient = PatientPicker(self.ctx)
        self.patient.setObjectName("bookingPatient")
        self.doctor = combo([("", "Loading doctors…")])
        self.doctor.setObjectName("bookingDoctor")
        self.reason = line_edit("e.g. follow-up of blood pressure")
        self.reason.setObjectName("bookingReason")
        self.field("patient", "Patient", self.patient)
        self.field("doctor", "Doctor", self.doctor)
        self.field("date", "Date", self.day)
        self.field("slot", "Time", self.slots)
        self.field("reason", "Reason", self.reason)
        self.save_button.setText("Book appointment")
        self.finish_layout()
        self.slots.grid.setMinimumHeight(250)
        self.resize(680, 600)
        if patient is not None:
            self.patient.set_patient(patient)
        self.doctor.currentIndexChanged.connect(lambda _i: self.load_slots())
        self.day.dateChanged.connect(lambda _d: self.load_slots())
        load_doctors(self.ctx, self.doctor, owner=self, select=doctor_id, busy=[self.save_button])

    def doctor_id(self) -> str:
        return self.doctor.currentData() or ""

    def submit(self) -> None:
        self.errors.clear()
        patient, doctor_id, slot = self.patient.patient, self.doctor_id(), self.slots.slot()
        missing = False
        for name, value, message in (
            ("patient", patient, "Search for the patient and click them."),
            ("doctor", doctor_id, "Choose a doctor."),
            ("slot", slot, "Choose one of the free times."),
        ):
            if not value:
                self.errors.fields[name].set_error(message)
                missing = True
        if missing:
            return
        patient_id, day, start = patient.id, slot.date, slot.start
        reason = self.reason.text().strip()
        appointments = self.ctx.api.appointments
        self.call(
            lambda: appointments.book(
                patient=patient_id, doctor=doctor_id, day=day, slot=start, reason=reason
            ),
            on_error=self.booking_failed,
        )


class RescheduleDialog(SlotDialog):
    """Move a booked appointment to another free slot of the same doctor."""

    def __init__(self, page: Page, appointment: Appointment) -> None:
        super().__init__(page, "Reschedule appointment", f"Reschedule {appointment.patient.name}")
        self.appointment = appointment
        current = QLabel(
            f"Now booked with <b>{appointment.doctor.name}</b> on "
            f"<b>{long_date(appointment.date)} at {appointment.slot_text}</b>."
        )
        current.setWordWrap(True)
        self.body.insertWidget(1, current)
        self.field("date", "New date", self.day)
        self.field("slot", "New time", self.slots)
        self.save_button.setText("Move appointment")
        self.finish_layout()
        self.slots.grid.setMinimumHeight(250)
        self.resize(640, 470)
        self.day.set_value(max(appointment.date, date.today()))
        self.day.dateChanged.connect(lambda _d: self.load_slots())
        self.load_slots()

    def doctor_id(self) -> str:
        return self.appointment.doctor.id

    def submit(self) -> None:
        self.errors.clear()
        slot = self.slots.slot()
        if slot is None:
            self.errors.fields["slot"].set_error("Choose one of the free times.")
            return
        appointment_id = self.appointment.id
        appointments = self.ctx.api.appointments
        self.call(
            lambda: appointments.reschedule(appointment_id, day=slot.date, slot=slot.start),
            on_error=self.booking_failed,
        )


class CancelDialog(FormDialog):
    """Cancel with a reason: nothing is deleted and the slot becomes free again."""

    def __init__(self, page: Page, appointment: Appointment) -> None:
        super().__init__(page, "Cancel appointment", f"Cancel {appointment.patient.name}'s visit?")
        self.appointment = appointment
        note = QLabel(
            f"{long_date(appointment.date)} at {appointment.slot_text} with "
            f"{appointment.doctor.name}. The appointment is kept in the record as cancelled, "
            "with your reason, and the slot becomes free for someone else."
        )
        note.setWordWrap(True)
        self.body.insertWidget(1, note)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("cancelReason")
        self.reason.setPlaceholderText("e.g. the patient phoned: travelling that week")
        self.reason.setFixedHeight(80)
        self.field("reason", "Reason", self.reason)
        self.save_button.setText("Cancel appointment")
        self.save_button.setProperty("primary", False)
        self.save_button.setProperty("danger", True)
        self.cancel_button.setText("Keep it")
        self.finish_layout()

    def submit(self) -> None:
        appointment_id, reason = self.appointment.id, self.reason.toPlainText().strip()
        appointments = self.ctx.api.appointments
        self.call(lambda: appointments.cancel(appointment_id, reason=reason))


class AppointmentDetails(QFrame):
    """The selected appointment and what the signed-in role may do with it."""

    FIELDS = (
        ("MRN", "mrn"),
        ("Doctor", "doctor"),
        ("When", "when"),
        ("Status", "status"),
        ("Reason", "reason"),
        ("Booked by", "booked_by"),
        ("Arrived", "checked_in_at"),
        ("Seen", "started_at"),
    )

    def __init__(self, capabilities: Capabilities, parent=None) -> None:
        super().__init__(parent)
        self.may = capabilities.may
        self.setObjectName("panel")
        self.setMinimumWidth(300)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 16)
        layout.setSpacing(10)
        self.heading = QLabel("No appointment selected")
        self.heading.setObjectName("sectionTitle")
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        grid = QGridLayout()
        grid.setVerticalSpacing(6)
        grid.setHorizontalSpacing(12)
        self.values: dict[str, QLabel] = {}
        for row, (label, key) in enumerate(self.FIELDS):
            name = QLabel(label)
            name.setObjectName("muted")
            value = QLabel("—")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, row, 1)
            self.values[key] = value
        grid.setColumnStretch(1, 1)
        layout.addLayout(grid)
        layout.addSpacing(6)
        self.check_in_button = button("Check in", primary=True, name="checkIn")
        self.start_button = button("Start visit", primary=True, name="startVisit")
        self.complete_button = button("Complete visit", name="completeVisit")
        self.no_show_button = button("Mark no-show", name="noShow")
        self.reschedule_button = button("Reschedule…", name="reschedule")
        self.cancel_button = button("Cancel appointment…", danger=True, name="cancelAppointment")
        self.allowed = {
            self.check_in_button: self.may("appointments", "check_in"),
            self.start_button: self.may("appointments", "start"),
            self.complete_button: self.may("appointments", "complete"),
            self.no_show_button: self.may("appointments", "no_show"),
            self.reschedule_button: self.may("appointments", "update"),
            self.cancel_button: self.may("appointments", "cancel"),
        }
        for widget, allowed in self.allowed.items():
            widget.setVisible(allowed)
            layout.addWidget(widget)
        self.hint = QLabel()
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        layout.addStretch(1)
        self.show_appointment(None)

    def show_appointment(self, appointment: Appointment | None) -> None:
        if appointment is None:
            self.heading.setText("No appointment selected")
            for value in self.values.values():
                value.setText("—")
            self._enable({})
            self.hint.setText("")
            return
        self.heading.setText(appointment.patient.name)
        status = appointment.status
        colour = STATUS_COLOURS.get(status)
        data = {
            "mrn": appointment.patient.mrn,
            "doctor": appointment.doctor.name,
            "when": f"{long_date(appointment.date)} · {appointment.slot_text}",
            "status": f'<b style="color:{colour}">{appointment.status_display}</b>',
            "reason": appointment.reason,
            "booked_by": appointment.booked_by.name if appointment.booked_by else "",
            "checked_in_at": fmt_datetime(appointment.checked_in_at)
            if appointment.checked_in_at
            else "",
            "started_at": fmt_datetime(appointment.started_at) if appointment.started_at else "",
        }
        for key, label in self.values.items():
            label.setText(fmt_text(data[key]))
        booked = status == AppointmentStatus.BOOKED
        today = appointment.date == date.today()
        self._enable(
            {
                self.check_in_button: booked and today,
                self.no_show_button: booked and appointment.is_due,
                self.start_button: status == AppointmentStatus.CHECKED_IN,
                self.complete_button: status
                in (AppointmentStatus.CHECKED_IN, AppointmentStatus.IN_PROGRESS),
                self.reschedule_button: booked,
                self.cancel_button: status
                in (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN),
            }
        )
        hint = ""
        if booked and not today and self.may("appointments", "check_in"):
            hint = "Check-in opens on the day of the appointment."
        elif booked and not appointment.is_due and self.may("appointments", "no_show"):
            hint = f"A no-show can be recorded after {appointment.slot_text}."
        self.hint.setText(hint)

    def _enable(self, states: dict) -> None:
        for widget in self.allowed:
            if not is_busy(widget):
                widget.setEnabled(bool(states.get(widget)))


class AppointmentsPage(Page):
    title = "Appointments"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.can_book = ctx.may("appointments", "create")
        self.own_queue = ctx.role == roles.DOCTOR  # the server shows doctors their own
        self.model = AppointmentsModel(ctx.runner, page_size=100, parent=self)
        self.dialog: QDialog | None = None
        self.current: Appointment | None = None

        toolbar = QHBoxLayout()
        toolbar.setSpacing(8)
        self.previous_day = button("◀", name="previousDay")
        self.previous_day.setToolTip("Previous day")
        self.previous_day.setFixedWidth(40)
        self.day = QDateEdit(QDate.currentDate())
        self.day.setObjectName("queueDate")
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("dddd d MMMM yyyy")
        self.day.setMinimumWidth(220)
        self.next_day = button("▶", name="nextDay")
        self.next_day.setToolTip("Next day")
        self.next_day.setFixedWidth(40)
        self.today_button = button("Today", name="today")
        self.doctor_filter = combo([("", "All doctors")])
        self.doctor_filter.setObjectName("doctorFilter")
        self.doctor_filter.setMinimumWidth(300)
        self.doctor_filter.setVisible(not self.own_queue)
        self.refresh_button = button("Refresh", name="refreshQueue")
        self.book_button = button("Book appointment", primary=True, name="bookAppointment")
        self.book_button.setVisible(self.can_book)
        for widget in (self.previous_day, self.day, self.next_day, self.today_button):
            toolbar.addWidget(widget)
        toolbar.addSpacing(8)
        toolbar.addWidget(self.doctor_filter)
        toolbar.addStretch(1)
        toolbar.addWidget(self.refresh_button)
        toolbar.addWidget(self.book_button)
        self.outer.addLayout(toolbar)

        self.counts = CountStrip(
            [
                (status, AppointmentStatus.LABELS[status], STATUS_COLOURS[status])
                for status in STATUS_ORDER
            ]
        )
        self.outer.addWidget(self.counts)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        self.table_panel = TablePanel(self.model, empty_text="No appointment on this day.")
        self.table_panel.set_column_widths(
            {0: 64, 2: 115, 3: 160, 4: 150, 5: 110, 6: 70}, stretch=AppointmentsModel.PATIENT
        )
        self.table = self.table_panel.table
        self.details = AppointmentDetails(ctx.capabilities)
        splitter.addWidget(self.table_panel)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 1)
        splitter.setSizes([760, 300])
        self.outer.addWidget(splitter, 1)

        self.previous_day.clicked.connect(lambda: self.day.setDate(self.day.date().addDays(-1)))
        self.next_day.clicked.connect(lambda: self.day.setDate(self.day.date().addDays(1)))
        self.today_button.clicked.connect(lambda: self.day.setDate(QDate.currentDate()))
        self.day.dateChanged.connect(lambda _d: self.reload())
        self.doctor_filter.currentIndexChanged.connect(lambda _i: self.reload())
        self.refresh_button.clicked.connect(self.reload)
        self.book_button.clicked.connect(lambda: self.open_booking())
        self.details.check_in_button.clicked.connect(lambda: self._act("check_in"))
        self.details.no_show_button.clicked.connect(lambda: self._act("no_show"))
        self.details.start_button.clicked.connect(lambda: self._act("start"))
        self.details.complete_button.clicked.connect(lambda: self._act("complete"))
        self.details.reschedule_button.clicked.connect(self.open_reschedule)
        self.details.cancel_button.clicked.connect(self.open_cancel)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _i: self._double_clicked())
        self.model.modelReset.connect(self._selection_changed)
        self.model.summary_changed.connect(self.counts.set_counts)
        self.model.load_failed.connect(self._load_failed)
        self.model.rows_loaded.connect(self._reselect)
        self._select_after_load: str | None = None
        self._loaded = False

    # --- the day's queue ------------------------------------------------------------------

    def queue_day(self) -> date:
        return pydate(self.day.date())

    def filters(self) -> dict[str, Any]:
        return {"day": self.queue_day(), "doctor": self.doctor_filter.currentData() or None}

    def activated(self) -> None:
        if not self._loaded:
            self._loaded = True
            if not self.own_queue:
                load_doctors(
                    self.ctx,
                    self.doctor_filter,
                    owner=self,
                    first=("", "All doctors"),
                    notify=False,
                )
            self.reload()

    def reload(self) -> None:
        self._loaded = True
        filters = self.filters()  # read here, on the UI thread
        # One doctor's queue needs no doctor column.
        self.table.setColumnHidden(
            AppointmentsModel.DOCTOR, self.own_queue or bool(filters["doctor"])
        )
        appointments = self.ctx.api.appointments
        self.model.fetch = lambda page, size: appointments.queue(
            page=page, page_size=size, **filters
        )
        self.model.reload()

    def show_day(self, day: date, select: str | None = None) -> None:
        self._select_after_load = select
        if self.queue_day() == day:
            self.reload()
        else:
            self.day.setDate(qdate(day))  # reloads

    def _load_failed(self, exc: Exception) -> None:
        if not isinstance(exc, ServerUnreachable):
            self.show_error(exc)

    def _selection_changed(self, *_args) -> None:
        self.current = self.table.selected_row()
        self.details.show_appointment(self.current)

    def select_appointment(self, appointment_id: str) -> bool:
        for row in range(self.model.rowCount()):
            if self.model.row_at(row).id == appointment_id:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
                return True
        return False

    def _reselect(self) -> None:
        if self._select_after_load and self.select_appointment(self._select_after_load):
            self._select_after_load = None

    def _double_clicked(self) -> None:
        if self.details.check_in_button.isVisible() and self.details.check_in_button.isEnabled():
            self._act("check_in")

    # --- status changes -------------------------------------------------------------------

    ACTIONS = {
        "check_in": ("check_in_button", "{name} is checked in and waiting."),
        "no_show": ("no_show_button", "{name} was marked as a no-show."),
        "start": ("start_button", "Visit with {name} started."),
        "complete": ("complete_button", "Visit with {name} completed."),
    }

    def _act(self, action: str) -> None:
        appointment = self.current
        if appointment is None:
            return
        widget_name, message = self.ACTIONS[action]
        call = getattr(self.ctx.api.appointments, action)
        self.banner.hide()
        self.run(
            lambda: call(appointment.id),
            on_done=lambda updated: self._changed(
                updated, message.format(name=updated.patient.name)
            ),
            on_error=self.show_error,
            busy=[getattr(self.details, widget_name)],
        )

    def _changed(self, appointment: Appointment, message: str) -> None:
        self.show_success(message)
        self.model.replace_row(appointment)
        if self.current is not None and self.current.id == appointment.id:
            self.current = appointment
            self.details.show_appointment(appointment)
        self._select_after_load = appointment.id
        self.reload()  # the day's counts changed too

    # --- dialogs --------------------------------------------------------------------------

    def open_booking(self, patient: Patient | None = None) -> BookingDialog | None:
        if not self.can_book:
            return None
        doctor = self.doctor_filter.currentData() or (self.ctx.user.id if self.own_queue else None)
        dialog = BookingDialog(self, patient=patient, doctor_id=doctor)
        self._open(dialog, self._booked)
        return dialog

    def _booked(self, appointment: Appointment) -> None:
        self.show_success(
            f"{appointment.patient.name} is booked with {appointment.doctor.name} on "
            f"{long_date(appointment.date)} at {appointment.slot_text}."
        )
        self.show_day(appointment.date, select=appointment.id)

    def open_reschedule(self) -> RescheduleDialog | None:
        if self.current is None:
            return None
        dialog = RescheduleDialog(self, self.current)
        self._open(dialog, self._rescheduled)
        return dialog

    def _rescheduled(self, appointment: Appointment) -> None:
        self.show_success(
            f"{appointment.patient.name}'s appointment moved to "
            f"{long_date(appointment.date)} at {appointment.slot_text}."
        )
        self.show_day(appointment.date, select=appointment.id)

    def open_cancel(self) -> CancelDialog | None:
        if self.current is None:
            return None
        dialog = CancelDialog(self, self.current)
        self._open(dialog, self._cancelled)
        return dialog

    def _cancelled(self, appointment: Appointment) -> None:
        self.show_success(
            f"{appointment.patient.name}'s appointment on {long_date(appointment.date)} at "
            f"{appointment.slot_text} was cancelled; the slot is free again."
        )
        self.reload()
