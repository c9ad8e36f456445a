"""Prescribing from the chart with the pharmacy's safety checks and the override flow.

Personas: Alice (patient, allergic to penicillin, in Dr Assigned's care), Dr Assigned,
Dr Other (Alice is not in their care), and roles that may not prescribe.
"""

import uuid
from decimal import Decimal

import pytest

from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.patients.tests.factories import AllergyFactory, CareAssignmentFactory, PatientFactory
from hms.pharmacy.models import Prescription
from hms.pharmacy.tests.factories import DrugFactory, add_stock
from hms.web.tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    alice = PatientFactory(
        user=make_user(Role.PATIENT, username="alice"), first_name="Alice", last_name="Adeyemi"
    )
    AllergyFactory(patient=alice, substance="Penicillin", reaction="Hives", severity="severe")
    doctor = make_user(Role.DOCTOR, username="dr_assigned")
    CareAssignmentFactory(patient=alice, doctor=doctor)
    amoxicillin = DrugFactory(
        generic_name="Amoxicillin", drug_class="penicillin", form="capsule", unit="capsule"
    )
    paracetamol = DrugFactory(generic_name="Paracetamol", drug_class="analgesic")
    add_stock(paracetamol, 100)
    return {
        "alice": alice,
        "doctor": doctor,
        "other_doctor": make_user(Role.DOCTOR, username="dr_other"),
        "amoxicillin": amoxicillin,
        "paracetamol": paracetamol,
    }


def url(patient, check=False) -> str:
    return f"/workspace/patients/{patient.public_id}/prescribe/{'check/' if check else ''}"


def rx_data(*rows, override_reason="", note="", encounter=""):
    data = {
        "encounter": encounter,
        "note": note,
        "override_reason": override_reason,
        "rx-TOTAL_FORMS": "3",
        "rx-INITIAL_FORMS": "0",
        "rx-MIN_NUM_FORMS": "0",
        "rx-MAX_NUM_FORMS": "3",
    }
    for index in range(3):
        row = rows[index] if index < len(rows) else {}
        for name in (
            "drug",
            "dose",
            "dose_unit",
            "frequency",
            "duration_days",
            "quantity",
            "instructions",
        ):
            data[f"rx-{index}-{name}"] = row.get(name, "")
    return data


def item(drug, **overrides):
    return {
        "drug": str(drug.public_id),
        "dose": "500",
        "frequency": "tds",
        "duration_days": "5",
        **overrides,
    }


# --- who may prescribe ------------------------------------------------------------------------


def test_the_doctor_in_care_opens_the_prescribing_page(world):
    response = signed_in_client(world["doctor"]).get(url(world["alice"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="allergy-banner"' in html and "Penicillin" in html
    # The formulary is searched, not listed: each row has a type-ahead picker.
    assert "Amoxicillin" not in html.split('data-testid="prescribe-form"')[1]
    assert html.count('data-testid="rx-row"') == 3
    assert html.count('data-typeahead="medicine"') == 3
    assert 'hx-get="/workspace/medicines/search/?for=rx-0-drug_search&amp;row=0"' in html
    assert f'hx-post="{url(world["alice"], check=True)}"' in html


@pytest.mark.parametrize("role", [Role.PATIENT, Role.NURSE, Role.PHARMACIST, Role.ADMIN])
def test_roles_that_do_not_prescribe_get_403(world, make_user, role):
    client = signed_in_client(make_user(role))
    assert client.get(url(world["alice"])).status_code == 403
    response = client.post(url(world["alice"]), rx_data(item(world["paracetamol"])))
    assert response.status_code == 403
    assert client.post(url(world["alice"], check=True), rx_data()).status_code == 403
    assert not Prescription.objects.exists()


def test_the_patient_cannot_prescribe_for_themself(world):
    client = signed_in_client(world["alice"].user)
    response = client.post(url(world["alice"]), rx_data(item(world["paracetamol"])))
    assert response.status_code == 403
    assert not Prescription.objects.exists()


def test_an_unknown_patient_is_404(world):
    client = signed_in_client(world["doctor"])
    assert client.get(f"/workspace/patients/{uuid.uuid4()}/prescribe/").status_code == 404


def test_a_doctor_outside_care_is_offered_break_the_glass(world):
    response = signed_in_client(world["other_doctor"]).get(url(world["alice"]))
    assert response.status_code == 403
    assert b'data-testid="break-glass-form"' in response.content


# --- prescribing --------------------------------------------------------------------------------


def test_a_safe_prescription_goes_to_the_pharmacy(world):
    alice = world["alice"]
    client = signed_in_client(world["doctor"])
    response = client.post(
        url(alice),
        rx_data(
            item(world["paracetamol"], dose="1", dose_unit="tablet", instructions="After food"),
            note="Short course",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/workspace/patients/{alice.public_id}/#timeline-title"
    prescription = Prescription.objects.get(patient=alice)
    assert prescription.prescriber == world["doctor"]
    assert prescription.note == "Short course"
    assert prescription.override_reason == ""
    (line,) = prescription.items.all()
    assert (line.drug, line.dose, line.dose_unit, line.frequency) == (
        world["paracetamol"],
        Decimal("1"),
        "tablet",
        "tds",
    )
    assert line.quantity == 15  # worked out by the pharmacy: 1 tablet x 3 a day x 5 days
    assert line.instructions == "After food"
    page = client.get(response["Location"]).content.decode()
    assert "Prescription sent to the pharmacy (1 medicine)." in page


def test_an_allergy_warning_stops_the_prescription_until_overridden(world):
    alice = world["alice"]
    client = signed_in_client(world["doctor"])
    response = client.post(url(alice), rx_data(item(world["amoxicillin"])))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="rx-warnings"' in html
    assert "Recorded allergy to Penicillin (Hives)" in html
    assert "hms-sev-severe" in html
    start = html.index('id="id_override_reason_errors"')
    assert "override with a reason" in html[start : start + 400]
    assert not Prescription.objects.exists()

    response = client.post(
        url(alice),
        rx_data(
            item(world["amoxicillin"]),
            override_reason="Tolerated amoxicillin last year without reaction",
        ),
    )
    assert response.status_code == 302
    prescription = Prescription.objects.get(patient=alice)
    assert prescription.override_reason == "Tolerated amoxicillin last year without reaction"
    assert prescription.safety_warnings[0]["code"] == "allergy_class"
    assert AuditEvent.objects.filter(
        resource_type="prescription_safety_override", patient_id=str(alice.public_id)
    ).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Severe safety warnings were overridden; your reason is recorded." in page


def test_a_too_short_override_reason_is_refused(world):
    response = signed_in_client(world["doctor"]).post(
        url(world["alice"]), rx_data(item(world["amoxicillin"]), override_reason="ok")
    )
    assert response.status_code == 400
    assert not Prescription.objects.exists()


@pytest.mark.parametrize(
    ("rows", "field_id", "message"),
    [
        ((), "items-errors", "Choose at least one medicine."),
        (({"dose": "500", "frequency": "tds"},), "id_rx-0-drug_errors", "Choose the medicine"),
        (({"drug": str(uuid.uuid4()), "dose": "1", "frequency": "od"},), "id_rx-0-drug_errors", ""),
        (("paracetamol", {"dose": ""}), "id_rx-0-dose_errors", "This field is required."),
        (("paracetamol", {"dose": "-1"}), "id_rx-0-dose_errors", "greater than or equal"),
        (("paracetamol", {"frequency": "hourly"}), "id_rx-0-frequency_errors", "valid choice"),
        (("paracetamol", {"duration_days": "0"}), "id_rx-0-duration_days_errors", "greater"),
        (
            ("paracetamol", {"frequency": "prn", "duration_days": ""}),
            "id_rx-0-quantity_errors",
            "Required for this item.",
        ),
    ],
)
def test_bad_input_shows_errors_next_to_fields_and_saves_nothing(world, rows, field_id, message):
    if rows and rows[0] == "paracetamol":
        rows = (item(world["paracetamol"], **rows[1]),)
    response = signed_in_client(world["doctor"]).post(url(world["alice"]), rx_data(*rows))
    assert response.status_code == 400
    html = response.content.decode()
    start = html.index(f'id="{field_id}"')
    assert message in html[start : start + 300]
    assert not Prescription.objects.exists()


def test_the_second_and_third_rows_prescribe_more_medicines(world):
    response = signed_in_client(world["doctor"]).post(
        url(world["alice"]),
        rx_data(
            item(world["paracetamol"]),
            {},
            item(world["amoxicillin"], dose="250"),
            override_reason="Allergy label disproved by oral challenge in 2024",
        ),
    )
    assert response.status_code == 302
    assert Prescription.objects.get().items.count() == 2


# --- the live safety check ------------------------------------------------------------------------


def test_the_check_shows_the_allergy_warning_and_asks_for_a_reason(world):
    response = signed_in_client(world["doctor"]).post(
        url(world["alice"], check=True), rx_data(item(world["amoxicillin"], dose=""))
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="rx-safety"')
    assert "Recorded allergy to Penicillin (Hives)" in html
    assert 'name="override_reason"' in html
    assert not Prescription.objects.exists()


def test_the_check_says_when_nothing_was_found(world):
    response = signed_in_client(world["doctor"]).post(
        url(world["alice"], check=True), rx_data(item(world["paracetamol"]))
    )
    html = response.content.decode()
    assert "No safety warnings for these medicines." in html
    assert 'name="override_reason"' not in html


def test_the_check_with_no_medicine_says_nothing(world):
    html = (
        signed_in_client(world["doctor"])
        .post(url(world["alice"], check=True), rx_data())
        .content.decode()
    )
    assert "warning" not in html.lower()


def test_the_check_is_post_only_and_scoped(world):
    assert signed_in_client(world["doctor"]).get(url(world["alice"], check=True)).status_code == 405
    response = signed_in_client(world["other_doctor"]).post(
        url(world["alice"], check=True), rx_data(item(world["amoxicillin"]))
    )
    assert response.status_code == 403
