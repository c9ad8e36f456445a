"""The chart's medicines, problem list and allergies on the doctor's workspace: shown, stopped,
renewed, added, resolved, confirmed (htmx cards and plain POSTs).

Personas: Alice (patient, in Dr Assigned's care), Dr Assigned, Dr Other (Alice is not in
their care), a nurse and a receptionist (not workspace roles).
"""

from datetime import date

import pytest
import time_machine

from hms.clinical.models import Problem, ProblemStatus
from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.patients.models import Allergy, AllergySource
from hms.patients.tests.factories import AllergyFactory, CareAssignmentFactory, PatientFactory
from hms.pharmacy import services as pharmacy_services
from hms.pharmacy.models import Prescription
from hms.pharmacy.tests.factories import DrugFactory
from hms.web.tests.conftest import page_queries, signed_in_client

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def fixed_clock():
    with time_machine.travel("2027-03-01T09:00Z", tick=False):
        yield


@pytest.fixture
def world(make_user):
    alice = PatientFactory(
        user=make_user(Role.PATIENT, username="alice"), first_name="Alice", last_name="Adeyemi"
    )
    doctor = make_user(Role.DOCTOR, username="dr_assigned", first_name="Ada", last_name="Obi")
    CareAssignmentFactory(patient=alice, doctor=doctor)
    amoxicillin = DrugFactory(
        generic_name="Amoxicillin", drug_class="penicillin", form="capsule", unit="capsule"
    )
    paracetamol = DrugFactory(generic_name="Paracetamol", drug_class="analgesic")
    return {"alice": alice, "doctor": doctor, "amoxicillin": amoxicillin, "para": paracetamol}


def prescribe(world, drug):
    return pharmacy_services.prescription_create(
        actor=world["doctor"],
        patient=world["alice"],
        items=[{"drug": drug, "dose": 500, "frequency": "tds", "duration_days": 7}],
    ).items.get()


def chart(patient, tail=""):
    return f"/workspace/patients/{patient.public_id}/{tail}"


class TestMedications:
    def test_chart_lists_current_medicines_with_dose_route_frequency_prescriber(self, world):
        prescribe(world, world["amoxicillin"])
        html = signed_in_client(world["doctor"]).get(chart(world["alice"])).content.decode()
        start = html.find('id="chart-medications"')
        assert start > 0, html[html.find("<main") : html.find("<main") + 3000]
        html = html[start : html.find("</section>", start)]
        assert "Amoxicillin" in html and "three times a day" in html and "by mouth" in html
        assert "prescribed by Ada Obi" in html

    def test_doctor_stops_a_medicine_from_the_chart(self, world):
        medicine = prescribe(world, world["amoxicillin"])
        client = signed_in_client(world["doctor"])
        field = f"stop-{medicine.public_id}-reason"

        response = client.post(
            chart(world["alice"], f"medications/{medicine.public_id}/stop/"),
            {field: "Rash after two doses"},
            **HX,
        )

        assert response.status_code == 200
        html = response.content.decode()
        assert html.startswith('<section class="card hms-card mb-4" id="chart-medications"')
        assert "Amoxicillin stopped." in html and "Rash after two doses" in html
        assert "by Ada Obi" in html and 'data-testid="past-medication"' in html
        medicine.refresh_from_db()
        assert medicine.stopped_by == world["doctor"]
        assert AuditEvent.objects.filter(resource_type="medication_stop").exists()

    def test_stopping_without_a_reason_says_so_and_changes_nothing(self, world):
        medicine = prescribe(world, world["amoxicillin"])
        response = signed_in_client(world["doctor"]).post(
            chart(world["alice"], f"medications/{medicine.public_id}/stop/"), {}, **HX
        )
        assert response.status_code == 200
        assert "This field is required." in response.content.decode()
        medicine.refresh_from_db()
        assert medicine.stopped_at is None

    def test_without_htmx_the_chart_reloads_at_the_card(self, world):
        medicine = prescribe(world, world["amoxicillin"])
        response = signed_in_client(world["doctor"]).post(
            chart(world["alice"], f"medications/{medicine.public_id}/stop/"),
            {f"stop-{medicine.public_id}-reason": "Changed plan"},
        )
        assert response.status_code == 302
        assert response["Location"].endswith("#medications-title")

    def test_renew_writes_a_new_prescription(self, world):
        medicine = prescribe(world, world["amoxicillin"])
        response = signed_in_client(world["doctor"]).post(
            chart(world["alice"], f"medications/{medicine.public_id}/renew/"), {}, **HX
        )
        assert response.status_code == 200
        assert "Amoxicillin renewed and sent to the pharmacy." in response.content.decode()
        assert Prescription.objects.count() == 2

    def test_renew_after_a_new_allergy_asks_for_an_override(self, world):
        medicine = prescribe(world, world["amoxicillin"])
        AllergyFactory(patient=world["alice"], substance="Penicillin", severity="severe")
        client = signed_in_client(world["doctor"])
        url = chart(world["alice"], f"medications/{medicine.public_id}/renew/")

        html = client.post(url, {}, **HX).content.decode()
        assert 'data-testid="renew-safety"' in html and "Renew with override" in html
        assert Prescription.objects.count() == 1

        field = f"renew-{medicine.public_id}-override_reason"
        html = client.post(url, {field: "Tolerated a full course last year"}, **HX)
        assert "overridden" in html.content.decode()
        assert Prescription.objects.count() == 2

    def test_other_roles_and_charts(self, world, make_user):
        medicine = prescribe(world, world["amoxicillin"])
        url = chart(world["alice"], f"medications/{medicine.public_id}/stop/")
        data = {f"stop-{medicine.public_id}-reason": "Not wanted"}
        for role in (Role.RECEPTIONIST, Role.NURSE, Role.PATIENT):
            assert signed_in_client(make_user(role)).post(url, data).status_code == 403
        # Not in Dr Other's care: the break-the-glass page, nothing stopped.
        other = signed_in_client(make_user(Role.DOCTOR))
        assert other.post(url, data).status_code == 403
        # Another patient's chart in the URL: 404.
        bob = PatientFactory()
        CareAssignmentFactory(patient=bob, doctor=world["doctor"])
        wrong = chart(bob, f"medications/{medicine.public_id}/stop/")
        assert signed_in_client(world["doctor"]).post(wrong, data).status_code == 404
        medicine.refresh_from_db()
        assert medicine.stopped_at is None


class TestProblems:
    def test_add_a_problem_with_an_icd10_code_onset_and_note(self, world):
        response = signed_in_client(world["doctor"]).post(
            chart(world["alice"], "problems/"),
            {"code": "I10 · Essential (primary) hypertension", "onset_date": "2026-11-02"},
            **HX,
        )
        assert response.status_code == 200
        assert 'data-code="I10"' in response.content.decode()
        problem = Problem.objects.get(patient=world["alice"])
        assert problem.onset_date == date(2026, 11, 2) and problem.status == "active"

    def test_an_unknown_code_is_refused_next_to_the_field(self, world):
        response = signed_in_client(world["doctor"]).post(
            chart(world["alice"], "problems/"), {"code": "ZZZ.99"}, **HX
        )
        assert response.status_code == 200
        assert "is-invalid" in response.content.decode()
        assert not Problem.objects.exists()

    def test_resolve_moves_it_below_collapsed(self, world):
        client = signed_in_client(world["doctor"])
        client.post(chart(world["alice"], "problems/"), {"code": "J45.9"}, **HX)
        problem = Problem.objects.get()
        field = f"resolve-{problem.public_id}-resolved_date"

        html = client.post(
            chart(world["alice"], f"problems/{problem.public_id}/resolve/"),
            {field: "2027-02-27"},
            **HX,
        ).content.decode()

        problem.refresh_from_db()
        assert problem.status == ProblemStatus.RESOLVED
        assert problem.resolved_date == date(2027, 2, 27)
        assert 'data-testid="resolved-problems"' in html and "resolved 27 Feb 2027" in html
        assert 'data-testid="problem"' not in html

    def test_a_resolved_date_in_the_future_is_refused(self, world):
        client = signed_in_client(world["doctor"])
        client.post(chart(world["alice"], "problems/"), {"code": "J45.9"}, **HX)
        problem = Problem.objects.get()
        html = client.post(
            chart(world["alice"], f"problems/{problem.public_id}/resolve/"),
            {f"resolve-{problem.public_id}-resolved_date": "2027-03-05"},
            **HX,
        ).content.decode()
        assert "future" in html
        problem.refresh_from_db()
        assert problem.status == ProblemStatus.ACTIVE


class TestAllergies:
    def test_doctor_adds_edits_and_marks_an_allergy_entered_in_error(self, world):
        client = signed_in_client(world["doctor"])
        html = client.post(
            chart(world["alice"], "allergies/"),
            {"substance": "Latex", "category": "environment", "severity": "mild"},
            **HX,
        ).content.decode()
        assert "Allergy to Latex recorded." in html
        allergy = Allergy.objects.get(patient=world["alice"])

        prefix = f"edit-{allergy.public_id}"
        client.post(
            chart(world["alice"], f"allergies/{allergy.public_id}/"),
            {f"{prefix}-severity": "severe", f"{prefix}-reaction": "Anaphylaxis"},
            **HX,
        )
        allergy.refresh_from_db()
        assert (allergy.severity, allergy.reaction) == ("severe", "Anaphylaxis")

        html = client.post(
            chart(world["alice"], f"allergies/{allergy.public_id}/entered-in-error/"),
            {f"void-{allergy.public_id}-reason": "Wrong patient"},
            **HX,
        ).content.decode()
        assert "entered in error" in html
        assert Allergy.all_objects.get(pk=allergy.pk).status == "entered_in_error"

    def test_a_patient_reported_allergy_is_badged_until_a_doctor_confirms_it(self, world):
        allergy = AllergyFactory(
            patient=world["alice"], substance="Peanuts", source=AllergySource.PATIENT
        )
        client = signed_in_client(world["doctor"])
        html = client.get(chart(world["alice"])).content.decode()
        assert 'data-testid="patient-reported"' in html
        assert "count for the prescribing safety checks" in html

        html = client.post(
            chart(world["alice"], f"allergies/{allergy.public_id}/confirm/"), **HX
        ).content.decode()

        assert 'data-testid="patient-reported"' not in html
        assert "confirmed by Ada Obi" in html
        allergy.refresh_from_db()
        assert allergy.confirmed_by == world["doctor"]
        assert AuditEvent.objects.filter(resource_type="allergy_confirmation").exists()


def test_chart_page_queries_do_not_grow_with_its_lists(world):
    """The chart with one medicine, problem and allergy, then with ten of each: the same
    number of queries (each list is one query, whatever its length)."""
    client = signed_in_client(world["doctor"])
    url = chart(world["alice"])
    drugs = [DrugFactory(generic_name=f"Drug {n}", drug_class=f"class {n}") for n in range(10)]
    codes = ["I10", "J45.9", "E11.9", "K21.9", "M54.5", "F41.1", "N39.0", "L20.9", "G43.9", "H52.4"]

    def add(n):
        prescribe(world, drugs[n])
        Problem.objects.create(patient=world["alice"], code=codes[n], recorded_by=world["doctor"])
        AllergyFactory(patient=world["alice"], source=AllergySource.PATIENT)

    add(0)
    one = page_queries(client, url)
    for n in range(1, 10):
        add(n)
    assert page_queries(client, url) == one
