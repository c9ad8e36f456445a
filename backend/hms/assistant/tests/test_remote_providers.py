"""Remote providers against a local stub server: Groq through the official client, any
OpenAI-compatible endpoint by base URL; timeouts and errors fall back to the local analyser;
no identifier ever reaches the stub."""

import json

import pytest

from hms.assistant.models import PrescriptionAnalysis
from hms.assistant.tests.stub_provider import StubProvider
from hms.patients.tests.factories import AllergyFactory

pytestmark = pytest.mark.django_db

TEXT = (
    "Patient: {first} {last}   DOB: {dob}\n"
    "MRN: {mrn}   Tel: {phone}   Email: {email}   National ID: {national_id}\n"
    "Amoxicillin 500 mg capsules, 1 capsule three times a day for 7 days\n"
    "Prescriber: Dr. Gregory Housemann\n"
)
REPLY = {
    "drugs": [
        {
            "name": "amoxicillin",
            "dose": 500,
            "unit": "mg",
            "route": "oral",
            "frequency": "tds",
            "duration_days": 7,
            "quantity": 21,
            "instructions": "with water",
        }
    ],
    "explanation": "Take one amoxicillin capsule three times a day for a week.",
}


@pytest.fixture
def stub():
    with StubProvider() as server:
        server.reply = REPLY
        yield server


@pytest.fixture
def groq_settings(settings, stub):
    settings.ASSISTANT_PROVIDER = "groq"
    settings.GROQ_API_KEY = "test-key-not-real"
    settings.GROQ_BASE_URL = stub.url
    settings.GROQ_MODEL = "llama-test"
    settings.ASSISTANT_TIMEOUT_SECONDS = 2
    return settings


@pytest.fixture
def openai_settings(settings, stub):
    settings.ASSISTANT_PROVIDER = "openai"
    settings.ASSISTANT_OPENAI_BASE_URL = f"{stub.url}/v1"
    settings.ASSISTANT_OPENAI_API_KEY = "local-key"
    settings.ASSISTANT_OPENAI_MODEL = "hospital-llm"
    settings.ASSISTANT_TIMEOUT_SECONDS = 2
    return settings


def identifiers(patient) -> list[str]:
    return [
        patient.first_name,
        patient.last_name,
        patient.mrn,
        patient.email,
        "900123",
        "7700",
        "AB123456C",
        patient.date_of_birth.isoformat(),
        patient.date_of_birth.strftime("%d/%m/%Y"),
        str(patient.public_id),
        "Housemann",
        "Gregory",
    ]


def script(patient) -> str:
    return TEXT.format(
        first=patient.first_name,
        last=patient.last_name,
        dob=patient.date_of_birth.strftime("%d/%m/%Y"),
        mrn=patient.mrn,
        phone=patient.phone,
        email=patient.email,
        national_id="AB123456C",
    )


def test_groq_through_the_stub(groq_settings, stub, analyse, patient, amoxicillin):
    AllergyFactory(patient=patient, substance="Penicillin", severity="moderate")
    response = analyse(text=script(patient), patient=str(patient.public_id))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["provider"] == "groq" and body["model"] == "stub-model"
    assert body["fallback"] is None
    (drug,) = body["drugs"]
    assert (drug["name"], drug["dose"], drug["unit"], drug["frequency"]) == (
        "Amoxicillin",
        "500",
        "mg",
        "tds",
    )
    assert drug["formulary_drug"]["id"] == str(amoxicillin.public_id)
    # The hospital's own rules still run on the remote answer.
    assert body["warnings"][0]["code"] == "allergy_class"
    assert body["explanation"].startswith("Take one amoxicillin capsule")
    assert "allergy to Penicillin" in body["explanation"]

    (request,) = stub.requests
    assert request["path"] == "/openai/v1/chat/completions"
    assert request["headers"]["Authorization"] == "Bearer test-key-not-real"
    sent = json.loads(request["body"])
    assert sent["model"] == "llama-test"
    prompt = sent["messages"][1]["content"]
    assert "Amoxicillin 500 mg capsules" in prompt and "Penicillin" in prompt
    everything = stub.everything_sent()
    for identifier in identifiers(patient):
        assert identifier.lower() not in everything.lower(), identifier
    assert PrescriptionAnalysis.objects.get().provider == "groq"


def test_openai_compatible_endpoint(openai_settings, stub, analyse, patient):
    body = analyse(text=script(patient), patient=str(patient.public_id)).json()
    assert body["provider"] == "openai" and body["fallback"] is None
    (request,) = stub.requests
    assert request["path"] == "/v1/chat/completions"
    assert json.loads(request["body"])["model"] == "hospital-llm"
    everything = stub.everything_sent()
    for identifier in identifiers(patient):
        assert identifier.lower() not in everything.lower(), identifier


def test_timeout_falls_back_to_local(groq_settings, stub, analyse, patient, amoxicillin):
    groq_settings.ASSISTANT_TIMEOUT_SECONDS = 0.5
    stub.delay = 2
    response = analyse(text=script(patient), patient=str(patient.public_id))
    assert response.status_code == 201
    body = response.json()
    assert body["provider"] == "local" and body["provider_requested"] == "groq"
    assert body["fallback"]["reason"] == "timeout"
    assert "local analyser" in body["fallback"]["message"]
    assert [d["name"] for d in body["drugs"]] == ["Amoxicillin"]
    stored = PrescriptionAnalysis.objects.get()
    assert (stored.provider, stored.fallback_reason) == ("local", "timeout")


@pytest.mark.parametrize("fixture", ["groq_settings", "openai_settings"])
def test_server_error_falls_back(request, fixture, stub, analyse):
    request.getfixturevalue(fixture)
    stub.status = 500
    body = analyse(text="Metformin 500 mg bd").json()
    assert body["provider"] == "local"
    assert body["fallback"]["reason"] == "http_500"
    assert body["drugs"][0]["name"] == "Metformin"


def test_invalid_json_falls_back(openai_settings, stub, analyse):
    stub.raw_content = "Sure! Here is the analysis: amoxicillin..."
    body = analyse(text="Metformin 500 mg bd").json()
    assert body["provider"] == "local"
    assert body["fallback"]["reason"].startswith("invalid_response")


def test_unreachable_server_falls_back(openai_settings, stub, analyse):
    openai_settings.ASSISTANT_OPENAI_BASE_URL = "http://127.0.0.1:9/v1"  # discard port
    body = analyse(text="Metformin 500 mg bd").json()
    assert body["provider"] == "local" and body["fallback"]["reason"].startswith("error")


def test_groq_without_a_key_is_not_called(settings, stub, analyse):
    settings.ASSISTANT_PROVIDER = "groq"
    settings.GROQ_API_KEY = ""
    settings.GROQ_BASE_URL = stub.url
    body = analyse(text="Metformin 500 mg bd").json()
    assert body["provider"] == "local"
    assert body["fallback"]["reason"] == "GROQ_API_KEY is not set"
    assert stub.requests == []
