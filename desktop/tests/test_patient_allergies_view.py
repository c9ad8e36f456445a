"""The Allergies section of the patient detail against the live server: a ward nurse adds an
allergy and edits its severity, marks one entered in error, confirms one the patient reported
in the portal; roles that may only read see no actions, and roles that may not read see no
section."""

from __future__ import annotations

from hms_desktop.api import ApiClient
from hms_desktop.views.dialogs import ReasonDialog
from hms_desktop.views.patients import AllergyDialog
from hms_desktop.views.patients.allergies import UNCONFIRMED, AllergiesModel

from .conftest import make_patient, sign_in, snap, unique, wait_idle
from .test_inpatient_views import admit, make_ward

PATIENT_PASSWORD = "Allergy-check-77"


def nurse_on_ward(api_as) -> dict:
    """A ward of the test's own with the demo nurse assigned: its patients are in their care."""
    ward = make_ward(api_as, beds=2)
    nurse_id = api_as("nurse").profile.get().id
    api_as("admin").client.post(f"/api/wards/{ward['id']}/nurses/", {"nurse": nurse_id})
    return ward


def open_chart(qtbot, hms, patient, role: str = "nurse"):
    window = sign_in(qtbot, hms, role)
    window.resize(1280, 800)
    page = window.open_module("patients")
    qtbot.waitUntil(lambda: page._loaded and not page.model.loading, timeout=10_000)
    page.show_patient_by_mrn(patient.mrn, patient.id)
    qtbot.waitUntil(
        lambda: page.current is not None and page.current.id == patient.id, timeout=10_000
    )
    return window, page


def wait_allergies(qtbot, section, patient_id: str) -> None:
    qtbot.waitUntil(lambda: section.loaded_for == patient_id, timeout=10_000)


def statuses(section) -> dict[str, str]:
    model = section.model
    return {
        a.substance: model.index(row, AllergiesModel.STATUS).data()
        for row, a in enumerate(model.rows)
    }


def test_nurse_adds_an_allergy_and_edits_its_severity(qtbot, hms, api_as):
    ward = nurse_on_ward(api_as)
    _admission, patient, _doctor = admit(api_as, ward, 0)
    window, page = open_chart(qtbot, hms, patient)
    section = page.allergies
    wait_allergies(qtbot, section, patient.id)
    assert section.isVisible()
    assert section.model.rowCount() == 0
    assert section.note.text() == "No allergies recorded."
    assert section.add_button.isVisible() and section.add_button.isEnabled()
    assert not section.edit_button.isEnabled()  # nothing selected
    assert not section.confirm_button.isEnabled()

    dialog = section.open_add()
    assert isinstance(dialog, AllergyDialog)
    dialog.substance.setText("Penicillin")
    dialog.reaction.setText("Hives")
    dialog.severity.setCurrentIndex(dialog.severity.findData("moderate"))
    snap(dialog, "patient_allergy_add_dialog")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    qtbot.waitUntil(lambda: section.model.rowCount() == 1, timeout=10_000)
    added = section.model.rows[0]
    assert (added.substance, added.category, added.severity) == (
        "Penicillin",
        "medication",
        "moderate",
    )
    assert added.source == "clinician" and not added.patient_reported
    assert statuses(section) == {"Penicillin": "Active"}
    assert "Penicillin" in page.banner.message
    assert section.selected() is not None and section.selected().id == added.id

    # The same substance again: the server's refusal shows in the dialog, which stays open.
    again = section.open_add()
    again.save_button.click()  # no substance: flagged before anything is sent
    assert again.errors.fields["substance"].error_text
    again.substance.setText("penicillin")
    again.save_button.click()
    qtbot.waitUntil(lambda: bool(again.errors.general.text()), timeout=10_000)
    assert again.isVisible()
    again.reject()

    assert section.edit_button.isEnabled()
    edit = section.open_edit()
    assert isinstance(edit, AllergyDialog) and edit.allergy.id == added.id
    edit.severity.setCurrentIndex(edit.severity.findData("severe"))
    edit.reaction.setText("Anaphylaxis")
    with qtbot.waitSignal(edit.saved, timeout=10_000):
        edit.save_button.click()
    qtbot.waitUntil(
        lambda: section.model.rowCount() == 1 and section.model.rows[0].severity == "severe",
        timeout=10_000,
    )
    on_server = api_as("nurse").patients.allergies(patient.id)
    assert [(a.substance, a.severity, a.reaction) for a in on_server] == [
        ("Penicillin", "severe", "Anaphylaxis")
    ]
    wait_idle(qtbot, hms)
    snap(window, "patient_allergies")


def test_nurse_outside_care_is_told_why_allergies_are_not_shown(qtbot, hms, api_as):
    patient = make_patient(api_as("receptionist"))
    _window, page = open_chart(qtbot, hms, patient)
    section = page.allergies
    qtbot.waitUntil(lambda: section.note.text().startswith("Allergies not shown"), timeout=10_000)
    assert section.model.rowCount() == 0
    assert section.loaded_for is None
    assert not section.edit_button.isEnabled()


def test_nurse_marks_an_allergy_entered_in_error(qtbot, hms, api_as):
    ward = nurse_on_ward(api_as)
    _admission, patient, _doctor = admit(api_as, ward, 0)
    nurse = api_as("nurse")
    wrong = nurse.patients.add_allergy(patient.id, substance="Latex", category="environment")
    nurse.patients.add_allergy(patient.id, substance="Peanut", category="food")
    _window, page = open_chart(qtbot, hms, patient)
    section = page.allergies
    wait_allergies(qtbot, section, patient.id)
    assert set(statuses(section)) == {"Latex", "Peanut"}
    assert section.select(wrong.id)

    dialog = section.open_void()
    assert isinstance(dialog, ReasonDialog)
    dialog.save_button.click()  # the server wants a reason
    qtbot.waitUntil(lambda: bool(dialog.errors.fields["reason"].error_text), timeout=10_000)
    dialog.reason.setPlainText("Recorded on the wrong chart")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    qtbot.waitUntil(lambda: set(statuses(section)) == {"Peanut"}, timeout=10_000)
    voided = [a for a in nurse.patients.allergies(patient.id, include_voided=True) if a.voided]
    assert [(a.substance, a.status, a.void_reason) for a in voided] == [
        ("Latex", "entered_in_error", "Recorded on the wrong chart")
    ]


def portal_patient(hms_server, api_as):
    """A patient who registered in the portal, their chart, and their signed-in client."""
    username = unique("pt")
    public = ApiClient(hms_server)
    try:
        public.request(
            "POST",
            "/api/register/",
            auth=False,
            json={
                "username": username,
                "password": PATIENT_PASSWORD,
                "first_name": "Nia",
                "last_name": unique("Mensah").replace("_", ""),
                "date_of_birth": "1984-03-15",
                "sex": "female",
            },
        )
    finally:
        public.close()
    client = api_as(username, PATIENT_PASSWORD)
    chart = client.client.get("/api/patients/me/")
    return api_as("receptionist").patients.get(chart["id"]), client


def test_nurse_confirms_an_allergy_the_patient_reported(qtbot, hms, hms_server, api_as):
    ward = nurse_on_ward(api_as)
    patient, portal = portal_patient(hms_server, api_as)
    admit(api_as, ward, 0, patient=patient)
    reported = portal.patients.report_allergy(
        patient.id, substance="Ibuprofen", category="medication", reaction="Wheeze"
    )
    assert reported.patient_reported and reported.source == "patient"
    api_as("nurse").patients.add_allergy(patient.id, substance="Shellfish", category="food")

    window, page = open_chart(qtbot, hms, patient)
    section = page.allergies
    wait_allergies(qtbot, section, patient.id)
    shown = statuses(section)
    assert shown["Ibuprofen"] == UNCONFIRMED
    assert UNCONFIRMED not in shown["Shellfish"]
    assert section.model.rows[0].substance == "Ibuprofen"  # waiting ones first
    assert "not yet confirmed" in section.note.text()

    assert section.select(section.model.rows[1].id)  # a staff entry: nothing to confirm
    assert not section.confirm_button.isEnabled()
    assert section.select(reported.id)
    assert section.confirm_button.isVisible() and section.confirm_button.isEnabled()
    assert UNCONFIRMED in section.provenance.text()
    wait_idle(qtbot, hms)
    snap(window, "patient_allergies_unconfirmed")

    section.confirm_button.click()
    qtbot.waitUntil(
        lambda: (
            section.model.rowCount() == 2
            and not any(a.awaiting_confirmation for a in section.model.rows)
        ),
        timeout=10_000,
    )
    assert all(UNCONFIRMED not in text for text in statuses(section).values())
    assert "Ibuprofen" in page.banner.message
    assert section.selected() is not None and section.selected().id == reported.id
    assert not section.confirm_button.isEnabled()

    nurse = api_as("nurse")
    confirmer = nurse.profile.get()
    confirmed = next(a for a in nurse.patients.allergies(patient.id) if a.id == reported.id)
    assert confirmed.confirmed_at is not None
    assert confirmed.confirmed_by
    assert confirmed.confirmed_by in {
        confirmer.username,
        f"{confirmer.first_name} {confirmer.last_name}".strip(),
    }
    assert confirmed.confirmed_by in section.provenance.text()
    wait_idle(qtbot, hms)
    snap(window, "patient_allergies_confirmed")


def test_lab_technician_reads_allergies_without_actions(qtbot, hms, api_as):
    patient = make_patient(api_as("receptionist"))
    api_as("pharmacist").patients.add_allergy(patient.id, substance="Iodine", category="other")
    _window, page = open_chart(qtbot, hms, patient, role="lab_technician")
    section = page.allergies
    assert section.isVisible()
    for widget in (
        section.add_button,
        section.edit_button,
        section.void_button,
        section.confirm_button,
    ):
        assert not widget.isVisible()
    wait_allergies(qtbot, section, patient.id)
    assert set(statuses(section)) == {"Iodine"}
    # Recorded elsewhere meanwhile: reading the list again shows it.
    api_as("pharmacist").patients.add_allergy(patient.id, substance="Sulfa", category="medication")
    page.reload_keeping_selection()
    qtbot.waitUntil(lambda: set(statuses(section)) == {"Iodine", "Sulfa"}, timeout=10_000)


def test_receptionist_sees_no_allergies_section(qtbot, hms, api_as):
    patient = make_patient(api_as("receptionist"))
    _window, page = open_chart(qtbot, hms, patient, role="receptionist")
    wait_idle(qtbot, hms)
    assert not page.allergies.isVisible()
    assert not page.allergies.add_button.isVisible()
    assert page.allergies.loaded_for is None  # nothing asked of the server
