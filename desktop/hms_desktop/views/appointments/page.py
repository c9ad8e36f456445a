"""Appointments: the day's queue (check-in, no-show, start/complete), booking from live
availability (in person or as a teleconsult), rescheduling and cancelling with a reason.

The front desk (receptionist, nurse) sees every doctor's queue and may filter it per doctor;
a doctor sees their own. Free slots always come from the server (`/availability/`); when a
booking loses a race (409 `slot_taken` / `patient_double_booked`) the dialog says so plainly,
keeps what was typed and reloads the free slots.

A teleconsult shows as a pill in the Visit column, "In the waiting room" while its patient
waits in the consult room (the notification feed's `consult_waiting` re-reads the queue). Its
doctor, and the staff the doctor invited, open the consult room: the web call page, in the
browser (video and chat live there).
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea

from hms_desktop import roles, theme
from hms_desktop.api.dto import (
    Appointment,
    AppointmentStatus,
    Capabilities,
    ConsultRoom,
    ConsultState,
    Patient,
)
from hms_desktop.formatting import fmt_datetime, fmt_text
from hms_desktop.models.appointments import (
    STATUS_COLOURS,
    STATUS_ORDER,
    WAITING_ROOM,
    AppointmentsModel,
    VisitPillDelegate,
)
from hms_desktop.views.appointments.dialogs import (
    BookingDialog,
    CancelDialog,
    RescheduleDialog,
    long_date,
)
from hms_desktop.views.consults import (
    clock,
    consult_state_text,
    invited_text,
    load_consult,
    open_consult_room,
)
from hms_desktop.widgets.cards import CountStrip
from hms_desktop.widgets.day_switcher import DaySwitcher
from hms_desktop.widgets.forms import combo
from hms_desktop.widgets.list_page import DetailPanel, ListPage
from hms_desktop.widgets.page import button
from hms_desktop.widgets.pickers import load_doctors
from hms_desktop.workers import is_busy

# An appointment that is over: its consult room has nothing more to open.
FINISHED = (AppointmentStatus.COMPLETED, AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW)


class AppointmentDetails(DetailPanel):
    """The selected appointment and what the signed-in role may do with it."""

    FIELDS = (
        ("MRN", "mrn"),
        ("Doctor", "doctor"),
        ("When", "when"),
        ("Visit", "visit"),
        ("Consult room", "consult"),
        ("Invited", "invited"),
        ("Status", "status"),
        ("Reason", "reason"),
        ("Booked by", "booked_by"),
        ("Arrived", "checked_in_at"),
        ("Seen", "started_at"),
    )

    CONSULT_ROWS = ("consult", "invited")

    def __init__(self, capabilities: Capabilities, user_id: str = "", parent=None) -> None:
        super().__init__(
            "No appointment selected", margins=(18, 16), spacing=10, min_width=300, parent=parent
        )
        self.may = capabilities.may
        self.user_id = user_id
        self.appointment: Appointment | None = None
        self.room: ConsultRoom | None = None
        layout = self.body
        layout.addWidget(self.heading)
        self.grid = self.add_fields(self.FIELDS)
        layout.addLayout(self.grid)
        for key in self.CONSULT_ROWS:  # names as typed
            self.values[key].setTextFormat(Qt.TextFormat.PlainText)
        layout.addSpacing(6)
        # The doctor's, and invited staff's: the web call page in the browser.
        self.consult_button = button("Open consult room", primary=True, name="openConsultRoom")
        self.consult_button.setToolTip("Open the teleconsult's call page in the web browser")
        layout.addWidget(self.consult_button)
        self.check_in_button = button("Check in", primary=True, name="checkIn")
        self.start_button = button("Start visit", primary=True, name="startVisit")
        self.complete_button = button("Complete visit", name="completeVisit")
        self.no_show_button = button("Mark no-show", name="noShow")
        self.reschedule_button = button("Reschedule…", name="reschedule")
        self.cancel_button = button("Cancel appointment…", danger=True, name="cancelAppointment")
        self.slip_button = button("Appointment slip PDF…", name="appointmentSlip")
        self.allowed = {
            self.check_in_button: self.may("appointments", "check_in"),
            self.start_button: self.may("appointments", "start"),
            self.complete_button: self.may("appointments", "complete"),
            self.no_show_button: self.may("appointments", "no_show"),
            self.reschedule_button: self.may("appointments", "update"),
            self.cancel_button: self.may("appointments", "cancel"),
            self.slip_button: self.may("appointments", "pdf"),
        }
        self.allow(self.allowed)
        for widget in self.allowed:
            layout.addWidget(widget)
        self.hint = QLabel()
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        layout.addStretch(1)
        self.show_appointment(None)

    def show_appointment(self, appointment: Appointment | None) -> None:
        same = (
            appointment is not None
            and self.appointment is not None
            and appointment.id == self.appointment.id
        )
        self.appointment = appointment
        if not same:
            self.room = None
        if appointment is None:
            self.heading.setText("No appointment selected")
            self.clear_values()
            self._enable({})
            self._show_consult_rows(False)
            self.consult_button.hide()
            self.hint.setText("")
            return
        self.heading.setText(appointment.patient.name)
        status = appointment.status
        colour = STATUS_COLOURS.get(status)
        data = {
            "mrn": appointment.patient.mrn,
            "doctor": appointment.doctor.name,
            "when": f"{long_date(appointment.date)} · {appointment.slot_text}",
            "visit": self._visit_html(appointment),
            "consult": "",
            "invited": "",
            "status": f'<b style="color:{colour}">{appointment.status_display}</b>',
            "reason": appointment.reason,
            "booked_by": appointment.booked_by.name if appointment.booked_by else "",
            "checked_in_at": fmt_datetime(appointment.checked_in_at)
            if appointment.checked_in_at
            else "",
            "started_at": fmt_datetime(appointment.started_at) if appointment.started_at else "",
        }
        for key, label in self.values.items():
            if key not in self.CONSULT_ROWS:
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
                self.slip_button: status != AppointmentStatus.CANCELLED,
            }
        )
        hint = ""
        if booked and not today and self.may("appointments", "check_in"):
            hint = "Check-in opens on the day of the appointment."
        elif booked and not appointment.is_due and self.may("appointments", "no_show"):
            hint = f"A no-show can be recorded after {appointment.slot_text}."
        self.hint.setText(hint)
        self._show_consult_rows(False)  # until its room says who may see it
        self.consult_button.setVisible(appointment.is_teleconsult)
        self._show_room()

    def _enable(self, states: dict) -> None:
        for widget in self.allowed:
            if not is_busy(widget):
                widget.setEnabled(bool(states.get(widget)))

    # --- teleconsults ---------------------------------------------------------------------

    @staticmethod
    def _visit_html(appointment: Appointment) -> str:
        text = escape(appointment.visit_type_display)
        if appointment.is_teleconsult and appointment.waiting_room:
            text += f' · <b style="color:{theme.WARNING}">{WAITING_ROOM}</b>'
        return text

    def _show_consult_rows(self, shown: bool) -> None:
        for key in self.CONSULT_ROWS:
            value = self.values[key]
            index = self.grid.indexOf(value)
            row = self.grid.getItemPosition(index)[0]
            name = self.grid.itemAtPosition(row, 0).widget()
            name.setVisible(shown)
            value.setVisible(shown)

    def may_join(self) -> bool:
        """The appointment's doctor, or staff the doctor invited to its consult."""
        appointment = self.appointment
        if appointment is None or not appointment.is_teleconsult or not self.user_id:
            return False
        if appointment.doctor.id == self.user_id:
            return True
        return self.room is not None and any(p.id == self.user_id for p in self.room.invited)

    def show_room(self, appointment_id: str, room: ConsultRoom | None, error: str = "") -> None:
        """The consult room of the appointment shown (a late answer for another is dropped).
        Only the doctor and invited staff may read it: for anyone else `room` stays None."""
        if self.appointment is None or self.appointment.id != appointment_id:
            return
        self.room = room
        self._show_room(error)

    def _show_room(self, error: str = "") -> None:
        appointment = self.appointment
        if appointment is None or not appointment.is_teleconsult:
            return
        room = self.room
        may_join = self.may_join()
        self._show_consult_rows(room is not None or may_join)
        if room is None:
            self.values["consult"].setText(f"Could not load: {error}" if error else "…")
            self.values["invited"].setText("—")
        else:
            self.values["consult"].setText(consult_state_text(room))
            self.values["invited"].setText(invited_text(room))
        closed = appointment.status in FINISHED or (
            room is not None and room.state == ConsultState.CLOSED
        )
        if not is_busy(self.consult_button):
            self.consult_button.setEnabled(may_join and not closed)
        if not may_join:
            self.hint.setText("Only the doctor and the staff they invite join the consult.")
        elif closed:
            self.hint.setText("The consult is over: its room is closed.")
        elif room is not None and room.state == ConsultState.SCHEDULED and room.opens_at:
            self.hint.setText(
                f"The consult room opens at {clock(room.opens_at)}; video and chat open in "
                "the web browser."
            )
        else:
            self.hint.setText("Video and chat open in the web browser.")


class AppointmentsPage(ListPage):
    title = "Appointments"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(
            ctx,
            AppointmentsModel(ctx.runner, page_size=100),
            lambda api: api.appointments.queue,
            refresh_name="refreshQueue",
            empty_text="No appointment on this day.",
            parent=parent,
        )
        self.can_book = ctx.may("appointments", "create")
        self.own_queue = ctx.role == roles.DOCTOR  # the server shows doctors their own
        self.days = DaySwitcher()
        self.days.picker.setObjectName("queueDate")
        self.days.picker.setDisplayFormat("dddd d MMMM yyyy")
        self.days.picker.setMinimumWidth(220)
        self.doctor_filter = combo([("", "All doctors")])
        self.doctor_filter.setObjectName("doctorFilter")
        self.doctor_filter.setMinimumWidth(300)
        self.doctor_filter.setVisible(not self.own_queue)
        self.add_filters(self.days, self.doctor_filter)
        self.book_button = button("Book appointment", primary=True, name="bookAppointment")
        self.book_button.setVisible(self.can_book)
        self.add_actions(self.book_button)
        self.bind_shortcuts(new=self.book_button)

        self.counts = CountStrip(
            [
                (status, AppointmentStatus.LABELS[status], STATUS_COLOURS[status])
                for status in STATUS_ORDER
            ]
        )
        self.outer.addWidget(self.counts)
        details = AppointmentDetails(ctx.capabilities, ctx.user.id)
        # The panel scrolls rather than squeeze its fields on a small screen.
        scroll = QScrollArea()
        scroll.setObjectName("appointmentDetailsScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(
            details.minimumWidth() + scroll.verticalScrollBar().sizeHint().width()
        )
        scroll.setWidget(details)
        self.set_details(
            scroll,
            beside=True,
            sizes=(760, 320),
            # The patient and the visit keep their width; the reason takes what is left.
            column_widths={0: 64, 1: 180, 2: 170, 3: 110, 4: 160, 5: 140, 6: 100, 7: 70},
            stretch=AppointmentsModel.REASON,
        )
        self.details = details
        self.table.setItemDelegateForColumn(AppointmentsModel.VISIT, VisitPillDelegate(self.table))

        self.days.day_changed.connect(lambda _day: self.reload())
        self.book_button.clicked.connect(lambda: self.open_booking())
        self.details.check_in_button.clicked.connect(lambda: self._act("check_in"))
        self.details.no_show_button.clicked.connect(lambda: self._act("no_show"))
        self.details.start_button.clicked.connect(lambda: self._act("start"))
        self.details.complete_button.clicked.connect(lambda: self._act("complete"))
        self.details.reschedule_button.clicked.connect(self.open_reschedule)
        self.details.cancel_button.clicked.connect(self.open_cancel)
        self.details.slip_button.clicked.connect(self.choose_print_pdf)
        self.details.consult_button.clicked.connect(self.open_consult_room)
        self.table.doubleClicked.connect(lambda _i: self._double_clicked())
        self.model.summary_changed.connect(self.counts.set_counts)
        centre = getattr(ctx, "notifications", None)
        if centre is not None:  # a patient entering or leaving a consult's waiting room
            centre.consult_waiting.connect(self.consult_waiting)
            centre.resumed.connect(lambda: self.consult_waiting({}))  # a change may be missed

    # --- the day's queue ------------------------------------------------------------------

    def queue_day(self) -> date:
        return self.days.day()

    def filters(self) -> dict[str, Any]:
        return {"day": self.queue_day(), "doctor": self.doctor_filter.currentData() or None}

    def activated(self) -> None:
        if not self._loaded and not self.own_queue:
            load_doctors(
                self.ctx,
                self.doctor_filter,
                owner=self,
                first=("", "All doctors"),
                notify=False,
            )
        super().activated()

    def reloaded(self) -> None:
        # One doctor's queue needs no doctor column.
        self.table.setColumnHidden(
            AppointmentsModel.DOCTOR, self.own_queue or bool(self.filters()["doctor"])
        )

    def show_day(self, day: date, select: str | None = None) -> None:
        self._select_after_load = select
        if self.queue_day() == day:
            self.reload()
        else:
            self.days.set_day(day)  # reloads

    def row_selected(self, appointment: Appointment | None, _previous: Appointment | None) -> None:
        self.details.show_appointment(appointment)
        if appointment is not None and appointment.is_teleconsult:
            self.load_consult(appointment.id)

    # --- teleconsults ---------------------------------------------------------------------

    def load_consult(self, appointment_id: str) -> None:
        """Read the teleconsult's room (its window and the invited staff) for the panel: its
        doctor and invited staff may; the server answers 404 to anyone else."""

        def failed(message: str) -> None:
            quiet = not self.details.may_join()  # not theirs: nothing to say
            self.details.show_room(appointment_id, None, "" if quiet else message)

        load_consult(
            self,
            appointment_id,
            on_done=lambda room: self.details.show_room(appointment_id, room),
            on_error=failed,
        )

    def consult_waiting(self, _message: dict) -> None:
        """The feed says a patient entered or left a consult's waiting room: re-read the day
        (the row's "In the waiting room" and the counts), keeping the selection."""
        if self._loaded:
            self.reload_keeping_selection()

    def open_consult_room(self) -> QUrl | None:
        """The selected teleconsult's call page, in the web browser."""
        appointment = self.current
        if appointment is None or not self.details.may_join():
            return None
        return open_consult_room(self, appointment.id)

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
        self.reload_and_select(appointment.id)  # the day's counts changed too

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

    def print_source(self):
        """The selected appointment's slip, to hand to the patient."""
        if self.current is None:
            return None
        appointment = self.current
        return (
            f"appointment-{appointment.date.isoformat()}-{appointment.patient.mrn}.pdf",
            lambda: self.ctx.api.appointments.slip_pdf(appointment.id),
            self.details.slip_button,
        )
