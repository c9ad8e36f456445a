"""A doctor prescribes by typing into the medicine search and picking with the keyboard, fills
the dose from a preset, and orders a lab test from the catalogue search with the keyboard."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from hms.accounts.tests.factories import TEST_PASSWORD, UserFactory
from hms.core.roles import Role
from hms.laboratory.models import LabOrder
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory
from hms.pharmacy.models import DrugDosePreset, DrugForm, Prescription
from hms.pharmacy.tests.factories import DrugFactory, add_stock
from hms.web.tests.clinic import lab_catalog

from .test_portal_flows import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_prescribe_and_order_tests_with_the_keyboard(portal, shoot):
    lab_catalog()
    doctor = UserFactory(username="drokafor", role=Role.DOCTOR, last_name="Okafor")
    alice = PatientFactory(first_name="Alice", last_name="Adeyemi")
    CareAssignmentFactory(patient=alice, doctor=doctor)
    amox250 = DrugFactory(
        generic_name="Amoxicillin", strength="250 mg", strength_amount=250,
        form=DrugForm.CAPSULE, unit="capsule",
    )  # fmt: skip
    amox500 = DrugFactory(
        generic_name="Amoxicillin", strength="500 mg", strength_amount=500,
        form=DrugForm.CAPSULE, unit="capsule",
    )  # fmt: skip
    add_stock(amox250, 100)
    add_stock(amox500, 100)
    DrugDosePreset.objects.create(
        drug=amox500, label="Adult", dose=Decimal(500), frequency="tds", duration_days=5
    )
    DrugFactory(generic_name="Paracetamol")
    page = portal
    sign_in(page, "drokafor", TEST_PASSWORD)
    expect(page).to_have_url(re.compile(r"/workspace/$"))

    # --- medicine: type, move down with the arrow key, choose with Enter ---
    page.goto(f"{page.base_url}/workspace/patients/{alice.public_id}/prescribe/")
    search = page.locator("#id_rx-0-drug_search")
    expect(page.locator("[data-typeahead-fallback]")).to_have_count(0)  # no "Find" with JS
    with page.expect_response(re.compile(r"/workspace/medicines/search/")):
        search.press_sequentially("amox", delay=40)
    options = page.locator("#rx-0-results [role='option']")
    expect(options).to_have_count(2)
    expect(options.nth(0)).to_contain_text("250 mg")
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    expect(options.nth(1)).to_contain_text("In stock: 100 capsule")
    shoot(page, "workspace-medicine-typeahead")
    search.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(search).to_have_attribute("aria-activedescendant", "rx-0-option-1")
    with page.expect_response(re.compile(r"/workspace/medicines/.+/presets/")):
        search.press("Enter")
    expect(page.locator("#id_rx-0-drug")).to_have_value(str(amox500.public_id))
    expect(search).to_have_value("Amoxicillin 500 mg capsule")
    expect(page.locator("#rx-0-results [role='listbox']")).to_have_count(0)
    expect(page.locator("#id_rx-0-dose")).to_be_focused()

    # --- presets: a dose preset fills the row ---
    presets = page.locator("#rx-0-presets")
    expect(presets.get_by_role("button", name=re.compile("250 mg capsule"))).to_be_visible()
    presets.get_by_role("button", name=re.compile(r"^Adult:")).click()
    expect(page.locator("#id_rx-0-dose")).to_have_value("500")
    expect(page.locator("#id_rx-0-frequency")).to_have_value("tds")
    expect(page.locator("#id_rx-0-duration_days")).to_have_value("5")
    shoot(page, "workspace-medicine-presets")

    # --- editing the words drops the choice; choosing again restores it ---
    search.press("End")
    search.press("Backspace")
    expect(page.locator("#id_rx-0-drug")).to_have_value("")
    with page.expect_response(re.compile(r"/workspace/medicines/search/")):
        search.fill("amoxicillin 500")
        search.dispatch_event("input")
    expect(options).to_have_count(1)
    search.press("Enter")
    expect(page.locator("#id_rx-0-drug")).to_have_value(str(amox500.public_id))

    # --- Esc closes a list without choosing ---
    page.locator("details.hms-rx-more summary").click()
    other = page.locator("#id_rx-1-drug_search")
    with page.expect_response(re.compile(r"/workspace/medicines/search/")):
        other.press_sequentially("para", delay=40)
    expect(page.locator("#rx-1-results [role='option']")).to_have_count(1)
    other.press("Escape")
    expect(page.locator("#rx-1-results [role='option']")).to_have_count(0)
    expect(page.locator("#id_rx-1-drug")).to_have_value("")
    other.fill("")

    page.get_by_role("button", name="Send to the pharmacy").click()
    expect(page.get_by_role("alert").first).to_contain_text("Prescription sent to the pharmacy")
    item = Prescription.objects.get(patient=alice).items.get()
    assert (item.drug, item.dose, item.frequency, item.duration_days) == (
        amox500, Decimal(500), "tds", 5,
    )  # fmt: skip

    # --- lab tests: search, enter the list with ↓, tick with Space ---
    page.goto(f"{page.base_url}/workspace/patients/{alice.public_id}/orders/lab/")
    box = page.get_by_label("Find a test or panel")
    results = page.get_by_test_id("lab-tests")
    expect(results.get_by_text("Panels")).to_be_visible()
    checkbox = results.get_by_label(re.compile(r"^Complete blood count"))
    expect(checkbox).to_have_class(re.compile("form-check-input"))
    with page.expect_response(re.compile(r"/workspace/lab-tests/search/")):
        box.press_sequentially("gluc", delay=40)
    expect(results.get_by_role("group")).to_have_count(2)  # biochemistry, urinalysis
    box.press("ArrowDown")
    first = results.get_by_role("checkbox").first
    expect(first).to_be_focused()
    first.press("Space")
    chosen = page.get_by_test_id("lab-tests-chosen")
    expect(chosen.get_by_role("checkbox", name=re.compile(r"^Glucose ·"))).to_be_checked()
    expect(results.get_by_role("group")).to_have_count(1)  # the emptied group went away
    shoot(page, "workspace-lab-test-picker")
    page.get_by_role("button", name="Send to the laboratory").click()
    expect(page.get_by_role("alert").first).to_contain_text("Sent to the laboratory: Glucose.")
    assert [o.test.code for o in LabOrder.objects.filter(patient=alice)] == ["GLU"]
