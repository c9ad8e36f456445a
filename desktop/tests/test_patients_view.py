"""Patient registration, the duplicate warning, search, edit and doctor assignment."""

from __future__ import annotations

import random
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from hms_desktop.views.patients import AssignDoctorDialog, PatientFormDialog

from .conftest import sign_in, snap, unique, wait_idle


def open_patients(qtbot, hms, role="receptionist"):
    window = sign_in(qtbot, hms, role)
    window.resize(1280, 800)
    page = window.open_module("patients")
    qtbot.waitUntil(lambda: page._loaded and not page.model.loading, timeout=10_000)
    return window, page


def person() -> dict:
    """A person unlikely to collide with anyone registered by another test."""
    return {
        "first_name": "Amara",
        "last_name": unique("Okoro").replace("_", ""),
        "date_of_birth": date(random.randint(1940, 2010), random.randint(1, 12), 15),
        "phone": f"+1 555 {random.randint(1_000_000, 9_999_999)}",
    }


def fill(dialog: PatientFormDialog, who: dict) -> None:
    dialog.first_name.setText(who["first_name"])
    dialog.last_name.setText(who["last_name"])
    dialog.date_of_birth.set_value(who["date_of_birth"])
    dialog.sex.setCurrentIndex(dialog.sex.findData("female"))
    dialog.phone.setText(who["phone"])
    dialog.city.setText("Nairobi")


def register(qtbot, page, who: dict):
    dialog = page.open_register()
    fill(dialog, who)
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    patient = dialog.result_value
    qtbot.waitUntil(
        lambda: page.current is not None and page.current.id == patient.id, timeout=10_000
    )
    return patient


def test_receptionist_registers_a_patient(qtbot, hms):
    window, page = open_patients(qtbot, hms)
    who = person()
    dialog = page.open_register()
    fill(dialog, who)
    snap(dialog, "patients_register_dialog")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    patient = dialog.result_value
    assert patient.mrn
    assert patient.last_name == who["last_name"]
    qtbot.waitUntil(lambda: page.current is not None and page.current.detailed, timeout=10_000)
    assert page.current.id == patient.id
    assert patient.mrn in page.banner.message
    assert page.details.values["mrn"].text() == patient.mrn
    assert "Nairobi" in page.details.values["address"].text()
    wait_idle(qtbot, hms)
    snap(window, "patients")


def test_required_fields_are_flagged_by_the_server(qtbot, hms):
    _window, page = open_patients(qtbot, hms)
    dialog = page.open_register()
    dialog.first_name.setText("Nobody")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: bool(dialog.errors.fields["last_name"].error_text), timeout=10_000)
    assert dialog.errors.fields["date_of_birth"].error_text
    assert dialog.errors.fields["sex"].error_text
    assert dialog.first_name.text() == "Nobody"
    dialog.reject()


def test_duplicate_warning_then_open_the_existing_record(qtbot, hms):
    _window, page = open_patients(qtbot, hms)
    who = person()
    first = register(qtbot, page, who)

    dialog = page.open_register()
    fill(dialog, who)
    dialog.save_button.click()
    qtbot.waitUntil(dialog.duplicates.isVisible, timeout=10_000)
    assert first.mrn in [c.mrn for c in dialog.duplicates.candidates]
    assert dialog.isVisible()  # nothing registered yet, nothing lost
    assert dialog.last_name.text() == who["last_name"]
    snap(dialog, "patients_duplicate_warning")
    # The safe choice is the emphasised one and the one Enter presses.
    duplicates = dialog.duplicates
    assert duplicates.open_button.property("primary") is True
    assert not duplicates.new_person_button.property("primary")
    assert duplicates.open_button.isDefault()
    assert not dialog.save_button.isDefault()
    duplicates.table.selectRow([c.mrn for c in duplicates.candidates].index(first.mrn))
    QTest.keyClick(duplicates.table, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert dialog.open_existing is not None and dialog.open_existing.mrn == first.mrn
    qtbot.waitUntil(
        lambda: page.current is not None and page.current.id == first.id, timeout=10_000
    )


def test_duplicate_warning_then_confirm_a_new_person(qtbot, hms):
    _window, page = open_patients(qtbot, hms)
    who = person()
    first = register(qtbot, page, who)
    dialog = page.open_register()
    fill(dialog, who)
    dialog.save_button.click()
    qtbot.waitUntil(dialog.duplicates.isVisible, timeout=10_000)
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.duplicates.new_person_button.click()
    second = dialog.result_value
    assert second.id != first.id
    assert second.mrn != first.mrn


def test_search_and_edit(qtbot, hms):
    _window, page = open_patients(qtbot, hms)
    who = person()
    patient = register(qtbot, page, who)
    page.search.setText(f"{who['last_name']}, am")
    qtbot.waitUntil(
        lambda: not page.model.loading and [p.id for p in page.model.rows] == [patient.id],
        timeout=10_000,
    )
    page.table.selectRow(0)
    qtbot.waitUntil(lambda: page.current is not None and page.current.detailed, timeout=10_000)
    dialog = page.open_edit()
    dialog.phone.setText("+1 555 0199")
    dialog.email.setText("amara@example.org")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    assert page.model.rows[0].phone == "+1 555 0199"
    assert page.details.values["email"].text() == "amara@example.org"


def test_assign_a_doctor(qtbot, hms, api_as):
    admin = api_as("admin")
    doctor = admin.doctors.register(
        username=unique("drhouse"),
        password="Diagnostic-42-med",
        first_name="Greg",
        last_name=unique("House"),
        specialization="Nephrology",
    )
    _window, page = open_patients(qtbot, hms)
    register(qtbot, page, person())
    qtbot.waitUntil(lambda: page.current.detailed, timeout=10_000)
    dialog = page.open_assign()
    assert isinstance(dialog, AssignDoctorDialog)
    qtbot.waitUntil(lambda: dialog.doctor.findData(doctor.id) >= 0, timeout=10_000)
    dialog.doctor.setCurrentIndex(dialog.doctor.findData(doctor.id))
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    assignment = dialog.result_value
    assert (assignment.doctor, assignment.patient) == (doctor.id, page.current.id)
    assert assignment.active and assignment.ended_at is None
    assert f"{assignment.doctor_name} is now responsible" in page.banner.message


def test_clinical_roles_search_but_do_not_register(qtbot, hms):
    _window, page = open_patients(qtbot, hms, role="pharmacist")
    assert not page.register_button.isVisible()
    assert not page.details.edit_button.isVisible()


def test_front_desk_requests_lab_tests_and_imaging(qtbot, hms, api_as):
    from hms_desktop.views.requests import ImagingRequestDialog, LabRequestDialog

    from .conftest import make_doctor

    doctor = make_doctor(api_as, first_name="Leila")
    window, page = open_patients(qtbot, hms)
    patient = register(qtbot, page, person())
    qtbot.waitUntil(lambda: page.current.detailed, timeout=10_000)

    lab = page.request_lab()
    assert isinstance(lab, LabRequestDialog)
    qtbot.waitUntil(lambda: lab.tests.count() > 10, timeout=10_000)
    lab.filter.setText("potass")
    assert [lab.tests.item(i).isHidden() for i in range(lab.tests.count())].count(False) >= 1
    assert lab.tick("K") and lab.tick("CBC")
    qtbot.waitUntil(lambda: lab.doctor.findData(doctor.id) >= 0, timeout=10_000)
    lab.doctor.setCurrentIndex(lab.doctor.findData(doctor.id))
    lab.priority.setCurrentIndex(lab.priority.findData("urgent"))
    lab.notes.setPlainText("Palpitations")
    snap(lab, "patients_lab_request")
    with qtbot.waitSignal(lab.saved, timeout=10_000):
        lab.save_button.click()
    assert sorted(o.test.code for o in lab.result_value) == ["CBC", "K"]
    assert "Requested" in page.banner.message

    scan = page.request_imaging()
    assert isinstance(scan, ImagingRequestDialog)
    qtbot.waitUntil(lambda: scan.save_button.isEnabled(), timeout=10_000)
    assert scan.procedure.count() > 5
    scan.save_button.click()  # nothing chosen: the server names the missing fields
    qtbot.waitUntil(lambda: bool(scan.errors.fields["procedure"].error_text), timeout=10_000)
    scan.procedure.setCurrentIndex(1)
    scan.indication.setPlainText("Fall, exclude fracture")
    scan.doctor.setCurrentIndex(scan.doctor.findData(doctor.id))
    with qtbot.waitSignal(scan.saved, timeout=10_000):
        scan.save_button.click()
    assert scan.result_value.accession_number in page.banner.message
    orders = api_as("lab_technician").lab.worklist(patient=patient.id).results
    assert {o.test.code for o in orders} == {"CBC", "K"}
    wait_idle(qtbot, hms)
    snap(window, "patients_requests")
