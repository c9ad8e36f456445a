"""Personas: each role that may use a route gets through; every other role gets 403.

The patient is in the doctor's care (assignment), the nurse reaches them by break-the-glass,
and the patient-role user is the patient themself. Another patient is covered elsewhere (404).
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hms.accounts.tests.factories import UserFactory
from hms.clinical.tests.factories import (
    DiagnosisFactory,
    DocumentFactory,
    EncounterFactory,
    ProblemFactory,
    VisitNoteFactory,
    VitalSignsFactory,
)
from hms.clinical.tests.files import PDF
from hms.core.roles import Role
from hms.patients.models import BreakGlassGrant

pytestmark = pytest.mark.django_db

R = Role
READERS = {R.DOCTOR, R.NURSE, R.PATIENT}


@pytest.fixture
def people(doctor, nurse, patient):
    BreakGlassGrant.objects.create(
        user=nurse,
        patient=patient,
        reason="Ward cover tonight",
        expires_at=timezone.now() + timedelta(hours=12),
    )
    users = {role: UserFactory(role=role) for role in Role}
    users.update({R.DOCTOR: doctor, R.NURSE: nurse, R.PATIENT: patient.user})
    return users


def cases(patient, doctor):
    pid = str(patient.public_id)
    encounter = EncounterFactory(patient=patient, attending_doctor=doctor)
    return [
        # (method, url, body, roles allowed)
        ("get", f"/api/encounters/?patient={pid}", None, READERS),
        ("get", f"/api/encounters/{encounter.public_id}/", None, READERS),
        ("post", "/api/encounters/", {"patient": pid, "type": "outpatient"}, {R.DOCTOR}),
        ("patch", f"/api/encounters/{encounter.public_id}/", {"reason": "r"}, {R.DOCTOR}),
        ("get", f"/api/visitnotes/?patient={pid}", None, READERS),
        ("post", "/api/visitnotes/", {"patient": pid, "notes": "n"}, {R.DOCTOR}),
        (
            "delete",
            f"/api/visitnotes/{VisitNoteFactory(patient=patient).public_id}/",
            {"reason": "wrong chart"},
            {R.DOCTOR},
        ),
        ("get", f"/api/vitals/?patient={pid}", None, READERS),
        ("post", "/api/vitals/", {"patient": pid, "pulse": 80}, {R.DOCTOR, R.NURSE}),
        (
            "post",
            f"/api/vitals/{VitalSignsFactory(patient=patient).public_id}/void/",
            {"reason": "duplicate"},
            {R.DOCTOR, R.NURSE},
        ),
        ("get", f"/api/diagnoses/?patient={pid}", None, READERS),
        (
            "post",
            "/api/diagnoses/",
            {"encounter": str(encounter.public_id), "code": "J45.9"},
            {R.DOCTOR},
        ),
        (
            "patch",
            f"/api/diagnoses/{DiagnosisFactory(encounter=encounter).public_id}/",
            {"type": "confirmed"},
            {R.DOCTOR},
        ),
        ("get", f"/api/problems/?patient={pid}", None, READERS),
        ("post", "/api/problems/", {"patient": pid, "code": "I10"}, {R.DOCTOR}),
        (
            "patch",
            f"/api/problems/{ProblemFactory(patient=patient).public_id}/",
            {"status": "resolved"},
            {R.DOCTOR},
        ),
        ("get", f"/api/patients/{pid}/timeline/", None, READERS),
        ("get", f"/api/documents/?patient={pid}", None, READERS),
        (
            "get",
            f"/api/documents/{DocumentFactory(patient=patient).public_id}/download/",
            None,
            READERS,
        ),
        (
            "patch",
            f"/api/documents/{DocumentFactory(patient=patient).public_id}/",
            {"description": "d"},
            {R.DOCTOR, R.NURSE},
        ),
        ("get", "/api/icd10/?q=asthma", None, {R.DOCTOR, R.NURSE}),
    ]


def test_every_route_admits_exactly_its_roles(as_user, people, patient, doctor):
    failures = []
    for method, url, body, allowed in cases(patient, doctor):
        for role, user in people.items():
            response = getattr(as_user(user), method)(url, body)
            # Through the door: anything but 403. An allowed call may still be refused by a
            # rule (a second void answers 409), never by a 400 from this table's payloads.
            through = response.status_code != 403
            wrong_answer = through and response.status_code >= 400 and response.status_code != 409
            if through != (role in allowed) or wrong_answer:
                failures.append(f"{role} {method.upper()} {url} -> {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (R.DOCTOR, True),
        (R.NURSE, True),
        (R.LAB_TECHNICIAN, True),
        (R.RADIOLOGIST, True),
        (R.RECEPTIONIST, True),
        (R.PATIENT, True),
        (R.PHARMACIST, False),
        (R.ACCOUNTANT, False),
        (R.ADMIN, False),
    ],
)
def test_document_upload_roles(as_user, people, patient, role, allowed):
    response = as_user(people[role]).post(
        "/api/documents/",
        {
            "patient": str(patient.public_id),
            "doc_type": "scan",
            "file": SimpleUploadedFile("letter.pdf", PDF),
        },
        format="multipart",
    )
    assert response.status_code == (201 if allowed else 403), response.json()


def test_clinical_resources_stay_within_their_chart_section():
    """The role table never promises what the access module will refuse."""
    from hms.core.permissions import PERMISSIONS, roles_allowed, rule_for

    clinical_read = roles_allowed(rule_for("patient_section:clinical", "read"))
    clinical_write = roles_allowed(rule_for("patient_section:clinical", "write"))
    for resource in ("encounters", "visitnotes", "vitals", "diagnoses", "problems", "timeline"):
        for action, rule in PERMISSIONS[resource].items():
            # A printed visit summary is a read of the chart (a patient prints their own).
            allowed = clinical_read if action in ("list", "read", "pdf") else clinical_write
            assert roles_allowed(rule) <= allowed, (resource, action)
    documents_read = roles_allowed(rule_for("patient_section:documents", "read"))
    documents_write = roles_allowed(rule_for("patient_section:documents", "write"))
    for action in ("list", "read", "download"):
        assert roles_allowed(PERMISSIONS["documents"][action]) <= documents_read
    for action in ("create", "update", "void"):
        # patients add and void papers in their own chart only (see document_write_purpose)
        assert roles_allowed(PERMISSIONS["documents"][action]) <= documents_write | {R.PATIENT}
