"""Wards and beds: the bed board (every ward, every bed and who lies in it), and admitting,
transferring and discharging patients (receptionist, nurse), and housekeeping of bed status.

The database keeps one patient per bed and one admission per patient; when two desks race for
the same bed, the loser is told plainly (409 `bed_not_available`) and sees the board again.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QSplitter,
)

from hms_desktop import theme
from hms_desktop.api.dto import (
    BED_STATUSES,
    DISPOSITIONS,
    Admission,
    Bed,
    BoardWard,
    Capabilities,
    Patient,
)
from hms_desktop.formatting import fmt_datetime
from hms_desktop.models.inpatient import BED_COLOURS, BedsModel, BedTileDelegate
from hms_desktop.models.paged import ROW_ROLE
from hms_desktop.views.beds.dialogs import (
    AdmitDialog,
    BedStatusDialog,
    DischargeDialog,
    TransferDialog,
)
from hms_desktop.widgets.cards import CountStrip
from hms_desktop.widgets.list_page import DetailPanel
from hms_desktop.widgets.page import Page, button
from hms_desktop.widgets.table import tile_grid
from hms_desktop.workers import is_busy

WARD_ROLE = Qt.ItemDataRole.UserRole + 1


class BedPanel(DetailPanel):
    """The selected bed: who lies in it, and what can be done."""

    def __init__(self, capabilities: Capabilities, parent=None) -> None:
        super().__init__("Select a bed", margins=(18, 16), min_width=280, parent=parent)
        layout = self.body
        layout.addWidget(self.heading)
        self.status = QLabel()
        layout.addWidget(self.status)
        self.occupant_box = QFrame()
        self.occupant_box.setLayout(
            self.add_fields(
                (
                    ("Patient", "patient"),
                    ("MRN", "mrn"),
                    ("Doctor", "doctor"),
                    ("Admitted", "since"),
                )
            )
        )
        layout.addWidget(self.occupant_box)
        self.admit_button = button("Admit to this bed…", primary=True, name="admitHere")
        self.transfer_button = button("Transfer…", name="transferPatient")
        self.discharge_button = button("Discharge…", name="dischargePatient")
        self.status_button = button("Change status…", name="changeBedStatus")
        self.allow(
            {
                self.admit_button: capabilities.may("admissions", "admit"),
                self.transfer_button: capabilities.may("admissions", "transfer"),
                self.discharge_button: capabilities.may("admissions", "discharge"),
                self.status_button: capabilities.may("beds", "set_status"),
            }
        )
        for widget in self.allowed:
            layout.addWidget(widget)
        layout.addStretch(1)
        self.show_bed(None)

    def show_bed(self, bed: Bed | None) -> None:
        occupied = bed is not None and bed.occupant is not None
        states = {
            self.admit_button: bed is not None and bed.admittable,
            self.transfer_button: occupied,
            self.discharge_button: occupied,
            self.status_button: bed is not None and bed.status != "occupied",
        }
        for widget, enabled in states.items():
            if not is_busy(widget):
                widget.setEnabled(enabled)
        self.occupant_box.setVisible(occupied)
        if bed is None:
            self.heading.setText("Select a bed")
            self.status.setText("")
            return
        self.heading.setText(bed.place)
        colour = BED_COLOURS.get(bed.status, theme.MUTED)
        note = f" — {bed.status_note}" if bed.status_note else ""
        self.status.setText(f"<b style='color:{colour}'>● {bed.status_display}</b>{note}")
        if occupied:
            occupant = bed.occupant
            doctor = occupant.attending_doctor.name if occupant.attending_doctor else "—"
            self.values["patient"].setText(f"<b>{occupant.patient.name}</b>")
            self.values["mrn"].setText(occupant.patient.mrn)
            self.values["doctor"].setText(doctor)
            self.values["since"].setText(
                f"{fmt_datetime(occupant.admitted_at)} (day {occupant.days_admitted})"
            )


class BedBoardPage(Page):
    title = "Wards & beds"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.can_admit = ctx.may("admissions", "admit")
        self.wards: list[BoardWard] = []
        self.dialog: QDialog | None = None
        self.current: Bed | None = None
        self._select_bed: str | None = None

        toolbar = QHBoxLayout()
        self.summary = QLabel()
        self.summary.setObjectName("sectionTitle")
        self.refresh_button = button("Refresh", name="refreshBoard")
        self.admit_button = button("Admit patient…", primary=True, name="admitPatient")
        self.admit_button.setVisible(self.can_admit)
        toolbar.addWidget(self.summary)
        toolbar.addStretch(1)
        toolbar.addWidget(self.refresh_button)
        toolbar.addWidget(self.admit_button)
        self.outer.addLayout(toolbar)
        self.bind_shortcuts(refresh=self.refresh_button)
        self.counts = CountStrip(
            [(status, label, BED_COLOURS[status]) for status, label in BED_STATUSES.items()]
        )
        self.outer.addWidget(self.counts)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        self.ward_list = QListWidget()
        self.ward_list.setObjectName("wardList")
        self.ward_list.setMinimumWidth(190)
        self.model = BedsModel(parent=self)
        self.grid = tile_grid(QListView(), "bedGrid", QSize(200, 86))
        self.grid.setModel(self.model)
        self.grid.setItemDelegate(BedTileDelegate(self.grid))
        self.details = BedPanel(ctx.capabilities)
        splitter.addWidget(self.ward_list)
        splitter.addWidget(self.grid)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([200, 520, 290])
        self.outer.addWidget(splitter, 1)

        self.refresh_button.clicked.connect(self.reload)
        self.admit_button.clicked.connect(lambda: self.open_admit())
        self.ward_list.currentItemChanged.connect(lambda *_: self._show_ward())
        self.grid.selectionModel().selectionChanged.connect(self._bed_changed)
        self.model.modelReset.connect(self._bed_changed)
        self.grid.doubleClicked.connect(lambda _i: self._double_clicked())
        self.details.admit_button.clicked.connect(lambda: self.open_admit(bed=self.current))
        self.details.transfer_button.clicked.connect(self.open_transfer)
        self.details.discharge_button.clicked.connect(self.open_discharge)
        self.details.status_button.clicked.connect(self.open_status)
        self._loaded = False

    # --- the board ------------------------------------------------------------------------

    def activated(self) -> None:
        if not self._loaded:
            self.reload()

    def reload(self) -> None:
        self._loaded = True
        if self.current is not None and self._select_bed is None:
            self._select_bed = self.current.id
        inpatient = self.ctx.api.inpatient
        self.run(
            inpatient.board,
            on_done=self._board,
            on_error=self.show_error,
            busy=[self.refresh_button],
            retry_key="bed-board",
        )

    def _board(self, wards: list[BoardWard]) -> None:
        self.wards = wards
        totals: dict[str, int] = {}
        for ward in wards:
            for status, n in ward.counts.items():
                totals[status] = totals.get(status, 0) + n
        self.counts.set_counts(totals)
        total, occupied = totals.get("total", 0), totals.get("occupied", 0)
        share = f"{round(100 * occupied / total)}%" if total else "—"
        self.summary.setText(f"{share} occupied · {occupied} of {total} beds")
        keep = self.selected_ward_id()
        if self._select_bed:
            keep = next(
                (w.id for w in wards if any(b.id == self._select_bed for b in w.beds)), keep
            )
        self.ward_list.blockSignals(True)
        self.ward_list.clear()
        for ward in wards:
            free = ward.counts.get("available", 0)
            item = QListWidgetItem(
                f"{ward.name}\n{ward.occupied} of {ward.total} occupied · {free} free"
            )
            item.setData(WARD_ROLE, ward.id)
            item.setSizeHint(QSize(0, 48))
            self.ward_list.addItem(item)
        self.ward_list.blockSignals(False)
        index = next((i for i, w in enumerate(wards) if w.id == keep), 0)
        if wards:
            self.ward_list.setCurrentRow(index)  # shows the ward
        else:
            self.model.set_rows([])

    def selected_ward_id(self) -> str | None:
        item = self.ward_list.currentItem()
        return item.data(WARD_ROLE) if item else None

    def ward(self, ward_id: str | None = None) -> BoardWard | None:
        ward_id = ward_id or self.selected_ward_id()
        return next((w for w in self.wards if w.id == ward_id), None)

    def _show_ward(self) -> None:
        ward = self.ward()
        self.model.set_rows(ward.beds if ward else [])
        if self._select_bed:
            self.select_bed(self._select_bed)
            self._select_bed = None

    def select_bed(self, bed_id: str) -> bool:
        for ward_row, ward in enumerate(self.wards):
            for bed in ward.beds:
                if bed.id != bed_id:
                    continue
                if self.selected_ward_id() != ward.id:
                    self._select_bed = bed_id
                    self.ward_list.setCurrentRow(ward_row)
                    return True
                row = [b.id for b in self.model.rows].index(bed_id)
                self.grid.setCurrentIndex(self.model.index(row, 0))
                return True
        return False

    def bed_of(self, patient_id: str) -> Bed | None:
        for ward in self.wards:
            for bed in ward.beds:
                if bed.occupant is not None and bed.occupant.patient.id == patient_id:
                    return bed
        return None

    def _bed_changed(self, *_args) -> None:
        indexes = self.grid.selectionModel().selectedIndexes()
        self.current = indexes[0].data(ROW_ROLE) if indexes else None
        self.details.show_bed(self.current)

    def _double_clicked(self) -> None:
        if self.current is None:
            return
        if self.current.occupant is not None and self.details.transfer_button.isVisible():
            self.open_transfer()
        elif self.current.admittable and self.can_admit:
            self.open_admit(bed=self.current)

    # --- dialogs --------------------------------------------------------------------------

    def open_admit(
        self, *, patient: Patient | None = None, bed: Bed | None = None
    ) -> AdmitDialog | None:
        if not self.can_admit:
            return None
        dialog = AdmitDialog(self, patient=patient, bed=bed)
        self._open(dialog, self._admitted)
        return dialog

    def _admitted(self, admission: Admission) -> None:
        self.show_success(
            f"{admission.patient.name} admitted to {admission.place} under "
            f"{admission.attending_doctor.name if admission.attending_doctor else 'the doctor'}."
        )
        self._select_bed = admission.bed_id
        self.reload()

    def open_transfer(self) -> TransferDialog | None:
        if self.current is None or self.current.occupant is None:
            return None
        dialog = TransferDialog(self, self.current)
        self._open(dialog, self._transferred)
        return dialog

    def _transferred(self, admission: Admission) -> None:
        self.show_success(f"{admission.patient.name} moved to {admission.place}.")
        self._select_bed = admission.bed_id
        self.reload()

    def open_discharge(self) -> DischargeDialog | None:
        if self.current is None or self.current.occupant is None:
            return None
        dialog = DischargeDialog(self, self.current)
        self._open(dialog, self._discharged)
        return dialog

    def _discharged(self, admission: Admission) -> None:
        where = DISPOSITIONS.get(admission.discharge_disposition, "")
        self.show_success(
            f"{admission.patient.name} discharged ({where.lower() or 'done'}); the bed is "
            "waiting for cleaning."
        )
        self._select_bed = admission.bed_id
        self.reload()

    def open_status(self) -> BedStatusDialog | None:
        if self.current is None or self.current.occupant is not None:
            return None
        dialog = BedStatusDialog(self, self.current)
        self._open(dialog, self._status_changed)
        return dialog

    def _status_changed(self, bed: Bed) -> None:
        self.show_success(f"Bed {bed.label} is now {bed.status_display.lower()}.")
        self._select_bed = bed.id
        self.reload()
