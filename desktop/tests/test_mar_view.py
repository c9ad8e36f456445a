"""The medication round against the live server: a nurse on the ward sees the admitted
patient's doses for today and records one given and one held; a patient on another ward is
not in their care."""

from __future__ import annotations

from hms_desktop.views.mar import DoseNotGivenDialog, MarPage

from .conftest import (
    DOCTOR_PASSWORD,
    hospital_today,
    hospital_tomorrow,
    make_doctor,
    sign_in,
    snap,
    unique,
    wait_idle,
)
from .test_inpatient_views import admit, make_ward
from .test_pharmacy_views import make_drug


def test_nurse_gives_and_holds_todays_doses(qtbot, hms, api_as):
    ward = make_ward(api_as, beds=2)
    nurse_id = api_as("nurse").profile.get().id
    api_as("admin").client.post(f"/api/wards/{ward['id']}/nurses/", {"nurse": nurse_id})
    username = unique("drmar")
    doctor = make_doctor(api_as, first_name="Omar", username=username)
    admission, patient, _doctor = admit(api_as, ward, 0, doctor=doctor)
    pharmacist = api_as("pharmacist")
    drugs = [make_drug(pharmacist), make_drug(pharmacist, name="Paracetamol")]
    # Stat doses are due when prescribed, so today's record has two doses whatever the hour.
    api_as(username, DOCTOR_PASSWORD).pharmacy.prescribe(
        patient=patient.id,
        items=[
            {"drug": drug.id, "dose": "500", "dose_unit": "mg", "frequency": "stat", "quantity": 1}
            for drug in drugs
        ],
    )
    other_ward = make_ward(api_as, beds=1)
    elsewhere, _patient, _doctor = admit(api_as, other_ward, 0)

    window = sign_in(qtbot, hms, "nurse")
    window.resize(1280, 800)
    page = window.open_module("mar")
    assert isinstance(page, MarPage)
    qtbot.waitUntil(lambda: page.select_id(elsewhere.id), timeout=10_000)
    qtbot.waitUntil(lambda: "not in your care" in page.details.note.text(), timeout=10_000)
    assert page.details.doses_model.rowCount() == 0

    assert page.select_id(admission.id)
    doses = page.details.doses_model
    qtbot.waitUntil(lambda: page.doses_loaded_for == admission.id, timeout=10_000)
    assert doses.rowCount() == 2
    assert {d.dose for d in doses.rows} == {"500 mg"}
    open_rows = [i for i, d in enumerate(doses.rows) if d.state in ("due", "overdue", "upcoming")]
    assert open_rows == [0, 1], [d.state for d in doses.rows]
    assert not page.details.given_button.isEnabled()  # nothing selected yet

    first = open_rows[0]
    page.details.doses.selectRow(first)
    assert page.details.given_button.isEnabled()
    given_drug = doses.rows[first].drug
    page.details.given_button.click()
    qtbot.waitUntil(
        lambda: any(d.drug == given_drug and d.state == "given" for d in doses.rows),
        timeout=10_000,
    )
    assert "recorded as given" in page.banner.message
    given = next(d for d in doses.rows if d.drug == given_drug)
    assert given.recorded_by is not None

    held_row = next(i for i, d in enumerate(doses.rows) if d.state != "given")
    page.details.doses.selectRow(held_row)
    held_drug = doses.rows[held_row].drug
    dialog = page.open_not_given("held")
    assert isinstance(dialog, DoseNotGivenDialog)
    dialog.save_button.click()
    assert dialog.errors.fields["reason"].error_text  # a reason is required
    dialog.reason.setPlainText("Nil by mouth before theatre")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    qtbot.waitUntil(
        lambda: any(
            d.drug == held_drug and d.state == "held" and d.reason == "Nil by mouth before theatre"
            for d in doses.rows
        ),
        timeout=10_000,
    )
    given_row = next(i for i, d in enumerate(doses.rows) if d.state == "given")
    page.details.doses.selectRow(given_row)
    assert not page.details.given_button.isEnabled()  # a recorded dose is recorded once
    wait_idle(qtbot, hms)
    snap(window, "medication_round")


def test_the_round_of_another_day_from_the_day_switcher(qtbot, hms, api_as):
    ward = make_ward(api_as, beds=1)
    nurse = api_as("nurse")
    api_as("admin").client.post(
        f"/api/wards/{ward['id']}/nurses/", {"nurse": nurse.profile.get().id}
    )
    username = unique("drday")
    doctor = make_doctor(api_as, first_name="Ines", username=username)
    admission, patient, _doctor = admit(api_as, ward, 0, doctor=doctor)
    drug = make_drug(api_as("pharmacist"), name="Amoxicillin")
    # Twice a day (08:00 and 20:00) from today for five days: two doses tomorrow, none
    # yesterday (before the admission and the prescription).
    api_as(username, DOCTOR_PASSWORD).pharmacy.prescribe(
        patient=patient.id,
        items=[
            {
                "drug": drug.id,
                "dose": "500",
                "dose_unit": "mg",
                "frequency": "bd",
                "duration_days": 5,
                "quantity": 10,
            }
        ],
    )
    today, tomorrow = hospital_today(), hospital_tomorrow()
    expected_tomorrow = nurse.inpatient.mar(admission.id, day=tomorrow)

    window = sign_in(qtbot, hms, "nurse")
    window.resize(1280, 800)
    page = window.open_module("mar")
    assert isinstance(page, MarPage)
    assert page.round_day() == today and page.days.quick[0].isChecked()
    qtbot.waitUntil(lambda: page.select_id(admission.id), timeout=10_000)
    qtbot.waitUntil(lambda: page.doses_loaded_for == admission.id, timeout=10_000)
    assert f"{today:%A %d %B}" in page.details.heading.text()

    page.days.quick[1].click()  # Tomorrow
    assert page.round_day() == tomorrow and page.days.quick[1].isChecked()
    qtbot.waitUntil(lambda: page.doses_loaded_for == admission.id, timeout=10_000)
    assert f"{tomorrow:%A %d %B}" in page.details.heading.text()
    doses = page.details.doses_model.rows
    assert len(doses) == len(expected_tomorrow) == 2
    assert [d.scheduled_at for d in doses] == [d.scheduled_at for d in expected_tomorrow]
    assert {d.state for d in doses} == {"upcoming"}
    assert "scheduled dose(s) on" in page.details.note.text()

    page.days.quick[-1].click()  # Yesterday
    qtbot.waitUntil(lambda: page.doses_loaded_for == admission.id, timeout=10_000)
    assert page.details.doses_model.rowCount() == 0
    assert "No scheduled doses on" in page.details.note.text()

    page.days.next_day.click()  # back to today, one day on
    assert page.round_day() == today
    qtbot.waitUntil(lambda: page.doses_loaded_for == admission.id, timeout=10_000)
    assert page.details.doses_model.rowCount() == len(nurse.inpatient.mar(admission.id))
    wait_idle(qtbot, hms)
