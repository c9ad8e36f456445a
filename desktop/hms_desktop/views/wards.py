"""Ward setup (admin): the hospital's wards, their rooms and beds, and which nurses work on
each ward. A nurse assigned to a ward has its patients in their care from today (the server
uses it for chart access and the medication round).

Nothing is deleted here: wards, rooms and beds are deactivated on the server (and not while
occupied); this screen adds and assigns.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel

from hms_desktop import roles
from hms_desktop.api.dto import WARD_TYPES, NurseAssignment, Room, Ward
from hms_desktop.api.errors import ApiError
from hms_desktop.formatting import EMPTY
from hms_desktop.models.paged import Column, PagedTableModel
from hms_desktop.views.dialogs import FormDialog
from hms_desktop.widgets.forms import combo, line_edit
from hms_desktop.widgets.list_page import DetailPanel, ListPage
from hms_desktop.widgets.page import Page, button
from hms_desktop.widgets.table import DataTable
from hms_desktop.workers import is_busy


def _count(value: Any) -> str:
    return EMPTY if value is None else str(value)


class WardsModel(PagedTableModel[Ward]):
    CODE, NAME, TYPE, BEDS, FREE = range(5)
    columns = (
        Column("code", "Code", lambda w: w.code),
        Column("name", "Ward", lambda w: w.name + ("" if w.active else " (inactive)")),
        Column("type", "Type", lambda w: w.type_display),
        Column("beds", "Beds", lambda w: w.bed_count, _count),
        Column("free", "Free", lambda w: w.free_count, _count),
    )


class RoomsModel(PagedTableModel[Room]):
    NAME, BEDS = range(2)
    columns = (
        Column("name", "Room", lambda r: r.name),
        Column("beds", "Beds", lambda r: r.bed_count, _count),
    )


class NursesModel(PagedTableModel[NurseAssignment]):
    NURSE, FROM, UNTIL = range(3)
    columns = (
        Column("nurse", "Nurse", lambda a: a.nurse.name if a.nurse else ""),
        Column("from", "From", lambda a: a.starts_on.isoformat() if a.starts_on else ""),
        Column("until", "Until", lambda a: a.ends_on.isoformat() if a.ends_on else "open"),
    )


class NewWardDialog(FormDialog):
    def __init__(self, page: Page) -> None:
        super().__init__(page, "New ward", "New ward")
        self.name = line_edit("e.g. Medical Ward B")
        self.name.setObjectName("wardName")
        self.code = line_edit("short code on labels, e.g. MED-B")
        self.code.setObjectName("wardCode")
        self.type = combo(list(WARD_TYPES.items()), current="general")
        self.type.setObjectName("wardType")
        self.field("name", "Name", self.name)
        self.field("code", "Code", self.code)
        self.field("type", "Type", self.type)
        self.save_button.setText("Create ward")
        self.finish_layout()

    def submit(self) -> None:
        fields = {
            "name": self.name.text().strip(),
            "code": self.code.text().strip(),
            "type": self.type.currentData(),
        }
        inpatient = self.ctx.api.inpatient
        self.call(lambda: inpatient.create_ward(**fields))


class AddRoomDialog(FormDialog):
    def __init__(self, page: Page, ward: Ward) -> None:
        super().__init__(page, "Add room", f"Add a room to {ward.name}")
        self.ward = ward
        self.name = line_edit("e.g. Room 3 or Bay B")
        self.name.setObjectName("roomName")
        self.field("name", "Name", self.name)
        self.save_button.setText("Add room")
        self.finish_layout()

    def submit(self) -> None:
        ward_id, name = self.ward.id, self.name.text().strip()
        inpatient = self.ctx.api.inpatient
        self.call(lambda: inpatient.add_room(ward_id, name=name))


def bed_labels(text: str) -> list[str]:
    """'A, B, C' or 'A B C' → ['A', 'B', 'C'], in order, without repeats."""
    labels: list[str] = []
    for part in text.replace(",", " ").split():
        if part not in labels:
            labels.append(part)
    return labels


class AddBedsDialog(FormDialog):
    """Several beds in one go (one label each); each is added on its own, so a label the room
    already has is reported and the others are still added."""

    def __init__(self, page: Page, ward: Ward, rooms: list[Room]) -> None:
        super().__init__(page, "Add beds", f"Add beds to {ward.name}")
        self.room = combo([(r.id, r.name) for r in rooms if r.active])
        self.room.setObjectName("bedRoom")
        self.labels = line_edit("labels, e.g. A, B, C, D")
        self.labels.setObjectName("bedLabels")
        self.field("room", "Room", self.room)
        self.field("labels", "Bed labels", self.labels)
        self.save_button.setText("Add beds")
        self.finish_layout()

    def submit(self) -> None:
        labels = bed_labels(self.labels.text())
        if self.room.currentData() is None:
            self.errors.fields["room"].set_error("Add a room to the ward first.")
            return
        if not labels:
            self.errors.fields["labels"].set_error("Give at least one label, e.g. A, B, C")
            return
        room, inpatient = self.room.currentData(), self.ctx.api.inpatient

        def add_all() -> dict[str, Any]:
            added, refused = [], {}
            for label in labels:
                try:
                    added.append(inpatient.add_bed(room=room, label=label).label)
                except ApiError as exc:
                    refused[label] = exc.message
            return {"added": added, "refused": refused}

        self.call(add_all)


class AssignNurseDialog(FormDialog):
    def __init__(self, page: Page, ward: Ward) -> None:
        super().__init__(page, "Assign nurse", f"Assign a nurse to {ward.name}")
        self.ward = ward
        self.nurse = combo([])
        self.nurse.setObjectName("wardNurse")
        self.nurse.setEnabled(False)
        note = QLabel("From today, until ended: the ward's patients are in the nurse's care.")
        self.add_note(note)
        self.field("nurse", "Nurse", self.nurse)
        self.save_button.setText("Assign")
        self.save_button.setEnabled(False)
        self.finish_layout()
        users = self.ctx.api.users
        self.ctx.runner.run(
            lambda: users.list(role=roles.NURSE, is_active=True, page_size=100),
            on_done=self._nurses,
            on_error=self.errors.show,
            owner=self,
        )

    def _nurses(self, page) -> None:
        for nurse in page.results:
            self.nurse.addItem(nurse.display_name, nurse.id)
        self.nurse.setEnabled(self.nurse.count() > 0)
        self.save_button.setEnabled(self.nurse.count() > 0)

    def submit(self) -> None:
        ward_id, nurse = self.ward.id, self.nurse.currentData()
        inpatient = self.ctx.api.inpatient
        self.call(lambda: inpatient.assign_nurse(ward_id, nurse=nurse))


class WardPanel(DetailPanel):
    def __init__(self, parent=None) -> None:
        super().__init__("No ward selected", parent=parent)
        self.heading.setWordWrap(False)
        layout = self.body
        self.room_button = button("Add room…", name="addRoom")
        self.beds_button = button("Add beds…", name="addBeds")
        self.nurse_button = button("Assign nurse…", name="assignNurse")
        self.add_heading(self.room_button, self.beds_button, self.nurse_button)
        tables = QHBoxLayout()
        self.rooms_model = RoomsModel(parent=self)
        self.rooms = DataTable()
        self.rooms.setModel(self.rooms_model)
        self.rooms.stretch_column(RoomsModel.NAME)
        self.nurses_model = NursesModel(parent=self)
        self.nurses = DataTable()
        self.nurses.setModel(self.nurses_model)
        self.nurses.stretch_column(NursesModel.NURSE)
        tables.addWidget(self.rooms, 1)
        tables.addWidget(self.nurses, 1)
        layout.addLayout(tables, 1)
        self.show_ward(None, [], [])

    def show_ward(
        self, ward: Ward | None, rooms: list[Room], nurses: list[NurseAssignment]
    ) -> None:
        if ward is None:
            self.heading.setText("No ward selected")
        else:
            self.heading.setText(f"{ward.name} · {ward.code} · {ward.type_display}")
        for widget, enabled in (
            (self.room_button, ward is not None),
            (self.beds_button, ward is not None and any(r.active for r in rooms)),
            (self.nurse_button, ward is not None),
        ):
            if not is_busy(widget):
                widget.setEnabled(enabled)
        self.rooms_model.set_rows(rooms)
        self.nurses_model.set_rows(nurses)


class WardsPage(ListPage):
    title = "Ward setup"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(
            ctx,
            WardsModel(ctx.runner, page_size=100),
            lambda api: api.inpatient.wards,
            refresh_name="refreshWards",
            empty_text="No wards yet: create the first.",
            parent=parent,
        )
        self.rooms: list[Room] = []
        self.details_loaded_for: str | None = None
        self.summary = QLabel()
        self.summary.setObjectName("sectionTitle")
        self.toolbar.insertWidget(0, self.summary)
        self.new_button = button("New ward…", primary=True, name="newWard")
        self.add_actions(self.new_button)
        self.bind_shortcuts(new=self.new_button)
        self.set_details(
            WardPanel(),
            sizes=(300, 360),
            column_widths={0: 110, 2: 140, 3: 70, 4: 70},
            stretch=WardsModel.NAME,
        )

        self.new_button.clicked.connect(lambda: self.open_new_ward())
        self.details.room_button.clicked.connect(lambda: self.open_add_room())
        self.details.beds_button.clicked.connect(lambda: self.open_add_beds())
        self.details.nurse_button.clicked.connect(lambda: self.open_assign_nurse())
        self.model.total_changed.connect(
            lambda total: self.summary.setText(f"{total} ward{'s' if total != 1 else ''}")
        )

    def row_selected(self, ward: Ward | None, _previous: Ward | None) -> None:
        self.details_loaded_for = None
        self.rooms = []
        self.details.show_ward(ward, [], [])
        if ward is not None:
            self.load_details(ward)

    def load_details(self, ward: Ward) -> None:
        inpatient = self.ctx.api.inpatient
        self.run(
            lambda: (inpatient.rooms(ward.id), inpatient.ward_nurses(ward.id)),
            on_done=lambda result: self._details(ward, *result),
            on_error=self.show_error,
        )

    def _details(self, ward: Ward, rooms: list[Room], nurses: list[NurseAssignment]) -> None:
        if self.current is not None and self.current.id == ward.id:
            self.rooms = rooms
            self.details_loaded_for = ward.id
            self.details.show_ward(ward, rooms, nurses)

    def _changed(self, message: str, ward_id: str | None = None, *, kind: str = "success") -> None:
        self.banner.show_message(message, kind=kind)
        if ward_id:
            self.reload_and_select(ward_id)
        else:
            self.reload_keeping_selection()

    def open_new_ward(self) -> NewWardDialog:
        dialog = NewWardDialog(self)
        self._open(dialog, lambda ward: self._changed(f"Ward {ward.name} created.", ward.id))
        return dialog

    def open_add_room(self) -> AddRoomDialog | None:
        if self.current is None:
            return None
        dialog = AddRoomDialog(self, self.current)
        self._open(dialog, lambda room: self._changed(f"Room {room.name} added."))
        return dialog

    def open_add_beds(self) -> AddBedsDialog | None:
        if self.current is None or not self.details.beds_button.isEnabled():
            return None
        dialog = AddBedsDialog(self, self.current, self.rooms)
        self._open(dialog, self._beds_added)
        return dialog

    def _beds_added(self, result: dict[str, Any]) -> None:
        added, refused = result["added"], result["refused"]
        message = f"Added {len(added)} bed(s): {', '.join(added)}." if added else "No bed added."
        if refused:
            message += " Not added: " + "; ".join(f"{k} ({v})" for k, v in refused.items())
        self._changed(message, kind="warning" if refused else "success")

    def open_assign_nurse(self) -> AssignNurseDialog | None:
        if self.current is None:
            return None
        dialog = AssignNurseDialog(self, self.current)
        self._open(
            dialog,
            lambda assignment: self._changed(
                f"{assignment.nurse.name if assignment.nurse else 'The nurse'} now works on "
                f"{self.current.name if self.current else 'the ward'}."
            ),
        )
        return dialog
