"""The doctor runs the prescription assistant (hms.assistant) from the chart and reads its
output. The local analyser answers: nothing leaves the machine."""

import uuid

import pytest

from hms.assistant.models import PrescriptionAnalysis
from hms.core.roles import Role
from hms.patients.tests.factories import AllergyFactory, CareAssignmentFactory, PatientFactory
from hms.pharmacy import services as pharmacy_services
from hms.pharmacy.tests.factories import DrugFactory
from hms.web.tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def local_analyser(settings):
    settings.ASSISTANT_PROVIDER = "local"


@pytest.fixture
def world(make_user):
    alice = PatientFactory(user=make_user(Role.PATIENT), first_name="Alice", last_name="Adeyemi")
    AllergyFactory(patient=alice, substance="Penicillin", reaction="Hives", severity="severe")
    doctor = make_user(Role.DOCTOR, username="dr_assigned")
    CareAssignmentFactory(patient=alice, doctor=doctor)
    DrugFactory(generic_name="Amoxicillin", drug_class="penicillin", form="capsule")
    return {"alice": alice, "doctor": doctor, "other_doctor": make_user(Role.DOCTOR)}


def url(patient) -> str:
    return f"/workspace/patients/{patient.public_id}/assistant/"


def test_analysing_typed_text_shows_drugs_warnings_and_explanation(world):
    client = signed_in_client(world["doctor"])
    assert client.get(url(world["alice"])).status_code == 200
    response = client.post(
        url(world["alice"]),
        {"prescription": "", "text": "Amoxicillin 500 mg three times a day for 7 days"},
    )
    assert response.status_code == 302
    analysis = PrescriptionAnalysis.objects.get()
    assert analysis.patient == world["alice"]
    assert analysis.requested_by == world["doctor"]
    assert response["Location"] == f"/workspace/analyses/{analysis.public_id}/"
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="analysis-drugs"' in html
    assert "amoxicillin" in html.lower()
    assert "Penicillin" in html and "hms-sev-severe" in html  # the patient's allergy
    assert 'data-testid="analysis-explanation"' in html
    assert "local analyser" in html


def test_analysing_a_prescription_on_record(world):
    drug = DrugFactory(generic_name="Ibuprofen", drug_class="nsaid")
    prescription = pharmacy_services.prescription_create(
        actor=world["doctor"],
        patient=world["alice"],
        items=[{"drug": drug, "dose": 400, "frequency": "tds", "duration_days": 5}],
    )
    client = signed_in_client(world["doctor"])
    page = client.get(url(world["alice"]), {"prescription": str(prescription.public_id)})
    assert f'value="{prescription.public_id}" selected' in page.content.decode()
    response = client.post(
        url(world["alice"]), {"prescription": str(prescription.public_id), "text": ""}
    )
    assert response.status_code == 302
    analysis = PrescriptionAnalysis.objects.get()
    assert analysis.prescription == prescription
    assert "Ibuprofen" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"prescription": "", "text": ""}, "one of the two"),
        ({"prescription": "", "text": "x" * 20_001}, "at most 20000 characters"),
        ({"prescription": str(uuid.uuid4()), "text": ""}, "Select a valid choice"),
    ],
)
def test_bad_input_is_shown_and_nothing_is_stored(world, data, message):
    response = signed_in_client(world["doctor"]).post(url(world["alice"]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PrescriptionAnalysis.objects.exists()


@pytest.mark.parametrize("role", [Role.PATIENT, Role.NURSE, Role.PHARMACIST, Role.ADMIN])
def test_the_workspace_assistant_is_for_doctors(world, make_user, role):
    client = signed_in_client(make_user(role))
    assert client.get(url(world["alice"])).status_code == 403
    assert client.post(url(world["alice"]), {"text": "Paracetamol 1 g"}).status_code == 403


def test_outside_care_needs_break_the_glass_and_unknown_is_404(world):
    response = signed_in_client(world["other_doctor"]).get(url(world["alice"]))
    assert response.status_code == 403
    assert b"break-glass-form" in response.content
    missing = signed_in_client(world["doctor"]).get(
        f"/workspace/patients/{uuid.uuid4()}/assistant/"
    )
    assert missing.status_code == 404


def test_an_analysis_is_seen_only_by_whoever_asked(world, make_user):
    signed_in_client(world["doctor"]).post(
        url(world["alice"]), {"text": "Paracetamol 1 g four times"}
    )
    analysis = PrescriptionAnalysis.objects.get()
    detail = f"/workspace/analyses/{analysis.public_id}/"
    assert signed_in_client(world["doctor"]).get(detail).status_code == 200
    assert signed_in_client(world["other_doctor"]).get(detail).status_code == 404
    assert signed_in_client(world["alice"].user).get(detail).status_code == 403
