"""The doctor writes the discharge summary of an admitted patient in the workspace: a draft,
then signed; what is missing is named; other roles and doctors are kept out.

Personas: Amina (admitted under Dr Okafor), Bob (not admitted, in Dr Okafor's care), Dr Other
(Amina is not in their care), a nurse (the summary is a doctor's to write).
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from hms.accounts.tests.factories import DoctorProfileFactory
from hms.clinical import services as clinical_services
from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.inpatient import services as inpatient_services
from hms.inpatient.models import DischargeSummary
from hms.inpatient.tests.factories import WardFactory, beds_on, make_drug, prescribe
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory
from hms.web.tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    doctor = DoctorProfileFactory(user__last_name="Okafor", user__username="dr_okafor").user
    desk = make_user(Role.RECEPTIONIST)
    amina = PatientFactory(first_name="Amina", last_name="Yusuf")
    bob = PatientFactory(first_name="Bob", last_name="Brown")
    CareAssignmentFactory(patient=bob, doctor=doctor)
    bed = beds_on(WardFactory(name="Medical Ward A", code="MWA"), 1)[0]
    admission = inpatient_services.admission_admit(
        actor=desk, patient=amina, bed=bed, attending_doctor=doctor, reason="Pneumonia"
    )
    clinical_services.diagnosis_create(
        actor=doctor, encounter=admission.encounter, code="J18.9", type="confirmed"
    )
    prescribe(
        patient=amina,
        doctor=doctor,
        frequency="tds",
        drug=make_drug(name="Amoxicillin", strength="500 mg"),
        duration_days=7,
    )
    return {
        "doctor": doctor,
        "desk": desk,
        "amina": amina,
        "bob": bob,
        "admission": admission,
        "other_doctor": make_user(Role.DOCTOR, username="dr_other"),
        "nurse": make_user(Role.NURSE),
    }


def url(patient) -> str:
    return f"/workspace/patients/{patient.public_id}/discharge-summary/"


def form_data(action="draft", *, recorded=("J18.9",), other=("", ""), medicines=(), **fields):
    data = {
        "action": action,
        "recorded_diagnoses": list(recorded),
        "procedures": "",
        "hospital_course": "",
        "follow_up": "",
        "follow_up_date": "",
        "follow_up_clinic": "",
        "instructions": "",
        "dx-TOTAL_FORMS": str(len(other)),
        "dx-INITIAL_FORMS": "0",
        "dx-MIN_NUM_FORMS": "0",
        "dx-MAX_NUM_FORMS": "10",
        "med-TOTAL_FORMS": str(len(medicines)),
        "med-INITIAL_FORMS": "0",
        "med-MIN_NUM_FORMS": "0",
        "med-MAX_NUM_FORMS": "30",
        **fields,
    }
    for index, code in enumerate(other):
        data[f"dx-{index}-code"] = code
    for index, row in enumerate(medicines):
        for name in ("drug", "dose", "frequency", "duration", "instructions"):
            data[f"med-{index}-{name}"] = row.get(name, "")
    return data


def test_the_form_starts_from_the_stays_diagnoses_and_current_medicines(world):
    response = signed_in_client(world["doctor"]).get(url(world["amina"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="discharge-form"' in html
    assert "Not written yet" in html
    assert 'value="J18.9" id="id_recorded_diagnoses_0" checked' in html
    assert 'value="Amoxicillin 500 mg' in html  # the current medicine, editable
    assert 'value="Three times a day"' in html
    assert 'hx-get="/workspace/icd10/?for=dx-0-code"' in html
    assert html.count('data-testid="medicine-row"') == 3  # one current + two empty


def test_the_chart_links_to_the_summary_while_the_patient_is_admitted(world):
    client = signed_in_client(world["doctor"])
    chart = client.get(f"/workspace/patients/{world['amina'].public_id}/").content.decode()
    assert url(world["amina"]) in chart
    other_chart = client.get(f"/workspace/patients/{world['bob'].public_id}/").content.decode()
    assert url(world["bob"]) not in other_chart


def test_a_draft_may_be_incomplete(world):
    client = signed_in_client(world["doctor"])
    response = client.post(
        url(world["amina"]),
        form_data(recorded=(), instructions="Rest at home."),
    )
    assert response.status_code == 302
    summary = DischargeSummary.objects.get()
    assert summary.status == "draft" and summary.instructions == "Rest at home."
    page = client.get(url(world["amina"])).content.decode()
    assert "Draft saved. Sign it when it is complete." in page
    assert ">Draft<" in page
    assert "Rest at home." in page


def test_signing_refuses_politely_naming_what_is_missing(world):
    client = signed_in_client(world["doctor"])
    response = client.post(url(world["amina"]), form_data("sign", recorded=()))
    assert response.status_code == 400
    html = response.content.decode()
    assert "The summary was not signed: complete the fields marked below, then sign." in html
    assert "Give at least one diagnosis (ICD-10 code)." in html
    assert "State the follow-up plan (or that none is needed)." in html
    assert not DischargeSummary.objects.exists()


def test_bad_rows_are_named_and_nothing_is_saved(world):
    client = signed_in_client(world["doctor"])
    response = client.post(
        url(world["amina"]),
        form_data(other=("Q99.99", ""), medicines=[{"dose": "5 mg"}]),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "not a code in the WHO ICD-10 list" in html
    assert "Name the medicine for this row, or clear the row." in html
    assert not DischargeSummary.objects.exists()


def test_the_doctor_signs_and_the_summary_is_complete(world):
    client = signed_in_client(world["doctor"])
    follow_up_on = timezone.localdate() + timedelta(days=14)
    response = client.post(
        url(world["amina"]),
        form_data(
            "sign",
            other=("I10 · Essential (primary) hypertension", ""),
            medicines=[
                {"drug": "Amoxicillin 500 mg capsule", "dose": "500 mg", "frequency": "tds"},
                {},
            ],
            procedures="Chest X-ray\n\nBlood cultures",
            follow_up="Chest clinic with a repeat X-ray",
            follow_up_date=follow_up_on.isoformat(),
            follow_up_clinic="Chest clinic",
            instructions="Finish the antibiotics.",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    summary = DischargeSummary.objects.get()
    assert summary.status == "final" and summary.signed_by == world["doctor"]
    assert [d["code"] for d in summary.diagnoses] == ["J18.9", "I10"]
    assert summary.procedures == ["Chest X-ray", "Blood cultures"]
    assert [m["drug"] for m in summary.medications_on_discharge] == ["Amoxicillin 500 mg capsule"]
    assert summary.follow_up_date == follow_up_on
    assert AuditEvent.objects.filter(resource_type="discharge_summary").exists()
    page = client.get(url(world["amina"])).content.decode()
    assert "Discharge summary signed. The ward can now discharge the patient." in page
    assert 'data-testid="save-draft"' not in page  # a signed summary is amended by re-signing
    assert "Amend and sign again" in page


def test_a_patient_who_is_not_admitted_has_no_summary_to_write(world):
    response = signed_in_client(world["doctor"]).get(url(world["bob"]))
    assert response.status_code == 404
    assert "is not admitted at the moment" in response.content.decode()


@pytest.mark.parametrize("role", [Role.NURSE, Role.PATIENT, Role.RECEPTIONIST, Role.ADMIN])
def test_other_roles_may_not_write_the_summary(world, make_user, role):
    client = signed_in_client(make_user(role))
    assert client.get(url(world["amina"])).status_code == 403
    assert client.post(url(world["amina"]), form_data("sign")).status_code == 403
    assert not DischargeSummary.objects.exists()


def test_a_doctor_without_care_is_offered_the_glass_and_cannot_write(world):
    client = signed_in_client(world["other_doctor"])
    response = client.get(url(world["amina"]))
    assert response.status_code == 403
    assert "break the glass" in response.content.decode()
    assert client.post(url(world["amina"]), form_data("sign")).status_code == 403
    assert not DischargeSummary.objects.exists()


def test_another_patients_unknown_id_answers_404(world):
    client = signed_in_client(world["doctor"])
    missing = PatientFactory.build()
    assert client.get(url(missing)).status_code == 404
