"""The Allergies section of the patient detail: the chart's allergies, with a clear marker on
those the patient reported that nobody has confirmed yet, and (for the roles the server's
permission table allows) adding one, editing its severity and reaction, marking one entered in
error, and confirming a patient-reported one. Every call runs off the UI thread; the list is
read again after each change."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHeaderView, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from hms_desktop.api.dto import Patient
from hms_desktop.api.dto.patients import (
    ALLERGY_CATEGORIES,
    ALLERGY_SEVERITIES,
    ALLERGY_STATUSES,
    Allergy,
)
from hms_desktop.api.errors import ApiError, ServerUnreachable
from hms_desktop.formatting import fmt_datetime
from hms_desktop.models.paged import Column, PagedTableModel
from hms_desktop.views.dialogs import FormDialog, ReasonDialog
from hms_desktop.views.patients.dialogs import DateField
from hms_desktop.widgets.flow import FlowLayout
from hms_desktop.widgets.forms import combo, line_edit
from hms_desktop.widgets.page import Page, button
from hms_desktop.widgets.table import DataTable
from hms_desktop.workers import is_busy

UNCONFIRMED = "Patient-reported — not confirmed"
CATEGORY_LABELS = dict(ALLERGY_CATEGORIES)
SEVERITY_LABELS = dict(ALLERGY_SEVERITIES)
STATUS_LABELS = dict(ALLERGY_STATUSES)


def allergy_status(allergy: Allergy) -> str:
    """The status column: the marker first for a patient report nobody has confirmed."""
    status = STATUS_LABELS.get(allergy.status, allergy.status)
    if not allergy.awaiting_confirmation:
        return status
    return UNCONFIRMED if allergy.status == "active" else f"{UNCONFIRMED} · {status}"


def allergy_provenance(allergy: Allergy) -> str:
    """Who the entry comes from, and who confirmed it."""
    if allergy.voided:
        return f"Entered in error: {allergy.void_reason or 'no reason given'}."
    if allergy.awaiting_confirmation:
        return (
            f"{UNCONFIRMED}: reported by the patient on {fmt_datetime(allergy.created_at)}. "
            "It already counts for the prescribing safety checks."
        )
    if allergy.patient_reported or allergy.source == "patient":
        when = fmt_datetime(allergy.confirmed_at) if allergy.confirmed_at else ""
        who = allergy.confirmed_by or "a clinician"
        return f"Reported by the patient; confirmed by {who}" + (f" on {when}." if when else ".")
    recorded = f"Recorded by {allergy.recorded_by}" if allergy.recorded_by else "Recorded by staff"
    return f"{recorded} on {fmt_datetime(allergy.created_at)}."


class AllergiesModel(PagedTableModel[Allergy]):
    SUBSTANCE, STATUS, SEVERITY, REACTION, CATEGORY = range(5)
    columns = (
        Column("substance", "Substance", lambda a: a.substance),
        Column("status", "Status", allergy_status),
        Column("severity", "Severity", lambda a: SEVERITY_LABELS.get(a.severity, a.severity)),
        Column("reaction", "Reaction", lambda a: a.reaction),
        Column("category", "Category", lambda a: CATEGORY_LABELS.get(a.category, a.category)),
    )

    def row_data(self, row: Allergy, column: Column[Allergy], role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole:
            return allergy_provenance(row)
        if role == Qt.ItemDataRole.FontRole and row.awaiting_confirmation:
            font = QFont()
            font.setBold(True)
            return font
        return None


class AllergyDialog(FormDialog):
    """Add an allergy, or edit one's severity and reaction (only changed fields are sent)."""

    def __init__(self, page: Page, patient: Patient, allergy: Allergy | None = None) -> None:
        adding = allergy is None
        super().__init__(
            page,
            "Add allergy" if adding else "Edit allergy",
            f"Add an allergy for {patient.full_name}"
            if adding
            else f"{allergy.substance} · {patient.full_name}",
        )
        self.patient = patient
        self.allergy = allergy
        self.substance = line_edit("e.g. Penicillin")
        self.substance.setObjectName("allergySubstance")
        self.category = combo(ALLERGY_CATEGORIES, current="medication")
        self.category.setObjectName("allergyCategory")
        self.onset_date = DateField()
        self.onset_date.setObjectName("allergyOnset")
        self.note = QPlainTextEdit()
        self.note.setObjectName("allergyNote")
        self.note.setFixedHeight(60)
        self.reaction = line_edit("e.g. hives, wheeze", text=allergy.reaction if allergy else "")
        self.reaction.setObjectName("allergyReaction")
        self.severity = combo(
            ALLERGY_SEVERITIES, current=allergy.severity if allergy else "unknown"
        )
        self.severity.setObjectName("allergySeverity")
        if adding:
            self.field("substance", "Substance", self.substance)
            self.field("category", "Category", self.category)
        self.field("reaction", "Reaction", self.reaction)
        self.field("severity", "Severity", self.severity)
        if adding:
            self.field("onset_date", "Onset", self.onset_date, hint="Leave empty if unknown")
            self.field("note", "Note", self.note)
        self.save_as("Add allergy" if adding else "Save changes")
        self.finish_layout()
        (self.substance if adding else self.reaction).setFocus()

    def submit(self) -> None:
        self.errors.clear()
        allergies = self.ctx.api.patients
        patient_id = self.patient.id
        values: dict[str, Any] = {
            "reaction": self.reaction.text().strip(),
            "severity": self.severity.currentData(),
        }
        if self.allergy is None:
            substance = self.substance.text().strip()
            if not substance:
                self.errors.fields["substance"].set_error("Name the substance.")
                return
            onset = self.onset_date.value()
            values.update(
                substance=substance,
                category=self.category.currentData(),
                note=self.note.toPlainText().strip(),
                onset_date=onset.isoformat() if onset else None,
            )
            self.call(lambda: allergies.add_allergy(patient_id, **values))
            return
        current = {"reaction": self.allergy.reaction, "severity": self.allergy.severity}
        changed = {k: v for k, v in values.items() if current[k] != v}
        if not changed:
            self.reject()
            return
        allergy_id = self.allergy.id
        self.call(lambda: allergies.update_allergy(patient_id, allergy_id, **changed))


class AllergiesSection(QWidget):
    """The patient's allergies in the detail panel, with the actions the user's role may take.
    `page` shows the dialogs and the success and error messages."""

    def __init__(self, page: Page, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("allergiesSection")
        self.page = page
        ctx = page.ctx
        self.can_read = ctx.may("patient_allergies", "list")
        self.can_add = ctx.may("patient_allergies", "create")
        self.can_edit = ctx.may("patient_allergies", "update")
        self.can_void = ctx.may("patient_allergies", "void")
        self.can_confirm = ctx.may("patient_allergies", "confirm")
        self.patient: Patient | None = None
        self.loaded_for: str | None = None  # the patient whose allergies are shown

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(6)
        title = QLabel("Allergies")
        title.setObjectName("sectionTitle")
        layout.addWidget(title)
        self.note = QLabel()
        self.note.setObjectName("allergiesNote")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.add_button = button("Add allergy…", name="addAllergy")
        self.edit_button = button("Edit…", name="editAllergy")
        self.void_button = button("Entered in error…", name="voidAllergy")
        self.confirm_button = button("Confirm", primary=True, name="confirmAllergy")
        actions = QWidget()
        row = FlowLayout(actions, spacing=6)
        for widget, allowed in (
            (self.confirm_button, self.can_confirm),
            (self.add_button, self.can_add),
            (self.edit_button, self.can_edit),
            (self.void_button, self.can_void),
        ):
            row.addWidget(widget)
            widget.setVisible(allowed)
        layout.addWidget(actions)
        actions.setVisible(any((self.can_add, self.can_edit, self.can_void, self.can_confirm)))

        self.model = AllergiesModel(parent=self)
        self.table = DataTable()
        self.table.setObjectName("allergiesTable")
        self.table.setModel(self.model)
        for column, width in {0: 105, 1: 165, 2: 85, 3: 120, 4: 100}.items():
            self.table.setColumnWidth(column, width)
        # The marker wraps within its column rather than hide behind the scroll bar.
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setMinimumHeight(130)
        layout.addWidget(self.table, 1)
        self.provenance = QLabel()
        self.provenance.setObjectName("allergyProvenance")
        self.provenance.setWordWrap(True)
        layout.addWidget(self.provenance)

        self.add_button.clicked.connect(self.open_add)
        self.edit_button.clicked.connect(self.open_edit)
        self.void_button.clicked.connect(self.open_void)
        self.confirm_button.clicked.connect(self.confirm)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selected())
        if not self.can_read:
            self.hide()  # explicitly: the page's layout does not show it
        self.show_patient(None)

    # --- what is shown -------------------------------------------------------------------

    def selected(self) -> Allergy | None:
        return self.table.selected_row()

    def select(self, allergy_id: str) -> bool:
        for row, allergy in enumerate(self.model.rows):
            if allergy.id == allergy_id:
                self.table.selectRow(row)
                return True
        return False

    def _selected(self) -> None:
        allergy = self.selected()
        live = allergy is not None and not allergy.voided
        for widget, enabled in (
            (self.add_button, self.patient is not None),
            (self.edit_button, live),
            (self.void_button, live),
            (self.confirm_button, allergy is not None and allergy.awaiting_confirmation),
        ):
            if not is_busy(widget):
                widget.setEnabled(enabled)
        self.provenance.setText(allergy_provenance(allergy) if allergy else "")

    def show_patient(self, patient: Patient | None) -> None:
        """Show `patient`'s allergies, read again from the server each time (the rows shown
        stay until the answer comes when it is the same patient)."""
        previous = self.patient.id if self.patient else None
        self.patient = patient
        if patient is None:
            self.loaded_for = None
            self.model.set_rows([])
            self.note.setText("")
            self._selected()
            return
        if patient.id != previous:
            self.loaded_for = None
            self.model.set_rows([])
        selected = self.selected()
        self.reload(select=selected.id if selected else None)
        self._selected()

    def reload(self, select: str | None = None) -> None:
        if self.patient is None or not self.can_read:
            return
        patient_id = self.patient.id
        if self.loaded_for != patient_id:
            self.note.setText("Loading allergies…")
        self.page.ctx.runner.run(
            lambda: self.page.ctx.api.patients.allergies(patient_id),
            on_done=lambda rows: self._loaded(patient_id, rows, select),
            on_error=lambda exc: self._failed(patient_id, exc),
            on_unreachable=lambda exc: self._failed(patient_id, exc),
            owner=self,
        )

    def _loaded(self, patient_id: str, rows: list[Allergy], select: str | None) -> None:
        if self.patient is None or self.patient.id != patient_id:
            return  # another patient was chosen meanwhile
        # Unconfirmed patient reports first: they are the ones waiting for someone.
        rows = sorted(rows, key=lambda a: (not a.awaiting_confirmation, a.substance.lower()))
        self.loaded_for = patient_id
        self.model.set_rows(rows)
        waiting = sum(1 for a in rows if a.awaiting_confirmation)
        if not rows:
            self.note.setText("No allergies recorded.")
        elif waiting:
            self.note.setText(f"<b>{waiting} reported by the patient, not yet confirmed.</b>")
        else:
            self.note.setText(f"{len(rows)} recorded.")
        if select is not None:
            self.select(select)
        self._selected()

    def _failed(self, patient_id: str, exc: Exception) -> None:
        if self.patient is None or self.patient.id != patient_id:
            return
        self.model.set_rows([])
        if isinstance(exc, ApiError):
            self.note.setText(f"Allergies not shown: {exc.message}")
        elif isinstance(exc, ServerUnreachable):
            self.note.setText("Allergies not shown: the server could not be reached.")
        else:
            self.note.setText(f"Allergies not shown: {exc}")
        self._selected()

    # --- actions -------------------------------------------------------------------------

    def open_add(self) -> FormDialog | None:
        if self.patient is None:
            return None
        return self.page._open(AllergyDialog(self.page, self.patient), self._saved("added"))

    def open_edit(self) -> FormDialog | None:
        allergy = self.selected()
        if self.patient is None or allergy is None or allergy.voided:
            return None
        return self.page._open(
            AllergyDialog(self.page, self.patient, allergy), self._saved("updated")
        )

    def open_void(self) -> FormDialog | None:
        allergy = self.selected()
        if self.patient is None or allergy is None or allergy.voided:
            return None
        patients, patient_id, allergy_id = self.page.ctx.api.patients, self.patient.id, allergy.id
        dialog = ReasonDialog(
            self.page,
            "Entered in error",
            f"Mark {allergy.substance} as entered in error",
            action="Mark entered in error",
            send=lambda reason: patients.void_allergy(patient_id, allergy_id, reason),
            note="The entry stays in the chart's history, marked entered in error with your "
            "reason; it no longer counts for the prescribing safety checks.",
            placeholder="e.g. recorded on the wrong chart",
            name="allergyVoidReason",
        )
        return self.page._open(dialog, self._saved("marked entered in error"))

    def confirm(self) -> None:
        allergy = self.selected()
        if self.patient is None or allergy is None or not allergy.awaiting_confirmation:
            return
        patients, patient_id, allergy_id = self.page.ctx.api.patients, self.patient.id, allergy.id
        self.page.ctx.runner.run(
            lambda: patients.confirm_allergy(patient_id, allergy_id),
            on_done=self._saved("confirmed"),
            on_error=self.page.show_error,
            busy=[self.confirm_button],
            owner=self,
        )

    def _saved(self, what: str):
        def done(allergy: Allergy) -> None:
            self.page.show_success(f"{allergy.substance}: allergy {what}.")
            self.reload(select=allergy.id)

        return done
