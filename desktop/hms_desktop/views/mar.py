"""The medication round (nurses, doctors): the admitted patients, and for the one selected the
day's scheduled doses from their prescriptions with each dose's state (today by default; the
day switcher shows yesterday's, tomorrow's or any day's round). A dose is recorded as
given, or held or refused with the reason; the server keeps one record per dose (409
`dose_already_recorded`) and refuses a time that is not on the drug-round grid.

Only patients in the user's care (a nurse's wards today, a doctor's patients) have a MAR the
server will show; for others it answers 403 and the page says so.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import (
    QLabel,
    QPlainTextEdit,
)

from hms_desktop.api.dto import Admission, MarDose
from hms_desktop.api.errors import ApiError, ServerUnreachable
from hms_desktop.formatting import fmt_datetime
from hms_desktop.models.inpatient import InpatientsModel, MarDosesModel
from hms_desktop.views.dialogs import FormDialog
from hms_desktop.widgets.day_switcher import DaySwitcher
from hms_desktop.widgets.list_page import DetailPanel, ListPage
from hms_desktop.widgets.page import Page, button
from hms_desktop.widgets.table import DataTable
from hms_desktop.workers import is_busy

OPEN_STATES = ("due", "overdue", "upcoming")


class DoseNotGivenDialog(FormDialog):
    """Hold or refuse a dose: the reason goes on the record."""

    def __init__(self, page: Page, admission: Admission, dose: MarDose, status: str) -> None:
        verb = "Hold" if status == "held" else "Record refusal of"
        super().__init__(
            page, verb.split()[0], f"{verb} {dose.drug} {dose.dose} for {admission.patient.name}"
        )
        self.admission, self.dose, self.status = admission, dose, status
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("doseReason")
        self.reason.setFixedHeight(70)
        self.field("reason", "Reason", self.reason)
        self.save_button.setText("Hold dose" if status == "held" else "Record refusal")
        self.finish_layout()

    def submit(self) -> None:
        reason = self.reason.toPlainText().strip()
        if not reason:
            self.errors.fields["reason"].set_error("Say why the dose was not given.")
            return
        admission_id, dose, status = self.admission.id, self.dose, self.status
        inpatient = self.ctx.api.inpatient
        self.call(
            lambda: inpatient.record_dose(
                admission_id,
                prescription_item=dose.prescription_item,
                scheduled_at=dose.scheduled_at,
                status=status,
                reason=reason,
            )
        )


class MarPanel(DetailPanel):
    def __init__(self, parent=None) -> None:
        super().__init__("No patient selected", parent=parent)
        self.heading.setWordWrap(False)
        layout = self.body
        self.given_button = button("Given", primary=True, name="doseGiven")
        self.held_button = button("Hold…", name="doseHeld")
        self.refused_button = button("Refused…", name="doseRefused")
        self.refresh_button = button("Refresh", name="refreshMar")
        self.add_heading(
            self.given_button, self.held_button, self.refused_button, self.refresh_button
        )
        self.note = QLabel()
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.doses_model = MarDosesModel(parent=self)
        self.doses = DataTable()
        self.doses.setModel(self.doses_model)
        for column, width in {0: 60, 2: 90, 3: 70, 4: 90, 5: 140}.items():
            self.doses.setColumnWidth(column, width)
        self.doses.stretch_column(MarDosesModel.DRUG)
        layout.addWidget(self.doses, 1)
        self.doses.selectionModel().selectionChanged.connect(lambda *_: self._dose())
        self.show_doses(None, [])

    def selected_dose(self) -> MarDose | None:
        return self.doses.selected_row()

    def _dose(self) -> None:
        dose = self.selected_dose()
        open_dose = dose is not None and dose.state in OPEN_STATES
        for widget in (self.given_button, self.held_button, self.refused_button):
            if not is_busy(widget):
                widget.setEnabled(open_dose)

    def show_doses(
        self,
        admission: Admission | None,
        doses: list[MarDose],
        note: str = "",
        *,
        day: date | None = None,
    ) -> None:
        day = day or date.today()
        when = "today" if day == date.today() else f"on {day:%A %d %B}"
        if admission is None:
            self.heading.setText("No patient selected")
        else:
            self.heading.setText(
                f"{admission.patient.name} · {admission.ward.name}, bed {admission.bed_label} · "
                f"{day:%A %d %B}"
            )
        self.refresh_button.setEnabled(admission is not None)
        overdue = sum(1 for d in doses if d.state == "overdue")
        if not note and admission is not None:
            note = (
                f"{len(doses)} scheduled dose(s) {when}"
                + (f", <b>{overdue} overdue</b>" if overdue else "")
                + "."
                if doses
                else f"No scheduled doses {when}."
            )
        self.note.setText(note)
        self.doses_model.set_rows(doses)
        self._dose()


class MarPage(ListPage):
    title = "Medication round"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(
            ctx,
            InpatientsModel(ctx.runner, page_size=100),
            lambda api: api.inpatient.admissions,
            refresh_name="refreshInpatients",
            empty_text="Nobody is admitted.",
            parent=parent,
        )
        self.doses_loaded_for: str | None = None
        self.summary = QLabel()
        self.summary.setObjectName("sectionTitle")
        self.toolbar.insertWidget(0, self.summary)
        # The round's day (hospital time): the doses of another day are read, not the patients.
        self.days = DaySwitcher(prefix="mar")
        self.toolbar.insertWidget(1, self.days)
        self.set_details(
            MarPanel(),
            sizes=(230, 440),
            column_widths={0: 130, 2: 110, 3: 150},
            stretch=InpatientsModel.PATIENT,
        )

        self.details.refresh_button.clicked.connect(self.load_doses)
        self.details.given_button.clicked.connect(self.record_given)
        self.details.held_button.clicked.connect(lambda: self.open_not_given("held"))
        self.details.refused_button.clicked.connect(lambda: self.open_not_given("refused"))
        self.model.total_changed.connect(self._count)
        self.days.day_changed.connect(self._day_changed)

    def filters(self) -> dict[str, Any]:
        return {"status": "active"}

    def _count(self, total: int) -> None:
        self.summary.setText(f"{total} patient{'s' if total != 1 else ''} admitted")

    def round_day(self) -> date:
        return self.days.day()

    def row_selected(self, admission: Admission | None, previous: Admission | None) -> None:
        if admission is None:
            self.doses_loaded_for = None
            self.details.show_doses(None, [])
        elif previous is None or previous.id != admission.id:
            self._loading(admission)

    def _day_changed(self, _day: date) -> None:
        if self.current is not None:
            self._loading(self.current)

    def _loading(self, admission: Admission) -> None:
        self.doses_loaded_for = None
        day = self.round_day()
        self.details.show_doses(admission, [], f"Loading the doses of {day:%A %d %B}…", day=day)
        self.load_doses()

    def load_doses(self) -> None:
        admission = self.current
        if admission is None:
            return
        inpatient, day = self.ctx.api.inpatient, self.round_day()
        self.run(
            lambda: inpatient.mar(admission.id, day=day),
            on_done=lambda doses: self._doses(admission, day, doses),
            on_error=lambda exc: self._doses_refused(admission, day, exc),
            busy=[self.details.refresh_button],
        )

    def _showing(self, admission: Admission, day: date) -> bool:
        """Whether an answer for this admission and day is still the one to show."""
        return (
            self.current is not None and self.current.id == admission.id and self.round_day() == day
        )

    def _doses(self, admission: Admission, day: date, doses: list[MarDose]) -> None:
        if self._showing(admission, day):
            self.doses_loaded_for = admission.id
            self.details.show_doses(admission, doses, day=day)

    def _doses_refused(self, admission: Admission, day: date, exc: Exception) -> None:
        if not self._showing(admission, day):
            return
        if isinstance(exc, ApiError) and exc.code == "break_glass_required":
            self.details.show_doses(
                admission,
                [],
                "This patient is not in your care (not on your wards today), so their "
                "medication record is not shown.",
                day=day,
            )
        elif not isinstance(exc, ServerUnreachable):
            self.show_error(exc)

    def record_given(self) -> None:
        admission, dose = self.current, self.details.selected_dose()
        if admission is None or dose is None or dose.state not in OPEN_STATES:
            return
        inpatient = self.ctx.api.inpatient
        self.run(
            lambda: inpatient.record_dose(
                admission.id,
                prescription_item=dose.prescription_item,
                scheduled_at=dose.scheduled_at,
                status="given",
            ),
            on_done=lambda _record: self._recorded(dose, "given"),
            on_error=self._refused,
            busy=[self.details.given_button],
        )

    def open_not_given(self, status: str) -> DoseNotGivenDialog | None:
        admission, dose = self.current, self.details.selected_dose()
        if admission is None or dose is None or dose.state not in OPEN_STATES:
            return None
        dialog = DoseNotGivenDialog(self, admission, dose, status)
        self._open(dialog, lambda _record: self._recorded(dose, status))
        return dialog

    def _recorded(self, dose: MarDose, status: str) -> None:
        when = fmt_datetime(dose.scheduled_at)
        self.show_success(f"{dose.drug} {dose.dose} due {when}: recorded as {status}.")
        self.load_doses()

    def _refused(self, exc: Exception) -> None:
        self.show_error(exc)
        if isinstance(exc, ApiError) and exc.code == "dose_already_recorded":
            self.load_doses()  # someone else recorded it meanwhile: show what they did
