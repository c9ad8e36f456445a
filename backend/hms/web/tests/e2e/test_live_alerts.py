"""A critical result reaches the doctor's open workspace live: a lab technician verifies a
critical potassium in one browser context, and the doctor's page, open in another, shows it
within two seconds without a reload."""

import re

from playwright.sync_api import expect

from hms.accounts.tests.factories import TEST_PASSWORD, UserFactory
from hms.core.roles import Role
from hms.laboratory import services as lab_services
from hms.laboratory.models import LabTest
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory

from ..clinic import Lab
from .conftest import ARTIFACTS
from .test_portal_flows import sign_in

LIVE_WITHIN_MS = 2_000


def _resulted_potassium(lab, doctor, patient):
    order = lab.ordered(doctor=doctor, patient=patient, code="K")
    order = lab_services.lab_order_collect(actor=lab.tech, order=order)
    return lab_services.lab_results_enter(
        actor=lab.tech,
        order=order,
        results=[lab_services.ResultInput(test=LabTest.objects.get(code="K"), value="6.8")],
    )


def test_critical_potassium_reaches_the_open_workspace_live(asgi_portal, browser):
    doctor = UserFactory(role=Role.DOCTOR, username="drlive", first_name="Lena", last_name="Live")
    patient = PatientFactory(first_name="Kara", last_name="Kalium")
    CareAssignmentFactory(patient=patient, doctor=doctor)
    lab = Lab()
    lab.verifier.username = "verifier"
    lab.verifier.set_password(TEST_PASSWORD)
    lab.verifier.save()
    order = _resulted_potassium(lab, doctor, patient)

    page = asgi_portal
    sign_in(page, "drlive", TEST_PASSWORD)
    expect(page).to_have_url(re.compile(r"/workspace/$"))
    bell = page.get_by_test_id("notification-bell")
    expect(bell).to_have_attribute("data-live-state", "open")
    expect(page.get_by_test_id("notification-count")).to_be_hidden()
    expect(page.get_by_test_id("attention-item")).to_have_count(0)

    # The lab technician, in a browser context of their own, verifies through the API.
    lab_context = browser.new_context(base_url=page.base_url)
    try:
        login = lab_context.request.post(
            "/api/login/", data={"username": "verifier", "password": TEST_PASSWORD}
        )
        assert login.ok, login.text()
        verified = lab_context.request.post(
            f"/api/lab/orders/{order.public_id}/verify/",
            headers={"Authorization": f"Bearer {login.json()['access']}"},
        )
        assert verified.ok, verified.text()
    finally:
        lab_context.close()

    # No reload: the strip, the bell and a pop-up show it.
    item = page.get_by_test_id("attention-item")
    expect(item).to_have_count(1, timeout=LIVE_WITHIN_MS)
    expect(item).to_contain_text("Potassium 6.8 mmol/L", timeout=LIVE_WITHIN_MS)
    expect(page.get_by_test_id("notification-toast")).to_contain_text(
        "Potassium", timeout=LIVE_WITHIN_MS
    )
    expect(page.get_by_test_id("notification-count")).to_be_visible(timeout=LIVE_WITHIN_MS)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "live-alert-workspace.png"), full_page=True)

    # Acknowledge from the strip: it leaves, and the inbox says who and when.
    item.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_test_id("attention-item")).to_have_count(0)
    page.goto(f"{page.base_url}/notifications/")
    expect(page.get_by_test_id("acknowledged").first).to_contain_text("acknowledged by Lena Live")
    page.screenshot(path=str(ARTIFACTS / "notification-inbox.png"), full_page=True)
