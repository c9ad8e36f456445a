"""A slow submit shows it is working: while the server has not answered, the button that sent
it is disabled and shows a spinner (a plain form: web/js/submit-busy.js; an htmx request:
hx-disabled-elt and hx-indicator). The test holds the request (in the live server for a page
submit, in the browser for an htmx request) until it has looked at the button."""

import re
import threading
from datetime import date

import pytest
from playwright.sync_api import expect

from hms.accounts.tests.factories import TEST_PASSWORD, UserFactory
from hms.core.roles import Role
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory
from hms.pharmacy.tests.factories import DrugFactory
from hms.web.views.workspace import assistant as assistant_view

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
    """The live server's analysis waits until the test sets the event it yields."""
    release = threading.Event()
    analyse = assistant_view.assistant_services.prescription_analyse

    def held(**kwargs):
        assert release.wait(30), "the test never released the analysis"
        return analyse(**kwargs)

    monkeypatch.setattr(assistant_view.assistant_services, "prescription_analyse", held)
    yield release
    release.set()


def test_the_analysis_button_is_disabled_with_a_spinner_until_the_answer(
    portal, clinic, slow_analysis
):
    page = portal
    sign_in(page, "drbusy", TEST_PASSWORD)
    page.goto(f"{page.base_url}/workspace/patients/{clinic['patient'].public_id}/assistant/")
    page.get_by_label("Or the prescription text").fill("Amoxicillin 500 mg three times a day")
    button = page.get_by_test_id("analysis-form").get_by_role("button", name="Analyse")
    spinner = button.locator(".hms-busy-spinner")
    expect(spinner).to_be_hidden()

    button.click(no_wait_after=True)
    expect(button).to_be_disabled()
    expect(spinner).to_be_visible()
    expect(page.get_by_test_id("analysis-form")).to_have_attribute("aria-busy", "true")
    slow_analysis.set()

    expect(page.get_by_role("heading", name="Prescription analysis")).to_be_visible()


def test_the_prescribe_button_waits_for_the_safety_check(portal, clinic):
    page = portal
    sign_in(page, "drbusy", TEST_PASSWORD)
    page.goto(f"{page.base_url}/workspace/patients/{clinic['patient'].public_id}/prescribe/")
    form = page.get_by_test_id("prescribe-form")
    button = form.get_by_role("button", name="Send to the pharmacy")
    expect(button).to_be_enabled()

    held = HeldRequests(page, re.compile(r"/prescribe/check/$"))
    page.locator("#id_rx-0-drug").select_option(str(clinic["drug"].public_id))
    expect(button).to_be_disabled()
    expect(button.locator(".hms-busy-spinner")).to_be_visible()
    held.release()
    expect(button).to_be_enabled()
    expect(button.locator(".hms-busy-spinner")).to_be_hidden()
