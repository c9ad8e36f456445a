"""Patients: search the registry, register a patient (with the duplicate check), edit, assign
a doctor. Registration staff (admin, receptionist, nurse) may write; every staff role may search.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from hms_desktop.api.dto import DuplicateCandidate, Patient
from hms_desktop.api.errors import ApiError
from hms_desktop.api.resources import BLOOD_GROUPS, SEXES, duplicate_candidates
from hms_desktop.formatting import fmt_datetime, fmt_text
from hms_desktop.models.patients import SEX_LABELS, PatientsModel
from hms_desktop.views.base import Page, button
from hms_desktop.views.dialogs import FormDialog
from hms_desktop.views.requests import (
    ImagingRequestDialog,
    LabRequestDialog,
    imaging_request_summary,
    lab_request_summary,
)
from hms_desktop.widgets.forms import combo, line_edit, text_of
from hms_desktop.widgets.pickers import load_doctors
from hms_desktop.widgets.table import TablePanel
from hms_desktop.workers import is_busy

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
        layout.addWidget(self.table)
        row = QHBoxLayout()
        self.open_button = button("Open the selected record", name="openExisting")
        self.new_person_button = button(
            "This is a new person — register", primary=True, name="confirmNewPerson"
        )
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
            self.errors.show(exc)
            return
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


class PatientDetails(QFrame):
    FIELDS = (
        ("MRN", "mrn"),
        ("Date of birth", "date_of_birth"),
        ("Sex", "sex"),
        ("Phone", "phone"),
        ("Email", "email"),
        ("Address", "address"),
        ("National ID", "national_id"),
        ("Blood group", "blood_group"),
        ("Portal account", "portal"),
        ("Registered", "created_at"),
    )

    def __init__(
        self,
        can_write: bool,
        can_book: bool = False,
        can_admit: bool = False,
        can_request: bool = False,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        self.setMinimumWidth(300)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 16)
        layout.setSpacing(10)
        self.heading = QLabel("No patient selected")
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
        self.edit_button = button("Edit details…", name="editPatient")
        self.assign_button = button("Assign doctor…", name="assignDoctor")
        for widget in (self.edit_button, self.assign_button):
            widget.setVisible(can_write)
            layout.addWidget(widget)
        self.book_button = button("Book appointment…", name="bookForPatient")
        self.book_button.setVisible(can_book)
        layout.addWidget(self.book_button)
        self.admit_button = button("Admit…", name="admitFromRecord")
        self.admit_button.setVisible(can_admit)
        layout.addWidget(self.admit_button)
        self.lab_button = button("Request lab tests…", name="requestLab")
        self.imaging_button = button("Request imaging…", name="requestImaging")
        for widget in (self.lab_button, self.imaging_button):
            widget.setVisible(can_request)
            layout.addWidget(widget)
        layout.addStretch(1)
        self.show_patient(None)

    def show_patient(self, patient: Patient | None) -> None:
        for widget in (
            self.edit_button,
            self.assign_button,
            self.book_button,
            self.admit_button,
            self.lab_button,
            self.imaging_button,
        ):
            if not is_busy(widget):
                widget.setEnabled(patient is not None and patient.detailed)
        if patient is None:
            self.heading.setText("No patient selected")
            for value in self.values.values():
                value.setText("—")
            return
        self.heading.setText(patient.full_name)
        age = patient.age()
        born = patient.date_of_birth.isoformat() if patient.date_of_birth else ""
        address = ", ".join(
            part
            for part in (
                patient.address_line,
                patient.city,
                patient.region,
                patient.postal_code,
                patient.country,
            )
            if part
        )
        portal = {True: "Yes", False: "No", None: ""}[patient.has_portal_account]
        data = {
            "mrn": patient.mrn,
            "date_of_birth": f"{born} ({age} y)" if born else "",
            "sex": SEX_LABELS.get(patient.sex, patient.sex),
            "phone": patient.phone,
            "email": patient.email,
            "address": address,
            "national_id": patient.national_id,
            "blood_group": patient.blood_group,
            "portal": portal,
            "created_at": fmt_datetime(patient.created_at) if patient.created_at else "",
        }
        summary = ("mrn", "date_of_birth", "sex", "phone")  # known before the chart loads
        for key, label in self.values.items():
            label.setText(fmt_text(data[key]) if patient.detailed or key in summary else "…")


class PatientsPage(Page):
    title = "Patients"
    SEARCH_DELAY_MS = 350

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.can_write = ctx.may("patients", "create")
        self.model = PatientsModel(ctx.runner, page_size=50, parent=self)
        self.dialog: QDialog | None = None
        self.current: Patient | None = None

        toolbar = QHBoxLayout()
        toolbar.setSpacing(8)
        self.search = line_edit("Search by MRN, phone or name (e.g. “smith, jo”)")
        self.search.setObjectName("patientSearch")
        self.search.setMinimumWidth(340)
        self.sex_filter = combo([("", "Any sex"), *SEXES])
        self.refresh_button = button("Refresh", name="refreshPatients")
        self.register_button = button("Register patient", primary=True, name="registerPatient")
        self.register_button.setVisible(self.can_write)
        toolbar.addWidget(self.search)
        toolbar.addWidget(self.sex_filter)
        toolbar.addStretch(1)
        toolbar.addWidget(self.refresh_button)
        toolbar.addWidget(self.register_button)
        self.outer.addLayout(toolbar)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        self.table_panel = TablePanel(self.model, empty_text="No patient matches this search.")
        self.table_panel.set_column_widths({0: 110, 1: 230, 2: 110, 3: 60, 4: 90})
        self.table = self.table_panel.table
        self.details = PatientDetails(
            self.can_write,
            can_book=ctx.may("appointments", "create"),
            can_admit=ctx.may("admissions", "admit"),
            can_request=ctx.may("lab_orders", "create"),
        )
        splitter.addWidget(self.table_panel)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 1)
        splitter.setSizes([740, 320])
        self.outer.addWidget(splitter, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(self.SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.sex_filter.currentIndexChanged.connect(lambda _i: self.reload())
        self.refresh_button.clicked.connect(self.reload)
        self.register_button.clicked.connect(self.open_register)
        self.details.edit_button.clicked.connect(self.open_edit)
        self.details.assign_button.clicked.connect(self.open_assign)
        self.details.book_button.clicked.connect(self.book_appointment)
        self.details.admit_button.clicked.connect(self.admit)
        self.details.lab_button.clicked.connect(self.request_lab)
        self.details.imaging_button.clicked.connect(self.request_imaging)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._selection_changed)
        self.model.load_failed.connect(self._load_failed)
        self.model.rows_loaded.connect(self._reselect)
        self._select_after_load: str | None = None
        self._loaded = False

    def filters(self) -> dict[str, Any]:
        return {"q": self.search.text().strip() or None, "sex": self.sex_filter.currentData()}

    def activated(self) -> None:
        if not self._loaded:
            self.reload()

    def reload(self) -> None:
        self._loaded = True
        filters = {k: v for k, v in self.filters().items() if v}
        patients = self.ctx.api.patients
        self.model.fetch = lambda page, size: patients.list(page=page, page_size=size, **filters)
        self.model.reload()

    def _load_failed(self, exc: Exception) -> None:
        if isinstance(exc, ApiError) and exc.status:
            self.show_error(exc)

    # --- selection: the list has the summary; the chart's demographics load on demand ------

    def _selection_changed(self, *_args) -> None:
        patient: Patient | None = self.table.selected_row()
        self.current = patient
        self.details.show_patient(patient)
        if patient is None:
            return
        patient_id = patient.id
        self.run(
            lambda: self.ctx.api.patients.get(patient_id),
            on_done=self._detail_loaded,
            on_error=self.show_error,
        )

    def _detail_loaded(self, patient: Patient) -> None:
        if self.current is not None and self.current.id == patient.id:
            self.current = patient
            self.details.show_patient(patient)

    def select_patient(self, patient_id: str) -> bool:
        for row in range(self.model.rowCount()):
            if self.model.row_at(row).id == patient_id:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
                return True
        return False

    def _reselect(self) -> None:
        if self._select_after_load and self.select_patient(self._select_after_load):
            self._select_after_load = None

    def show_patient_by_mrn(self, mrn: str, patient_id: str) -> None:
        self._select_after_load = patient_id
        self.search.blockSignals(True)
        self.search.setText(mrn)
        self.search.blockSignals(False)
        self.reload()

    # --- actions -------------------------------------------------------------------------

    def open_register(self) -> PatientFormDialog:
        dialog = PatientFormDialog(self)
        dialog.rejected.connect(lambda: self._maybe_open_existing(dialog))
        return self._open(dialog, self._registered)

    def _maybe_open_existing(self, dialog: PatientFormDialog) -> None:
        if dialog.open_existing is not None:
            self.show_patient_by_mrn(dialog.open_existing.mrn, dialog.open_existing.id)

    def _registered(self, patient: Patient) -> None:
        self.show_success(f"{patient.full_name} registered with MRN {patient.mrn}.")
        self.show_patient_by_mrn(patient.mrn, patient.id)

    def open_edit(self) -> QDialog | None:
        if self.current is None or not self.current.detailed:
            return None
        return self._open(PatientFormDialog(self, self.current), self._edited)

    def _edited(self, patient: Patient) -> None:
        self.show_success(f"{patient.full_name}'s details were saved.")
        self.model.replace_row(patient)
        self.current = patient
        self.details.show_patient(patient)

    def open_assign(self) -> QDialog | None:
        if self.current is None:
            return None
        patient = self.current
        return self._open(
            AssignDoctorDialog(self, patient),
            lambda result: self.show_success(
                f"{result.get('doctor_name') or 'The doctor'} is now responsible for "
                f"{patient.full_name}."
            ),
        )

    def book_appointment(self) -> QDialog | None:
        """Open the booking dialog on the Appointments screen with this patient chosen."""
        window = self.window()
        if self.current is None or not hasattr(window, "open_module"):
            return None
        page = window.open_module("appointments")
        return page.open_booking(patient=self.current)

    def admit(self) -> QDialog | None:
        """Open the admission dialog on the bed board with this patient chosen."""
        window = self.window()
        if self.current is None or not hasattr(window, "open_module"):
            return None
        page = window.open_module("beds")
        return page.open_admit(patient=self.current)

    def request_lab(self) -> QDialog | None:
        if self.current is None:
            return None
        return self._open(
            LabRequestDialog(self, self.current),
            lambda orders: self.show_success(lab_request_summary(orders)),
        )

    def request_imaging(self) -> QDialog | None:
        if self.current is None:
            return None
        return self._open(
            ImagingRequestDialog(self, self.current),
            lambda order: self.show_success(imaging_request_summary(order)),
        )
