"""Patients: search the registry, register a patient (with the duplicate check), edit, assign
a doctor, and the chart's allergies. Registration staff (admin, receptionist, nurse) may write;
every staff role may search; the allergies section follows its own rows of the permission table.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QScrollArea,
    QWidget,
)

from hms_desktop.api.dto import Patient
from hms_desktop.api.errors import ApiError
from hms_desktop.api.resources import SEXES
from hms_desktop.formatting import fmt_datetime, fmt_text
from hms_desktop.models.patients import SEX_LABELS, PatientsModel
from hms_desktop.views.patients.allergies import AllergiesSection
from hms_desktop.views.patients.dialogs import AssignDoctorDialog, PatientFormDialog
from hms_desktop.views.requests import (
    ImagingRequestDialog,
    LabRequestDialog,
    imaging_request_summary,
    lab_request_summary,
)
from hms_desktop.widgets.flow import FlowLayout
from hms_desktop.widgets.forms import combo
from hms_desktop.widgets.list_page import DetailPanel, ListPage
from hms_desktop.widgets.page import button
from hms_desktop.workers import is_busy


class PatientDetails(DetailPanel):
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
        can_print_wristband: bool = False,
        allergies: QWidget | None = None,
        parent=None,
    ) -> None:
        super().__init__(
            "No patient selected", margins=(18, 16), spacing=10, min_width=300, parent=parent
        )
        layout = self.body
        layout.addWidget(self.heading)
        layout.addLayout(self.add_fields(self.FIELDS))
        self.edit_button = button("Edit details…", name="editPatient")
        self.assign_button = button("Assign doctor…", name="assignDoctor")
        self.book_button = button("Book appointment…", name="bookForPatient")
        self.admit_button = button("Admit…", name="admitFromRecord")
        self.lab_button = button("Request lab tests…", name="requestLab")
        self.imaging_button = button("Request imaging…", name="requestImaging")
        self.wristband_button = button("Print wristband…", name="printWristband")
        # The actions wrap in rows, so the chart's sections below them stay in view.
        actions = QWidget()
        row = FlowLayout(actions, spacing=6, row_spacing=6)
        for widget, allowed in (
            (self.edit_button, can_write),
            (self.assign_button, can_write),
            (self.book_button, can_book),
            (self.admit_button, can_admit),
            (self.lab_button, can_request),
            (self.imaging_button, can_request),
            (self.wristband_button, can_print_wristband),
        ):
            row.addWidget(widget)
            widget.setVisible(allowed)
        layout.addWidget(actions)
        actions.setVisible(any((can_write, can_book, can_admit, can_request, can_print_wristband)))
        if allergies is not None:
            layout.addWidget(allergies, 1)
        else:
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
            self.wristband_button,
        ):
            if not is_busy(widget):
                widget.setEnabled(patient is not None and patient.detailed)
        if patient is None:
            self.heading.setText("No patient selected")
            self.clear_values()
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


class PatientsPage(ListPage):
    title = "Patients"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(
            ctx,
            PatientsModel(ctx.runner, page_size=50),
            lambda api: api.patients.list,
            search="Search by MRN, phone or name (e.g. “smith, jo”)",
            search_name="patientSearch",
            refresh_name="refreshPatients",
            empty_text="No patient matches this search.",
            search_width=340,
            parent=parent,
        )
        self.can_write = ctx.may("patients", "create")
        self.sex_filter = combo([("", "Any sex"), *SEXES])
        self.add_filters(self.sex_filter)
        self.register_button = button("Register patient", primary=True, name="registerPatient")
        self.bind_shortcuts(new=self.register_button)
        self.register_button.setVisible(self.can_write)
        self.add_actions(self.register_button)
        self.allergies = AllergiesSection(self)
        details = PatientDetails(
            self.can_write,
            can_book=ctx.may("appointments", "create"),
            can_admit=ctx.may("admissions", "admit"),
            can_request=ctx.may("lab_orders", "create"),
            can_print_wristband=ctx.may("patients", "wristband"),
            allergies=self.allergies,
        )
        # The chart scrolls rather than squeeze its fields on a small screen.
        scroll = QScrollArea()
        scroll.setObjectName("patientDetailsScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(details)
        self.set_details(
            scroll,
            beside=True,
            sizes=(640, 520) if self.allergies.can_read else (740, 320),
            column_widths={0: 110, 1: 230, 2: 110, 3: 60, 4: 90},
        )
        self.details = details

        self.register_button.clicked.connect(self.open_register)
        self.details.edit_button.clicked.connect(self.open_edit)
        self.details.assign_button.clicked.connect(self.open_assign)
        self.details.book_button.clicked.connect(self.book_appointment)
        self.details.admit_button.clicked.connect(self.admit)
        self.details.lab_button.clicked.connect(self.request_lab)
        self.details.imaging_button.clicked.connect(self.request_imaging)
        self.details.wristband_button.clicked.connect(self.choose_print_pdf)

    def filters(self) -> dict[str, Any]:
        filters = {"q": self.search.text().strip() or None, "sex": self.sex_filter.currentData()}
        return {k: v for k, v in filters.items() if v}

    def _load_failed(self, exc: Exception) -> None:
        if isinstance(exc, ApiError) and exc.status:
            self.show_error(exc)

    # --- selection: the list has the summary; the chart's demographics load on demand ------

    def row_selected(self, patient: Patient | None, _previous: Patient | None) -> None:
        self.details.show_patient(patient)
        self.allergies.show_patient(patient)
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

    def show_patient_by_mrn(self, mrn: str, patient_id: str) -> None:
        self.find(patient_id, mrn)

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
            lambda assignment: self.show_success(
                f"{assignment.doctor_name or 'The doctor'} is now responsible for "
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

    def print_source(self):
        """The selected patient's wristband (name, MRN, birth date, allergy flag, barcode)."""
        if self.current is None:
            return None
        patient = self.current
        return (
            f"wristband-{patient.mrn}.pdf",
            lambda: self.ctx.api.patients.wristband_pdf(patient.id),
            self.details.wristband_button,
        )
