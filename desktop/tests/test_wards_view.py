"""Ward setup against the live server: an admin creates a ward, a room and its beds (a repeated
label is reported, the others added) and assigns a nurse, who then has the ward's patients in
their care."""

from __future__ import annotations

from hms_desktop.views.wards import (
    AddBedsDialog,
    AssignNurseDialog,
    NewWardDialog,
    WardsPage,
    bed_labels,
)

from .conftest import sign_in, snap, unique, wait_idle


def test_bed_labels():
    assert bed_labels("A, B,C  D") == ["A", "B", "C", "D"]
    assert bed_labels("1 2 2 3") == ["1", "2", "3"]
    assert bed_labels(" , ") == []


def test_admin_sets_up_a_ward(qtbot, hms, api_as):
    window = sign_in(qtbot, hms, "admin")
    window.resize(1280, 800)
    page = window.open_module("wards")
    assert isinstance(page, WardsPage)
    qtbot.waitUntil(lambda: page._loaded and not page.model.loading, timeout=10_000)

    code = unique("SW")[-6:].upper()
    dialog = page.open_new_ward()
    assert isinstance(dialog, NewWardDialog)
    dialog.name.setText(f"Surgical Ward {code}")
    dialog.code.setText(code)
    dialog.type.setCurrentIndex(dialog.type.findData("surgical"))
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    ward = dialog.result_value
    qtbot.waitUntil(lambda: page.details_loaded_for == ward.id, timeout=10_000)
    assert not page.details.beds_button.isEnabled()  # no room yet

    room = page.open_add_room()
    room.name.setText("Bay 1")
    with qtbot.waitSignal(room.saved, timeout=10_000):
        room.save_button.click()
    qtbot.waitUntil(
        lambda: page.details_loaded_for == ward.id and page.details.rooms_model.rowCount() == 1,
        timeout=10_000,
    )

    beds = page.open_add_beds()
    assert isinstance(beds, AddBedsDialog)
    beds.labels.setText("A, B, C")
    with qtbot.waitSignal(beds.saved, timeout=10_000):
        beds.save_button.click()
    assert beds.result_value == {"added": ["A", "B", "C"], "refused": {}}
    qtbot.waitUntil(
        lambda: (
            page.details_loaded_for == ward.id
            and page.details.rooms_model.rowCount() == 1
            and page.details.rooms_model.row_at(0).bed_count == 3
        ),
        timeout=10_000,
    )
    again = page.open_add_beds()
    again.labels.setText("C, D")
    with qtbot.waitSignal(again.saved, timeout=10_000):
        again.save_button.click()
    assert again.result_value["added"] == ["D"]
    assert list(again.result_value["refused"]) == ["C"]
    assert "Not added: C" in page.banner.message

    nurse = page.open_assign_nurse()
    assert isinstance(nurse, AssignNurseDialog)
    qtbot.waitUntil(lambda: nurse.nurse.count() >= 1, timeout=10_000)
    nurse_id = api_as("nurse").profile.get().id
    nurse.nurse.setCurrentIndex(nurse.nurse.findData(nurse_id))
    with qtbot.waitSignal(nurse.saved, timeout=10_000):
        nurse.save_button.click()
    qtbot.waitUntil(
        lambda: page.details_loaded_for == ward.id and page.details.nurses_model.rowCount() == 1,
        timeout=10_000,
    )
    board = api_as("receptionist").inpatient.board(ward=ward.id)
    assert sorted(b.label for w in board for b in w.beds) == ["A", "B", "C", "D"]
    wait_idle(qtbot, hms)
    snap(window, "ward_setup")
