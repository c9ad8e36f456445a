"""Every list endpoint costs the same number of queries for 1 row and for 50.

Counts are taken after a warm-up request, so the audit chain's head row already exists.
An audited read costs 5 queries: SAVEPOINT, SELECT chain head FOR UPDATE, INSERT event,
UPDATE head, RELEASE SAVEPOINT.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hms.accounts.tests.factories import DoctorProfileFactory
from hms.core.roles import Role
from hms.core.tests.query_budget import AUDIT_WRITE
from hms.patients.models import BreakGlassGrant
from hms.patients.tests.factories import (
    AllergyFactory,
    CareAssignmentFactory,
    ContactFactory,
    InsurancePolicyFactory,
    PatientFactory,
)

pytestmark = pytest.mark.django_db

AUDIT = AUDIT_WRITE


def _queries(client, url: str, params: dict | None = None) -> tuple[int, list[str]]:
    client.get(url, params)  # warm-up
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, response.data
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def _rows(client, url, params=None) -> int:
    return client.get(url, params).data["count"]


def _assert_flat(build, expected: int):
    """build(n) -> (client, url, params) with n rows to list."""
    counts = {}
    for n in (1, 50):
        client, url, params = build(n)
        assert _rows(client, url, params) == n
        counts[n], sql = _queries(client, url, params)
    assert counts[1] == counts[50] == expected, (counts, sql)


def test_patient_list(client_for):
    def build(n):
        PatientFactory.create_batch(n - PatientFactory._meta.model.objects.count())
        return client_for(Role.RECEPTIONIST), "/api/patients/", None

    # COUNT, page SELECT, audit of the page (5).
    _assert_flat(build, 2 + AUDIT)


def test_patient_search(client_for):
    def build(n):
        existing = PatientFactory._meta.model.objects.count()
        for _ in range(n - existing):
            PatientFactory(last_name="Smithson")
        return client_for(Role.RECEPTIONIST), "/api/patients/", {"q": "smith"}

    # COUNT of the last-name tier, COUNT of the first-name tier, page SELECT from the
    # last-name tier (the first-name tier is empty, so it is not read), audit (5).
    _assert_flat(build, 3 + AUDIT)


def test_patients_in_my_care(client_for, doctor):
    def build(n):
        for _ in range(n - doctor.care_assignments.count()):
            CareAssignmentFactory(doctor=doctor)
        return client_for(Role.DOCTOR, user=doctor), "/api/patients/", {"in_my_care": "true"}

    # COUNT and page SELECT (care relationships are subqueries), audit (5).
    _assert_flat(build, 2 + AUDIT)


def test_doctor_my_patients(client_for, doctor):
    def build(n):
        for _ in range(n - doctor.care_assignments.count()):
            CareAssignmentFactory(doctor=doctor)
        return client_for(Role.DOCTOR, user=doctor), "/api/doctors/me/patients/", None

    # COUNT, page SELECT, audit (5).
    _assert_flat(build, 2 + AUDIT)


def test_doctor_directory(client_for):
    from hms.accounts.models import DoctorProfile

    def build(n):
        DoctorProfileFactory.create_batch(n - DoctorProfile.objects.count())
        return client_for(Role.PATIENT), "/api/doctors/", None

    # COUNT, page SELECT joined with the user. Not patient data: no audit.
    _assert_flat(build, 2)


@pytest.mark.parametrize(
    ("kind", "factory", "role"),
    [
        ("contacts", ContactFactory, Role.RECEPTIONIST),
        ("insurance", InsurancePolicyFactory, Role.ACCOUNTANT),
        ("allergies", AllergyFactory, Role.PHARMACIST),
    ],
)
def test_chart_record_lists(client_for, patient, kind, factory, role):
    def build(n):
        existing = factory._meta.model.objects.count()
        factory.create_batch(n - existing, patient=patient)
        return client_for(role), f"/api/patients/{patient.public_id}/{kind}/", None

    # SELECT patient, audit of the section read (5), COUNT, page SELECT.
    _assert_flat(build, 1 + AUDIT + 2)


def test_allergy_list_for_a_doctor_checks_care_once(client_for, doctor, patient, assign):
    assign(patient, doctor)

    def build(n):
        AllergyFactory.create_batch(n - patient.allergies.count(), patient=patient)
        return (
            client_for(Role.DOCTOR, user=doctor),
            f"/api/patients/{patient.public_id}/allergies/",
            None,
        )

    # SELECT patient, care relationship EXISTS, audit (5), COUNT, page SELECT.
    _assert_flat(build, 2 + AUDIT + 2)


def test_care_team(client_for, patient):
    def build(n):
        for _ in range(n - patient.care_assignments.count()):
            CareAssignmentFactory(patient=patient, doctor=DoctorProfileFactory().user)
        return client_for(Role.RECEPTIONIST), f"/api/patients/{patient.public_id}/care-team/", None

    # SELECT patient, audit (5), COUNT, page SELECT joined with doctor and assigner.
    _assert_flat(build, 1 + AUDIT + 2)


def test_break_glass_review_list(client_for, make_user):
    def build(n):
        for _ in range(n - BreakGlassGrant.objects.count()):
            BreakGlassGrant.objects.create(
                user=make_user(Role.DOCTOR),
                patient=PatientFactory(),
                reason="Emergency in the ER",
                expires_at=timezone.now() + timedelta(hours=12),
            )
        return client_for(Role.ADMIN), "/api/audit/break-glass/", None

    # COUNT, page SELECT joined with user, patient and reviewer, then the read's audit event.
    _assert_flat(build, 2 + AUDIT)


def test_patient_detail(client_for, doctor, patient, assign):
    url = f"/api/patients/{patient.public_id}/"
    # SELECT patient, audit (5).
    assert _queries(client_for(Role.RECEPTIONIST), url)[0] == 1 + AUDIT
    # ...plus, for a doctor, the care relationship EXISTS for the `access` summary; not in
    # care, also the break-the-glass grant lookup.
    doctor_client = client_for(Role.DOCTOR, user=doctor)
    assert _queries(doctor_client, url)[0] == 1 + AUDIT + 2
    assign(patient, doctor)
    assert _queries(doctor_client, url)[0] == 1 + AUDIT + 1
