"""What the signed-in user may do comes from the server (GET /api/profile/capabilities/), read
once at sign-in: screens show the actions the server grants and hide the others."""

from __future__ import annotations

from hms_desktop.api import ApiClient
from hms_desktop.modules import modules_for

from .conftest import DEMO_PASSWORD, sign_in, wait_idle


def capabilities_of(hms_server: str, username: str):
    client = ApiClient(hms_server)
    try:
        client.sign_in(username, DEMO_PASSWORD)
        return client.capabilities
    finally:
        client.close()


def test_sign_in_reads_the_capabilities_and_clinical_rules(hms_server):
    accountant = capabilities_of(hms_server, "accountant")
    assert accountant.role == "accountant"
    assert accountant.may("billing_refunds", "create")
    assert accountant.may("billing_claims", "decide")
    assert not accountant.may("users", "list")
    reception = capabilities_of(hms_server, "receptionist")
    assert reception.may("billing_invoices", "create")
    assert not reception.may("billing_refunds", "create")
    assert not reception.may("no_such_resource", "list")
    assert {"news2", "lab_flags"} <= set(reception.clinical_rules)
    assert reception.news2["bands"]["pulse"]["above"] == 3


def test_modules_follow_the_servers_grants(hms_server):
    keys = {m.key for m in modules_for(capabilities_of(hms_server, "lab_technician"))}
    assert {"dashboard", "patients", "lab", "profile"} <= keys
    assert not keys & {"billing", "users", "dispensing", "radiology"}


def test_context_holds_the_capabilities_read_at_sign_in(qtbot, hms):
    window = sign_in(qtbot, hms, "accountant")
    wait_idle(qtbot, hms)
    ctx = hms.context
    assert ctx.capabilities.role == "accountant"
    assert ctx.may("billing_refunds", "create")
    page = window.open_module("billing")
    assert not page.details.refund_button.isHidden()
    assert not page.details.approve_button.isHidden()
    window = sign_in(qtbot, hms, "receptionist")
    wait_idle(qtbot, hms)
    page = window.open_module("billing")
    assert page.details.refund_button.isHidden()
    assert page.details.approve_button.isHidden()
    assert not page.details.claim_button.isHidden()
