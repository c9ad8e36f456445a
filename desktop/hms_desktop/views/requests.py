"""Lab and imaging requests from a patient's record (receptionist, nurse, doctor; the
product brief has the front desk request tests and scans). Others than doctors name the
ordering doctor, who receives the results; a doctor orders in their own name."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QPlainTextEdit

from hms_desktop import roles
from hms_desktop.api.dto import LAB_PRIORITIES, ImagingOrder, LabOrder, LabTest, Patient, Procedure
from hms_desktop.views.dialogs import FormDialog
from hms_desktop.widgets.forms import combo, line_edit
from hms_desktop.widgets.page import Page
from hms_desktop.widgets.pickers import load_doctors

DATA_ROLE = Qt.ItemDataRole.UserRole + 1


class RequestDialog(FormDialog):
    """What lab and imaging requests share: priority, ordering doctor, notes."""

    def __init__(self, page: Page, patient: Patient, title: str) -> None:
        super().__init__(page, title, f"{title} · {patient.full_name} ({patient.mrn})")
        self.setMinimumWidth(620)
        self.patient = patient
        self.priority = combo(list(LAB_PRIORITIES.items()), current="routine")
        self.priority.setObjectName("requestPriority")
        self.doctor = combo([("", "Loading doctors…")])
        self.doctor.setObjectName("requestDoctor")
        self.own_name = self.ctx.role == roles.DOCTOR

    def add_common_fields(self) -> None:
        self.field("priority", "Priority", self.priority)
        if self.own_name:
            self.doctor.hide()
        else:
            self.field("ordering_doctor", "Ordering doctor", self.doctor, "Receives the results.")
            load_doctors(self.ctx, self.doctor, owner=self, busy=[self.save_button])

    def common(self) -> dict:
        fields = {"patient": self.patient.id, "priority": self.priority.currentData()}
        if not self.own_name:
            fields["ordering_doctor"] = self.doctor.currentData() or None
        return fields


class LabRequestDialog(RequestDialog):
    def __init__(self, page: Page, patient: Patient) -> None:
        super().__init__(page, patient, "Request lab tests")
        self.filter = line_edit("Filter the catalogue, e.g. potassium or CBC")
        self.filter.setObjectName("testFilter")
        self.tests = QListWidget()
        self.tests.setObjectName("testList")
        self.tests.setMinimumHeight(200)
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("clinicalNotes")
        self.notes.setPlaceholderText("e.g. on diuretics, weakness")
        self.notes.setFixedHeight(60)
        self.field("filter", "Tests", self.filter)
        self.tests_box = self.field("tests", "", self.tests, "Tick each test or panel to order.")
        self.add_common_fields()
        self.field("clinical_notes", "Clinical notes", self.notes)
        self.save_button.setText("Request")
        self.finish_layout()
        self.filter.textChanged.connect(self._filter)
        self.tests.itemChanged.connect(lambda _item: self._ticked())
        lab = self.ctx.api.lab
        self.ctx.runner.run(
            lambda: lab.tests(page_size=100),
            on_done=lambda page: self._catalogue(page.results),
            on_error=self.errors.show,
            busy=[self.save_button],
            owner=self,
        )

    def _catalogue(self, tests: list[LabTest]) -> None:
        self.tests.clear()
        for test in tests:
            kind = " (panel)" if test.kind == "panel" else ""
            item = QListWidgetItem(f"{test.name}{kind} — {test.code} · LOINC {test.loinc_code}")
            item.setData(DATA_ROLE, test.code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.tests.addItem(item)

    def _ticked(self) -> None:
        chosen = self.chosen()
        self.tests_box.hint.setText(
            f"{len(chosen)} ticked: {', '.join(chosen)}" if chosen else "Tick each test or panel."
        )
        self.tests_box.clear_error()

    def _filter(self, text: str) -> None:
        text = text.strip().lower()
        for row in range(self.tests.count()):
            item = self.tests.item(row)
            item.setHidden(bool(text) and text not in item.text().lower())

    def tick(self, code: str) -> bool:
        for row in range(self.tests.count()):
            item = self.tests.item(row)
            if item.data(DATA_ROLE) == code:
                item.setCheckState(Qt.CheckState.Checked)
                return True
        return False

    def chosen(self) -> list[str]:
        return [
            self.tests.item(row).data(DATA_ROLE)
            for row in range(self.tests.count())
            if self.tests.item(row).checkState() == Qt.CheckState.Checked
        ]

    def submit(self) -> None:
        self.errors.clear()
        chosen = self.chosen()
        if not chosen:
            self.errors.fields["tests"].set_error("Tick at least one test.")
            return
        fields = {
            **self.common(),
            "tests": chosen,
            "clinical_notes": self.notes.toPlainText().strip(),
        }
        lab = self.ctx.api.lab
        self.call(lambda: lab.request(**fields))


class ImagingRequestDialog(RequestDialog):
    def __init__(self, page: Page, patient: Patient) -> None:
        super().__init__(page, patient, "Request imaging")
        self.procedure = combo([("", "Loading procedures…")])
        self.procedure.setObjectName("procedure")
        self.procedure.setEnabled(False)
        self.indication = QPlainTextEdit()
        self.indication.setObjectName("indication")
        self.indication.setPlaceholderText("The clinical question, e.g. fall, exclude fracture")
        self.indication.setFixedHeight(70)
        self.field("procedure", "Procedure", self.procedure)
        self.field("clinical_indication", "Clinical indication", self.indication)
        self.add_common_fields()
        self.save_button.setText("Request")
        self.finish_layout()
        radiology = self.ctx.api.radiology
        self.ctx.runner.run(
            radiology.procedures,
            on_done=self._procedures,
            on_error=self.errors.show,
            busy=[self.save_button],
            owner=self,
        )

    def _procedures(self, procedures: list[Procedure]) -> None:
        self.procedure.clear()
        self.procedure.addItem("Choose a procedure…", "")
        for procedure in sorted(procedures, key=lambda p: (p.modality, p.name)):
            contrast = " (contrast)" if procedure.with_contrast else ""
            self.procedure.addItem(f"{procedure.name}{contrast} — {procedure.code}", procedure.id)
        self.procedure.setEnabled(True)

    def submit(self) -> None:
        self.errors.clear()
        fields = {
            **self.common(),
            "procedure": self.procedure.currentData() or None,
            "clinical_indication": self.indication.toPlainText().strip(),
        }
        radiology = self.ctx.api.radiology
        self.call(lambda: radiology.request(**fields))


def lab_request_summary(orders: list[LabOrder]) -> str:
    names = ", ".join(f"{o.test.name} ({o.placer_number})" for o in orders)
    return f"Requested: {names}."


def imaging_request_summary(order: ImagingOrder) -> str:
    warnings = " ".join(w.message for w in order.warnings)
    text = f"Requested {order.procedure.name}, accession {order.accession_number}."
    return f"{text} ⚠ {warnings}" if warnings else text
