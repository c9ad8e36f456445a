"""Real threads (PostgreSQL, MySQL/MariaDB): parallel admissions race for one bed (and one
patient), and nurses for one dose; exactly one wins."""

import pytest
from rest_framework.test import APIClient

from hms.accounts.tests.factories import DoctorProfileFactory, UserFactory
from hms.core.roles import Role
from hms.core.tests.threads import run_at_once
from hms.inpatient.models import Admission, Bed, BedStatus, BedStay, MedicationAdministration
from hms.inpatient.tests.factories import BedFactory
from hms.patients.tests.factories import PatientFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("require_row_locks"),
]


def _admit(receptionist, patient, bed, doctor):
    client = APIClient()
    client.force_authenticate(receptionist)
    response = client.post(
        "/api/patients/admit/",
        {
            "patient": str(patient.public_id),
            "bed": str(bed.public_id),
            "attending_doctor": str(doctor.public_id),
            "reason": "Emergency",
        },
        format="json",
    )
    return response.status_code, response.json().get("code")


def test_ten_parallel_admissions_into_one_bed():
    bed = BedFactory()
    doctor = DoctorProfileFactory().user
    receptionist = UserFactory(role=Role.RECEPTIONIST)
    patients = [PatientFactory() for _ in range(10)]

    results = run_at_once(10, lambda i: _admit(receptionist, patients[i], bed, doctor))

    assert sorted(status for status, _ in results).count(201) == 1, results
    assert [code for status, code in results if status != 201] == ["bed_not_available"] * 9
    assert Admission.objects.filter(bed=bed).count() == 1
    assert BedStay.objects.filter(bed=bed).count() == 1
    assert Bed.objects.get(pk=bed.pk).status == BedStatus.OCCUPIED


def test_one_patient_admitted_to_six_beds_at_once_gets_one():
    beds = [BedFactory() for _ in range(6)]
    doctor = DoctorProfileFactory().user
    receptionist = UserFactory(role=Role.RECEPTIONIST)
    patient = PatientFactory()

    results = run_at_once(6, lambda i: _admit(receptionist, patient, beds[i], doctor))

    assert sorted(status for status, _ in results) == [201, 409, 409, 409, 409, 409], results
    assert {code for status, code in results if status == 409} == {"patient_already_admitted"}
    assert Admission.objects.filter(patient=patient).count() == 1
    occupied = Bed.objects.filter(pk__in=[b.pk for b in beds], status=BedStatus.OCCUPIED)
    assert occupied.count() == 1


def test_six_nurses_recording_one_dose_at_once_make_one_record(
    early_admission, tds_item, ward_nurse
):
    """One record per scheduled dose: by the partial unique constraint, or on MySQL/MariaDB by
    the service's check under the admission's lock."""
    url = f"/api/admissions/{early_admission['id']}/mar/"
    dose = {
        "prescription_item": str(tds_item.public_id),
        "scheduled_at": "2027-03-01T08:00:00Z",
        "status": "given",
    }

    def record(_):
        client = APIClient()
        client.force_authenticate(ward_nurse.user)
        response = client.post(url, dose, format="json")
        return response.status_code, response.json().get("code")

    results = run_at_once(6, record)
    assert sorted(status for status, _ in results) == [201] + [409] * 5, results
    assert {code for status, code in results if status == 409} == {"dose_already_recorded"}
    assert MedicationAdministration.objects.count() == 1
