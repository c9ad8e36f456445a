"""Lab orders and verified results on the patient timeline; the ordering doctor's chart access."""

from datetime import timedelta

import pytest

from hms.accounts.tests.factories import UserFactory
from hms.core.roles import Role
from hms.laboratory import services
from hms.laboratory.models import LabTest

pytestmark = pytest.mark.django_db


def timeline(client, patient, **params):
    response = client.get(f"/api/patients/{patient.public_id}/timeline/", params)
    assert response.status_code == 200, response.json()
    return response.json()["results"]


class TestTimeline:
    def test_orders_and_only_verified_results_appear(
        self, as_user, doctor, alice, tech, tech2, resulted_order
    ):
        order = resulted_order("K", {"K": "2.5"})
        client = as_user(doctor)
        entries = timeline(client, alice, type="lab_order,lab_result")
        assert [e["type"] for e in entries] == ["lab_order"]
        assert entries[0]["title"] == "Lab order: Potassium"
        assert entries[0]["detail"]["placer_number"] == order.placer_number

        services.lab_order_verify(actor=tech2, order=order)
        entries = timeline(client, alice, type="lab_result")
        assert [e["title"] for e in entries] == ["Potassium: 2.5 mmol/L (critically low)"]
        # The patient sees their own verified results on their timeline too.
        assert timeline(as_user(alice.user), alice, type="lab_result")[0]["detail"]["flag"] == (
            "critical_low"
        )

    def test_amended_and_cancelled_entries_are_voided(
        self, as_user, doctor, alice, tech, tech2, resulted_order, make_order, frozen_now
    ):
        order = services.lab_order_verify(actor=tech2, order=resulted_order("K", {"K": "4.0"}))
        frozen_now.shift(timedelta(minutes=30))
        amendment = services.lab_result_amend(
            actor=tech, result=order.results.get(), value="4.4", reason="Wrong sample"
        )
        services.lab_order_verify(actor=tech2, order=order)
        services.lab_order_cancel(actor=doctor, order=make_order("TSH"), reason="Not needed")
        client = as_user(doctor)
        shown = timeline(client, alice, type="lab_order,lab_result")
        assert {e["id"] for e in shown if e["type"] == "lab_result"} == {str(amendment.public_id)}
        everything = timeline(client, alice, type="lab_order,lab_result", include_voided="true")
        voided = {e["title"]: e["void_reason"] for e in everything if e["voided"]}
        assert voided == {
            "Potassium: 4 mmol/L (normal)": "Replaced by an amended result",
            "Lab order: Thyrotropin (TSH)": "Not needed",
        }


class TestCare:
    def test_the_ordering_doctor_keeps_chart_access(self, as_user, doctor, alice):
        # A doctor with no other relationship to the patient, named by the front desk.
        ordering = UserFactory(role=Role.DOCTOR)
        chart = f"/api/lab/orders/?patient={alice.public_id}"
        assert as_user(ordering).get(chart).status_code == 403
        reception = as_user(UserFactory(role=Role.RECEPTIONIST))
        response = reception.post(
            "/api/lab/request/",
            {
                "patient": str(alice.public_id),
                "test": "CBC",
                "ordering_doctor": str(ordering.public_id),
            },
            format="json",
        )
        assert response.status_code == 201
        assert as_user(ordering).get(chart).status_code == 200
        order_id = response.json()["orders"][0]["id"]
        assert as_user(ordering).get(f"/api/lab/orders/{order_id}/").status_code == 200

    def test_access_ends_90_days_after_verification(self, as_user, alice, tech, tech2, frozen_now):
        ordering = UserFactory(role=Role.DOCTOR)
        (order,) = services.lab_order_create(
            actor=UserFactory(role=Role.RECEPTIONIST),
            patient=alice,
            tests=[LabTest.objects.get(code="K")],
            ordering_doctor=ordering,
        )
        order = services.lab_order_collect(actor=tech, order=order)
        order = services.lab_results_enter(
            actor=tech, order=order, results=[services.ResultInput(test=order.test, value="4")]
        )
        services.lab_order_verify(actor=tech2, order=order)
        url = f"/api/lab/orders/{order.public_id}/"
        frozen_now.shift(timedelta(days=89))
        assert as_user(ordering).get(url).status_code == 200
        frozen_now.shift(timedelta(days=2))
        response = as_user(ordering).get(url)
        assert response.status_code == 403
        assert response.json()["code"] == "break_glass_required"
