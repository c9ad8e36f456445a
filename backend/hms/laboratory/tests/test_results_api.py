"""Entering, verifying and amending results; what reaches the doctor and the patient, when."""

from datetime import timedelta
from decimal import Decimal

import pytest

from hms.accounts.tests.factories import UserFactory
from hms.core.errors import ForbiddenError
from hms.core.models import AuditEvent, Notification
from hms.core.roles import Role
from hms.laboratory import services
from hms.laboratory.models import LabResult, LabTest, LabVerifierGrant

pytestmark = pytest.mark.django_db


class TestEntering:
    def test_compatibility_route_enters_flags_and_completes_a_single_test(
        self, as_user, tech, make_order
    ):
        order = services.lab_order_collect(actor=tech, order=make_order("K"))
        response = as_user(tech).put(
            "/api/lab/update-result/",
            {"order": str(order.public_id), "test": "K", "value": "2.4", "unit": "mmol/L"},
            format="json",
        )
        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["status"] == "resulted" and body["has_critical"] is True
        (result,) = body["results"]
        assert result["value"] == "2.4" and result["unit"] == "mmol/L"
        assert result["flag"] == "critical_low" and result["status"] == "pending"
        assert result["reference_range"] == "3.5-5.1" and result["range_basis"] == "any, age ≥ 1y"

    def test_panel_results_complete_the_order_when_every_analyte_is_in(
        self, as_user, tech, make_order
    ):
        order = services.lab_order_collect(actor=tech, order=make_order("LYTES"))
        client = as_user(tech)
        url = f"/api/lab/orders/{order.public_id}/results/"
        first = client.put(
            url,
            {"results": [{"test": "NA", "value": "139"}, {"test": "2823-3", "value": "5.6"}]},
            format="json",
        )
        assert first.json()["status"] == "in_progress"
        assert [r["flag"] for r in first.json()["results"]] == ["normal", "high"]
        rest = client.put(
            url,
            {"results": [{"test": "CL", "value": "101"}, {"test": "CO2", "value": "24"}]},
            format="json",
        )
        assert rest.json()["status"] == "resulted"
        # Reporting order follows the panel.
        assert [r["test"]["code"] for r in rest.json()["results"]] == ["NA", "K", "CL", "CO2"]

    def test_sex_and_age_on_the_collection_date_choose_the_range(
        self, tech, resulted_order, bob, other_doctor
    ):
        from hms.patients.tests.factories import CareAssignmentFactory

        CareAssignmentFactory(patient=bob, doctor=other_doctor)
        woman = resulted_order("HGB", {"HGB": "13.0"})
        man = services.lab_order_create(
            actor=other_doctor, patient=bob, tests=[LabTest.objects.get(code="HGB")]
        )[0]
        man = services.lab_order_collect(actor=tech, order=man)
        man = services.lab_results_enter(
            actor=tech, order=man, results=[services.ResultInput(test=man.test, value="13.0")]
        )
        assert woman.results.get().flag == "normal"  # 12.0-15.5 for women
        assert man.results.get().flag == "low"  # 13.5-17.5 for men

    def test_converted_units_and_unit_mismatch(self, as_user, tech, make_order):
        order = services.lab_order_collect(actor=tech, order=make_order("GLU"))
        client = as_user(tech)
        url = f"/api/lab/orders/{order.public_id}/results/"
        wrong = client.put(
            url, {"results": [{"test": "GLU", "value": "5.5", "unit": "g/L"}]}, format="json"
        )
        assert wrong.status_code == 400 and wrong.json()["code"] == "unit_mismatch"
        assert "unit" in wrong.json()["fields"]["results"]["0"]
        assert not LabResult.objects.exists()
        ok = client.put(
            url, {"results": [{"test": "GLU", "value": "2.1", "unit": "mmol/L"}]}, format="json"
        )
        (result,) = ok.json()["results"]
        assert (result["value"], result["unit"], result["flag"]) == ("38", "mg/dL", "critical_low")
        assert (result["reported_value"], result["reported_unit"]) == ("2.1", "mmol/L")

    def test_bad_values(self, as_user, tech, make_order):
        order = services.lab_order_collect(actor=tech, order=make_order("UA"))
        client = as_user(tech)
        url = f"/api/lab/orders/{order.public_id}/results/"
        cases = [
            ({"test": "UPRO", "value": "lots"}, "invalid_result"),
            ({"test": "USG", "value": "heavy"}, "invalid_result"),
            ({"test": "UPH", "value": "-1"}, "invalid_result"),
            ({"test": "HGB", "value": "12"}, "test_not_in_order"),
        ]
        for item, code in cases:
            response = client.put(url, {"results": [item]}, format="json")
            assert response.status_code == 400, (item, response.json())
            assert response.json()["code"] == code
        assert client.put(url, {"results": []}, format="json").status_code == 400
        unknown = client.put(url, {"results": [{"test": "ZZZ", "value": "1"}]}, format="json")
        assert unknown.status_code == 400

    def test_text_results_of_qualitative_tests(self, as_user, tech, make_order):
        order = services.lab_order_collect(actor=tech, order=make_order("UA"))
        values = {
            "UCOL": "Amber",
            "USG": "1.020",
            "UPH": "6.0",
            "UPRO": "Trace",
            "UGLU": "negative",
            "UKET": "negative",
            "UBLD": "negative",
            "UNIT": "positive",
            "ULEU": "2+",
            "UBIL": "negative",
        }
        response = as_user(tech).put(
            f"/api/lab/orders/{order.public_id}/results/",
            {"results": [{"test": k, "value": v} for k, v in values.items()]},
            format="json",
        )
        assert response.status_code == 200, response.json()
        flags = {r["test"]["code"]: (r["value"], r["flag"]) for r in response.json()["results"]}
        assert flags["UPRO"] == ("trace", "abnormal")  # stored as the catalog spells it
        assert flags["UGLU"] == ("negative", "normal")
        assert flags["UNIT"] == ("positive", "abnormal")
        assert flags["UCOL"] == ("Amber", "")  # free text, no normal list
        assert flags["USG"] == ("1.02", "normal")
        assert response.json()["status"] == "resulted"

    def test_correction_before_verification_keeps_the_history(self, as_user, tech, resulted_order):
        order = resulted_order("K", {"K": "7.9"})
        response = as_user(tech).put(
            f"/api/lab/orders/{order.public_id}/results/",
            {"results": [{"test": "K", "value": "4.1", "comment": "Haemolysed; redrawn"}]},
            format="json",
        )
        (result,) = response.json()["results"]
        assert (result["value"], result["flag"], result["version"]) == ("4.1", "normal", 1)
        assert response.json()["has_critical"] is False
        stored = LabResult.objects.get()
        assert [h.value_numeric for h in stored.history.order_by("history_id")] == [
            Decimal("7.9000"),
            Decimal("4.1000"),
        ]

    @pytest.mark.parametrize("role", [Role.DOCTOR, Role.NURSE, Role.RECEPTIONIST, Role.PATIENT])
    def test_only_lab_technicians_enter_results(self, client_for, tech, make_order, role):
        order = services.lab_order_collect(actor=tech, order=make_order("K"))
        response = client_for(role).put(
            f"/api/lab/orders/{order.public_id}/results/",
            {"results": [{"test": "K", "value": "4.1"}]},
            format="json",
        )
        assert response.status_code == 403
        with pytest.raises(ForbiddenError):
            services.lab_results_enter(
                actor=UserFactory(role=role),
                order=order,
                results=[services.ResultInput(test=order.test, value="4")],
            )


class TestRelease:
    def test_results_reach_doctor_and_patient_only_once_verified(
        self, as_user, tech, tech2, doctor, alice, resulted_order
    ):
        order = resulted_order("HGB", {"HGB": "6.5"})
        url = f"/api/lab/orders/{order.public_id}/"
        for user in (doctor, alice.user):
            body = as_user(user).get(url).json()
            assert body["results"] == [] and body["results_released"] is False
            assert body["has_critical"] is False  # not even the hint before verification
        assert as_user(tech).get(url).json()["results"][0]["value"] == "6.5"
        assert not Notification.objects.exists()

        as_user(tech2).post(f"{url}verify/")
        for user in (doctor, alice.user):
            body = as_user(user).get(url).json()
            assert body["results_released"] is True
            assert [(r["value"], r["flag"]) for r in body["results"]] == [("6.5", "critical_low")]
        portal = as_user(alice.user).get("/api/lab/orders/").json()["results"][0]
        assert portal["results"][0]["status"] == "verified"

    def test_critical_result_notifies_the_ordering_doctor(
        self, as_user, tech, tech2, doctor, alice, resulted_order
    ):
        order = resulted_order("HGB", {"HGB": "6.5"})
        as_user(tech2).post(f"/api/lab/orders/{order.public_id}/verify/")
        critical = Notification.objects.get(kind="lab_critical_result")
        assert critical.recipient == doctor and critical.severity == "critical"
        assert "Hemoglobin 6.5 g/dL" in critical.title and alice.mrn in critical.title
        assert "below 7" in critical.body
        assert critical.link == f"/api/lab/orders/{order.public_id}/"
        assert critical.patient_id == str(alice.public_id)
        ready = Notification.objects.get(kind="lab_result_verified")
        assert ready.recipient == doctor and ready.severity == "info"
        inbox = as_user(doctor).get("/api/notifications/").json()
        assert {n["kind"] for n in inbox["results"]} >= {"lab_critical_result"}

    def test_normal_results_do_not_raise_a_critical_alert(self, as_user, tech2, resulted_order):
        order = resulted_order("HGB", {"HGB": "13.0"})
        as_user(tech2).post(f"/api/lab/orders/{order.public_id}/verify/")
        assert not Notification.objects.filter(kind="lab_critical_result").exists()

    def test_turnaround_is_recorded(self, as_user, tech2, resulted_order, frozen_now):
        order = resulted_order("K", {"K": "4.0"})
        frozen_now.shift(timedelta(hours=2, minutes=5))
        body = as_user(tech2).post(f"/api/lab/orders/{order.public_id}/verify/").json()
        assert body["status"] == "verified" and body["turnaround_minutes"] == 125
        assert body["verified_by"]["id"] == str(tech2.public_id)
        event = AuditEvent.objects.filter(resource_type="lab_result").first()
        assert event.detail["turnaround_minutes"] == 125


class TestSecondPerson:
    def test_the_technician_who_entered_cannot_verify(self, as_user, tech, resulted_order):
        order = resulted_order("K", {"K": "4.0"})
        response = as_user(tech).post(f"/api/lab/orders/{order.public_id}/verify/")
        assert response.status_code == 403
        assert response.json()["code"] == "second_person_required"
        order.refresh_from_db()
        assert order.status == "resulted"

    def test_a_grant_allows_self_verification_until_revoked(
        self, as_user, admin_client, tech, resulted_order
    ):
        order = resulted_order("K", {"K": "4.0"})
        grant = admin_client.post(
            "/api/lab/verifier-grants/",
            {"user": str(tech.public_id), "reason": "Single-handed night shift"},
            format="json",
        )
        assert grant.status_code == 201, grant.json()
        again = admin_client.post(
            "/api/lab/verifier-grants/",
            {"user": str(tech.public_id), "reason": "twice"},
            format="json",
        )
        assert again.status_code == 409
        response = as_user(tech).post(f"/api/lab/orders/{order.public_id}/verify/")
        assert response.status_code == 200 and response.json()["status"] == "verified"
        event = AuditEvent.objects.filter(resource_type="lab_result").first()
        assert event.detail["self_verified"] is True

        admin_client.post(f"/api/lab/verifier-grants/{grant.json()['id']}/revoke/")
        assert LabVerifierGrant.objects.get().revoked_at is not None
        second = resulted_order("K", {"K": "4.2"})
        denied = as_user(tech).post(f"/api/lab/orders/{second.public_id}/verify/")
        assert denied.status_code == 403

    def test_grants_only_for_lab_technicians_and_only_by_admins(
        self, admin_client, client_for, doctor, tech
    ):
        response = admin_client.post(
            "/api/lab/verifier-grants/",
            {"user": str(doctor.public_id), "reason": "Pathologist"},
            format="json",
        )
        assert response.status_code == 400 and response.json()["code"] == "not_lab_technician"
        as_tech = client_for(Role.LAB_TECHNICIAN, user=tech)
        assert (
            as_tech.post(
                "/api/lab/verifier-grants/", {"user": str(tech.public_id), "reason": "me"}
            ).status_code
            == 403
        )

    @pytest.mark.parametrize("role", [Role.DOCTOR, Role.NURSE, Role.ADMIN])
    def test_only_lab_technicians_verify(self, client_for, resulted_order, role):
        order = resulted_order("K", {"K": "4.0"})
        response = client_for(role).post(f"/api/lab/orders/{order.public_id}/verify/")
        assert response.status_code == 403


class TestAmendment:
    @pytest.fixture
    def verified(self, tech2, resulted_order):
        order = resulted_order("K", {"K": "4.0"})
        return services.lab_order_verify(actor=tech2, order=order)

    def test_amendment_keeps_the_original_and_is_released_once_verified(
        self, as_user, tech, tech2, doctor, verified
    ):
        original = verified.results.get()
        client = as_user(tech)
        response = client.post(
            f"/api/lab/results/{original.public_id}/amend/",
            {"value": "6.8", "reason": "Transcription error: wrong sample rack"},
            format="json",
        )
        assert response.status_code == 201, response.json()
        amendment = response.json()
        assert amendment["version"] == 2 and amendment["status"] == "pending"
        assert amendment["amends"] == str(original.public_id)
        assert amendment["flag"] == "critical_high"

        # Not released yet: the doctor still sees the verified original only.
        url = f"/api/lab/orders/{verified.public_id}/"
        seen = as_user(doctor).get(url).json()["results"]
        assert [(r["value"], r["status"]) for r in seen] == [("4", "verified")]
        # The lab sees both versions.
        lab_view = client.get(url).json()["results"]
        assert [(r["version"], r["status"]) for r in lab_view] == [(1, "verified"), (2, "pending")]

        # The technician who amended cannot verify it; a second one can.
        assert client.post(f"{url}verify/").status_code == 403
        verified_again = as_user(tech2).post(f"{url}verify/")
        assert verified_again.status_code == 200, verified_again.json()
        assert verified_again.json()["status"] == "verified"

        seen = as_user(doctor).get(url).json()["results"]
        assert [(r["value"], r["status"]) for r in seen] == [
            ("4", "superseded"),
            ("6.8", "verified"),
        ]
        original.refresh_from_db()
        assert original.value_numeric == Decimal("4.0000") and original.superseded_at
        kinds = set(Notification.objects.values_list("kind", flat=True))
        assert {"lab_result_amended", "lab_critical_result"} <= kinds

    def test_amend_rules(self, as_user, tech, tech2, resulted_order, verified):
        client = as_user(tech)
        unverified = resulted_order("K", {"K": "4.0"}).results.get()
        early = client.post(
            f"/api/lab/results/{unverified.public_id}/amend/",
            {"value": "4.4", "reason": "typo"},
            format="json",
        )
        assert early.status_code == 409 and early.json()["code"] == "not_verified"
        original = verified.results.get()
        no_reason = client.post(
            f"/api/lab/results/{original.public_id}/amend/", {"value": "4.4"}, format="json"
        )
        assert no_reason.status_code == 400
        url = f"/api/lab/results/{original.public_id}/amend/"
        assert client.post(url, {"value": "4.4", "reason": "typo"}).status_code == 201
        twice = client.post(url, {"value": "4.5", "reason": "typo"})
        assert twice.status_code == 409 and twice.json()["code"] == "amendment_pending"
        entering = client.put(
            f"/api/lab/orders/{verified.public_id}/results/",
            {"results": [{"test": "K", "value": "4.6"}]},
            format="json",
        )
        assert entering.status_code == 409 and entering.json()["code"] == "already_verified"

    @pytest.mark.parametrize("role", [Role.DOCTOR, Role.NURSE, Role.PATIENT])
    def test_only_lab_technicians_amend(self, client_for, verified, role):
        result = verified.results.get()
        response = client_for(role).post(
            f"/api/lab/results/{result.public_id}/amend/", {"value": "5", "reason": "x y z"}
        )
        assert response.status_code == 403

    def test_results_are_never_deleted(self, verified):
        with pytest.raises(PermissionError):
            verified.results.get().delete()
