"""The patient dialogs: registering or editing a patient (with the possible duplicates the
server finds), assigning a doctor; and the date field and duplicate panel they use."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from hms_desktop.api.dto import DuplicateCandidate, Patient
from hms_desktop.api.errors import ApiError
from hms_desktop.api.resources import BLOOD_GROUPS, SEXES, duplicate_candidates
from hms_desktop.views.dialogs import FormDialog
from hms_desktop.widgets.forms import combo, line_edit, text_of
from hms_desktop.widgets.page import Page, button
from hms_desktop.widgets.pickers import load_doctors

NO_DATE = QDate(1900, 1, 1)


class DateField(QDateEdit):
    """A date of birth: starts empty ("Select a date") so nobody is born on a default."""

    def __init__(self, value: date | None = None, parent=None) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setMinimumDate(NO_DATE)
        self.setMaximumDate(QDate.currentDate())
        self.setSpecialValueText("Select a date")
        self.set_value(value)
        self.textChanged = self.dateChanged  # FieldBox clears its error on change

    def set_value(self, value: date | None) -> None:
        self.setDate(QDate(value.year, value.month, value.day) if value else NO_DATE)

    def value(self) -> date | None:
        chosen = self.date()
        return None if chosen == NO_DATE else date(chosen.year(), chosen.month(), chosen.day())


class DuplicatePanel(QFrame):
    """Shown when the server answers 409 possible_duplicate: who it might be, and a way on."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setProperty("kind", "warning")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        self.message = QLabel()
        self.message.setObjectName("bannerText")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["MRN", "Name", "Date of birth"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setMaximumHeight(130)
        self.table.doubleClicked.connect(lambda _index: self.open_button.click())
        layout.addWidget(self.table)
        row = QHBoxLayout()
        # Opening the record found is the safe way on, so it is the emphasised button and
        # the one Enter presses; registering a second record has to be chosen on purpose.
        self.open_button = button("Open the selected record", primary=True, name="openExisting")
        self.new_person_button = button("This is a new person — register", name="confirmNewPerson")
        row.addWidget(self.open_button)
        row.addStretch(1)
        row.addWidget(self.new_person_button)
        layout.addLayout(row)
        self.candidates: list[DuplicateCandidate] = []
        self.hide()

    def show_candidates(self, message: str, candidates: list[DuplicateCandidate]) -> None:
        self.candidates = candidates
        self.message.setText(
            "<b>This person may already be registered.</b> Check the records below. "
            "If one is them, open it instead of registering again."
        )
        self.message.setToolTip(message)
        self.table.setRowCount(len(candidates))
        for row, candidate in enumerate(candidates):
            born = candidate.date_of_birth.isoformat() if candidate.date_of_birth else "—"
            for col, text in enumerate((candidate.mrn, candidate.name, born)):
                self.table.setItem(row, col, QTableWidgetItem(text))
        if candidates:
            self.table.selectRow(0)
        self.show()
        self.open_button.setDefault(True)
        self.table.setFocus()

    def selected(self) -> DuplicateCandidate | None:
        rows = self.table.selectionModel().selectedRows()
        return self.candidates[rows[0].row()] if rows else None


class PatientFormDialog(FormDialog):
    """Register a patient, or edit one (only changed fields are sent)."""

    TEXT_FIELDS = (
        "first_name",
        "middle_name",
        "last_name",
        "phone",
        "email",
        "address_line",
        "city",
        "region",
        "postal_code",
        "country",
        "national_id",
    )

    def __init__(self, page: Page, patient: Patient | None = None) -> None:
        registering = patient is None
        super().__init__(
            page,
            "Register patient" if registering else f"Edit {patient.full_name}",
            "Register a patient" if registering else f"Edit patient · {patient.mrn}",
        )
        self.setMinimumWidth(860)
        self.patient = patient
        self.open_existing: DuplicateCandidate | None = None
        p = patient
        self.duplicates = DuplicatePanel()
        self.body.insertWidget(2, self.duplicates)
        self.duplicates.new_person_button.clicked.connect(lambda: self.submit(confirm=True))
        self.duplicates.open_button.clicked.connect(self._open_existing)

        columns = QHBoxLayout()
        columns.setSpacing(28)
        left, right = QFormLayout(), QFormLayout()
        for form in (left, right):
            form.setVerticalSpacing(6)
            form.setHorizontalSpacing(12)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        self.body.insertLayout(self.body.indexOf(self.errors.general) + 2, columns)

        def text(name: str, placeholder: str = "") -> Any:
            edit = line_edit(placeholder, text=getattr(p, name) if p else "")
            edit.setMinimumWidth(220)
            edit.setObjectName(f"{name}Edit")
            return edit

        self.first_name = text("first_name")
        self.middle_name = text("middle_name")
        self.last_name = text("last_name")
        self.date_of_birth = DateField(p.date_of_birth if p else None)
        self.date_of_birth.setObjectName("dateOfBirthEdit")
        self.sex = combo([("", "Choose…"), *SEXES], current=p.sex if p else "")
        self.sex.setObjectName("sexCombo")
        self.national_id = text("national_id", "Stored encrypted")
        self.blood_group = combo(
            [("", "Unknown"), *[(g, g) for g in BLOOD_GROUPS]], current=p.blood_group if p else ""
        )
        self.phone = text("phone", "+1 555 0100")
        self.email = text("email", "name@example.org")
        self.address_line = text("address_line")
        self.city = text("city")
        self.region = text("region")
        self.postal_code = text("postal_code")
        self.country = text("country")

        for name, label, editor in (
            ("first_name", "First name", self.first_name),
            ("middle_name", "Middle name", self.middle_name),
            ("last_name", "Last name", self.last_name),
            ("date_of_birth", "Date of birth", self.date_of_birth),
            ("sex", "Sex", self.sex),
            ("national_id", "National ID", self.national_id),
            ("blood_group", "Blood group", self.blood_group),
        ):
            self.field(name, label, editor, form=left)
        for name, label, editor in (
            ("phone", "Phone", self.phone),
            ("email", "Email", self.email),
            ("address_line", "Address", self.address_line),
            ("city", "City", self.city),
            ("region", "Region", self.region),
            ("postal_code", "Postal code", self.postal_code),
            ("country", "Country", self.country),
        ):
            self.field(name, label, editor, form=right)
        self.save_button.setText("Register patient" if registering else "Save changes")
        self.finish_layout()
        self.first_name.setFocus()

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            name: text_of(self.errors.fields[name].editor) for name in self.TEXT_FIELDS
        }
        values["sex"] = self.sex.currentData() or ""
        values["blood_group"] = self.blood_group.currentData() or ""
        born = self.date_of_birth.value()
        values["date_of_birth"] = born.isoformat() if born else None
        return values

    def submit(self, confirm: bool = False) -> None:
        self.errors.clear()
        values = self.values()
        patients = self.ctx.api.patients
        if self.patient is None:
            payload = {k: v for k, v in values.items() if v not in (None, "")}
            self.call(
                lambda: patients.register(confirm_new_person=confirm, **payload),
                on_error=self._register_failed,
            )
            return
        current = {
            name: getattr(self.patient, name) or "" for name in values if name != "date_of_birth"
        }
        current["date_of_birth"] = (
            self.patient.date_of_birth.isoformat() if self.patient.date_of_birth else None
        )
        changed = {k: v for k, v in values.items() if current.get(k) != v}
        if not changed:
            self.reject()
            return
        patient_id = self.patient.id
        self.call(lambda: patients.update(patient_id, **changed))

    def _register_failed(self, exc: Exception) -> None:
        candidates = duplicate_candidates(exc) if isinstance(exc, ApiError) else None
        if candidates is None:
            self.duplicates.hide()
            self.duplicates.open_button.setDefault(False)
            self.save_button.setDefault(True)
            self.errors.show(exc)
            return
        self.save_button.setDefault(False)
        self.duplicates.show_candidates(exc.message, candidates)

    def _open_existing(self) -> None:
        self.open_existing = self.duplicates.selected()
        if self.open_existing is not None:
            self.reject()


class AssignDoctorDialog(FormDialog):
    def __init__(self, page: Page, patient: Patient) -> None:
        super().__init__(page, "Assign doctor", f"Assign a doctor to {patient.full_name}")
        self.patient = patient
        self.doctor = combo([("", "Loading doctors…")])
        self.doctor.setObjectName("doctorCombo")
        self.note = line_edit("e.g. referred by the emergency department")
        self.field("doctor", "Doctor", self.doctor)
        self.field("note", "Note", self.note)
        self.save_button.setText("Assign")
        self.finish_layout()
        load_doctors(self.ctx, self.doctor, owner=self, busy=[self.save_button])

    def submit(self) -> None:
        self.errors.clear()
        doctor_id = self.doctor.currentData()
        if not doctor_id:
            self.errors.fields["doctor"].set_error("Choose a doctor.")
            return
        patient_id, note = self.patient.id, self.note.text().strip()
        self.call(lambda: self.ctx.api.patients.assign_doctor(patient_id, doctor_id, note=note))
