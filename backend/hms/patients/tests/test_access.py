"""Who sees what: own chart only for patients, sections per role, care or break-the-glass."""

from datetime import timedelta

import pytest
import time_machine
from django.db.models import Q
from django.utils import timezone

from hms.core.errors import ForbiddenError, NotFoundError
from hms.core.models import AuditAction, AuditEvent, AuditOutcome
from hms.core.permissions import PERMISSIONS, rule_for
from hms.core.roles import Role
from hms.patients import access
from hms.patients.access import (
    ChartSection,
    patient_get_for_user,
    patients_visible_to,
    register_care_relationship,
)
from hms.patients.models import BreakGlassGrant
from hms.patients.tests.factories import PatientFactory, PatientUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def restore_care_relationships():
    saved = dict(access._CARE_RELATIONSHIPS)
    yield
    access._CARE_RELATIONSHIPS.clear()
    access._CARE_RELATIONSHIPS.update(saved)


def detail(client, patient, suffix=""):
    return client.get(f"/api/patients/{patient.public_id}/{suffix}")


# --- Patients see only their own chart -------------------------------------------------------


def test_patient_sees_own_chart_and_gets_404_for_anyone_else(client_for, last_audit):
    me = PatientFactory(user=PatientUserFactory())
    other = PatientFactory()
    client = client_for(Role.PATIENT, user=me.user)

    assert detail(client, me).status_code == 200
    assert detail(client, me, "allergies/").status_code == 200
    response = detail(client, other)
    assert response.status_code == 404
    assert response.data["code"] == "patient_not_found"
    assert detail(client, other, "insurance/").status_code == 404
    denied = last_audit(outcome=AuditOutcome.DENIED)
    assert denied.detail["reason"] == "not_own_chart"
    assert denied.patient_id == str(other.public_id)


def test_patient_lists_only_themself(client_for):
    me = PatientFactory(user=PatientUserFactory())
    PatientFactory.create_batch(3)
    client = client_for(Role.PATIENT, user=me.user)
    response = client.get("/api/patients/")
    assert [row["id"] for row in response.data["results"]] == [str(me.public_id)]
    assert client.get("/api/patients/me/").data["id"] == str(me.public_id)


def test_staff_may_not_use_the_me_route(client_for):
    assert client_for(Role.RECEPTIONIST).get("/api/patients/me/").status_code == 403


# --- Sections per role -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed", "forbidden"),
    [
        (Role.RECEPTIONIST, ["", "contacts/", "insurance/"], ["allergies/"]),
        (Role.PHARMACIST, ["", "allergies/"], ["contacts/", "insurance/"]),
        (Role.LAB_TECHNICIAN, ["", "allergies/"], ["contacts/", "insurance/"]),
        (Role.RADIOLOGIST, ["", "allergies/"], ["contacts/", "insurance/"]),
        (Role.ACCOUNTANT, ["", "insurance/"], ["contacts/", "allergies/"]),
        (Role.ADMIN, ["", "contacts/", "insurance/"], ["allergies/"]),
    ],
)
def test_sections_per_role_without_care_relationship(client_for, patient, role, allowed, forbidden):
    client = client_for(role)
    for suffix in allowed:
        assert detail(client, patient, suffix).status_code == 200, (role, suffix)
    for suffix in forbidden:
        response = detail(client, patient, suffix)
        assert response.status_code in (403,), (role, suffix)


def test_receptionist_is_denied_the_clinical_section_with_section_forbidden(
    make_user, patient, last_audit
):
    receptionist = make_user(Role.RECEPTIONIST)
    with pytest.raises(ForbiddenError) as excinfo:
        patient_get_for_user(
            user=receptionist, patient_public_id=patient.public_id, section=ChartSection.CLINICAL
        )
    assert excinfo.value.code == "section_forbidden"
    event = last_audit()
    assert (event.outcome, event.resource_type, event.patient_id) == (
        AuditOutcome.DENIED,
        "clinical",
        str(patient.public_id),
    )
    # ...but may read demographics, and that read is audited with the patient's id.
    patient_get_for_user(
        user=receptionist, patient_public_id=patient.public_id, section="demographics"
    )
    event = last_audit()
    assert (event.action, event.outcome, event.resource_type, event.patient_id) == (
        AuditAction.READ,
        AuditOutcome.SUCCESS,
        "demographics",
        str(patient.public_id),
    )


def test_section_write_is_checked_separately_from_read(make_user, patient):
    pharmacist = make_user(Role.PHARMACIST)
    patient_get_for_user(user=pharmacist, patient_public_id=patient.public_id, section="allergies")
    with pytest.raises(ForbiddenError):
        patient_get_for_user(
            user=pharmacist,
            patient_public_id=patient.public_id,
            section="demographics",
            purpose="write",
        )


def test_unknown_patient_is_404_for_everyone(make_user):
    with pytest.raises(NotFoundError):
        patient_get_for_user(
            user=make_user(Role.ADMIN),
            patient_public_id="00000000-0000-0000-0000-000000000001",
            section="demographics",
        )
    with pytest.raises(NotFoundError):
        patient_get_for_user(
            user=make_user(Role.ADMIN), patient_public_id="not-a-uuid", section="demographics"
        )


def test_chart_views_list_the_same_roles_as_their_section():
    pairs = {
        "patient_contacts": "contacts",
        "patient_allergies": "allergies",
        "patient_insurance": "insurance",
    }
    for resource, section in pairs.items():
        read = rule_for(f"patient_section:{section}", "read")
        write = rule_for(f"patient_section:{section}", "write")
        assert PERMISSIONS[resource]["list"] == read
        for action in ("create", "update", "void"):
            assert PERMISSIONS[resource][action] == write
    assert PERMISSIONS["patients"]["read"] == rule_for("patient_section:demographics", "read")
    assert PERMISSIONS["patients"]["update"] == rule_for("patient_section:demographics", "write")
    for section in ChartSection:
        assert set(PERMISSIONS[f"patient_section:{section}"]) == {"read", "write"}


# --- Doctors and nurses: care relationship or break-the-glass -------------------------------


def test_unrelated_doctor_gets_break_glass_required(client_for, doctor, patient, last_audit):
    client = client_for(Role.DOCTOR, user=doctor)
    response = detail(client, patient, "allergies/")
    assert response.status_code == 403
    assert response.data["code"] == "break_glass_required"
    assert response.data["extra"]["patient"] == str(patient.public_id)
    assert detail(client, patient, "contacts/").data["code"] == "break_glass_required"
    event = last_audit()
    assert event.outcome == AuditOutcome.DENIED
    assert event.detail["reason"] == "break_glass_required"
    # The registry card stays open, and says what the rest of the chart will answer.
    card = detail(client, patient)
    assert card.status_code == 200
    assert card.data["access"]["in_care"] is False
    assert card.data["access"]["break_glass_required"] is True
    assert card.data["national_id"] == ""  # masked for roles that do not register patients


def test_nurse_registers_and_edits_demographics_without_care(client_for, patient):
    nurse = client_for(Role.NURSE)
    assert detail(nurse, patient).status_code == 200
    edited = nurse.patch(f"/api/patients/{patient.public_id}/", {"city": "Porto"}, format="json")
    assert edited.status_code == 200
    assert detail(nurse, patient, "allergies/").data["code"] == "break_glass_required"
    assert detail(client_for(Role.RECEPTIONIST), patient).data["access"]["in_care"] is None


def test_unrelated_doctor_still_finds_the_patient_in_search(client_for, doctor, patient):
    response = client_for(Role.DOCTOR, user=doctor).get("/api/patients/", {"q": "silva"})
    assert [row["id"] for row in response.data["results"]] == [str(patient.public_id)]


def test_assignment_gives_access(client_for, doctor, patient, assign):
    client = client_for(Role.DOCTOR, user=doctor)
    assert detail(client, patient, "allergies/").status_code == 403
    assign(patient, doctor)
    response = detail(client, patient)
    assert response.status_code == 200
    assert response.data["access"]["in_care"] is True
    assert response.data["access"]["break_glass_required"] is False
    assert "clinical" in response.data["access"]["sections"]
    assert detail(client, patient, "allergies/").status_code == 200
    mine = client.get("/api/patients/", {"in_my_care": "true"})
    assert [row["id"] for row in mine.data["results"]] == [str(patient.public_id)]


def test_ended_assignment_removes_access(client_for, doctor, patient, assign):
    assignment = assign(patient, doctor)
    nurse_desk = client_for(Role.RECEPTIONIST)
    response = nurse_desk.post(f"/api/care-assignments/{assignment.public_id}/end/")
    assert response.status_code == 200
    assert response.data["active"] is False
    assert detail(client_for(Role.DOCTOR, user=doctor), patient, "allergies/").status_code == 403
    assert nurse_desk.post(f"/api/care-assignments/{assignment.public_id}/end/").status_code == 409


def test_registered_care_relationship_gives_access(
    client_for, make_user, patient, restore_care_relationships
):
    nurse = make_user(Role.NURSE)
    client = client_for(Role.NURSE, user=nurse)
    assert detail(client, patient, "contacts/").status_code == 403

    @register_care_relationship("on_my_ward_today")
    def on_ward(user):
        if user.role != Role.NURSE:
            return None
        return Q(pk=patient.pk)

    assert "on_my_ward_today" in access.care_relationship_names()
    assert detail(client, patient, "contacts/").status_code == 200


def test_care_relationship_may_be_a_queryset_of_patient_ids(
    make_user, patient, restore_care_relationships
):
    from hms.patients.models import Patient

    nurse = make_user(Role.NURSE)
    register_care_relationship(
        "checked_in_today", lambda user: Patient.objects.filter(pk=patient.pk).values("pk")
    )
    assert access.user_has_care_relationship(user=nurse, patient=patient)
    assert list(access.patients_in_care_of(user=nurse)) == [patient]


def test_other_staff_are_not_bound_by_care(make_user, patient):
    for role in (Role.RECEPTIONIST, Role.PHARMACIST, Role.ACCOUNTANT, Role.ADMIN):
        patient_get_for_user(
            user=make_user(role), patient_public_id=patient.public_id, section="demographics"
        )
    assert patients_visible_to(user=make_user(Role.LAB_TECHNICIAN)).count() == 1


# --- Break-the-glass -------------------------------------------------------------------------


def test_break_glass_grant_works_is_audited_and_expires(client_for, doctor, patient, settings):
    settings.BREAK_GLASS_HOURS = 12
    client = client_for(Role.DOCTOR, user=doctor)
    url = f"/api/patients/{patient.public_id}/break-glass/"

    short = client.post(url, {"reason": "urgent"}, format="json")
    assert short.status_code == 400
    assert "reason" in short.data["fields"]

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        response = client.post(url, {"reason": "Unconscious in ER, needs history"}, format="json")
        assert response.status_code == 201
        grant = BreakGlassGrant.objects.get(public_id=response.data["id"])
        assert grant.expires_at == start + timedelta(hours=12)
        emergency = AuditEvent.objects.get(action=AuditAction.EMERGENCY_ACCESS)
        assert emergency.patient_id == str(patient.public_id)
        assert emergency.actor == doctor
        assert emergency.detail["reason"] == "Unconscious in ER, needs history"

        card = detail(client, patient)
        assert card.data["access"]["emergency"] is True
        assert card.data["access"]["break_glass_required"] is False
        opened = detail(client, patient, "allergies/")
        assert opened.status_code == 200
        read = AuditEvent.objects.filter(action=AuditAction.READ).order_by("-sequence").first()
        assert read.detail["emergency"] is True
        assert read.detail["grant"] == str(grant.public_id)
        assert read.patient_id == str(patient.public_id)

    with time_machine.travel(start + timedelta(hours=11, minutes=59), tick=False):
        assert detail(client, patient, "allergies/").status_code == 200
    with time_machine.travel(start + timedelta(hours=12, seconds=1), tick=False):
        expired = detail(client, patient, "allergies/")
        assert expired.status_code == 403
        assert expired.data["code"] == "break_glass_required"


def test_break_glass_hours_setting(client_for, doctor, patient, settings):
    settings.BREAK_GLASS_HOURS = 2
    client = client_for(Role.DOCTOR, user=doctor)
    response = client.post(
        f"/api/patients/{patient.public_id}/break-glass/",
        {"reason": "Cardiac arrest on the ward"},
        format="json",
    )
    grant = BreakGlassGrant.objects.get(public_id=response.data["id"])
    assert (
        timedelta(hours=1, minutes=59) < grant.expires_at - grant.created_at <= timedelta(hours=2)
    )


def test_break_glass_is_not_needed_in_care_and_not_for_other_roles(
    client_for, doctor, patient, assign
):
    assign(patient, doctor)
    url = f"/api/patients/{patient.public_id}/break-glass/"
    body = {"reason": "Just checking something"}
    response = client_for(Role.DOCTOR, user=doctor).post(url, body, format="json")
    assert response.status_code == 409
    assert response.data["code"] == "break_glass_not_needed"
    for role in (Role.RECEPTIONIST, Role.PATIENT, Role.ADMIN, Role.PHARMACIST):
        assert client_for(role).post(url, body, format="json").status_code == 403
    missing = client_for(Role.NURSE).post(
        "/api/patients/00000000-0000-0000-0000-000000000001/break-glass/", body, format="json"
    )
    assert missing.status_code == 404


def test_admin_reviews_break_glass_grants(client_for, doctor, patient):
    client_for(Role.DOCTOR, user=doctor).post(
        f"/api/patients/{patient.public_id}/break-glass/",
        {"reason": "Patient collapsed in the lobby"},
        format="json",
    )
    admin = client_for(Role.ADMIN)
    listing = admin.get("/api/audit/break-glass/", {"reviewed": "false"})
    assert listing.status_code == 200
    assert listing.data["count"] == 1
    row = listing.data["results"][0]
    assert (row["user"], row["patient"], row["active"]) == (
        str(doctor.public_id),
        str(patient.public_id),
        True,
    )
    review = admin.post(
        f"/api/audit/break-glass/{row['id']}/review/", {"note": "Justified"}, format="json"
    )
    assert review.status_code == 200
    assert review.data["reviewed_by"] == admin.user.username
    assert admin.get("/api/audit/break-glass/", {"reviewed": "false"}).data["count"] == 0
    again = admin.post(f"/api/audit/break-glass/{row['id']}/review/", {}, format="json")
    assert again.status_code == 409
    for role in (Role.DOCTOR, Role.RECEPTIONIST, Role.PATIENT):
        assert client_for(role).get("/api/audit/break-glass/").status_code == 403
