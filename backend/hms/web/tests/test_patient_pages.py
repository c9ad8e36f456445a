"""Pages with patient data: scoped and audited through hms.patients.access.

Personas: Alice (patient, with a chart), Bob (another patient), Dr Assigned (Alice is in their
care), Dr Other (Alice is not), and a nurse (not a workspace role).
"""

import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from hms.clinical.models import Document
from hms.clinical.tests.factories import (
    DocumentFactory,
    ProblemFactory,
    VisitNoteFactory,
    VitalSignsFactory,
)
from hms.clinical.tests.files import ELF, PDF
from hms.core.models import AuditAction, AuditEvent, AuditOutcome
from hms.core.roles import Role
from hms.core.services import audit_record
from hms.patients.tests.factories import AllergyFactory, CareAssignmentFactory, PatientFactory
from hms.web.tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world(make_user):
    alice_user = make_user(Role.PATIENT, username="alice", first_name="Alice")
    bob_user = make_user(Role.PATIENT, username="bob", first_name="Bob")
    alice = PatientFactory(user=alice_user, first_name="Alice", last_name="Adeyemi")
    bob = PatientFactory(user=bob_user, first_name="Bob", last_name="Brown")
    doctor = make_user(Role.DOCTOR, username="dr_assigned", last_name="Okafor")
    other_doctor = make_user(Role.DOCTOR, username="dr_other")
    CareAssignmentFactory(patient=alice, doctor=doctor)
    return {
        "alice": alice,
        "bob": bob,
        "doctor": doctor,
        "other_doctor": other_doctor,
        "nurse": make_user(Role.NURSE, username="nurse"),
    }


PORTAL_PAGES = ["/portal/record/", "/portal/visits/", "/portal/documents/", "/portal/access/"]


# --- patient portal -----------------------------------------------------------------------


@pytest.mark.parametrize("url", PORTAL_PAGES)
def test_portal_pages_open_for_the_patient_only(world, url):
    assert signed_in_client(world["alice"].user).get(url).status_code == 200
    assert signed_in_client(world["doctor"]).get(url).status_code == 403
    assert signed_in_client(world["nurse"]).get(url).status_code == 403
    assert Client().get(url).status_code == 302


@pytest.mark.parametrize("url", PORTAL_PAGES)
def test_portal_pages_explain_a_missing_chart(make_user, url):
    response = signed_in_client(make_user(Role.PATIENT)).get(url)
    assert response.status_code == 200
    assert b"not linked to a medical record yet" in response.content


def test_record_shows_own_profile_and_allergies_only(world):
    AllergyFactory(patient=world["alice"], substance="Penicillin", severity="severe")
    AllergyFactory(patient=world["bob"], substance="Peanuts")
    response = signed_in_client(world["alice"].user).get("/portal/record/")
    html = response.content.decode()
    assert "Penicillin" in html
    assert "Peanuts" not in html
    assert world["alice"].mrn in html
    assert AuditEvent.objects.filter(
        patient_id=str(world["alice"].public_id), resource_type="allergies", actor_username="alice"
    ).exists()


def test_visits_show_own_notes_only(world):
    VisitNoteFactory(patient=world["alice"], doctor=world["doctor"], notes="Alice: rest.")
    VisitNoteFactory(patient=world["bob"], doctor=world["doctor"], notes="Bob: secret.")
    html = signed_in_client(world["alice"].user).get("/portal/visits/").content.decode()
    assert "Alice: rest." in html
    assert "Bob: secret." not in html
    assert "Dr " in html


def test_documents_upload_saves_through_the_clinical_service(world):
    client = signed_in_client(world["alice"].user)
    response = client.post(
        "/portal/documents/",
        {
            "file": SimpleUploadedFile("blood-test.pdf", PDF, content_type="application/pdf"),
            "doc_type": "lab",
            "description": "From my GP",
        },
    )
    assert response.status_code == 302
    document = Document.objects.get(patient=world["alice"])
    assert document.uploaded_by == world["alice"].user
    assert document.description == "From my GP"
    page = client.get("/portal/documents/", follow=True).content.decode()
    assert "blood-test.pdf" in page
    assert "was uploaded" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"doc_type": "lab"}, "file", "This field is required."),
        ({"doc_type": "lab", "file": ("run.pdf", ELF)}, "file", "Unsupported file type"),
        ({"doc_type": "nonsense", "file": ("a.pdf", PDF)}, "doc_type", "Select a valid choice"),
    ],
)
def test_documents_bad_upload_shows_errors_next_to_fields_and_saves_nothing(
    world, data, field, message
):
    if "file" in data:
        name, content = data["file"]
        data = {**data, "file": SimpleUploadedFile(name, content)}
    response = signed_in_client(world["alice"].user).post("/portal/documents/", data)
    assert response.status_code == 400
    html = response.content.decode()
    start = html.index(f'id="id_{field}_errors"')
    assert message in html[start : start + 300]
    assert not Document.objects.exists()


def test_document_download_is_scoped_and_audited(world):
    mine = DocumentFactory(patient=world["alice"], original_name="mine.pdf")
    theirs = DocumentFactory(patient=world["bob"])
    alice = signed_in_client(world["alice"].user)
    response = alice.get(f"/documents/{mine.public_id}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF
    assert "no-store" in response["Cache-Control"]
    # Another patient's document, or one that does not exist: 404 (ids cannot be probed).
    assert alice.get(f"/documents/{theirs.public_id}/download/").status_code == 404
    assert alice.get(f"/documents/{uuid.uuid4()}/download/").status_code == 404
    # The doctor caring for Alice may; a doctor without a care relationship may not.
    doctor = signed_in_client(world["doctor"])
    assert doctor.get(f"/documents/{mine.public_id}/download/").status_code == 200
    other = signed_in_client(world["other_doctor"])
    assert other.get(f"/documents/{mine.public_id}/download/").status_code == 403
    assert (
        signed_in_client(world["nurse"]).get(f"/documents/{mine.public_id}/download/").status_code
        == 403
    )


def test_access_log_lists_who_viewed_with_role_part_and_emergency(world):
    alice = world["alice"]
    signed_in_client(world["doctor"]).get(f"/workspace/patients/{alice.public_id}/")
    audit_record(
        actor=world["other_doctor"],
        action=AuditAction.READ,
        resource_type="clinical",
        object_id=alice.public_id,
        patient_id=alice.public_id,
        detail={"emergency": True},
    )
    audit_record(  # a refused attempt is not a view
        actor=world["nurse"],
        action=AuditAction.READ,
        resource_type="clinical",
        patient_id=alice.public_id,
        outcome=AuditOutcome.DENIED,
    )
    signed_in_client(world["bob"].user).get("/portal/record/")  # Bob's own reads: not Alice's log
    response = signed_in_client(alice.user).get("/portal/access/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Doctor" in html
    assert "Clinical record" in html
    assert "Allergies" in html
    assert html.count("Emergency access</span>") == 1
    assert "Nurse" not in html
    assert "dr_assigned" not in html  # roles, not names
    # Alice's own page views are not listed; the chart page's several audited reads of one
    # part in one request are one row: (Dr Assigned, clinical), (Dr Assigned, allergies),
    # (Dr Assigned, medications), (Dr Other, clinical, emergency).
    events = AuditEvent.objects.filter(patient_id=str(alice.public_id))
    assert events.filter(actor=alice.user).exists()
    assert events.filter(actor=world["doctor"], resource_type="clinical").count() > 1
    assert response.context["page"].paginator.count == 4


def test_access_log_query_count_does_not_grow_with_rows(world, django_assert_max_num_queries):
    alice = world["alice"]
    for _ in range(30):
        audit_record(
            actor=world["doctor"],
            action=AuditAction.READ,
            resource_type="clinical",
            patient_id=alice.public_id,
        )
    client = signed_in_client(alice.user)
    # session + user, own chart id, chart read (patient, 3 audit writes), count, page
    with django_assert_max_num_queries(14):
        response = client.get("/portal/access/")
    assert len(response.context["rows"]) == 25


# --- doctor workspace -----------------------------------------------------------------------


def test_my_patients_lists_assigned_patients_only(world):
    html = signed_in_client(world["doctor"]).get("/workspace/patients/").content.decode()
    assert "Adeyemi" in html
    assert "Brown" not in html
    html = signed_in_client(world["other_doctor"]).get("/workspace/patients/").content.decode()
    assert "No patients are assigned to you yet." in html


def test_my_patients_search_and_htmx_partial(world):
    client = signed_in_client(world["doctor"])
    html = client.get("/workspace/patients/?q=zzz").content.decode()
    assert "No assigned patient matches" in html
    response = client.get("/workspace/patients/?q=adey", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Adeyemi" in html
    assert "<html" not in html  # only the rows


@pytest.mark.parametrize("role", [Role.PATIENT, Role.NURSE, Role.ADMIN, Role.RECEPTIONIST])
def test_workspace_pages_are_for_doctors_only(world, make_user, role):
    client = signed_in_client(make_user(role))
    assert client.get("/workspace/patients/").status_code == 403
    assert client.get(f"/workspace/patients/{world['alice'].public_id}/").status_code == 403


def test_chart_summary_for_the_doctor_in_care(world):
    alice = world["alice"]
    AllergyFactory(patient=alice, substance="Penicillin", reaction="Hives", severity="severe")
    ProblemFactory(patient=alice, title="Asthma", code="J45.9")
    now = timezone.now()
    for hours, systolic in ((3, 150), (2, 140), (1, 130)):
        VitalSignsFactory(
            patient=alice, measured_at=now - timedelta(hours=hours), systolic_bp=systolic
        )
    VisitNoteFactory(patient=alice, doctor=world["doctor"], notes="Wheeze improving.")
    response = signed_in_client(world["doctor"]).get(f"/workspace/patients/{alice.public_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="allergy-banner"' in html and "Penicillin" in html
    assert "Asthma" in html
    assert 'data-testid="vital-charts"' in html
    (bp,) = [c for c in response.context["vital_charts"] if c.id == "vitals-blood-pressure"]
    systolic = [dot["y"] for dot in bp.lines[0]["dots"]]
    assert systolic == sorted(systolic)  # 150, 140, 130 oldest first: falling, y grows down
    assert "Wheeze improving." in html  # in the timeline
    reads = AuditEvent.objects.filter(
        actor=world["doctor"], patient_id=str(alice.public_id), action=AuditAction.READ
    )
    assert {"clinical", "allergies"} <= set(reads.values_list("resource_type", flat=True))


def test_chart_outside_care_is_403_with_the_break_glass_explanation(world):
    response = signed_in_client(world["other_doctor"]).get(
        f"/workspace/patients/{world['alice'].public_id}/"
    )
    assert response.status_code == 403
    assert b"not in your care" in response.content


def test_chart_of_an_unknown_patient_is_404(world):
    response = signed_in_client(world["doctor"]).get(f"/workspace/patients/{uuid.uuid4()}/")
    assert response.status_code == 404
