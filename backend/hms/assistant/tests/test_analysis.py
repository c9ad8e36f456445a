"""POST /api/analyze-prescription/: the local analyser on realistic prescriptions, the safety
warnings for a patient, the three kinds of input, storage, and access."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hms.assistant.models import PrescriptionAnalysis
from hms.assistant.tests.pdf import text_pdf
from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.patients.tests.factories import AllergyFactory, PatientFactory, PatientUserFactory
from hms.pharmacy.models import Prescription, PrescriptionItem

pytestmark = pytest.mark.django_db

GP_SCRIPT = """Rx
1. Amoxicillin 500 mg capsules - 1 capsule PO TDS x 7 days
2. Paracetamol 1 g every 6 hours when needed for pain (max 4 g/day)
3. Lipitor 20mg nocte
4. Salbutamol inhaler 2 puffs prn
"""


def by_name(body):
    return {drug["name"]: drug for drug in body["drugs"]}


class TestLocalAnalyser:
    def test_a_gp_prescription(self, analyse, amoxicillin, atorvastatin, paracetamol):
        response = analyse(text=GP_SCRIPT)
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["provider"] == "local" and body["fallback"] is None
        drugs = by_name(body)
        assert set(drugs) == {"Amoxicillin", "Paracetamol", "Atorvastatin", "Albuterol"}
        amox = drugs["Amoxicillin"]
        assert (amox["dose"], amox["unit"], amox["strength"]) == ("1", "capsule", "500 mg")
        assert (amox["route"], amox["frequency"], amox["duration_days"]) == ("oral", "tds", 7)
        assert amox["formulary_drug"]["id"] == str(amoxicillin.public_id)
        para = drugs["Paracetamol"]
        assert (para["dose"], para["unit"], para["frequency"], para["as_needed"]) == (
            "1",
            "g",
            "q6h",
            True,
        )
        lipitor = drugs["Atorvastatin"]  # a brand name, normalised to the generic
        assert lipitor["matched_text"] == "Lipitor" and lipitor["frequency"] == "nocte"
        salbutamol = drugs["Albuterol"]  # not in this formulary: the package's name
        assert salbutamol["formulary_drug"] is None and salbutamol["recognised"] is True
        assert (salbutamol["dose"], salbutamol["unit"], salbutamol["frequency"]) == (
            "2",
            "puff",
            "prn",
        )
        assert (
            "Amoxicillin: take 1 capsule by mouth three times a day for 7 days."
            in (body["explanation"])
        )
        assert "finish the whole course" in body["explanation"]

    def test_a_hospital_discharge_list(self, analyse, warfarin, ibuprofen):
        text = (
            "Discharge medication:\n"
            "Warfarin 5mg tablets, take one tablet once daily at 6pm\n"
            "Ibuprofen 400 mg three times a day with food for 5 days\n"
            "Omeprazole 20 mg OD\n"
        )
        body = analyse(text=text).json()
        drugs = by_name(body)
        assert drugs["Warfarin"]["frequency"] == "od"
        assert drugs["Ibuprofen"]["frequency"] == "tds"
        assert drugs["Ibuprofen"]["duration_days"] == 5
        assert "Omeprazole" in drugs
        # Interactions among the drugs of the text itself, even without a patient.
        interaction = next(w for w in body["warnings"] if w["code"] == "interaction")
        assert interaction["severity"] == "severe"
        assert "can affect each other" in body["explanation"]

    def test_safety_warnings_for_the_patient(self, analyse, patient, amoxicillin):
        AllergyFactory(patient=patient, substance="Penicillin", severity="severe")
        body = analyse(text="Amoxicillin 500mg tds 5 days", patient=str(patient.public_id)).json()
        (warning,) = body["warnings"]
        assert warning["code"] == "allergy_class" and warning["severity"] == "severe"
        assert "allergy to Penicillin" in body["explanation"]

    def test_dose_warning_for_a_formulary_drug(self, analyse, paracetamol):
        body = analyse(text="Paracetamol 2 g four times a day").json()
        assert ("dose_above_max_daily", "severe") in {
            (w["code"], w["severity"]) for w in body["warnings"]
        }

    def test_nothing_recognised(self, analyse):
        body = analyse(text="Rest, fluids, review in one week.").json()
        assert body["drugs"] == [] and "No medicines were recognised" in body["explanation"]

    def test_identifiers_are_removed_before_storage(self, analyse, patient):
        text = (
            f"Patient: {patient.first_name} {patient.last_name}\n"
            f"MRN: {patient.mrn}\nPhone 07700 900123, amina.yusuf@example.org\n"
            "Metformin 500 mg bd\nSigned Dr. Gregory Housemann"
        )
        body = analyse(text=text, patient=str(patient.public_id)).json()
        assert body["identifiers_removed"] >= 4
        stored = PrescriptionAnalysis.objects.get().clinical_text
        for secret in ("Amina", "Yusuf", patient.mrn, "900123", "amina.yusuf", "Housemann"):
            assert secret not in stored
        assert "Metformin 500 mg bd" in stored


class TestInputsAndStorage:
    def test_a_prescription_on_record(self, analyse, doctor, patient, amoxicillin):
        from django.utils import timezone

        rx = Prescription.objects.create(
            patient=patient, prescriber=doctor, prescribed_at=timezone.now()
        )
        PrescriptionItem.objects.create(
            prescription=rx,
            drug=amoxicillin,
            dose=500,
            dose_unit="mg",
            route="oral",
            frequency="tds",
            duration_days=7,
            quantity=21,
            start_date=timezone.localdate(),
        )
        response = analyse(prescription=str(rx.public_id))
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["source"] == "prescription" and body["prescription"] == str(rx.public_id)
        assert body["patient"] == str(patient.public_id)
        (drug,) = body["drugs"]
        assert (drug["name"], drug["frequency"], drug["duration_days"]) == (
            "Amoxicillin",
            "tds",
            7,
        )
        # Its own items are not "duplicate therapy".
        assert body["warnings"] == []

    def test_an_uploaded_pdf(self, doctor_client, amoxicillin):
        pdf = text_pdf(["Patient: John Smith", "Amoxicillin 500 mg 1 cap tds x 7 days"])
        response = doctor_client.post(
            "/api/analyze-prescription/",
            {"file": SimpleUploadedFile("rx.pdf", pdf, content_type="application/pdf")},
            format="multipart",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["source"] == "document"
        assert [d["name"] for d in response.json()["drugs"]] == ["Amoxicillin"]
        assert "John" not in PrescriptionAnalysis.objects.get().clinical_text

    def test_a_pdf_without_text_and_a_non_pdf(self, doctor_client):
        blank = text_pdf([])
        response = doctor_client.post(
            "/api/analyze-prescription/",
            {"file": SimpleUploadedFile("scan.pdf", blank)},
            format="multipart",
        )
        assert response.status_code == 400 and response.json()["code"] == "no_text_in_document"
        exe = doctor_client.post(
            "/api/analyze-prescription/",
            {"file": SimpleUploadedFile("rx.pdf", b"MZ\x90\x00" + b"\x00" * 200)},
            format="multipart",
        )
        assert exe.status_code == 400 and exe.json()["code"] == "unsupported_file_type"

    def test_exactly_one_input(self, analyse):
        assert analyse().status_code == 400
        both = analyse(text="Amoxicillin", prescription="00000000-0000-0000-0000-000000000001")
        assert both.status_code == 400

    def test_stored_with_the_provider_and_audited(self, analyse, doctor_client, patient):
        body = analyse(text="Metformin 500 mg bd", patient=str(patient.public_id)).json()
        analysis = PrescriptionAnalysis.objects.get()
        assert (analysis.provider, analysis.provider_requested) == ("local", "local")
        assert analysis.result["drugs"][0]["name"] == "Metformin"
        event = AuditEvent.objects.get(resource_type="prescription_analysis")
        assert event.patient_id == str(patient.public_id) and event.detail["provider"] == "local"
        listing = doctor_client.get("/api/assistant/analyses/").json()
        assert [row["id"] for row in listing["results"]] == [body["id"]]
        assert doctor_client.get(f"/api/assistant/analyses/{body['id']}/").status_code == 200


class TestAccess:
    def test_roles(self, analyse, client_for):
        for role in (Role.RECEPTIONIST, Role.ACCOUNTANT, Role.ADMIN, Role.LAB_TECHNICIAN):
            assert analyse(client=client_for(role), text="Metformin 500mg").status_code == 403
        for role in (Role.PHARMACIST, Role.NURSE, Role.PATIENT):
            assert analyse(client=client_for(role), text="Metformin 500mg").status_code == 201

    def test_patient_uses_own_chart_and_cannot_name_another(self, analyse, client_for):
        account = PatientUserFactory()
        own = PatientFactory(user=account)
        AllergyFactory(patient=own, substance="Metformin", severity="severe")
        client = client_for(Role.PATIENT, user=account)
        body = analyse(client=client, text="Metformin 500mg bd").json()
        assert body["patient"] == str(own.public_id)
        assert body["warnings"][0]["code"] == "allergy"
        other = PatientFactory()
        refused = analyse(client=client, text="Metformin", patient=str(other.public_id))
        assert refused.status_code == 404

    def test_analyses_are_private_to_who_asked(self, analyse, client_for):
        body = analyse(text="Metformin 500 mg bd").json()
        response = client_for(Role.DOCTOR).get(f"/api/assistant/analyses/{body['id']}/")
        assert response.status_code == 404

    def test_doctor_outside_care_needs_break_glass(self, analyse, client_for, patient):
        response = analyse(
            client=client_for(Role.DOCTOR), text="Metformin", patient=str(patient.public_id)
        )
        assert response.status_code == 403
