"""The discharge summary: drafts that may be incomplete, signing that checks it is complete,
and a discharge that waits for the signature."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hms.core.errors import ConflictError
from hms.core.models import AuditEvent
from hms.inpatient import services
from hms.inpatient.models import Admission, AdmissionStatus, BedStatus, DischargeSummaryStatus

pytestmark = pytest.mark.django_db

URL = "/api/admissions/{}/discharge-summary/"


def _save(admission, doctor, **fields):
    values = {
        "diagnoses": [],
        "procedures": [],
        "medications_on_discharge": [],
        **fields,
    }
    return services.discharge_summary_save(actor=doctor, admission=admission, **values)


@pytest.fixture
def admission(admitted):
    return Admission.objects.get(public_id=admitted["id"])


class TestDraftAndSign:
    def test_an_incomplete_draft_is_kept(self, admission, doctor):
        summary = _save(admission, doctor, instructions="Rest; drink plenty of fluids.")
        assert summary.status == DischargeSummaryStatus.DRAFT
        assert summary.signed_at is None and summary.signed_by is None
        assert summary.instructions == "Rest; drink plenty of fluids."
        event = AuditEvent.objects.get(resource_type="discharge_summary")
        assert event.detail["status"] == "draft"

    def test_signing_names_everything_missing_at_once_and_keeps_the_draft(self, admission, doctor):
        _save(admission, doctor, follow_up="")
        with pytest.raises(ValidationError) as caught:
            _save(admission, doctor, finalise=True)
        errors = caught.value.message_dict
        assert errors["diagnoses"] == ["Give at least one diagnosis (ICD-10 code)."]
        assert errors["follow_up"] == ["State the follow-up plan (or that none is needed)."]
        admission.discharge_summary.refresh_from_db()
        assert admission.discharge_summary.status == DischargeSummaryStatus.DRAFT

    def test_unknown_codes_and_nameless_medicines_are_refused_even_in_a_draft(
        self, admission, doctor
    ):
        with pytest.raises(ValidationError) as caught:
            _save(
                admission,
                doctor,
                diagnoses=[{"code": "J18.9"}, {"code": "Q99.99"}],
                medications_on_discharge=[{"drug": "", "dose": "5 mg"}, {"drug": ""}],
            )
        errors = caught.value.message_dict
        assert errors["diagnoses"][0].startswith("Diagnosis 2:")
        assert errors["medications_on_discharge"] == ["Medicine 1: name the medicine."]
        assert not hasattr(Admission.objects.get(pk=admission.pk), "discharge_summary")

    def test_a_follow_up_date_must_be_after_admission_and_not_past_when_signed(
        self, admission, doctor
    ):
        today = timezone.localdate()
        with pytest.raises(ValidationError) as caught:
            _save(admission, doctor, follow_up_date=today - timedelta(days=30))
        assert "before the admission" in caught.value.message_dict["follow_up_date"][0]
        summary = _save(
            admission,
            doctor,
            diagnoses=[{"code": "j189"}],
            follow_up="Chest clinic",
            follow_up_date=today + timedelta(days=14),
            follow_up_clinic="Chest clinic",
            finalise=True,
        )
        assert summary.diagnoses == [{"code": "J18.9", "title": summary.diagnoses[0]["title"]}]
        assert summary.follow_up_date == today + timedelta(days=14)

    def test_signing_records_who_and_when_and_a_signed_summary_stays_signed(
        self, admission, doctor
    ):
        summary = _save(
            admission, doctor, diagnoses=[{"code": "J18.9"}], follow_up="GP", finalise=True
        )
        assert summary.status == DischargeSummaryStatus.FINAL
        assert summary.signed_by == doctor and summary.signed_at is not None
        with pytest.raises(ConflictError) as caught:
            _save(admission, doctor, diagnoses=[{"code": "J18.9"}], follow_up="GP")
        assert caught.value.code == "discharge_summary_signed"
        amended = _save(
            admission,
            doctor,
            diagnoses=[{"code": "J18.9"}, {"code": "I10"}],
            follow_up="GP",
            finalise=True,
        )
        assert [d["code"] for d in amended.diagnoses] == ["J18.9", "I10"]
        assert amended.history.count() == 2  # the first signed version is kept


class TestDischargeWaitsForTheSignature:
    def test_a_draft_refuses_the_discharge_and_nothing_changes(
        self, admission, doctor, reception, beds
    ):
        _save(admission, doctor, diagnoses=[{"code": "J18.9"}], follow_up="GP")
        response = reception.post(f"/api/admissions/{admission.public_id}/discharge/", {})
        assert response.status_code == 409
        assert response.json()["code"] == "discharge_summary_unsigned"
        assert "sign" in response.json()["message"]
        admission.refresh_from_db()
        beds[0].refresh_from_db()
        assert admission.status == AdmissionStatus.ACTIVE
        assert beds[0].status == BedStatus.OCCUPIED

    def test_once_signed_the_discharge_frees_the_bed(self, admission, doctor, reception, beds):
        _save(admission, doctor, diagnoses=[{"code": "J18.9"}], follow_up="GP", finalise=True)
        response = reception.post(f"/api/admissions/{admission.public_id}/discharge/", {})
        assert response.status_code == 200, response.json()
        beds[0].refresh_from_db()
        assert beds[0].status == BedStatus.CLEANING


class TestApi:
    def test_a_draft_through_the_api_then_signed(self, admitted, doctor_client, reception):
        url = URL.format(admitted["id"])
        draft = doctor_client.put(
            url,
            {
                "diagnoses": [],
                "procedures": [],
                "medications_on_discharge": [],
                "instructions": "Keep the wound dry.",
                "finalise": False,
            },
            format="json",
        )
        assert draft.status_code == 200, draft.json()
        assert draft.json()["status"] == "draft" and draft.json()["signed_by"] is None
        detail = reception.get(f"/api/admissions/{admitted['id']}/").json()
        assert detail["discharge_summary_status"] == "draft"
        refused = doctor_client.put(
            url,
            {"diagnoses": [], "procedures": [], "medications_on_discharge": []},
            format="json",
        )
        assert refused.status_code == 400
        assert set(refused.json()["fields"]) == {"diagnoses", "follow_up"}
        signed = doctor_client.put(
            url,
            {
                "diagnoses": [{"code": "J18.9"}],
                "procedures": [],
                "medications_on_discharge": [],
                "follow_up": "GP review in a week",
                "follow_up_clinic": "General practice",
            },
            format="json",
        )
        assert signed.status_code == 200, signed.json()
        body = signed.json()
        assert body["status"] == "final" and body["signed_by"]["name"]
        assert body["follow_up_clinic"] == "General practice"
        assert body["instructions"] == ""
        detail = reception.get(f"/api/admissions/{admitted['id']}/").json()
        assert detail["discharge_summary_status"] == "final"
