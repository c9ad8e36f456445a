"""The printed lab report: header, each result with unit, reference range and flag (H, L,
critical), verified by and when, the patient on every page; released results only for the
chart side; who may print it; audited."""

import re

import pytest

from hms.core.models import AuditAction, AuditEvent
from hms.core.roles import Role
from hms.core.tests.printed import assert_patient_document, pdf_pages
from hms.laboratory.models import LabResult

pytestmark = pytest.mark.django_db

CBC = {
    "WBC": "12.5",  # above 4.0-11.0: H
    "RBC": "4.5",
    "HGB": "6.5",  # below the critical 7.0: LL CRITICAL
    "HCT": "40",
    "MCV": "90",
    "MCH": "30",
    "MCHC": "33",
    "RDW": "13",
    "PLT": "100",  # below 150-400: L
}


def _url(order) -> str:
    return f"/api/lab/orders/{order.public_id}/pdf/"


def test_verified_report_prints_units_ranges_flags_and_verifier(
    settings, as_user, tech2, doctor, alice, resulted_order
):
    settings.HOSPITAL_NAME = "St Luke Mission Hospital"
    order = resulted_order("CBC", CBC)
    as_user(tech2).post(f"/api/lab/orders/{order.public_id}/verify/")

    pages = pdf_pages(as_user(doctor).get(_url(order)))

    assert_patient_document(pages, alice, hospital="St Luke Mission Hospital")
    text = " ".join(" ".join(pages).split())
    assert f"Laboratory report {order.placer_number}" in text
    assert "Complete blood count (CBC)" in text
    hgb = LabResult.objects.get(order=order, test__code="HGB")
    assert hgb.reference_text  # the range that fitted Alice, as stored with the result
    assert f"Hemoglobin 6.5 g/dL {hgb.reference_text} LL CRITICAL Victor Verifier" in text
    assert re.search(r"12\.5 10\*3/uL \S+ H Victor Verifier", text)
    assert re.search(r"Platelets 100 10\*3/uL \S+ L Victor Verifier", text)
    assert "Verified by Victor Verifier on 2027-03-01 08:00" in text


def test_unverified_results_are_not_released_to_doctor_or_patient(
    as_user, tech, doctor, alice, resulted_order
):
    order = resulted_order("HGB", {"HGB": "6.5"})
    for user in (doctor, alice.user):
        text = " ".join(" ".join(pdf_pages(as_user(user).get(_url(order)))).split())
        assert "6.5" not in text
        assert "No results have been released for this order yet." in text
    lab = " ".join(" ".join(pdf_pages(as_user(tech).get(_url(order)))).split())
    assert "6.5" in lab and "PRELIMINARY - not verified" in lab


def test_printing_is_audited_and_scoped(as_user, tech2, bob, alice, resulted_order, client_for):
    order = resulted_order("HGB", {"HGB": "13.0"})
    as_user(tech2).post(f"/api/lab/orders/{order.public_id}/verify/")
    assert as_user(alice.user).get(_url(order)).status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.resource_type, event.actor, event.object_id) == (
        "lab_report",
        alice.user,
        str(order.public_id),
    )
    assert as_user(bob.user).get(_url(order)).status_code == 404
    assert client_for(Role.PHARMACIST).get(_url(order)).status_code == 403
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 1
