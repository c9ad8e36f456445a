"""The workspace's slow submits are marked so the browser shows them working (the browser
behaviour itself is tested in e2e/test_busy_submits.py): their forms carry `data-busy` and a
spinner in the submit button, every page loads the script that acts on them, and the htmx
requests name what to disable and where to show progress."""

import re

import pytest
from django.contrib.staticfiles import finders

from hms.core.roles import Role
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory
from hms.web.tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db

SLOW_FORMS = {
    "assistant/": "analysis-form",
    "notes/new/": "note-form",
    "orders/lab/": "lab-order-form",
    "orders/imaging/": "imaging-order-form",
    "prescribe/": "prescribe-form",
}


@pytest.fixture
def doctor_and_patient(make_user):
    doctor = make_user(Role.DOCTOR)
    patient = PatientFactory()
    CareAssignmentFactory(patient=patient, doctor=doctor)
    return doctor, patient


def _form(html: str, test_id: str) -> str:
    match = re.search(rf'<form[^>]*data-testid="{test_id}"[^>]*>(.*?)</form>', html, re.S)
    assert match, f"no {test_id} on the page"
    return match.group(0)


@pytest.mark.parametrize(("path", "test_id"), SLOW_FORMS.items())
def test_slow_forms_disable_their_submit_with_a_spinner(doctor_and_patient, path, test_id):
    doctor, patient = doctor_and_patient
    response = signed_in_client(doctor).get(f"/workspace/patients/{patient.public_id}/{path}")
    assert response.status_code == 200
    html = response.content.decode()
    form = _form(html, test_id)
    assert re.search(r"<form[^>]*\sdata-busy[\s>]", form)
    # The form's own submit, not a search's no-JavaScript "Find" button.
    submits = re.findall(r'<button type="submit"([^>]*)>(.*?)</button>', form, re.S)
    button = next((inner for attrs, inner in submits if 'name="find"' not in attrs), None)
    assert (
        button is not None and 'class="spinner-border spinner-border-sm hms-busy-spinner"' in button
    )
    assert "web/js/submit-busy.js" in html


def test_htmx_requests_show_progress(doctor_and_patient):
    doctor, patient = doctor_and_patient
    client = signed_in_client(doctor)
    base = f"/workspace/patients/{patient.public_id}/"
    prescribe = _form(client.get(base + "prescribe/").content.decode(), "prescribe-form")
    assert "hx-disabled-elt=\"find button[type='submit']\"" in prescribe
    assert 'hx-indicator="find .hms-busy-spinner"' in prescribe
    note = _form(client.get(base + "notes/new/").content.decode(), "note-form")
    for indicator in re.findall(r'hx-indicator="#([^"]+)"', note):
        assert f'id="{indicator}" class="htmx-indicator' in note
    assert re.findall(r'hx-indicator="#([^"]+)"', note), "the ICD-10 picker shows its lookup"


def test_the_busy_script_is_served():
    path = finders.find("web/js/submit-busy.js")
    assert path is not None
    with open(path) as script:
        source = script.read()
    assert "data-busy" in source and "defaultPrevented" in source
