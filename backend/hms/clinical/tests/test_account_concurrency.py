"""Real threads (PostgreSQL, MySQL/MariaDB): an account being edited while its owner works.

An edit of a user row and a clinical write by that user meet on two locks: the user row
(the edit locks it; the clinical write's foreign keys to it are checked at commit) and the
audit chain head (both append an event). Taken in opposite orders they deadlock; the lock
order in hms.core.locks keeps them in one order, so every request answers and every answer
that said "written" was written exactly once.
"""

from collections import Counter

import pytest
from rest_framework.test import APIClient

from hms.accounts.models import User
from hms.accounts.tests.factories import UserFactory
from hms.clinical.models import VitalSigns
from hms.clinical.tests.factories import CareAssignmentFactory, DoctorFactory, PatientFactory
from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.core.tests.threads import run_at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("require_row_locks"),
]

ROUNDS = 4
PER_ROUND = 20  # half edit the account, half post vitals


def _client(user) -> APIClient:
    client = APIClient(raise_request_exception=False)  # a deadlock answers 500, as in service
    client.force_authenticate(user)
    return client


def _race(doctor, edit) -> dict:
    """ROUNDS rounds of PER_ROUND simultaneous requests: even threads call `edit(client, n)`,
    odd threads post vitals as the doctor with a pulse unique to the request."""
    patient = PatientFactory(user=UserFactory(role=Role.PATIENT))
    CareAssignmentFactory(patient=patient, doctor=doctor)
    as_doctor = _client(doctor)
    answers = {"edit": {}, "vitals": {}}
    for round_ in range(ROUNDS):

        def request(i, round_=round_):
            n = round_ * PER_ROUND + i
            if i % 2 == 0:
                answers["edit"][n] = edit(n).status_code
            else:
                pulse = 40 + n  # 41 .. 239: each request's own value
                answers["vitals"][pulse] = as_doctor.post(
                    "/api/vitals/",
                    {"patient": str(patient.public_id), "pulse": pulse, "spo2": 97},
                ).status_code

        results = run_at_once(PER_ROUND, request, timeout=60)
        assert not [r for r in results if isinstance(r, Exception)], results

    statuses = [*answers["edit"].values(), *answers["vitals"].values()]
    assert len(statuses) == ROUNDS * PER_ROUND
    assert set(statuses) == {200, 201}, Counter(statuses)  # no 500 among them

    written = sorted(VitalSigns.objects.filter(patient=patient).values_list("pulse", flat=True))
    assert written == sorted(answers["vitals"])  # every 201 written, once
    return answers


def test_admin_edits_a_doctors_account_while_the_doctor_posts_vitals():
    doctor = DoctorFactory()
    as_admin = _client(UserFactory(role=Role.ADMIN))

    def edit(n):
        # Every other edit renames the account: a key column, which takes the row's FOR UPDATE.
        change = {"username": f"doctor{n}"} if n % 4 else {"first_name": f"Name{n}"}
        return as_admin.patch(f"/api/users/{doctor.public_id}/", {**change, "phone": f"+1{n}"})

    answers = _race(doctor, edit)
    edits = AuditEvent.objects.filter(resource_type="user", object_id=str(doctor.public_id))
    assert edits.count() == len(answers["edit"])  # one event per 200, none lost or doubled
    assert User.objects.get(pk=doctor.pk).phone in {f"+1{n}" for n in answers["edit"]}


def test_profile_edits_mixed_with_other_writes_by_the_same_user():
    doctor = DoctorFactory()
    as_doctor = _client(doctor)

    def edit(n):
        return as_doctor.patch("/api/profile/", {"last_name": f"Surname{n}"})

    answers = _race(doctor, edit)
    edits = AuditEvent.objects.filter(resource_type="profile", actor=doctor)
    assert edits.count() == len(answers["edit"])
    assert User.objects.get(pk=doctor.pk).last_name in {f"Surname{n}" for n in answers["edit"]}
