"""Allergies a patient reports from the portal, and their confirmation by a doctor or nurse
(services and API). Personas: Ana (the patient), Bea (another patient), Ana's doctor and a
nurse caring for her, a receptionist, a pharmacist."""

import pytest

from hms.core.errors import ConflictError, ForbiddenError
from hms.core.roles import Role
from hms.patients.models import Allergy, AllergySource
from hms.patients.services import allergy_confirm, allergy_report, break_glass_grant_create
from hms.patients.tests.factories import AllergyFactory, PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana_user(make_user, patient):
    user = make_user(Role.PATIENT)
    patient.user = user
    patient.save(update_fields=["user"])
    return user


def report_url(patient):
    return f"/api/patients/{patient.public_id}/allergies/report/"


def confirm_url(patient, allergy):
    return f"/api/patients/{patient.public_id}/allergies/{allergy.public_id}/confirm/"


class TestServices:
    def test_a_patient_reports_an_allergy_of_their_own(self, ana_user, patient):
        allergy = allergy_report(
            actor=ana_user, patient=patient, substance="Amoxicillin", reaction="Rash"
        )
        assert allergy.source == AllergySource.PATIENT and allergy.patient_reported
        assert allergy.created_by == ana_user and allergy.status == "active"

    def test_a_patient_reports_only_on_their_own_chart(self, ana_user):
        with pytest.raises(ForbiddenError):
            allergy_report(actor=ana_user, patient=PatientFactory(), substance="Latex")

    def test_a_patient_cannot_confirm(self, ana_user, patient):
        allergy = allergy_report(actor=ana_user, patient=patient, substance="Latex")
        with pytest.raises(ForbiddenError):
            allergy_confirm(actor=ana_user, allergy=allergy)
        allergy.refresh_from_db()
        assert allergy.patient_reported

    def test_a_nurse_confirms_once(self, ana_user, patient, make_user, last_audit):
        nurse = make_user(Role.NURSE)
        allergy = allergy_report(actor=ana_user, patient=patient, substance="Latex")
        allergy_confirm(actor=nurse, allergy=allergy)
        allergy.refresh_from_db()
        assert allergy.confirmed_by == nurse and not allergy.patient_reported
        event = last_audit(resource_type="allergy_confirmation")
        assert event.actor == nurse and event.object_id == str(allergy.public_id)
        with pytest.raises(ConflictError):
            allergy_confirm(actor=nurse, allergy=allergy)

    def test_a_staff_recorded_allergy_needs_no_confirmation(self, doctor, patient):
        allergy = AllergyFactory(patient=patient)
        with pytest.raises(ConflictError):
            allergy_confirm(actor=doctor, allergy=allergy)


class TestApi:
    def test_patient_reports_and_the_chart_shows_it_patient_reported(
        self, client_for, ana_user, patient, doctor, assign
    ):
        response = client_for(Role.PATIENT, user=ana_user).post(
            report_url(patient), {"substance": "Peanuts", "severity": "severe"}, format="json"
        )
        assert response.status_code == 201, response.data
        assert response.data["source"] == "patient" and response.data["patient_reported"]

        assign(patient, doctor)
        clinician = client_for(Role.DOCTOR, user=doctor)
        listed = clinician.get(f"/api/patients/{patient.public_id}/allergies/")
        assert listed.data["results"][0]["patient_reported"] is True

        allergy = Allergy.objects.get(patient=patient)
        confirmed = clinician.post(confirm_url(patient, allergy))
        assert confirmed.status_code == 200, confirmed.data
        assert confirmed.data["patient_reported"] is False
        assert confirmed.data["confirmed_at"] is not None

    def test_a_nurse_edits_and_confirms_through_the_api(
        self, client_for, make_user, ana_user, patient
    ):
        nurse = make_user(Role.NURSE)
        client = client_for(Role.NURSE, user=nurse)
        allergy = allergy_report(actor=ana_user, patient=patient, substance="Latex")
        edit = f"/api/patients/{patient.public_id}/allergies/{allergy.public_id}/"
        # Outside the patient's care the nurse is asked to break the glass (not refused for
        # the role); with access, she edits and confirms.
        refused = client.patch(edit, {"severity": "severe"}, format="json")
        assert refused.status_code == 403 and refused.data["code"] == "break_glass_required"
        break_glass_grant_create(
            user=nurse, patient=patient, reason="Reaction on the ward, chart needed now"
        )
        edited = client.patch(edit, {"severity": "severe", "reaction": "Hives"}, format="json")
        assert edited.status_code == 200, edited.data
        assert edited.data["severity"] == "severe" and edited.data["patient_reported"] is True
        confirmed = client.post(confirm_url(patient, allergy))
        assert confirmed.status_code == 200, confirmed.data
        assert confirmed.data["confirmed_by"] == nurse.display_name

    def test_who_may_report_and_confirm(self, client_for, ana_user, patient):
        allergy = allergy_report(actor=ana_user, patient=patient, substance="Latex")
        # Another patient: the chart does not exist for them.
        other = client_for(Role.PATIENT)
        assert other.post(report_url(patient), {"substance": "Dust"}).status_code == 404
        # Staff do not "report"; a patient, receptionist or pharmacist does not confirm.
        for role in (Role.DOCTOR, Role.NURSE, Role.RECEPTIONIST):
            assert client_for(role).post(report_url(patient), {"substance": "X"}).status_code == 403
        for client in (
            client_for(Role.PATIENT, user=ana_user),
            client_for(Role.RECEPTIONIST),
            client_for(Role.PHARMACIST),
        ):
            assert client.post(confirm_url(patient, allergy)).status_code == 403
        allergy.refresh_from_db()
        assert allergy.patient_reported

    def test_bad_input_is_a_400(self, client_for, ana_user, patient):
        client = client_for(Role.PATIENT, user=ana_user)
        response = client.post(report_url(patient), {"severity": "deadly"}, format="json")
        assert response.status_code == 400
        assert {"substance", "severity"} <= set(response.data["fields"])
