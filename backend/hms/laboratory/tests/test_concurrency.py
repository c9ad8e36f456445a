"""Real threads (PostgreSQL, MySQL/MariaDB): the order row lock makes verification happen
once, a message delivered several times at once is applied once, and a filler number goes to
one order."""

import pytest
from rest_framework.test import APIClient

from hms.accounts.tests.factories import UserFactory
from hms.core.models import Notification
from hms.core.roles import Role
from hms.core.tests.threads import run_at_once
from hms.laboratory.models import Hl7Message, LabOrder, LabResult
from hms.laboratory.tests.test_hl7 import ALICE_MRN, CBC_ORU, ORDERED_AT, PLACER
from hms.patients.models import Patient

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("require_row_locks"),
]


def client(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_eight_technicians_verify_one_critical_result_at_once(resulted_order, doctor):
    order = resulted_order("K", {"K": "7.4"})
    verifiers = [UserFactory(role=Role.LAB_TECHNICIAN) for _ in range(8)]

    def verify(index):
        response = client(verifiers[index]).post(f"/api/lab/orders/{order.public_id}/verify/")
        return response.status_code, response.json().get("code")

    results = run_at_once(8, verify)
    statuses = sorted(status for status, _ in results)
    assert statuses.count(200) == 1, results
    assert statuses.count(409) == 7, results
    assert {code for status, code in results if status == 409} == {"nothing_to_verify"}
    # One verification, one critical alert for the doctor.
    assert Notification.objects.filter(recipient=doctor, kind="lab_critical_result").count() == 1
    assert LabResult.objects.filter(verified_at__isnull=False).count() == 1


def test_one_message_delivered_six_times_at_once_is_applied_once(make_order, alice, tech):
    Patient.objects.filter(pk=alice.pk).update(mrn=ALICE_MRN)
    order = make_order("CBC")
    # Ordered before the specimen the message reports (OBR-7, 07:45) was drawn.
    LabOrder.objects.filter(pk=order.pk).update(placer_number=PLACER, ordered_at=ORDERED_AT)

    def deliver(index):
        response = client(tech).post("/api/lab/hl7/", {"message": CBC_ORU}, format="json")
        return response.status_code, response.json().get("duplicate")

    results = run_at_once(6, deliver)
    assert [status for status, _ in results] == [200] * 6, results
    assert sorted(duplicate for _, duplicate in results) == [False] + [True] * 5
    assert Hl7Message.objects.count() == 1 and LabResult.objects.count() == 9


def test_six_orders_claiming_one_filler_number_at_once_one_gets_it(make_order, alice, tech):
    """The filler number is unique when given: by its partial unique constraint, or on
    MySQL/MariaDB by the import's check under the lab order table's lock."""
    Patient.objects.filter(pk=alice.pk).update(mrn=ALICE_MRN)
    orders = [make_order("CBC") for _ in range(6)]
    LabOrder.objects.filter(pk__in=[order.pk for order in orders]).update(ordered_at=ORDERED_AT)
    messages = [
        CBC_ORU.replace(PLACER, order.placer_number).replace(
            "MSG-20270301-0001", f"MSG-20270301-{index:04d}"
        )
        for index, order in enumerate(orders, start=10)
    ]

    def deliver(index):
        response = client(tech).post("/api/lab/hl7/", {"message": messages[index]}, format="json")
        return response.status_code

    results = run_at_once(6, deliver)
    assert sorted(results) == [200] + [422] * 5, results
    assert LabOrder.objects.filter(filler_number="XN-5521").count() == 1
    assert Hl7Message.objects.count() == 1
