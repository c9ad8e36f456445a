"""A slow submit shows it is working: while the server has not answered, the button that sent
it is disabled and shows a spinner (a plain form: web/js/submit-busy.js; an htmx request:
hx-disabled-elt and hx-indicator). The test holds the request (in the live server for a page
submit, in the browser for an htmx request) until it has looked at the button."""

import json
import re
import time
from datetime import date

import pytest
from playwright.sync_api import expect

from hms.accounts.tests.factories import TEST_PASSWORD, UserFactory
from hms.assistant.prescription_parser import drug_recogniser
from hms.core.roles import Role
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory
from hms.pharmacy.tests.factories import DrugFactory
from hms.web.views.workspace import assistant as assistant_view

from .pickers import choose_medicine
from .test_portal_flows import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clinic(settings):
    settings.ASSISTANT_PROVIDER = "local"
    doctor = UserFactory(username="drbusy", role=Role.DOCTOR, first_name="Ada", last_name="Bello")
    patient = PatientFactory(first_name="Tomás", last_name="Rivera", date_of_birth=date(1979, 5, 2))
    CareAssignmentFactory(patient=patient, doctor=doctor)
    drug = DrugFactory(generic_name="Amoxicillin", drug_class="penicillin", form="capsule")
    return {"patient": patient, "drug": drug}


class HeldRequests:
    """htmx requests matching a pattern wait in the browser until `release()`."""

    def __init__(self, page, pattern) -> None:
        self.routes: list = []
        page.route(pattern, lambda route: self.routes.append(route))

    def release(self) -> None:
        while self.routes:
            self.routes.pop(0).continue_()


@pytest.fixture
def slow_analysis(monkeypatch):
    """The live server's analysis takes two seconds more (the drug dictionary is loaded
    first, as the server's start-up warm-up would, so only the added delay is in flight)."""
    drug_recogniser()
    analyse = assistant_view.assistant_services.prescription_analyse

    def slow(**kwargs):
        time.sleep(2)
        return analyse(**kwargs)

    monkeypatch.setattr(assistant_view.assistant_services, "prescription_analyse", slow)


# Playwright waits for a page's navigation to finish before it reads the page again, so the
# page notes what its form looks like while the submit is in flight (sessionStorage outlives
# the navigation) and the test reads the note on the answer's page.
SNAPSHOT_IN_FLIGHT = """() => document.addEventListener("submit", () => setTimeout(() => {
  const form = document.querySelector("[data-testid=analysis-form]");
  const button = form.querySelector("button[type=submit]");
  const spinner = button.querySelector(".hms-busy-spinner");
  sessionStorage.setItem("in-flight", JSON.stringify({
    disabled: button.disabled,
    spinner: getComputedStyle(spinner).display,
    busy: form.getAttribute("aria-busy"),
  }));
}, 500))"""


def test_the_analysis_button_is_disabled_with_a_spinner_until_the_answer(
    portal, clinic, slow_analysis
):
    page = portal
    sign_in(page, "drbusy", TEST_PASSWORD)
    page.goto(f"{page.base_url}/workspace/patients/{clinic['patient'].public_id}/assistant/")
    page.get_by_label("Or the prescription text").fill("Amoxicillin 500 mg three times a day")
    button = page.get_by_test_id("analysis-form").get_by_role("button", name="Analyse")
    expect(button).to_be_enabled()
    expect(button.locator(".hms-busy-spinner")).to_be_hidden()

    page.evaluate(SNAPSHOT_IN_FLIGHT)
    button.click(no_wait_after=True)
    expect(page.get_by_role("heading", name="Prescription analysis")).to_be_visible(timeout=60_000)

    in_flight = json.loads(page.evaluate("() => sessionStorage.getItem('in-flight')"))
    assert in_flight == {"disabled": True, "spinner": "inline-block", "busy": "true"}


def test_the_prescribe_button_waits_for_the_safety_check(portal, clinic):
    page = portal
    sign_in(page, "drbusy", TEST_PASSWORD)
    page.goto(f"{page.base_url}/workspace/patients/{clinic['patient'].public_id}/prescribe/")
    form = page.get_by_test_id("prescribe-form")
    button = form.get_by_role("button", name="Send to the pharmacy")
    expect(button).to_be_enabled()

    held = HeldRequests(page, re.compile(r"/prescribe/check/$"))
    choose_medicine(page, clinic["drug"])
    expect(button).to_be_disabled()
    expect(button.locator(".hms-busy-spinner")).to_be_visible()
    held.release()
    expect(button).to_be_enabled()
    expect(button.locator(".hms-busy-spinner")).to_be_hidden()
