"""Contacts, allergies and insurance: list, create, update, void (never delete)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hms.core.errors import ConflictError
from hms.core.models import AuditAction, AuditEvent
from hms.core.roles import Role
from hms.core.tests.partial_unique import assert_no_insert, assert_row_locked
from hms.patients.models import Allergy, AllergyStatus, EmergencyContact, InsurancePolicy
from hms.patients.services import allergy_create, allergy_update, allergy_void
from hms.patients.tests.factories import AllergyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinician(client_for, doctor, patient, assign):
    assign(patient, doctor)
    return client_for(Role.DOCTOR, user=doctor)


def url(patient, kind, record=None, action=""):
    base = f"/api/patients/{patient.public_id}/{kind}/"
    if record is not None:
        base += f"{record}/"
    return base + (f"{action}/" if action else "")


def test_allergy_lifecycle(clinician, patient):
    created = clinician.post(
        url(patient, "allergies"),
        {"substance": "Penicillin", "reaction": "Hives", "severity": "severe"},
        format="json",
    )
    assert created.status_code == 201, created.data
    allergy_id = created.data["id"]
    assert created.data["status"] == "active"
    assert created.data["recorded_by"] == clinician.user.username

    duplicate = clinician.post(url(patient, "allergies"), {"substance": " PENICILLIN "})
    assert duplicate.status_code == 409
    assert duplicate.data["code"] == "allergy_exists"

    updated = clinician.patch(
        url(patient, "allergies", allergy_id), {"status": "inactive"}, format="json"
    )
    assert updated.status_code == 200
    assert updated.data["status"] == "inactive"

    no_reason = clinician.post(url(patient, "allergies", allergy_id, "void"), {}, format="json")
    assert no_reason.status_code == 400
    voided = clinician.post(
        url(patient, "allergies", allergy_id, "void"), {"reason": "Wrong patient"}, format="json"
    )
    assert voided.status_code == 200
    assert (voided.data["voided"], voided.data["status"]) == (True, "entered_in_error")

    assert clinician.get(url(patient, "allergies")).data["count"] == 0
    shown = clinician.get(url(patient, "allergies"), {"include_voided": "true"})
    assert [row["void_reason"] for row in shown.data["results"]] == ["Wrong patient"]
    # Still in the database, with every version kept.
    allergy = Allergy.all_objects.get(public_id=allergy_id)
    assert allergy.history.count() == 3
    assert clinician.patch(url(patient, "allergies", allergy_id), {"note": "x"}).status_code == 409
    assert (
        clinician.post(
            url(patient, "allergies", allergy_id, "void"), {"reason": "again"}
        ).status_code
        == 409
    )
    # Once voided, the substance may be recorded again.
    assert clinician.post(url(patient, "allergies"), {"substance": "Penicillin"}).status_code == 201
    actions = list(
        AuditEvent.objects.filter(resource_type="allergy").values_list("action", flat=True)
    )
    assert sorted(actions) == sorted(
        [AuditAction.CREATE, AuditAction.UPDATE, AuditAction.VOID, AuditAction.CREATE]
    )


def test_allergy_status_entered_in_error_only_through_void(clinician, patient):
    response = clinician.post(
        url(patient, "allergies"), {"substance": "Latex", "status": "entered_in_error"}
    )
    assert response.status_code == 400


def test_allergy_bad_input(clinician, patient):
    assert clinician.post(url(patient, "allergies"), {"severity": "mild"}).status_code == 400
    bad = clinician.post(url(patient, "allergies"), {"substance": "Nuts", "severity": "deadly"})
    assert bad.status_code == 400
    assert "severity" in bad.data["fields"]
    missing = clinician.patch(url(patient, "allergies", "00000000-0000-0000-0000-000000000009"), {})
    assert missing.status_code == 404


def test_allergy_of_another_patient_is_not_reachable_through_this_chart(clinician, patient):
    other = AllergyFactory()
    response = clinician.patch(url(patient, "allergies", other.public_id), {"note": "x"})
    assert response.status_code == 404


def test_pharmacist_records_allergies_receptionist_cannot(client_for, patient):
    body = {"substance": "Aspirin"}
    assert client_for(Role.PHARMACIST).post(url(patient, "allergies"), body).status_code == 201
    assert client_for(Role.RECEPTIONIST).post(url(patient, "allergies"), body).status_code == 403
    assert client_for(Role.LAB_TECHNICIAN).post(url(patient, "allergies"), body).status_code == 403


def test_contacts(client_for, patient):
    desk = client_for(Role.RECEPTIONIST)
    first = desk.post(
        url(patient, "contacts"),
        {
            "name": "Rui Silva",
            "phone": "+351 900 000 001",
            "relationship": "spouse",
            "is_primary": True,
        },
        format="json",
    )
    assert first.status_code == 201, first.data
    second = desk.post(
        url(patient, "contacts"),
        {"name": "Eva Silva", "phone": "+351 900 000 002", "is_primary": True},
        format="json",
    )
    assert second.status_code == 201
    listed = desk.get(url(patient, "contacts")).data["results"]
    assert [(c["name"], c["is_primary"]) for c in listed] == [
        ("Eva Silva", True),
        ("Rui Silva", False),
    ]
    patched = desk.patch(url(patient, "contacts", first.data["id"]), {"phone": "+351 1"})
    assert patched.data["phone"] == "+351 1"
    desk.post(url(patient, "contacts", first.data["id"], "void"), {"reason": "Moved away"})
    assert desk.get(url(patient, "contacts")).data["count"] == 1
    assert EmergencyContact.all_objects.count() == 2
    assert desk.post(url(patient, "contacts"), {"name": "No phone"}).status_code == 400
    assert client_for(Role.PHARMACIST).get(url(patient, "contacts")).status_code == 403


def test_insurance_policy_number_encrypted_and_dates_checked(client_for, patient):
    desk = client_for(Role.ACCOUNTANT)
    body = {"payer": "Acme", "policy_number": "ACME-778899", "valid_from": "2025-01-01"}
    created = desk.post(url(patient, "insurance"), body, format="json")
    assert created.status_code == 201, created.data
    assert created.data["policy_number"] == "ACME-778899"
    policy = InsurancePolicy.objects.get(public_id=created.data["id"])
    assert policy.policy_number_hash
    backwards = desk.post(
        url(patient, "insurance"), {**body, "valid_until": "2024-12-31"}, format="json"
    )
    assert backwards.status_code == 400
    assert "valid_until" in backwards.data["fields"]
    wrong_type = desk.post(url(patient, "insurance"), {**body, "valid_from": 5}, format="json")
    assert wrong_type.status_code == 400
    patched = desk.patch(
        url(patient, "insurance", created.data["id"]), {"valid_until": "2026-12-31"}, format="json"
    )
    assert patched.status_code == 200
    assert patched.data["valid_until"] == "2026-12-31"
    voided = desk.post(
        url(patient, "insurance", created.data["id"], "void"), {"reason": "Cancelled"}
    )
    assert voided.data["voided"] is True
    assert voided.data["is_current"] is False
    assert client_for(Role.PHARMACIST).get(url(patient, "insurance")).status_code == 403
    assert client_for(Role.RECEPTIONIST).get(url(patient, "insurance")).status_code == 200


def test_records_cannot_be_deleted(client_for, patient):
    allergy = AllergyFactory(patient=patient)
    response = client_for(Role.PHARMACIST).delete(url(patient, "allergies", allergy.public_id))
    assert response.status_code in (403, 405)
    with pytest.raises(PermissionError):
        allergy.delete()
    assert Allergy.objects.filter(pk=allergy.pk, status=AllergyStatus.ACTIVE).exists()


@pytest.mark.usefixtures("without_partial_indexes")
class TestAllergiesWithoutPartialIndexes:
    """MySQL/MariaDB cannot hold the one-live-allergy-per-substance constraint: writers queue on
    the patient's row and the service refuses the duplicate itself."""

    def test_a_duplicate_is_refused_under_the_patient_lock(self, patient, doctor):
        allergy_create(actor=doctor, patient=patient, substance="Penicillin")
        with CaptureQueriesContext(connection) as ctx, pytest.raises(ConflictError) as error:
            allergy_create(actor=doctor, patient=patient, substance=" PENICILLIN ")
        assert error.value.code == "allergy_exists"
        assert_no_insert(ctx, "patients_allergy")
        assert_row_locked(ctx, "patients_patient")

    def test_renaming_onto_a_live_allergy_is_refused_and_a_voided_one_frees_it(
        self, patient, doctor
    ):
        latex = allergy_create(actor=doctor, patient=patient, substance="Latex")
        nuts = allergy_create(actor=doctor, patient=patient, substance="Nuts")
        with CaptureQueriesContext(connection) as ctx, pytest.raises(ConflictError) as error:
            allergy_update(actor=doctor, allergy=nuts, substance="latex")
        assert error.value.code == "allergy_exists"
        assert_row_locked(ctx, "patients_patient")
        allergy_void(actor=doctor, allergy=latex, reason="Entered for the wrong patient")
        renamed = allergy_update(actor=doctor, allergy=nuts, substance="latex")
        assert renamed.substance_norm == "latex"
