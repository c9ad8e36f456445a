"""The doctor orders laboratory tests and imaging and reviews the results.

Personas: Alice (patient, in Dr Assigned's care), Bob (another patient), Dr Assigned, Dr Other
(not caring for Alice), and roles that may not order from the workspace.
"""

import re
import uuid
from datetime import UTC, datetime

import pytest

from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.laboratory.models import LabOrder, LabTest
from hms.patients.models import Sex
from hms.patients.tests.factories import (
    AllergyFactory,
    CareAssignmentFactory,
    PatientFactory,
)
from hms.radiology.models import ImagingOrder
from hms.radiology.tests.factories import ImagingProcedureFactory
from hms.web.tests.conftest import page_queries, signed_in_client

from .clinic import Lab, imaging_report, lab_catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    lab_catalog()
    alice = PatientFactory(
        user=make_user(Role.PATIENT, username="alice"),
        first_name="Alice",
        last_name="Adeyemi",
        sex=Sex.FEMALE,
        date_of_birth=datetime(1986, 6, 15).date(),
    )
    doctor = make_user(Role.DOCTOR, username="dr_assigned", last_name="Okafor")
    CareAssignmentFactory(patient=alice, doctor=doctor)
    return {
        "alice": alice,
        "bob": PatientFactory(user=make_user(Role.PATIENT, username="bob")),
        "doctor": doctor,
        "other_doctor": make_user(Role.DOCTOR, username="dr_other"),
        "ct": ImagingProcedureFactory(code="CT-CHEST", name="CT chest", modality="ct"),
    }


def lab_url(patient) -> str:
    return f"/workspace/patients/{patient.public_id}/orders/lab/"


def imaging_url(patient) -> str:
    return f"/workspace/patients/{patient.public_id}/orders/imaging/"


def results_url(patient) -> str:
    return f"/workspace/patients/{patient.public_id}/results/"


def lab_test_id(code: str) -> str:
    return str(LabTest.objects.get(code=code).public_id)


# --- laboratory orders ----------------------------------------------------------------------------


def test_the_doctor_orders_tests_and_panels(world):
    alice = world["alice"]
    client = signed_in_client(world["doctor"])
    page = client.get(lab_url(alice))
    assert page.status_code == 200
    assert "Complete blood count (CBC)" in page.content.decode()
    response = client.post(
        lab_url(alice),
        {
            "tests": [lab_test_id("CBC"), lab_test_id("GLU")],
            "priority": "urgent",
            "clinical_notes": "Fasting",
            "encounter": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == results_url(alice)
    orders = LabOrder.objects.filter(patient=alice).order_by("test__code")
    assert [(o.test.code, o.priority, o.ordering_doctor) for o in orders] == [
        ("CBC", "urgent", world["doctor"]),
        ("GLU", "urgent", world["doctor"]),
    ]
    assert orders[0].clinical_notes == "Fasting"
    html = client.get(response["Location"]).content.decode()
    assert "Sent to the laboratory: Complete blood count (CBC), Glucose." in html
    assert "No verified result yet." in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"priority": "routine"}, "tests", "This field is required."),
        ({"tests": ["nonsense"], "priority": "routine"}, "tests", "Select a valid choice"),
        ({"tests": ["GLU"], "priority": "whenever"}, "priority", "Select a valid choice"),
    ],
)
def test_lab_order_bad_input_is_shown_and_nothing_is_ordered(world, data, field, message):
    data = {**data, "tests": [lab_test_id(t) if t == "GLU" else t for t in data.get("tests", [])]}
    response = signed_in_client(world["doctor"]).post(lab_url(world["alice"]), data)
    assert response.status_code == 400
    html = response.content.decode()
    start = html.index(f'id="id_{field}_errors"')
    assert message in html[start : start + 300]
    assert not LabOrder.objects.exists()


@pytest.mark.parametrize("role", [Role.PATIENT, Role.PHARMACIST, Role.LAB_TECHNICIAN, Role.NURSE])
def test_other_roles_may_not_order_from_the_workspace(world, make_user, role):
    client = signed_in_client(make_user(role))
    assert client.get(lab_url(world["alice"])).status_code == 403
    assert client.post(lab_url(world["alice"]), {"tests": [lab_test_id("GLU")]}).status_code == 403
    assert client.get(imaging_url(world["alice"])).status_code == 403
    assert not LabOrder.objects.exists()


def test_orders_for_a_patient_outside_care_need_break_the_glass(world):
    client = signed_in_client(world["other_doctor"])
    response = client.post(lab_url(world["alice"]), {"tests": [lab_test_id("GLU")]})
    assert response.status_code == 403
    assert b"break-glass-form" in response.content
    assert client.get(imaging_url(world["alice"])).status_code == 403
    assert not LabOrder.objects.exists()


def test_orders_for_an_unknown_patient_are_404(world):
    client = signed_in_client(world["doctor"])
    assert client.get(f"/workspace/patients/{uuid.uuid4()}/orders/lab/").status_code == 404
    assert client.get(f"/workspace/patients/{uuid.uuid4()}/orders/imaging/").status_code == 404
    assert client.get(f"/workspace/patients/{uuid.uuid4()}/results/").status_code == 404


# --- imaging orders -------------------------------------------------------------------------------


def test_the_doctor_orders_imaging(world):
    alice = world["alice"]
    client = signed_in_client(world["doctor"])
    assert "CT · CT chest" in client.get(imaging_url(alice)).content.decode()
    response = client.post(
        imaging_url(alice),
        {
            "procedure": str(world["ct"].public_id),
            "laterality": "",
            "priority": "urgent",
            "clinical_indication": "Cough for three weeks: mass?",
            "notes": "",
            "encounter": "",
        },
    )
    assert response.status_code == 302
    order = ImagingOrder.objects.get(patient=alice)
    assert (order.procedure, order.priority, order.ordering_doctor) == (
        world["ct"],
        "urgent",
        world["doctor"],
    )
    html = client.get(response["Location"]).content.decode()
    assert f"Sent to radiology: CT chest ({order.accession_number})." in html
    assert "Cough for three weeks: mass?" in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"procedure": ""}, "procedure", "This field is required."),
        ({"clinical_indication": "?"}, "clinical_indication", "at least 3 characters"),
        ({"laterality": "middle"}, "laterality", "Select a valid choice"),
    ],
)
def test_imaging_bad_input_is_shown_and_nothing_is_ordered(world, changes, field, message):
    data = {
        "procedure": str(world["ct"].public_id),
        "priority": "routine",
        "clinical_indication": "Cough: mass?",
        **changes,
    }
    response = signed_in_client(world["doctor"]).post(imaging_url(world["alice"]), data)
    assert response.status_code == 400
    html = response.content.decode()
    start = html.index(f'id="id_{field}_errors"')
    assert message in html[start : start + 300]
    assert not ImagingOrder.objects.exists()


# --- reviewing results ----------------------------------------------------------------------------


def test_results_show_verified_values_with_flags_and_trends(world):
    alice, doctor = world["alice"], world["doctor"]
    lab = Lab()
    for day, value in ((1, "95"), (8, "160"), (15, "120")):
        lab.verified(
            doctor=doctor,
            patient=alice,
            code="GLU",
            values={"GLU": value},
            when=datetime(2027, 3, day, 8, 0, tzinfo=UTC),
        )
    lab.verified(doctor=doctor, patient=alice, code="K", values={"K": "6.9"})  # critical
    pending = lab.ordered(doctor=doctor, patient=alice, code="HGB")  # not verified yet
    imaging_report(patient=alice, doctor=doctor, impression="Normal CT head.")
    imaging_report(patient=alice, doctor=doctor, impression="Draft only", final=False)

    response = signed_in_client(doctor).get(results_url(alice))
    assert response.status_code == 200
    html = response.content.decode()
    assert "hms-result-critical" in html and "Critically high" in html
    assert "hms-result-abnormal" in html and ">High<" in html
    assert ">Normal<" in html
    rows = [e for e in response.context["lab"] if e.order.pk == pending.pk]
    assert rows[0].rows == []
    (trend,) = response.context["trends"]
    assert trend["title"] == "Glucose"
    assert trend["chart"]["series"][0]["data"] == [95.0, 160.0, 120.0]
    assert 'id="trend-glu"' in html and "chart.umd.min.js" in html
    assert "Normal CT head." in html
    assert "Draft only" not in html


def test_unverified_values_are_not_shown(world):
    lab = Lab()
    order = lab.ordered(doctor=world["doctor"], patient=world["alice"], code="GLU")
    from hms.laboratory import services

    order = services.lab_order_collect(actor=lab.tech, order=order)
    services.lab_results_enter(
        actor=lab.tech,
        order=order,
        results=[services.ResultInput(test=LabTest.objects.get(code="GLU"), value="321")],
    )
    html = signed_in_client(world["doctor"]).get(results_url(world["alice"])).content.decode()
    # The value as a value, not as digits inside a random id or MRN elsewhere on the page.
    assert not re.search(r"(?<![0-9A-Za-z-])321(?![0-9A-Za-z])", html)
    assert "No verified result yet." in html


@pytest.mark.parametrize("role", [Role.PATIENT, Role.PHARMACIST, Role.RECEPTIONIST])
def test_the_results_page_is_for_the_workspace(world, make_user, role):
    assert signed_in_client(make_user(role)).get(results_url(world["alice"])).status_code == 403


def test_results_outside_care_need_break_the_glass(world):
    response = signed_in_client(world["other_doctor"]).get(results_url(world["alice"]))
    assert response.status_code == 403
    assert b"break-glass-form" in response.content


def test_the_results_query_count_does_not_grow_with_orders(world):
    alice, doctor = world["alice"], world["doctor"]
    lab = Lab()
    lab.verified(doctor=doctor, patient=alice, code="GLU", values={"GLU": "99"})
    imaging_report(patient=alice, doctor=doctor, impression="Normal.")
    client = signed_in_client(doctor)
    client.get(results_url(alice))

    def count() -> int:
        return page_queries(client, results_url(alice))

    # session, user, chart opened (care check, audit) twice, lab orders + their test
    # components + results, imaging orders + reports
    before = count()
    for code, values in (("GLU", {"GLU": "140"}), ("K", {"K": "4.1"}), ("NA", {"NA": "139"})):
        lab.verified(doctor=doctor, patient=alice, code=code, values=values)
    imaging_report(patient=alice, doctor=doctor, impression="Still normal.")
    assert count() == before


# --- across the doctor's patients ----------------------------------------------------------


def test_results_of_my_orders_across_patients(world, make_user):
    alice, doctor = world["alice"], world["doctor"]
    carol = PatientFactory(first_name="Carol", last_name="Chen")
    CareAssignmentFactory(patient=carol, doctor=doctor)
    lab = Lab()
    lab.verified(doctor=doctor, patient=alice, code="K", values={"K": "6.9"})
    lab.verified(doctor=doctor, patient=carol, code="GLU", values={"GLU": "90"})
    lab.verified(
        doctor=world["other_doctor"], patient=world["bob"], code="NA", values={"NA": "150"}
    )
    imaging_report(patient=carol, doctor=doctor, impression="Clear lungs.")
    response = signed_in_client(doctor).get("/workspace/results/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Adeyemi, Alice" in html and "Critically high" in html
    assert "Chen, Carol" in html and "Clear lungs." in html
    assert "Sodium" not in html
    event = AuditEvent.objects.get(actor=doctor, resource_type="lab_order_list")
    assert sorted(event.detail["patients"]) == sorted([str(alice.public_id), str(carol.public_id)])
    for role in (Role.PATIENT, Role.NURSE, Role.LAB_TECHNICIAN):
        assert signed_in_client(make_user(role)).get("/workspace/results/").status_code == 403


def test_my_results_query_count_does_not_grow(world):
    doctor, lab = world["doctor"], Lab()
    lab.verified(doctor=doctor, patient=world["alice"], code="GLU", values={"GLU": "90"})
    imaging_report(patient=world["alice"], doctor=doctor, impression="Normal.")
    client = signed_in_client(doctor)
    client.get("/workspace/results/")

    def count() -> int:
        return page_queries(client, "/workspace/results/")

    before = count()
    for _ in range(3):
        patient = PatientFactory()
        CareAssignmentFactory(patient=patient, doctor=doctor)
        lab.verified(doctor=doctor, patient=patient, code="K", values={"K": "4.2"})
        imaging_report(patient=patient, doctor=doctor, impression="Normal.")
    assert count() == before


def test_my_prescriptions_with_their_safety_overrides(world, make_user):
    from hms.pharmacy import services as pharmacy_services
    from hms.pharmacy.tests.factories import DrugFactory

    doctor = world["doctor"]
    AllergyFactory(patient=world["alice"], substance="Penicillin", severity="severe")
    amoxicillin = DrugFactory(generic_name="Amoxicillin", drug_class="penicillin")
    item = {"drug": amoxicillin, "dose": 500, "frequency": "tds", "duration_days": 5}
    pharmacy_services.prescription_create(
        actor=doctor,
        patient=world["alice"],
        items=[item],
        override_reason="Tolerated it last year without reaction",
    )
    other = world["other_doctor"]
    pharmacy_services.prescription_create(actor=other, patient=world["bob"], items=[item])
    client = signed_in_client(doctor)
    html = client.get("/workspace/prescriptions/").content.decode()
    assert "Adeyemi, Alice" in html and "Overridden" in html
    assert world["bob"].last_name not in html

    def count() -> int:
        return page_queries(client, "/workspace/prescriptions/")

    before = count()
    for _ in range(3):
        patient = PatientFactory()
        CareAssignmentFactory(patient=patient, doctor=doctor)
        pharmacy_services.prescription_create(actor=doctor, patient=patient, items=[item])
    assert count() == before
    for role in (Role.PATIENT, Role.PHARMACIST, Role.NURSE):
        assert signed_in_client(make_user(role)).get("/workspace/prescriptions/").status_code == 403
