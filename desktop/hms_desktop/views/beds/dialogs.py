"""The bed board's dialogs: admitting, transferring, discharging, changing a bed's status; and
the free-bed loader and reason box the ICU screen shares."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget

from hms_desktop.api.dto import ADMISSION_TYPES, BED_STATUSES, DISPOSITIONS, Bed, Patient
from hms_desktop.api.errors import ApiError
from hms_desktop.formatting import fmt_datetime
from hms_desktop.views.dialogs import FormDialog
from hms_desktop.widgets.forms import combo
from hms_desktop.widgets.page import Page
from hms_desktop.widgets.pickers import PatientPicker, load_doctors

HOUSEKEEPING_STATUSES = [
    (s, BED_STATUSES[s]) for s in ("available", "cleaning", "maintenance", "reserved")
]


def load_free_beds(
    dialog: FormDialog,
    box,
    *,
    select: str | None = None,
    exclude_icu: bool = False,
    **filters: Any,
) -> None:
    """Fill a combo with the beds a patient can go to now (`Ward · Room · Bed`).

    The combo is refilled without emitting changes, so an error shown on its field stays.
    """
    box.blockSignals(True)
    box.clear()
    box.addItem("Loading free beds…", "")
    box.blockSignals(False)
    box.setEnabled(False)

    def loaded(beds: list[Bed]) -> None:
        if exclude_icu:
            beds = [bed for bed in beds if not (bed.ward and bed.ward.is_icu)]
        box.blockSignals(True)
        box.clear()
        box.addItem("Choose a bed…" if beds else "No free bed", "")
        for bed in beds:
            reserved = " (reserved)" if bed.status == "reserved" else ""
            box.addItem(f"{bed.place}{reserved}", bed.id)
        if select:
            box.setCurrentIndex(max(0, box.findData(select)))
        box.blockSignals(False)
        box.setEnabled(True)

    inpatient = dialog.ctx.api.inpatient
    dialog.ctx.runner.run(
        lambda: inpatient.free_beds(**filters),
        on_done=loaded,
        on_error=dialog.errors.show,
        busy=[dialog.save_button],
        owner=dialog,
    )


def reason_edit(placeholder: str, name: str) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    edit.setFixedHeight(70)
    return edit


class BedAdmissionDialog(FormDialog):
    """Into a free bed, on the bed board and in the ICU: the patient, the bed, the attending
    doctor, what the kind of admission adds (`extra` fields) and the reason. Widget names
    start with `name` (`admitBed`)."""

    def __init__(
        self,
        page: Page,
        title: str,
        heading: str,
        *,
        save: str,
        name: str,
        patient: Patient | None,
        bed_label: str,
        reason_example: str,
        doctor_hint: str = "",
        extra: tuple[tuple[str, str, QWidget], ...] = (),
    ) -> None:
        super().__init__(page, title, heading)
        self.setMinimumWidth(620)
        self.patient = PatientPicker(self.ctx)
        self.patient.setObjectName(f"{name}Patient")
        self.bed = combo([("", "Loading free beds…")])
        self.bed.setObjectName(f"{name}Bed")
        self.doctor = combo([("", "Loading doctors…")])
        self.doctor.setObjectName(f"{name}Doctor")
        self.reason = reason_edit(reason_example, f"{name}Reason")
        self.field("patient", "Patient", self.patient)
        self.field("bed", bed_label, self.bed)
        self.field("attending_doctor", "Attending doctor", self.doctor, doctor_hint)
        for field_name, label, widget in extra:
            self.field(field_name, label, widget)
        self.field("reason", "Reason", self.reason)
        self.save_button.setText(save)
        self.finish_layout()
        if patient is not None:
            self.patient.set_patient(patient)

    def admission_fields(self) -> dict[str, Any] | None:
        """The patient, bed and reason to send; None (and the patient's field marked) while no
        patient is chosen."""
        self.errors.clear()
        patient = self.patient.patient
        if patient is None:
            self.errors.fields["patient"].set_error("Search for the patient and click them.")
            return None
        return {
            "patient": patient.id,
            "bed": self.bed.currentData() or None,
            "reason": self.reason.toPlainText().strip(),
        }


class AdmitDialog(BedAdmissionDialog):
    """Admit a patient to a free bed under an attending doctor."""

    def __init__(
        self, page: Page, *, patient: Patient | None = None, bed: Bed | None = None
    ) -> None:
        admission_type = combo(list(ADMISSION_TYPES.items()), current="emergency")
        super().__init__(
            page,
            "Admit patient",
            "Admit a patient",
            save="Admit",
            name="admit",
            patient=patient,
            bed_label="Bed",
            reason_example="e.g. community-acquired pneumonia, needs IV antibiotics",
            extra=(("admission_type", "Admission", admission_type),),
        )
        self.admission_type = admission_type
        load_free_beds(self, self.bed, select=bed.id if bed else None)
        load_doctors(self.ctx, self.doctor, owner=self, busy=[self.save_button])

    def submit(self) -> None:
        fields = self.admission_fields()
        if fields is None:
            return
        fields["attending_doctor"] = self.doctor.currentData() or None
        fields["admission_type"] = self.admission_type.currentData()
        inpatient = self.ctx.api.inpatient
        self.call(lambda: inpatient.admit(**fields), on_error=self._refused)

    def _refused(self, exc: Exception) -> None:
        self.errors.show(exc)
        if not isinstance(exc, ApiError):
            return
        if exc.code == "bed_not_available":
            self.errors.fields["bed"].set_error("Just taken or out of service: choose another.")
            load_free_beds(self, self.bed)
            self.page.reload()
        elif exc.code == "patient_already_admitted":
            self.errors.fields["patient"].set_error("Already admitted: transfer them instead.")


class TransferDialog(FormDialog):
    """Move an admitted patient to another bed (the stay history is kept)."""

    def __init__(self, page: Page, bed: Bed) -> None:
        occupant = bed.occupant
        super().__init__(page, "Transfer", f"Transfer {occupant.patient.name}")
        self.setMinimumWidth(600)
        self.admission_id = occupant.admission_id
        now = QLabel(f"Now in <b>{bed.place}</b> since {fmt_datetime(occupant.admitted_at)}.")
        self.body.insertWidget(1, now)
        self.bed = combo([("", "Loading free beds…")])
        self.bed.setObjectName("transferBed")
        current = occupant.attending_doctor
        self.doctor = combo([("", "Loading doctors…")])
        self.doctor.setObjectName("transferDoctor")
        self.reason = reason_edit("e.g. step-down after surgery", "transferReason")
        self.field("bed", "To bed", self.bed)
        self.field("attending_doctor", "Attending doctor", self.doctor, "Change for a handover.")
        self.field("reason", "Reason", self.reason)
        self.save_button.setText("Transfer")
        self.finish_layout()
        load_free_beds(self, self.bed)
        keep = ("", f"Keep {current.name}" if current else "Keep the attending doctor")
        load_doctors(self.ctx, self.doctor, owner=self, first=keep, busy=[self.save_button])

    def submit(self) -> None:
        self.errors.clear()
        fields = {
            "bed": self.bed.currentData() or None,
            "reason": self.reason.toPlainText().strip(),
        }
        if doctor := self.doctor.currentData():
            fields["attending_doctor"] = doctor
        admission_id, inpatient = self.admission_id, self.ctx.api.inpatient
        self.call(lambda: inpatient.transfer(admission_id, **fields), on_error=self._refused)

    def _refused(self, exc: Exception) -> None:
        self.errors.show(exc)
        if isinstance(exc, ApiError) and exc.code == "bed_not_available":
            self.errors.fields["bed"].set_error("Just taken or out of service: choose another.")
            load_free_beds(self, self.bed)


SUMMARY_STATES = {
    None: (
        "The discharge summary has not been written yet. {doctor} writes and signs it in the "
        "doctor workspace; the patient can be discharged after that."
    ),
    "draft": (
        "The discharge summary is still a draft. {doctor} must sign it before the patient "
        "is discharged."
    ),
    "final": "The discharge summary is signed: the patient may go.",
}
SUMMARY_REFUSALS = {
    "discharge_summary_required": None,
    "discharge_summary_unsigned": "draft",
}


class DischargeDialog(FormDialog):
    """Discharge: the bed goes to cleaning. Shows whether the doctor's discharge summary is
    signed (read when the dialog opens, and again after a refusal); the server refuses the
    discharge, and nothing changes, until it is."""

    def __init__(self, page: Page, bed: Bed) -> None:
        occupant = bed.occupant
        super().__init__(page, "Discharge", f"Discharge {occupant.patient.name}")
        self.setMinimumWidth(560)
        self.admission_id = occupant.admission_id
        doctor = occupant.attending_doctor
        self.doctor_name = doctor.name if doctor else "The attending doctor"
        note = QLabel(
            f"{bed.place}, day {occupant.days_admitted}. The bed goes to cleaning; the stay "
            "stays in the record."
        )
        self.add_note(note)
        self.summary_state = QLabel("Checking the discharge summary…")
        self.summary_state.setObjectName("dischargeSummaryState")
        self.summary_state.setWordWrap(True)
        self.summary_status: str | None = None
        self.summary_known = False
        self.disposition = combo(list(DISPOSITIONS.items()), current="home")
        self.disposition.setObjectName("disposition")
        self.note = reason_edit("e.g. collected by family; follow-up in clinic", "dischargeNote")
        self.field("summary", "Summary", self.summary_state)
        self.field("disposition", "Going", self.disposition)
        self.field("note", "Note", self.note)
        self.save_button.setText("Discharge")
        self.finish_layout()
        self.check_summary()

    def check_summary(self) -> None:
        """Read the admission again and show whether its discharge summary is signed."""
        admission_id, inpatient = self.admission_id, self.ctx.api.inpatient
        self.ctx.runner.run(
            lambda: inpatient.admission(admission_id),
            on_done=lambda admission: self._show_summary(admission.discharge_summary_status),
            on_error=self.errors.show,
            busy=[self.save_button],
            owner=self,
        )

    def _show_summary(self, status: str | None) -> None:
        self.summary_known = True
        self.summary_status = status
        signed = status == "final"
        text = SUMMARY_STATES.get(status, SUMMARY_STATES[None]).format(doctor=self.doctor_name)
        self.summary_state.setText(f"{'✓' if signed else '✗'} {text}")
        self.summary_state.setProperty("tone", "ok" if signed else "warning")
        self.summary_state.style().polish(self.summary_state)

    def submit(self) -> None:
        self.errors.clear()
        fields = {
            "disposition": self.disposition.currentData(),
            "note": self.note.toPlainText().strip(),
        }
        admission_id, inpatient = self.admission_id, self.ctx.api.inpatient
        self.call(lambda: inpatient.discharge(admission_id, **fields), on_error=self._refused)

    def _refused(self, exc: Exception) -> None:
        if isinstance(exc, ApiError) and exc.code in SUMMARY_REFUSALS:
            self.errors.clear()
            self._show_summary(SUMMARY_REFUSALS[exc.code])
            what = (
                "has not written the discharge summary yet"
                if exc.code == "discharge_summary_required"
                else "has not signed the discharge summary yet"
            )
            self.errors.show_message(
                f"Not discharged: {self.doctor_name} {what}. Nothing has changed; discharge "
                f"again once it is signed. ({exc.message})"
            )
            return
        self.errors.show(exc)


class BedStatusDialog(FormDialog):
    """Housekeeping: cleaned, out of service, reserved."""

    def __init__(self, page: Page, bed: Bed) -> None:
        super().__init__(page, "Bed status", f"{bed.place}")
        self.bed = bed
        choices = [(s, label) for s, label in HOUSEKEEPING_STATUSES if s != bed.status]
        self.status = combo(choices)
        self.status.setObjectName("bedStatus")
        self.note = reason_edit("e.g. deep clean after isolation", "bedStatusNote")
        self.field("status", "New status", self.status)
        self.field("note", "Note", self.note)
        self.save_button.setText("Change status")
        self.finish_layout()

    def submit(self) -> None:
        bed_id, status = self.bed.id, self.status.currentData()
        note, inpatient = self.note.toPlainText().strip(), self.ctx.api.inpatient
        self.call(lambda: inpatient.set_bed_status(bed_id, status=status, note=note))
