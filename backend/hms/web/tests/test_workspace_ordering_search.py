"""The ordering pages' type-ahead: the medicine search and presets partials, the lab test
search partial, their no-JavaScript fallbacks, who may use them and their query counts.

Personas: Alice (patient, in Dr Assigned's care), Dr Assigned, and roles outside the doctor
workspace.
"""

from decimal import Decimal

import pytest

from hms.core.roles import Role
from hms.laboratory.models import LabOrder, LabTest
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory
from hms.pharmacy.models import DrugDosePreset, DrugForm, Prescription
from hms.pharmacy.tests.factories import DrugFactory, add_stock
from hms.web.tests.conftest import page_queries, signed_in_client

from .clinic import lab_catalog

pytestmark = pytest.mark.django_db

MEDICINES = "/workspace/medicines/search/"
LAB_TESTS = "/workspace/lab-tests/search/"


@pytest.fixture
def world(make_user):
    lab_catalog()
    alice = PatientFactory(user=make_user(Role.PATIENT), first_name="Alice", last_name="Adeyemi")
    doctor = make_user(Role.DOCTOR, username="dr_assigned")
    CareAssignmentFactory(patient=alice, doctor=doctor)
    amox500 = DrugFactory(
        generic_name="Amoxicillin", strength="500 mg", strength_amount=500,
        form=DrugForm.CAPSULE, unit="capsule", atc_code="J01CA04", reorder_level=50,
    )  # fmt: skip
    amox250 = DrugFactory(
        generic_name="Amoxicillin", strength="250 mg", strength_amount=250,
        form=DrugForm.CAPSULE, unit="capsule", atc_code="J01CA04",
    )  # fmt: skip
    add_stock(amox500, 20)
    DrugDosePreset.objects.create(
        drug=amox500, label="Adult", dose=Decimal(500), frequency="tds", duration_days=5,
        instructions="Finish the course",
    )  # fmt: skip
    return {
        "alice": alice,
        "doctor": doctor,
        "client": signed_in_client(doctor),
        "amox500": amox500,
        "amox250": amox250,
    }


def medicine_search(client, q: str, row: int = 0):
    return client.get(
        MEDICINES, {"for": f"rx-{row}-drug_search", f"rx-{row}-drug_search": q, "row": row}
    )


# --- medicine search ---------------------------------------------------------------------------


def test_medicine_search_lists_matches_with_strength_form_and_stock(world):
    response = medicine_search(world["client"], "amox", row=1)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="listbox" id="rx-1-listbox"' in html
    assert html.count('role="option"') == 2
    # weakest first; each with its strength, form and what the pharmacy holds
    assert html.index("250 mg · Capsule") < html.index("500 mg · Capsule")
    assert "Low: 20 capsule" in html and "None in the pharmacy" in html
    assert f'data-value="{world["amox500"].public_id}"' in html
    assert f"/workspace/medicines/{world['amox500'].public_id}/presets/?row=1" in html


def test_medicine_search_needs_two_characters_and_says_when_nothing_matches(world):
    assert medicine_search(world["client"], "a").content.decode().strip() == ""
    html = medicine_search(world["client"], "zzz").content.decode()
    assert "No medicine in the formulary matches" in html and 'aria-disabled="true"' in html


def test_medicine_presets_offer_strengths_and_doses(world):
    drug = world["amox500"]
    response = world["client"].get(f"/workspace/medicines/{drug.public_id}/presets/?row=2")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-pick-drug="{world["amox250"].public_id}"' in html
    assert 'aria-pressed="true">500 mg capsule' in html
    assert 'data-fill-dose="500"' in html and 'data-fill-frequency="tds"' in html
    assert (
        'data-fill-duration_days="5"' in html and "Adult:</span> 500 mg three times a day" in html
    )


def test_without_presets_the_usual_dose_is_offered(world):
    drug = world["amox250"]  # factory: usual 250 to 1000 mg
    html = world["client"].get(f"/workspace/medicines/{drug.public_id}/presets/").content.decode()
    assert 'data-fill-dose="250"' in html and "Usual dose from 250 to 1000 mg" in html


def test_presets_of_an_unknown_or_inactive_drug_are_404(world):
    inactive = DrugFactory(generic_name="Old", active=False)
    client = world["client"]
    assert client.get(f"/workspace/medicines/{inactive.public_id}/presets/").status_code == 404
    missing = "/workspace/medicines/00000000-0000-0000-0000-000000000000/presets/"
    assert client.get(missing).status_code == 404


@pytest.mark.parametrize("role", [Role.PATIENT, Role.NURSE, Role.PHARMACIST, Role.LAB_TECHNICIAN])
def test_roles_outside_the_doctor_workspace_get_403(world, make_user, role):
    client = signed_in_client(make_user(role))
    drug = world["amox500"]
    assert client.get(MEDICINES, {"q": "amox"}).status_code == 403
    assert client.get(f"/workspace/medicines/{drug.public_id}/presets/").status_code == 403
    assert client.get(LAB_TESTS, {"test_search": "glu"}).status_code == 403


def test_signed_out_users_are_sent_to_sign_in(world):
    from django.test import Client

    assert Client().get(MEDICINES, {"q": "amox"}).status_code == 302


def test_medicine_search_costs_the_same_for_one_match_and_twenty(world):
    client = world["client"]
    url = f"{MEDICINES}?for=q&q=augm"
    DrugFactory(generic_name="Augmentin test 0")
    one = page_queries(client, url)
    for n in range(1, 30):
        drug = DrugFactory(generic_name=f"Augmentin test {n}")
        add_stock(drug, 5)
        DrugDosePreset.objects.create(drug=drug, label="Adult", dose=1, frequency="od")
    # session, user, ranked ids, rows with stock, presets
    assert page_queries(client, url) == one == 5


# --- the ordering pages do not grow with the formulary or the catalogue ----------------------


def test_the_prescribing_page_costs_the_same_for_a_small_and_a_large_formulary(world):
    client = world["client"]
    url = f"/workspace/patients/{world['alice'].public_id}/prescribe/"
    client.get(url)  # the first request makes one-off queries; count a repeat visit
    small = page_queries(client, url)
    for n in range(60):
        add_stock(DrugFactory(generic_name=f"Formulary drug {n}"), 10)
    assert page_queries(client, url) == small
    assert "Formulary drug" not in client.get(url).content.decode()


def test_the_lab_order_page_shows_a_bounded_catalogue(world):
    client = world["client"]
    url = f"/workspace/patients/{world['alice'].public_id}/orders/lab/"
    client.get(url)  # the first request makes one-off queries; count a repeat visit
    small = page_queries(client, url)
    LabTest.objects.bulk_create(
        LabTest(
            code=f"X{n}", loinc_code=f"9{n}-0", name=f"Zinc test {n:03d}", kind="numeric",
            specimen_type="serum_plasma", department="biochemistry",
            search_text=f"x{n} zinc test {n:03d} 9{n} 0",
        )
        for n in range(200)
    )  # fmt: skip
    assert page_queries(client, url) == small
    html = client.get(url).content.decode()
    assert html.count('name="tests"') == 60  # LAB_TEST_BROWSE_LIMIT
    assert "More tests match" in html


def test_a_long_medicine_name_in_the_search_box_is_accepted(world):
    long_name = DrugFactory(generic_name="Long " + "x" * 150, strength="1 mg")
    url = f"/workspace/patients/{world['alice'].public_id}/prescribe/"
    row = {
        "rx-0-drug": str(long_name.public_id),
        "rx-0-drug_search": f"Long {'x' * 150} 1 mg tablet",
        "rx-0-dose": "1",
        "rx-0-frequency": "od",
        "rx-0-duration_days": "3",
    }
    assert world["client"].post(url, rx_post(**row)).status_code == 302


# --- prescribing page without JavaScript -------------------------------------------------------


def rx_post(**rows):
    data = {
        "encounter": "",
        "note": "",
        "override_reason": "",
        "rx-TOTAL_FORMS": "3",
        "rx-INITIAL_FORMS": "0",
        "rx-MIN_NUM_FORMS": "0",
        "rx-MAX_NUM_FORMS": "3",
    }
    data.update(rows)
    return data


def test_find_without_javascript_lists_the_matches_in_the_row(world):
    alice = world["alice"]
    url = f"/workspace/patients/{alice.public_id}/prescribe/"
    response = world["client"].post(url, rx_post(**{"rx-1-drug_search": "amox 5", "find": "1"}))
    # then the page comes back (nothing sent) with the matches in row 1's list
    assert response.status_code == 200
    html = response.content.decode()
    row = html.split('data-testid="rx-row"')[2]
    assert "Choose one of 1 matches" in row
    assert f'<option value="{world["amox500"].public_id}">Amoxicillin 500 mg capsule' in row
    assert not Prescription.objects.exists()


def test_a_chosen_medicine_is_prescribed_and_a_stranger_id_is_refused(world):
    alice, drug = world["alice"], world["amox500"]
    url = f"/workspace/patients/{alice.public_id}/prescribe/"
    row = {
        "rx-0-drug_search": "Amoxicillin",
        "rx-0-dose": "500",
        "rx-0-frequency": "tds",
        "rx-0-duration_days": "5",
    }
    unknown = world["client"].post(
        url, rx_post(**row, **{"rx-0-drug": "00000000-0000-0000-0000-000000000000"})
    )
    assert unknown.status_code == 400 and "Select a valid choice" in unknown.content.decode()
    assert not Prescription.objects.exists()
    sent = world["client"].post(url, rx_post(**row, **{"rx-0-drug": str(drug.public_id)}))
    assert sent.status_code == 302
    assert Prescription.objects.get(patient=alice).items.get().drug == drug


def test_a_row_with_search_words_but_no_medicine_asks_for_one(world):
    url = f"/workspace/patients/{world['alice'].public_id}/prescribe/"
    response = world["client"].post(url, rx_post(**{"rx-0-drug_search": "amox"}))
    assert response.status_code == 400
    assert "Choose the medicine for this row." in response.content.decode()


# --- lab test picker ---------------------------------------------------------------------------


def test_lab_search_shows_panels_first_then_departments_with_bootstrap_checkboxes(world):
    response = world["client"].get(LAB_TESTS, {"test_search": "blood"})
    assert response.status_code == 200
    html = response.content.decode()
    # "blood": the CBC panel, haematology's counts, urinalysis' blood
    assert html.index("Panels") < html.index("Haematology") < html.index("Urinalysis")
    assert 'class="form-check-input" type="checkbox" name="tests"' in html
    cbc = LabTest.objects.get(code="CBC")
    assert (
        f'<input class="form-check-input" type="checkbox" name="tests" value="{cbc.public_id}" '
        f'id="lab-test-{cbc.public_id}"><label class="form-check-label" '
        f'for="lab-test-{cbc.public_id}">Complete blood count (CBC)'
    ) in html


def test_lab_search_leaves_out_the_chosen_tests(world):
    hgb = LabTest.objects.get(code="HGB")
    html = (
        world["client"]
        .get(LAB_TESTS, {"test_search": "hemoglobin", "tests": [str(hgb.public_id)]})
        .content.decode()
    )
    assert "MCH" in html and f'value="{hgb.public_id}"' not in html
    html = world["client"].get(LAB_TESTS, {"test_search": "qqq"}).content.decode()
    assert "No test or panel matches" in html


def test_lab_search_costs_the_same_for_a_small_and_a_large_catalogue(world):
    client = world["client"]
    url = f"{LAB_TESTS}?test_search=chol"
    before = page_queries(client, url)
    LabTest.objects.bulk_create(
        LabTest(
            code=f"X{n}", loinc_code=f"9{n}-0", name=f"Cholinesterase {n}", kind="numeric",
            specimen_type="serum_plasma", department="biochemistry",
            search_text=f"x{n} cholinesterase {n} 9{n} 0",
        )
        for n in range(100)
    )  # fmt: skip
    # session, user, ranked tests, panel components
    assert page_queries(client, url) == before == 4


def test_lab_order_page_find_keeps_the_ticked_tests(world):
    alice = world["alice"]
    url = f"/workspace/patients/{alice.public_id}/orders/lab/"
    page = world["client"].get(url).content.decode()
    assert 'data-typeahead="tests"' in page and 'class="form-check-input"' in page
    cbc = LabTest.objects.get(code="CBC")
    response = world["client"].post(
        url,
        {"tests": [str(cbc.public_id)], "test_search": "glucose", "find": "1",
         "priority": "urgent", "clinical_notes": "Fasting"},
    )  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    chosen, results = html.split('data-testid="lab-tests-chosen"')[1].split(
        'data-testid="lab-tests"'
    )
    assert f'value="{cbc.public_id}" id="lab-test-{cbc.public_id}" checked' in chosen
    assert "Glucose" in results and "Complete blood count" not in results
    assert 'value="urgent" selected' in html and "Fasting" in html
    assert not LabOrder.objects.exists()
