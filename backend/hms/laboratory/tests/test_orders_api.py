"""Ordering (compatibility routes), the worklist, status transitions and who may do what."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hms.accounts.tests.factories import UserFactory
from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.laboratory import services
from hms.laboratory.models import LabOrder, LabTest
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory

pytestmark = pytest.mark.django_db


class TestRequest:
    @pytest.mark.parametrize("url", ["/api/lab/request/", "/api/patients/request-lab/"])
    def test_doctor_orders_for_a_patient_in_their_care(self, url, as_user, doctor, alice):
        response = as_user(doctor).post(
            url,
            {"patient": str(alice.public_id), "tests": ["CBC", "2345-7"], "priority": "stat"},
            format="json",
        )
        assert response.status_code == 201, response.json()
        orders = response.json()["orders"]
        assert [o["test"]["code"] for o in orders] == ["CBC", "GLU"]
        first = orders[0]
        assert first["status"] == "ordered" and first["priority"] == "stat"
        assert first["ordering_doctor"]["id"] == str(doctor.public_id)
        assert first["placer_number"].startswith("LO") and len(first["placer_number"]) == 12
        assert first["results"] == [] and first["results_released"] is False
        events = AuditEvent.objects.filter(resource_type="lab_order", action="create")
        assert events.count() == 2 and events.first().patient_id == str(alice.public_id)

    def test_receptionist_orders_naming_the_doctor(self, as_user, doctor, alice):
        reception = as_user(UserFactory(role=Role.RECEPTIONIST))
        body = {"patient": str(alice.public_id), "test": "TSH"}
        missing = reception.post("/api/lab/request/", body, format="json")
        assert missing.status_code == 400 and "ordering_doctor" in missing.json()["fields"]
        response = reception.post(
            "/api/lab/request/", {**body, "ordering_doctor": str(doctor.public_id)}, format="json"
        )
        assert response.status_code == 201, response.json()
        assert response.json()["orders"][0]["ordering_doctor"]["id"] == str(doctor.public_id)

    def test_a_doctor_orders_in_their_own_name(self, as_user, doctor, other_doctor, alice):
        response = as_user(doctor).post(
            "/api/lab/request/",
            {
                "patient": str(alice.public_id),
                "test": "TSH",
                "ordering_doctor": str(other_doctor.public_id),
            },
            format="json",
        )
        assert response.status_code == 400 and response.json()["code"] == "not_your_order"

    def test_nurse_orders_for_a_patient_in_care(self, as_user, doctor, alice):
        nurse = UserFactory(role=Role.NURSE)
        body = {
            "patient": str(alice.public_id),
            "test": "K",
            "ordering_doctor": str(doctor.public_id),
        }
        # A nurse needs the patient in their care like any clinician (or breaks the glass).
        denied = as_user(nurse).post("/api/lab/request/", body, format="json")
        assert denied.status_code == 403 and denied.json()["code"] == "break_glass_required"
        glass = as_user(nurse).post(
            f"/api/patients/{alice.public_id}/break-glass/",
            {"reason": "Deteriorating on the ward, potassium needed now"},
            format="json",
        )
        assert glass.status_code == 201, glass.json()
        assert as_user(nurse).post("/api/lab/request/", body, format="json").status_code == 201

    def test_doctor_outside_the_care_relationship_must_break_the_glass(
        self, as_user, other_doctor, alice
    ):
        response = as_user(other_doctor).post(
            "/api/lab/request/", {"patient": str(alice.public_id), "test": "CBC"}, format="json"
        )
        assert response.status_code == 403
        assert response.json()["code"] == "break_glass_required"
        assert not LabOrder.objects.exists()

    @pytest.mark.parametrize(
        "role", [Role.PATIENT, Role.PHARMACIST, Role.LAB_TECHNICIAN, Role.ACCOUNTANT]
    )
    def test_roles_that_do_not_order_get_403(self, client_for, alice, role):
        response = client_for(role).post(
            "/api/lab/request/", {"patient": str(alice.public_id), "test": "CBC"}, format="json"
        )
        assert response.status_code == 403

    def test_unknown_patient_test_and_bad_input(self, as_user, doctor, alice):
        client = as_user(doctor)
        unknown = client.post(
            "/api/lab/request/", {"patient": str(uuid.uuid4()), "test": "CBC"}, format="json"
        )
        assert unknown.status_code == 404
        bad_test = client.post(
            "/api/lab/request/", {"patient": str(alice.public_id), "test": "XYZ"}, format="json"
        )
        assert bad_test.status_code == 400 and "tests" in bad_test.json()["fields"]
        bad_priority = client.post(
            "/api/lab/request/",
            {"patient": str(alice.public_id), "test": "CBC", "priority": "asap"},
            format="json",
        )
        assert bad_priority.status_code == 400 and "priority" in bad_priority.json()["fields"]
        twice = client.post(
            "/api/lab/request/",
            {"patient": str(alice.public_id), "tests": ["CBC", "58410-2"]},
            format="json",
        )
        assert twice.status_code == 400 and twice.json()["code"] == "duplicate_test"
        assert not LabOrder.objects.exists()


class TestChartSide:
    def test_patient_sees_own_orders_and_404_for_anothers(
        self, as_user, make_order, alice, bob, other_doctor
    ):
        own = make_order("CBC")
        CareAssignmentFactory(patient=bob, doctor=other_doctor)
        others = make_order("CBC", patient=bob, actor=other_doctor)
        client = as_user(alice.user)
        listing = client.get("/api/lab/orders/").json()
        assert [o["id"] for o in listing["results"]] == [str(own.public_id)]
        assert client.get(f"/api/lab/orders/{own.public_id}/").status_code == 200
        assert client.get(f"/api/lab/orders/{others.public_id}/").status_code == 404
        assert client.get("/api/lab/orders/", {"patient": str(bob.public_id)}).status_code == 404

    def test_doctor_lists_a_patients_orders_and_their_own(self, as_user, doctor, make_order, alice):
        make_order("TSH")
        client = as_user(doctor)
        by_patient = client.get("/api/lab/orders/", {"patient": str(alice.public_id)}).json()
        mine = client.get("/api/lab/orders/", {"mine": "true"}).json()
        assert by_patient["count"] == mine["count"] == 1


class TestWorklist:
    def test_lab_sees_every_order_stat_first(self, as_user, tech, make_order, bob, other_doctor):
        routine = make_order("CBC")
        CareAssignmentFactory(patient=bob, doctor=other_doctor)
        stat = make_order("K", patient=bob, actor=other_doctor, priority="stat")
        urgent = make_order("GLU", priority="urgent")
        body = as_user(tech).get("/api/lab/").json()
        assert [o["id"] for o in body["results"]] == [
            str(o.public_id) for o in (stat, urgent, routine)
        ]
        event = AuditEvent.objects.filter(resource_type="lab_worklist").first()
        assert event.detail["count"] == 3 and len(event.detail["patients"]) == 2

    def test_filters(self, as_user, tech, make_order, frozen_now):
        from datetime import timedelta

        first = make_order("CBC")
        services.lab_order_collect(actor=tech, order=first)
        frozen_now.shift(timedelta(days=1))
        make_order("TSH", priority="urgent")
        client = as_user(tech)

        def ids(**params):
            return [o["test"]["code"] for o in client.get("/api/lab/", params).json()["results"]]

        assert ids(status="specimen_collected") == ["CBC"]
        assert ids(status="ordered,specimen_collected") == ["TSH", "CBC"]
        assert ids(priority="urgent") == ["TSH"]
        assert ids(date="2027-03-01") == ["CBC"]
        assert ids(date_from="2027-03-02") == ["TSH"]
        assert ids(test="58410-2") == ["CBC"]
        assert ids(q=first.placer_number) == ["CBC"]
        assert client.get("/api/lab/", {"status": "done"}).status_code == 400
        assert client.get("/api/lab/", {"date": "yesterday"}).status_code == 400

    @pytest.mark.parametrize("role", [Role.DOCTOR, Role.NURSE, Role.PATIENT, Role.RECEPTIONIST])
    def test_only_the_lab_has_the_worklist(self, client_for, role):
        assert client_for(role).get("/api/lab/").status_code == 403

    def test_worklist_query_count_is_flat(self, as_user, tech, doctor):
        client = as_user(tech)

        def count():
            with CaptureQueriesContext(connection) as ctx:
                response = client.get("/api/lab/", {"page_size": 100})
                assert response.status_code == 200
            return len(ctx.captured_queries), response.json()["count"]

        def add(n):
            for i in range(n):
                patient = PatientFactory()
                (order,) = services.lab_order_create(
                    actor=doctor,
                    patient=patient,
                    tests=[LabTest.objects.get(code="CBC" if i % 2 else "K")],
                )
                if i % 3 == 0:
                    order = services.lab_order_collect(actor=tech, order=order)

        add(1)
        count()  # warm up: the first audit event also creates the chain's head row
        one, _ = count()
        add(49)
        many, total = count()
        # COUNT; the page (patient, test, doctors, verifier, encounter joined); the panels'
        # components; the results (with test, enterer, verifier); the audit write (savepoint,
        # chain head lock, insert, head update, release).
        assert total == 50
        assert many == one, (one, many)

    def test_chart_list_query_count_is_flat(self, as_user, doctor, alice, tech):
        client = as_user(doctor)

        def count():
            with CaptureQueriesContext(connection) as ctx:
                response = client.get("/api/lab/orders/", {"mine": "true", "page_size": 100})
                assert response.status_code == 200
            return len(ctx.captured_queries)

        def add(n):
            for _ in range(n):
                (order,) = services.lab_order_create(
                    actor=doctor, patient=alice, tests=[LabTest.objects.get(code="K")]
                )
                order = services.lab_order_collect(actor=tech, order=order)
                services.lab_results_enter(
                    actor=tech,
                    order=order,
                    results=[services.ResultInput(test=order.test, value="4.2")],
                )

        add(1)
        count()
        one = count()
        add(49)
        assert count() == one


class TestTransitions:
    def test_the_flow_and_invalid_steps(self, as_user, tech, make_order):
        order = make_order("K")
        client = as_user(tech)
        url = f"/api/lab/orders/{order.public_id}"
        early = client.put(f"{url}/results/", {"results": [{"test": "K", "value": "4"}]})
        assert early.status_code == 409 and early.json()["code"] == "invalid_transition"
        assert early.json()["message"] == (
            "Results cannot be entered for an ordered order (record the specimen collection first)."
        )
        assert client.post(f"{url}/verify/").json()["code"] == "invalid_transition"
        collected = client.post(f"{url}/collect/", {"collected_at": "2027-03-01T08:00:00Z"})
        assert collected.json()["status"] == "specimen_collected"
        assert client.post(f"{url}/collect/").status_code == 409
        assert client.post(f"{url}/start/").json()["status"] == "in_progress"
        assert client.post(f"{url}/start/").status_code == 409

    def test_collection_in_the_future_is_refused(self, as_user, tech, make_order):
        order = make_order("K")
        response = as_user(tech).post(
            f"/api/lab/orders/{order.public_id}/collect/", {"collected_at": "2027-03-02T08:00:00Z"}
        )
        assert response.status_code == 400 and "collected_at" in response.json()["fields"]

    def test_collection_before_the_order_is_refused(self, as_user, tech, make_order):
        # Ordered now (1 March 2027, 08:00); a specimen "collected" 18 years earlier.
        order = make_order("K")
        response = as_user(tech).post(
            f"/api/lab/orders/{order.public_id}/collect/", {"collected_at": "2009-03-01T08:00:00Z"}
        )
        assert response.status_code == 400, response.json()
        assert "before the order" in response.json()["fields"]["collected_at"][0]
        order.refresh_from_db()
        assert order.status == "ordered" and order.collected_at is None

    def test_collection_a_few_minutes_before_the_order_clock_is_accepted(
        self, as_user, tech, make_order
    ):
        # The ward's device clock runs two minutes behind the server's.
        order = make_order("K")
        response = as_user(tech).post(
            f"/api/lab/orders/{order.public_id}/collect/", {"collected_at": "2027-03-01T07:58:00Z"}
        )
        assert response.status_code == 200, response.json()

    def test_cancel_needs_a_reason_and_is_final(self, as_user, doctor, make_order):
        order = make_order("CBC")
        client = as_user(doctor)
        url = f"/api/lab/orders/{order.public_id}/cancel/"
        assert client.post(url, {}).status_code == 400
        response = client.post(url, {"reason": "Ordered on the wrong patient"})
        assert response.status_code == 200 and response.json()["status"] == "cancelled"
        assert client.post(url, {"reason": "again"}).json()["code"] == "invalid_transition"
        event = AuditEvent.objects.filter(resource_type="lab_order", action="void").get()
        assert event.detail["reason"] == "Ordered on the wrong patient"

    def test_a_resulted_order_cannot_be_cancelled(self, as_user, doctor, resulted_order):
        order = resulted_order("K", {"K": "4.0"})
        response = as_user(doctor).post(
            f"/api/lab/orders/{order.public_id}/cancel/", {"reason": "Not needed"}
        )
        assert response.status_code == 409

    def test_nothing_is_deleted(self, make_order):
        with pytest.raises(PermissionError):
            make_order("CBC").delete()


class TestDetailAndCatalog:
    def test_detail_query_count_does_not_grow_with_results(self, as_user, tech, resulted_order):
        client = as_user(tech)
        small = resulted_order("K", {"K": "4.1"})
        big = resulted_order(
            "UA",
            {
                "UCOL": "yellow",
                "USG": "1.015",
                "UPH": "6",
                "UPRO": "negative",
                "UGLU": "negative",
                "UKET": "negative",
                "UBLD": "negative",
                "UNIT": "negative",
                "ULEU": "negative",
                "UBIL": "negative",
            },
        )

        def count(order):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(f"/api/lab/orders/{order.public_id}/")
                assert response.status_code == 200
            return len(ctx.captured_queries), len(response.json()["results"])

        count(small)  # warm up the audit chain head
        # The order (patient, test, doctors joined); panel components; results; the audit.
        assert count(small)[0] == count(big)[0]
        assert count(big)[1] == 10

    def test_catalog(self, as_user, doctor, client_for):
        client = as_user(doctor)
        listing = client.get("/api/lab/tests/", {"q": "cholesterol", "page_size": 50}).json()
        assert {t["code"] for t in listing["results"]} == {"CHOL", "HDL", "LDL"}
        panel = client.get("/api/lab/tests/58410-2/").json()
        assert panel["code"] == "CBC" and len(panel["components"]) == 9
        hgb = client.get("/api/lab/tests/hgb/").json()
        assert hgb["loinc_code"] == "718-7" and hgb["unit"] == "g/dL"
        assert {r["sex"] for r in hgb["reference_ranges"]} == {"any", "female", "male"}
        assert client.get("/api/lab/tests/NOPE/").status_code == 404
        assert client_for(Role.PATIENT).get("/api/lab/tests/").status_code == 403
