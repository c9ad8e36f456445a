"""Wards, beds and the ICU against the live server: the bed board, admitting (also when another
desk takes the bed first), transfer, discharge (and why it can wait), housekeeping, and ICU
vitals with NEWS2 scored as they are typed. Also the receptionist's whole first visit."""

from __future__ import annotations

from decimal import Decimal

from hms_desktop.api import Api
from hms_desktop.news2 import news2
from hms_desktop.views.beds import (
    AdmitDialog,
    BedBoardPage,
    DischargeDialog,
    TransferDialog,
)
from hms_desktop.views.icu import IcuPage, VitalsDialog

from .conftest import (
    DOCTOR_PASSWORD,
    hospital_tomorrow,
    make_doctor,
    make_patient,
    sign_in,
    snap,
    unique,
    wait_idle,
)
from .test_appointments_view import choose, pick_patient, select_slot
from .test_patients_view import fill, person


def make_ward(api_as, *, kind: str = "medical", beds: int = 6, name: str = "Ward") -> dict:
    """A ward of the test's own (one room, `beds` beds), so tests never share beds."""
    admin = api_as("admin").client
    suffix = unique("w")[-6:].upper()
    ward = admin.post(
        "/api/wards/", {"name": f"{name} {suffix}", "code": f"T{suffix}", "type": kind}
    )
    room = admin.post(f"/api/wards/{ward['id']}/rooms/", {"name": "Room 1"})
    ward["beds"] = [
        admin.post("/api/beds/", {"room": room["id"], "label": chr(ord("A") + i)})
        for i in range(beds)
    ]
    return ward


def admit(api_as, ward: dict, bed_index: int = 0, *, doctor=None, patient=None):
    desk = api_as("receptionist")
    doctor = doctor or make_doctor(api_as, username=unique("drward"))
    patient = patient or make_patient(desk)
    admission = desk.inpatient.admit(
        patient=patient.id,
        bed=ward["beds"][bed_index]["id"],
        attending_doctor=doctor.id,
        reason="Pneumonia, IV antibiotics",
    )
    return admission, patient, doctor


def open_board(qtbot, hms, role: str = "receptionist") -> tuple:
    window = sign_in(qtbot, hms, role)
    window.resize(1280, 800)
    page = window.open_module("beds")
    assert isinstance(page, BedBoardPage)
    qtbot.waitUntil(lambda: bool(page.wards), timeout=10_000)
    wait_idle(qtbot, hms)
    return window, page


def show_bed(qtbot, page: BedBoardPage, bed_id: str) -> None:
    assert page.select_bed(bed_id)
    qtbot.waitUntil(lambda: page.current is not None and page.current.id == bed_id, timeout=10_000)


def reloaded(qtbot, hms, page: BedBoardPage, bed_id: str) -> None:
    wait_idle(qtbot, hms)
    qtbot.waitUntil(lambda: page.current is not None and page.current.id == bed_id, timeout=10_000)


# Every NEWS2 parameter at both sides of each of its band limits (RCP 2017 chart), cycled
# side by side so each recorded set mixes them; the longest column sets the number of sets.
NEWS2_EDGES = {
    "respiratory_rate": [8, 9, 11, 12, 20, 21, 24, 25],
    "spo2": [83, 84, 85, 86, 87, 88, 91, 92, 93, 94, 95, 96, 97],
    "systolic_bp": [90, 91, 100, 101, 110, 111, 219, 220],
    "pulse": [40, 41, 50, 51, 90, 91, 110, 111, 130, 131],
    "consciousness": ["A", "C", "V", "P", "U", "A"],
    "temperature_c": ["35.0", "35.1", "36.0", "36.1", "38.0", "38.1", "39.0", "39.1"],
}


def news2_sets(on_oxygen: bool) -> list[dict]:
    rows = max(len(column) for column in NEWS2_EDGES.values())
    return [
        {
            **{name: column[i % len(column)] for name, column in NEWS2_EDGES.items()},
            "on_oxygen": on_oxygen,
            "diastolic_bp": 60,
        }
        for i in range(rows)
    ]


def test_news2_preview_agrees_with_the_server(api_as):
    """The score previewed from the bands the server sends is the score the server records
    with the observations, on air and on oxygen, on both SpO2 scales."""
    icu = make_ward(api_as, kind="icu", beds=1, name="ICU")
    nurse = api_as("nurse")
    api_as("admin").client.post(
        f"/api/wards/{icu['id']}/nurses/", {"nurse": nurse.profile.get().id}
    )
    username = unique("dricu")
    doctor = make_doctor(api_as, first_name="Ines", username=username)
    admission = api_as("receptionist").inpatient.icu_admit(
        patient=make_patient(api_as("receptionist")).id,
        bed=icu["beds"][0]["id"],
        attending_doctor=doctor.id,
        reason="Hypercapnic respiratory failure",
    )
    rules = nurse.client.load_capabilities().news2
    for scale in (1, 2):
        if scale == 2:
            api_as(username, DOCTOR_PASSWORD).client.post(
                f"/api/admissions/{admission.id}/spo2-scale/",
                {"scale": 2, "reason": "Confirmed hypercapnic respiratory failure"},
            )
        for values in news2_sets(False) + news2_sets(True):
            theirs = nurse.inpatient.record_observation(admission.id, **values)
            scored = {k: v for k, v in values.items() if k != "diastolic_bp"}
            scored["temperature_c"] = Decimal(values["temperature_c"])
            mine = news2(rules, **scored, spo2_scale=scale)
            assert theirs.spo2_scale == scale
            assert (mine.score, mine.risk, mine.single_three, mine.components) == (
                theirs.news2_score,
                theirs.news2_risk,
                theirs.news2_single_three,
                theirs.news2_components,
            ), (values, scale)


def test_bed_board_admits_a_patient_to_a_free_bed(qtbot, hms, api_as):
    ward = make_ward(api_as, name="Medical")
    doctor = make_doctor(api_as, first_name="Omar")
    patient = make_patient(api_as("receptionist"))
    admit(api_as, ward, 1)  # someone is already in bed B
    window, page = open_board(qtbot, hms)
    bed = ward["beds"][0]
    show_bed(qtbot, page, bed["id"])
    assert page.ward().id == ward["id"]
    assert [b.status for b in page.model.rows][:2] == ["available", "occupied"]
    assert page.details.admit_button.isEnabled()

    dialog = page.open_admit(bed=page.current)
    assert isinstance(dialog, AdmitDialog)
    pick_patient(qtbot, dialog, patient)
    qtbot.waitUntil(lambda: dialog.bed.findData(bed["id"]) >= 0, timeout=10_000)
    assert dialog.bed.currentData() == bed["id"]
    qtbot.waitUntil(lambda: dialog.doctor.findData(doctor.id) >= 0, timeout=10_000)
    dialog.doctor.setCurrentIndex(dialog.doctor.findData(doctor.id))
    dialog.reason.setPlainText("Community-acquired pneumonia")
    snap(dialog, "beds_admit_dialog")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    reloaded(qtbot, hms, page, bed["id"])
    qtbot.waitUntil(lambda: page.current.occupant is not None, timeout=10_000)
    assert page.current.occupant.patient.id == patient.id
    assert "admitted to" in page.banner.message
    assert page.details.values["patient"].text() == f"<b>{patient.full_name}</b>"
    assert page.ward().occupied == 2
    snap(window, "beds")


def test_a_bed_taken_meanwhile_is_refused_plainly(qtbot, hms, api_as):
    ward = make_ward(api_as, beds=3)
    patient = make_patient(api_as("receptionist"))
    _window, page = open_board(qtbot, hms, role="nurse")
    show_bed(qtbot, page, ward["beds"][0]["id"])
    dialog = page.open_admit(bed=page.current)
    pick_patient(qtbot, dialog, patient)
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=10_000)
    dialog.doctor.setCurrentIndex(1)
    dialog.reason.setPlainText("Observation after a fall")
    admit(api_as, ward, 0)  # another desk fills the bed first
    dialog.save_button.click()
    qtbot.waitUntil(lambda: bool(dialog.errors.fields["bed"].error_text), timeout=10_000)
    assert "occupied" in dialog.errors.general.text()
    qtbot.waitUntil(lambda: dialog.bed.isEnabled(), timeout=10_000)
    assert dialog.bed.findData(ward["beds"][0]["id"]) < 0  # the free beds were reloaded
    assert dialog.patient.patient.id == patient.id  # nothing typed is lost
    dialog.reject()


def test_transfer_then_discharge_once_the_summary_is_written(qtbot, hms, api_as):
    ward = make_ward(api_as, kind="surgical", name="Surgical")
    username = unique("drsurg")
    admission, patient, _doctor = admit(
        api_as, ward, 0, doctor=make_doctor(api_as, username=username)
    )
    _window, page = open_board(qtbot, hms)
    show_bed(qtbot, page, ward["beds"][0]["id"])
    transfer = page.open_transfer()
    assert isinstance(transfer, TransferDialog)
    target = ward["beds"][3]["id"]
    qtbot.waitUntil(lambda: transfer.bed.findData(target) >= 0, timeout=10_000)
    transfer.bed.setCurrentIndex(transfer.bed.findData(target))
    transfer.reason.setPlainText("Nearer the nursing station")
    with qtbot.waitSignal(transfer.saved, timeout=10_000):
        transfer.save_button.click()
    reloaded(qtbot, hms, page, target)
    assert page.current.occupant.patient.id == patient.id
    old = next(b for b in page.model.rows if b.id == ward["beds"][0]["id"])
    assert old.status == "cleaning"

    dialog = page.open_discharge()
    assert isinstance(dialog, DischargeDialog)
    qtbot.waitUntil(lambda: dialog.summary_known, timeout=10_000)
    assert dialog.summary_status is None
    assert "has not been written" in dialog.summary_state.text()
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.errors.general.isVisible(), timeout=10_000)
    assert "discharge summary" in dialog.errors.general.text()
    assert "Nothing has changed" in dialog.errors.general.text()
    assert dialog.isVisible()
    snap(dialog, "beds_discharge_needs_summary")
    summary = {
        "diagnoses": [{"code": "J18.9"}],
        "procedures": [],
        "medications_on_discharge": [],
        "follow_up": "GP review in one week",
    }
    doctor_api = api_as(username, DOCTOR_PASSWORD).client
    url = f"/api/admissions/{admission.id}/discharge-summary/"
    doctor_api.put(url, {**summary, "finalise": False})  # a draft is not enough
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.summary_status == "draft", timeout=10_000)
    assert "not signed the discharge summary" in dialog.errors.general.text()
    assert "still a draft" in dialog.summary_state.text()
    board = api_as("receptionist").inpatient.admission(admission.id)
    assert board.status == "active" and board.discharge_summary_status == "draft"
    snap(dialog, "beds_discharge_summary_draft")
    doctor_api.put(url, summary)  # signed
    dialog.check_summary()
    qtbot.waitUntil(lambda: dialog.summary_status == "final", timeout=10_000)
    assert "signed" in dialog.summary_state.text()
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    reloaded(qtbot, hms, page, target)
    assert page.current.status == "cleaning"
    assert "discharged" in page.banner.message

    status = page.open_status()
    status.status.setCurrentIndex(status.status.findData("available"))
    with qtbot.waitSignal(status.saved, timeout=10_000):
        status.save_button.click()
    reloaded(qtbot, hms, page, target)
    qtbot.waitUntil(lambda: page.current.status == "available", timeout=10_000)


def test_icu_vitals_are_scored_as_they_are_typed(qtbot, hms, api_as):
    icu = make_ward(api_as, kind="icu", beds=2, name="ICU")
    nurse_id = api_as("nurse").profile.get().id
    api_as("admin").client.post(f"/api/wards/{icu['id']}/nurses/", {"nurse": nurse_id})
    desk = api_as("receptionist")
    patient = make_patient(desk)
    admission = desk.inpatient.icu_admit(
        patient=patient.id,
        bed=icu["beds"][0]["id"],
        attending_doctor=make_doctor(api_as, first_name="Ines").id,
        reason="Septic shock",
    )
    window = sign_in(qtbot, hms, "nurse")
    window.resize(1280, 800)
    page = window.open_module("icu")
    assert isinstance(page, IcuPage)
    qtbot.waitUntil(lambda: page.select_id(admission.id), timeout=10_000)
    qtbot.waitUntil(lambda: page.current is not None, timeout=10_000)
    dialog = page.open_vitals()
    assert isinstance(dialog, VitalsDialog)
    assert "NEWS2 0" in dialog.score.text()
    dialog.respiratory_rate.setValue(26)  # 3
    dialog.spo2.setValue(93)  # 2
    dialog.on_oxygen.setChecked(True)  # 2
    dialog.pulse.setValue(118)  # 2
    assert "NEWS2 9" in dialog.score.text()
    assert "High" in dialog.score.text()
    assert "Emergency" in dialog.advice.text()
    snap(dialog, "icu_vitals_dialog")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    recorded = dialog.result_value
    assert (recorded.news2_score, recorded.news2_risk) == (9, "high")
    assert recorded.alert_sent
    assert "alerted" in page.banner.message
    qtbot.waitUntil(
        lambda: page.current is not None and page.current.latest_news2 == 9, timeout=10_000
    )
    qtbot.waitUntil(lambda: page.details.observations.rowCount() == 1, timeout=10_000)
    assert page.details.observations.rows[0].news2_score == 9
    wait_idle(qtbot, hms)
    snap(window, "icu")


def test_receptionist_registers_books_and_admits_a_patient(qtbot, hms, api_as):
    """One patient's first day on the ward, through the screens only."""
    ward = make_ward(api_as, name="Admissions")
    doctor = make_doctor(api_as, first_name="Kofi")
    window = sign_in(qtbot, hms, "receptionist")
    window.resize(1280, 800)
    patients = window.open_module("patients")
    # 1. Register.
    register = patients.open_register()
    who = person()
    fill(register, who)
    with qtbot.waitSignal(register.saved, timeout=10_000):
        register.save_button.click()
    patient = register.result_value
    qtbot.waitUntil(
        lambda: patients.current is not None and patients.current.detailed, timeout=10_000
    )
    # 2. Book an appointment from the record.
    booking = patients.book_appointment()
    assert booking.patient.patient.id == patient.id
    tomorrow = hospital_tomorrow()
    choose(qtbot, booking, doctor.id, tomorrow)
    select_slot(booking, "10:30")
    with qtbot.waitSignal(booking.saved, timeout=10_000):
        booking.save_button.click()
    appointments = window.current_page()
    qtbot.waitUntil(
        lambda: (
            appointments.current is not None and appointments.current.id == booking.result_value.id
        ),
        timeout=10_000,
    )
    # 3. Admit from the record.
    window.open_module("patients")
    admission_dialog = patients.admit()
    assert isinstance(admission_dialog, AdmitDialog)
    assert admission_dialog.patient.patient.id == patient.id
    bed = ward["beds"][2]["id"]
    qtbot.waitUntil(lambda: admission_dialog.bed.findData(bed) >= 0, timeout=10_000)
    admission_dialog.bed.setCurrentIndex(admission_dialog.bed.findData(bed))
    qtbot.waitUntil(lambda: admission_dialog.doctor.findData(doctor.id) >= 0, timeout=10_000)
    admission_dialog.doctor.setCurrentIndex(admission_dialog.doctor.findData(doctor.id))
    admission_dialog.reason.setPlainText("Dehydration, IV fluids")
    with qtbot.waitSignal(admission_dialog.saved, timeout=10_000):
        admission_dialog.save_button.click()
    board = window.current_page()
    assert isinstance(board, BedBoardPage)
    reloaded(qtbot, hms, board, bed)
    assert board.current.occupant.patient.id == patient.id
    # The server agrees on all three.
    desk: Api = api_as("receptionist")
    booked = desk.appointments.list(patient=patient.id).results
    assert [(a.date, a.slot_text) for a in booked] == [(tomorrow, "10:30")]
    admitted = desk.inpatient.admissions(patient=patient.id, status="active").results
    assert [a.bed_id for a in admitted] == [bed]


def test_front_desk_dashboard_shows_bed_occupancy(qtbot, hms, api_as):
    window = sign_in(qtbot, hms, "receptionist")
    page = window.current_page()
    qtbot.waitUntil(lambda: page.card("bed_occupancy").value.text() != "…", timeout=10_000)
    assert page.card("bed_occupancy").value.text().endswith("%")
    assert "beds occupied" in page.card("bed_occupancy").caption.text()
    qtbot.waitUntil(lambda: bool(page.card("occupancy_by_ward").values), timeout=10_000)
    wait_idle(qtbot, hms)
    snap(window, "dashboard_receptionist")
