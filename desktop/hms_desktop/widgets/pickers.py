"""Pickers that fill a form from live server data: a patient by search, a free slot, a doctor.

They call the API through the task runner like every screen (never on the UI thread) and
expose a `textChanged`-style signal so a FieldBox clears its error when the choice changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.api.dto import Doctor, Patient, Slot
from hms_desktop.api.errors import ApiError
from hms_desktop.widgets.forms import line_edit
from hms_desktop.widgets.table import tile_grid

if TYPE_CHECKING:
    from hms_desktop.context import AppContext

DATA_ROLE = Qt.ItemDataRole.UserRole + 1


def patient_label(patient: Patient) -> str:
    born = patient.date_of_birth.isoformat() if patient.date_of_birth else "no date of birth"
    return f"{patient.list_name}  ·  {patient.mrn}  ·  {born}"


class PatientPicker(QWidget):
    """Search the registry as you type (MRN, phone or name) and pick one patient."""

    changed = Signal(object)  # Patient | None
    SEARCH_DELAY_MS = 300
    MIN_QUERY = 2
    RESULTS = 8

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.patient: Patient | None = None
        self.textChanged = self.changed  # FieldBox clears its error on change
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)

        self.chosen = QWidget()
        chosen = QHBoxLayout(self.chosen)
        chosen.setContentsMargins(0, 0, 0, 0)
        self.chip = QLabel()
        self.chip.setObjectName("pickedChip")
        self.change_button = QPushButton("Change")
        self.change_button.setObjectName("changePatient")
        self.change_button.clicked.connect(self.clear)
        chosen.addWidget(self.chip, 1)
        chosen.addWidget(self.change_button)
        layout.addWidget(self.chosen)

        self.search = line_edit("Search by MRN, phone or name (e.g. “smith, jo”)")
        self.search.setObjectName("patientPickerSearch")
        layout.addWidget(self.search)
        self.status = QLabel()
        self.status.setObjectName("hint")
        layout.addWidget(self.status)
        self.results = QListWidget()
        self.results.setObjectName("pickerResults")
        self.results.setMaximumHeight(150)
        self.results.itemClicked.connect(self._picked)
        self.results.itemActivated.connect(self._picked)
        layout.addWidget(self.results)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._search_now)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self._generation = 0
        self._show_state()

    def _show_state(self) -> None:
        picked = self.patient is not None
        self.chosen.setVisible(picked)
        self.search.setVisible(not picked)
        self.status.setVisible(not picked and bool(self.status.text()))
        self.results.setVisible(not picked and self.results.count() > 0)
        if picked:
            self.chip.setText(patient_label(self.patient))

    def _search_now(self) -> None:
        text = self.search.text().strip()
        self._generation += 1
        generation = self._generation
        if len(text) < self.MIN_QUERY:
            self.results.clear()
            self.status.setText("")
            self._show_state()
            return
        self.status.setText("Searching…")
        self._show_state()
        patients = self.ctx.api.patients
        self.ctx.runner.run(
            lambda: patients.list(q=text, page_size=self.RESULTS),
            on_done=lambda page: self._found(generation, page.results, page.count),
            on_error=lambda exc: self._failed(generation, exc),
            on_unreachable=lambda exc: self._failed(generation, exc),
            owner=self,
        )

    def _found(self, generation: int, patients: Sequence[Patient], total: int) -> None:
        if generation != self._generation:
            return  # typed on since
        self.results.clear()
        for patient in patients:
            item = QListWidgetItem(patient_label(patient))
            item.setData(DATA_ROLE, patient)
            self.results.addItem(item)
        if not patients:
            self.status.setText("No patient matches. Register them on the Patients screen.")
        elif total > len(patients):
            self.status.setText(f"{total} match; showing the first {len(patients)}. Type more.")
        else:
            self.status.setText("Click the patient.")
        self._show_state()

    def _failed(self, generation: int, exc: Exception) -> None:
        if generation == self._generation:
            message = exc.message if isinstance(exc, ApiError) else str(exc)
            self.status.setText(f"Search failed: {message}")
            self._show_state()

    def _picked(self, item: QListWidgetItem) -> None:
        self.set_patient(item.data(DATA_ROLE))

    def set_patient(self, patient: Patient | None) -> None:
        self.patient = patient
        self._show_state()
        self.changed.emit(patient)

    def clear(self) -> None:
        self.set_patient(None)
        self.search.setFocus()

    def matches(self) -> list[Patient]:
        return [self.results.item(i).data(DATA_ROLE) for i in range(self.results.count())]


class SlotPicker(QWidget):
    """The free slots of one doctor on one day, as a grid of times to click."""

    selected = Signal(object)  # Slot | None

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.textChanged = self.selected  # FieldBox clears its error on change
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.grid = tile_grid(QListWidget(), "slotGrid", QSize(76, 40))
        self.grid.setMinimumHeight(150)
        self.grid.currentItemChanged.connect(lambda *_: self.selected.emit(self.slot()))
        layout.addWidget(self.grid, 1)
        self.message = QLabel()
        self.message.setObjectName("hint")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.slots: list[Slot] = []
        self.set_message("Choose a doctor and a date to see the free slots.")

    def set_message(self, text: str) -> None:
        # Programmatic changes do not emit `selected`: only the user's clicks do (so an error
        # shown on the field survives the reload that follows it).
        self.slots = []
        self.grid.blockSignals(True)
        self.grid.clear()
        self.grid.blockSignals(False)
        self.message.setText(text)

    def set_loading(self) -> None:
        self.set_message("Loading free slots…")

    def set_slots(self, slots: Sequence[Slot], note: str = "") -> None:
        keep = self.slot()
        self.grid.blockSignals(True)
        self.grid.clear()
        self.slots = list(slots)
        for slot in self.slots:
            item = QListWidgetItem(slot.label)
            item.setData(DATA_ROLE, slot)
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            item.setSizeHint(QSize(68, 32))
            item.setToolTip(f"{slot.start:%H:%M} to {slot.end:%H:%M}")
            self.grid.addItem(item)
        if keep is not None:
            self.select(keep.start)
        self.grid.blockSignals(False)
        self.message.setText(note)

    def slot(self) -> Slot | None:
        item = self.grid.currentItem()
        if item is None or not item.isSelected():
            return None
        return item.data(DATA_ROLE)

    def select(self, start: time) -> bool:
        for i, slot in enumerate(self.slots):
            if slot.start == start:
                self.grid.setCurrentRow(i)
                return True
        return False

    def labels(self) -> list[str]:
        return [slot.label for slot in self.slots]


def doctor_label(doctor: Doctor) -> str:
    label = doctor.display_name
    if doctor.specialization:
        label += f" — {doctor.specialization}"
    if not doctor.available:
        label += " (not taking patients)"
    return label


def load_doctors(
    ctx: AppContext,
    box: QComboBox,
    *,
    owner,
    first: tuple[str, str] = ("", "Choose a doctor…"),
    select: str | None = None,
    busy: Sequence[QWidget] = (),
    notify: bool = True,
) -> None:
    """Fill a combo box with the doctors' directory (value: the doctor's id).

    With `notify`, `currentIndexChanged` is emitted once the list is in (dependants load).
    """
    box.blockSignals(True)
    box.clear()
    box.addItem("Loading doctors…", "")
    box.blockSignals(False)
    box.setEnabled(False)

    def loaded(page) -> None:
        current = select or box.currentData()
        box.blockSignals(True)
        box.clear()
        box.addItem(first[1], first[0])
        for doctor in page.results:
            box.addItem(doctor_label(doctor), doctor.id)
        index = box.findData(current) if current else 0
        box.setCurrentIndex(max(0, index))
        box.blockSignals(False)
        box.setEnabled(True)
        if notify:
            box.currentIndexChanged.emit(box.currentIndex())

    def failed(exc: Exception) -> None:
        box.clear()
        box.addItem("Could not load the doctors", "")

    doctors = ctx.api.doctors
    ctx.runner.run(
        lambda: doctors.list(page_size=100),
        on_done=loaded,
        on_error=failed,
        on_unreachable=failed,
        owner=owner,
        busy=busy,
    )
