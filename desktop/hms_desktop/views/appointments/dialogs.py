"""The appointment dialogs: booking from a doctor's free slots, rescheduling, cancelling with a
reason; and the date picker they share."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QLabel

from hms_desktop.api.dto import Appointment, Availability, Patient, VisitType
from hms_desktop.api.errors import ApiError
from hms_desktop.api.resources import booking_conflict
from hms_desktop.views.dialogs import FormDialog, ReasonDialog
from hms_desktop.widgets.forms import combo, line_edit
from hms_desktop.widgets.page import Page
from hms_desktop.widgets.pickers import PatientPicker, SlotPicker, load_doctors

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

    def doctor_id(self) -> str:
        """The chosen doctor's id; "" while none is chosen (booking picks one, rescheduling
        keeps the appointment's)."""
        return ""

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
    """Book a patient with a doctor in one of the doctor's free slots, in person or as a
    teleconsult (a video visit the patient joins from the portal)."""

    def __init__(
        self, page: Page, *, patient: Patient | None = None, doctor_id: str | None = None
    ) -> None:
        super().__init__(page, "Book appointment", "Book an appointment")
        self.patient = PatientPicker(self.ctx)
        self.patient.setObjectName("bookingPatient")
        self.doctor = combo([("", "Loading doctors…")])
        self.doctor.setObjectName("bookingDoctor")
        self.visit_type = combo(list(VisitType.CHOICES), current=VisitType.IN_PERSON)
        self.visit_type.setObjectName("bookingVisitType")
        self.reason = line_edit("e.g. follow-up of blood pressure")
        self.reason.setObjectName("bookingReason")
        self.field("patient", "Patient", self.patient)
        self.field("doctor", "Doctor", self.doctor)
        self.field(
            "visit_type",
            "Visit",
            self.visit_type,
            "A teleconsult is a video visit: the patient joins it from the patient portal.",
        )
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
        visit_type = self.visit_type.currentData() or VisitType.IN_PERSON
        appointments = self.ctx.api.appointments
        self.call(
            lambda: appointments.book(
                patient=patient_id,
                doctor=doctor_id,
                day=day,
                slot=start,
                reason=reason,
                visit_type=visit_type,
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
        self.add_note(current)
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


class CancelDialog(ReasonDialog):
    """Cancel with a reason: nothing is deleted and the slot becomes free again."""

    def __init__(self, page: Page, appointment: Appointment) -> None:
        appointments, appointment_id = page.ctx.api.appointments, appointment.id
        super().__init__(
            page,
            "Cancel appointment",
            f"Cancel {appointment.patient.name}'s visit?",
            action="Cancel appointment",
            send=lambda reason: appointments.cancel(appointment_id, reason=reason),
            note=(
                f"{long_date(appointment.date)} at {appointment.slot_text} with "
                f"{appointment.doctor.name}. The appointment is kept in the record as cancelled, "
                "with your reason, and the slot becomes free for someone else."
            ),
            placeholder="e.g. the patient phoned: travelling that week",
            height=80,
        )
        self.appointment = appointment
