"""GET /api/patients/{id}/timeline/: every clinical event, newest first, from the registry."""

from datetime import UTC, datetime, timedelta

import pytest

from hms.clinical import timeline
from hms.clinical.tests.factories import (
    DiagnosisFactory,
    EncounterFactory,
    ProblemFactory,
    VisitNoteFactory,
    VitalSignsFactory,
)
from hms.clinical.timeline import TimelineEntry, register_timeline_source
from hms.core.models import AuditEvent

pytestmark = pytest.mark.django_db

T0 = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)


def at(hours):
    return T0 + timedelta(hours=hours)


@pytest.fixture
def chart(patient, doctor):
    """One of each event type, deliberately created out of time order."""
    encounter = EncounterFactory(patient=patient, attending_doctor=doctor, started_at=at(0))
    records = {
        "diagnosis": DiagnosisFactory(encounter=encounter, diagnosed_at=at(3)),
        "vitals": VitalSignsFactory(patient=patient, encounter=encounter, measured_at=at(1)),
        "visit_note": VisitNoteFactory(patient=patient, encounter=encounter, visit_date=at(2)),
        "encounter": encounter,
    }
    problem = ProblemFactory(patient=patient)
    type(problem).all_objects.filter(pk=problem.pk).update(created_at=at(4))
    records["problem"] = problem
    return records


@pytest.fixture
def restore_timeline_sources():
    saved = timeline.timeline_sources()
    yield
    timeline._SOURCES.clear()
    timeline._SOURCES.update(saved)


def test_mixed_event_types_newest_first(as_user, doctor, patient, chart):
    response = as_user(doctor).get(f"/api/patients/{patient.public_id}/timeline/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [row["type"] for row in results] == [
        "problem",  # at(4)
        "diagnosis",  # at(3)
        "visit_note",  # at(2)
        "vitals",  # at(1)
        "encounter",  # at(0)
    ]
    assert results[1]["title"] == "J45.9 Asthma, unspecified"
    assert results[3]["summary"].startswith("BP 120/80")
    assert AuditEvent.objects.filter(
        resource_type="clinical", patient_id=str(patient.public_id), action="read"
    ).exists()


def test_filters_by_type_and_date_range(as_user, doctor, patient, chart):
    client = as_user(doctor)
    url = f"/api/patients/{patient.public_id}/timeline/"
    only = client.get(url, {"type": "vitals,diagnosis"}).json()["results"]
    assert [row["type"] for row in only] == ["diagnosis", "vitals"]
    window = client.get(url, {"since": at(1).isoformat(), "until": at(3).isoformat()}).json()[
        "results"
    ]
    assert [row["type"] for row in window] == ["visit_note", "vitals"]
    assert client.get(url, {"type": "horoscope"}).status_code == 400


def test_voided_entries_shown_marked_only_when_asked(as_user, doctor, patient, chart):
    client = as_user(doctor)
    client.delete(f"/api/vitals/{chart['vitals'].public_id}/", {"reason": "Wrong patient"})
    url = f"/api/patients/{patient.public_id}/timeline/"
    assert "vitals" not in [row["type"] for row in client.get(url).json()["results"]]
    shown = client.get(url, {"include_voided": "1"}).json()["results"]
    (vitals,) = [row for row in shown if row["type"] == "vitals"]
    assert vitals["voided"] is True and vitals["void_reason"] == "Wrong patient"


def test_other_modules_plug_in_through_the_registry(
    as_user, doctor, patient, chart, restore_timeline_sources
):
    seen = {}

    def lab_results(patient_arg, user, since, until):
        seen.update(patient=patient_arg, user=user)
        yield TimelineEntry(occurred_at=at(2.5), type="lab_result", id="lab-1", title="HbA1c 7.1 %")

    register_timeline_source("laboratory", lab_results, types={"lab_result"})
    response = as_user(doctor).get(f"/api/patients/{patient.public_id}/timeline/")
    types = [row["type"] for row in response.json()["results"]]
    assert types == ["problem", "diagnosis", "lab_result", "visit_note", "vitals", "encounter"]
    assert seen == {"patient": patient, "user": doctor}
    lab = response.json()["results"][2]
    assert lab["source"] == "laboratory" and lab["title"] == "HbA1c 7.1 %"


def test_paginated(as_user, doctor, patient):
    for hour in range(30):
        VitalSignsFactory(patient=patient, measured_at=at(hour))
    body = (
        as_user(doctor)
        .get(f"/api/patients/{patient.public_id}/timeline/", {"page_size": 10, "page": 2})
        .json()
    )
    assert body["count"] == 30 and len(body["results"]) == 10
    assert body["results"][0]["occurred_at"].startswith(at(19).strftime("%Y-%m-%dT%H"))


def test_patient_sees_own_timeline_and_not_others(as_user, patient, other_patient):
    client = as_user(patient.user)
    assert client.get(f"/api/patients/{patient.public_id}/timeline/").status_code == 200
    assert client.get(f"/api/patients/{other_patient.public_id}/timeline/").status_code == 404


def test_receptionist_may_not_read_the_timeline(as_user, make_user, patient):
    from hms.core.roles import Role

    client = as_user(make_user(Role.RECEPTIONIST))
    assert client.get(f"/api/patients/{patient.public_id}/timeline/").status_code == 403


def test_documents_appear_with_their_download_link(as_user, doctor, patient):
    from hms.clinical.tests.factories import DocumentFactory

    document = DocumentFactory(patient=patient, description="Chest X-ray report")
    results = (
        as_user(doctor)
        .get(f"/api/patients/{patient.public_id}/timeline/", {"type": "document"})
        .json()["results"]
    )
    assert [row["id"] for row in results] == [str(document.public_id)]
    assert results[0]["detail"]["download_url"].endswith(f"{document.public_id}/download/")
