"""The doctor writes a visit note with ICD-10 diagnoses; break-the-glass from the 403 page.

Personas: Alice (patient, in Dr Assigned's care), Bob (another patient), Dr Assigned, Dr Other
(Alice is not in their care), a nurse (not a workspace role).
"""

import uuid

import pytest
from django.core.exceptions import ValidationError

from hms.clinical.models import Diagnosis, Encounter, EncounterStatus, VisitNote
from hms.clinical.tests.factories import EncounterFactory
from hms.core.models import AuditAction, AuditEvent
from hms.core.roles import Role
from hms.patients.models import BreakGlassGrant
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory
from hms.web.tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    alice = PatientFactory(
        user=make_user(Role.PATIENT, username="alice"), first_name="Alice", last_name="Adeyemi"
    )
    bob = PatientFactory(user=make_user(Role.PATIENT, username="bob"), last_name="Brown")
    doctor = make_user(Role.DOCTOR, username="dr_assigned", last_name="Okafor")
    CareAssignmentFactory(patient=alice, doctor=doctor)
    return {
        "alice": alice,
        "bob": bob,
        "doctor": doctor,
        "other_doctor": make_user(Role.DOCTOR, username="dr_other"),
        "nurse": make_user(Role.NURSE, username="nurse"),
    }


def note_url(patient) -> str:
    return f"/workspace/patients/{patient.public_id}/notes/new/"


def note_data(encounter="new", notes="Wheeze. Start inhaler.", rows=()):
    data = {
        "encounter": encounter,
        "notes": notes,
        "dx-TOTAL_FORMS": "3",
        "dx-INITIAL_FORMS": "0",
        "dx-MIN_NUM_FORMS": "0",
        "dx-MAX_NUM_FORMS": "3",
    }
    for index in range(3):
        code, kind = rows[index] if index < len(rows) else ("", "provisional")
        data[f"dx-{index}-code"] = code
        data[f"dx-{index}-type"] = kind
    return data


# --- the note page ------------------------------------------------------------------------------


def test_the_doctor_in_care_opens_the_note_form(world):
    response = signed_in_client(world["doctor"]).get(note_url(world["alice"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="note-form"' in html
    assert html.count('data-testid="diagnosis-row"') == 3
    assert 'hx-get="/workspace/icd10/?for=dx-0-code"' in html
    assert "New outpatient visit, starting now" in html


@pytest.mark.parametrize("role", [Role.PATIENT, Role.NURSE, Role.RECEPTIONIST, Role.ADMIN])
def test_other_roles_may_not_write_notes(world, make_user, role):
    client = signed_in_client(make_user(role))
    assert client.get(note_url(world["alice"])).status_code == 403
    assert client.post(note_url(world["alice"]), note_data()).status_code == 403
    assert not VisitNote.objects.exists()


def test_a_patient_cannot_write_on_their_own_chart(world):
    response = signed_in_client(world["alice"].user).post(note_url(world["alice"]), note_data())
    assert response.status_code == 403
    assert not VisitNote.objects.exists()


def test_an_unknown_patient_is_404(world):
    client = signed_in_client(world["doctor"])
    assert client.get(f"/workspace/patients/{uuid.uuid4()}/notes/new/").status_code == 404


def test_a_doctor_outside_care_gets_the_break_glass_form(world):
    response = signed_in_client(world["other_doctor"]).get(note_url(world["alice"]))
    assert response.status_code == 403
    html = response.content.decode()
    assert "not in your care" in html
    assert 'data-testid="break-glass-form"' in html
    assert f'action="/workspace/patients/{world["alice"].public_id}/break-glass/"' in html
    assert f'value="{note_url(world["alice"])}"' in html  # comes back here afterwards


def test_saving_a_note_with_diagnoses_writes_encounter_note_and_diagnoses(world):
    alice = world["alice"]
    doctor = signed_in_client(world["doctor"])
    response = doctor.post(
        note_url(alice),
        note_data(rows=[("J45.9 · Asthma, unspecified", "confirmed"), ("i10", "provisional")]),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/workspace/patients/{alice.public_id}/#timeline-title"
    encounter = Encounter.objects.get(patient=alice)
    assert encounter.attending_doctor == world["doctor"]
    assert encounter.status == EncounterStatus.OPEN
    note = VisitNote.objects.get(patient=alice)
    assert note.encounter == encounter
    assert note.notes == "Wheeze. Start inhaler."
    assert sorted(Diagnosis.objects.values_list("code", "type", "encounter")) == [
        ("I10", "provisional", encounter.pk),
        ("J45.9", "confirmed", encounter.pk),
    ]
    created = AuditEvent.objects.filter(
        actor=world["doctor"], action=AuditAction.CREATE, patient_id=str(alice.public_id)
    )
    assert {"encounter", "visit_note", "diagnosis"} <= set(
        created.values_list("resource_type", flat=True)
    )
    page = doctor.get(response["Location"]).content.decode()
    assert "Visit note saved with 2 diagnoses." in page


def test_a_note_goes_on_the_doctors_open_encounter_when_chosen(world):
    alice = world["alice"]
    open_visit = EncounterFactory(patient=alice, attending_doctor=world["doctor"])
    EncounterFactory(patient=alice)  # another doctor's: not offered
    client = signed_in_client(world["doctor"])
    choices = client.get(note_url(alice)).context["form"].fields["encounter"].choices
    assert [value for value, _ in choices] == [str(open_visit.public_id), "new"]
    response = client.post(note_url(alice), note_data(encounter=str(open_visit.public_id)))
    assert response.status_code == 302
    assert VisitNote.objects.get().encounter == open_visit
    assert Encounter.objects.filter(patient=alice).count() == 2


@pytest.mark.parametrize(
    ("data", "field_id", "message"),
    [
        (note_data(notes=""), "id_notes_errors", "This field is required."),
        (
            note_data(rows=[("XYZ", "provisional")]),
            "id_dx-0-code_errors",
            "not shaped like an ICD-10 code",
        ),
        (
            note_data(rows=[("", ""), ("U99.9", "provisional")]),
            "id_dx-1-code_errors",
            "not a code in the WHO ICD-10 list",
        ),
        (
            note_data(rows=[("J45.9", "certain")]),
            "id_dx-0-type_errors",
            "Select a valid choice",
        ),
        (note_data(encounter=str(uuid.uuid4())), "id_encounter_errors", "Select a valid choice"),
    ],
)
def test_bad_input_shows_errors_next_to_fields_and_saves_nothing(world, data, field_id, message):
    response = signed_in_client(world["doctor"]).post(note_url(world["alice"]), data)
    assert response.status_code == 400
    html = response.content.decode()
    start = html.index(f'id="{field_id}"')
    assert message in html[start : start + 300]
    assert not VisitNote.objects.exists()
    assert not Encounter.objects.exists()


def test_another_doctors_open_encounter_cannot_be_posted(world):
    theirs = EncounterFactory(patient=world["alice"])
    response = signed_in_client(world["doctor"]).post(
        note_url(world["alice"]), note_data(encounter=str(theirs.public_id))
    )
    assert response.status_code == 400
    assert not VisitNote.objects.exists()


def test_a_failing_diagnosis_leaves_nothing_half_written(world, monkeypatch):
    from hms.clinical.services import notes

    def refuse(**kwargs):
        raise ValidationError({"code": ["Refused by the service."]})

    monkeypatch.setattr(notes, "diagnosis_create", refuse)
    response = signed_in_client(world["doctor"]).post(
        note_url(world["alice"]), note_data(rows=[("J45.9", "provisional")])
    )
    assert response.status_code == 400
    assert "Refused by the service." in response.content.decode()
    assert not VisitNote.objects.exists()
    assert not Encounter.objects.exists()


def test_the_chart_offers_the_note_to_the_doctor(world):
    html = (
        signed_in_client(world["doctor"])
        .get(f"/workspace/patients/{world['alice'].public_id}/")
        .content.decode()
    )
    assert f'href="{note_url(world["alice"])}"' in html


def test_the_patient_sees_the_note_and_its_diagnoses_not_others(world):
    alice, bob = world["alice"], world["bob"]
    signed_in_client(world["doctor"]).post(
        note_url(alice), note_data(notes="Alice's note.", rows=[("J45.9", "confirmed")])
    )
    encounter = EncounterFactory(patient=bob)
    from hms.clinical.tests.factories import DiagnosisFactory, VisitNoteFactory

    VisitNoteFactory(patient=bob, encounter=encounter, notes="Bob's note.")
    DiagnosisFactory(encounter=encounter, code="I10", title="Essential (primary) hypertension")
    html = signed_in_client(alice.user).get("/portal/visits/").content.decode()
    assert "Alice&#x27;s note." in html
    assert "J45.9" in html and "Asthma, unspecified" in html and "(confirmed)" in html
    assert "Bob" not in html and "I10" not in html


# --- ICD-10 suggestions ---------------------------------------------------------------------------


def test_icd10_suggestions_are_datalist_options(world):
    response = signed_in_client(world["doctor"]).get(
        "/workspace/icd10/", {"for": "dx-0-code", "dx-0-code": "asthma"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<option value="J45.9 · Asthma, unspecified">' in html
    assert "<html" not in html
    by_code = signed_in_client(world["doctor"]).get("/workspace/icd10/", {"q": "J45"}).content
    assert b"J45.0" in by_code


def test_icd10_needs_two_characters(world):
    html = signed_in_client(world["doctor"]).get("/workspace/icd10/", {"q": "a"}).content.decode()
    assert "<option" not in html


@pytest.mark.parametrize("role", [Role.PATIENT, Role.NURSE, Role.RECEPTIONIST])
def test_icd10_suggestions_are_for_the_workspace(make_user, role):
    assert (
        signed_in_client(make_user(role)).get("/workspace/icd10/", {"q": "asthma"}).status_code
        == 403
    )


# --- break the glass ----------------------------------------------------------------------------


def glass_url(patient) -> str:
    return f"/workspace/patients/{patient.public_id}/break-glass/"


def test_break_glass_with_a_reason_opens_the_chart_and_is_audited(world):
    alice = world["alice"]
    client = signed_in_client(world["other_doctor"])
    chart = f"/workspace/patients/{alice.public_id}/"
    assert client.get(chart).status_code == 403
    response = client.post(
        glass_url(alice), {"reason": "Unconscious in the emergency department", "next": chart}
    )
    assert response.status_code == 302
    assert response["Location"] == chart
    grant = BreakGlassGrant.objects.get(user=world["other_doctor"], patient=alice)
    assert grant.reason == "Unconscious in the emergency department"
    assert AuditEvent.objects.filter(
        action=AuditAction.EMERGENCY_ACCESS, patient_id=str(alice.public_id)
    ).exists()
    page = client.get(chart)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Emergency access — recorded and reviewed" in html
    assert "It is recorded and will be reviewed." in html
    assert client.get(note_url(alice)).status_code == 200


def test_break_glass_goes_only_to_a_page_on_this_site(world):
    response = signed_in_client(world["other_doctor"]).post(
        glass_url(world["alice"]),
        {"reason": "Collapsed in the waiting room", "next": "https://evil.example/"},
    )
    assert response["Location"] == f"/workspace/patients/{world['alice'].public_id}/"


def test_break_glass_needs_a_real_reason(world):
    response = signed_in_client(world["other_doctor"]).post(
        glass_url(world["alice"]), {"reason": "urgent"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    start = html.index('id="id_reason_errors"')
    assert "at least 10 characters" in html[start : start + 300]
    assert 'data-testid="break-glass-form"' in html
    assert not BreakGlassGrant.objects.exists()


def test_break_glass_for_a_patient_already_in_care_just_opens_the_chart(world):
    chart = f"/workspace/patients/{world['alice'].public_id}/"
    response = signed_in_client(world["doctor"]).post(
        glass_url(world["alice"]), {"reason": "Checking the latest results", "next": chart}
    )
    assert response.status_code == 302
    assert response["Location"] == chart
    assert not BreakGlassGrant.objects.exists()


@pytest.mark.parametrize("role", [Role.PATIENT, Role.NURSE, Role.ADMIN])
def test_break_glass_on_the_web_is_for_doctors(world, make_user, role):
    client = signed_in_client(make_user(role))
    response = client.post(glass_url(world["alice"]), {"reason": "Emergency admission now"})
    assert response.status_code == 403
    assert not BreakGlassGrant.objects.exists()


def test_break_glass_for_an_unknown_patient_is_404(world):
    response = signed_in_client(world["other_doctor"]).post(
        f"/workspace/patients/{uuid.uuid4()}/break-glass/", {"reason": "Emergency admission now"}
    )
    assert response.status_code == 404


def test_break_glass_by_get_is_refused(world):
    assert signed_in_client(world["other_doctor"]).get(glass_url(world["alice"])).status_code == 405
