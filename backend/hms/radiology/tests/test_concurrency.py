"""Real threads (PostgreSQL, MySQL/MariaDB): racing radiologists sign a report once, start it
once, and store an image instance once (the order row lock and the unique constraints close
each race)."""

import pytest
from rest_framework.test import APIClient

from hms.accounts.tests.factories import UserFactory
from hms.core.models import Notification
from hms.core.roles import Role
from hms.core.tests.threads import run_at_once
from hms.patients.tests.factories import PatientFactory
from hms.radiology import services
from hms.radiology.models import ImagingImage, ImagingOrder, ImagingReport
from hms.radiology.tests.conftest import dicom_bytes, procedure, upload_file

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("require_row_locks"),
]

THREADS = 8


@pytest.fixture
def performed_order():
    doctor = UserFactory(role=Role.DOCTOR)
    patient = PatientFactory()
    order = services.imaging_order_create(
        actor=doctor,
        patient=patient,
        procedure=procedure("CT-HEAD-WO"),
        clinical_indication="Headache",
    )
    return services.imaging_order_start(actor=UserFactory(role=Role.RADIOLOGIST), order=order)


def radiologist_clients(count):
    clients = []
    for _ in range(count):
        client = APIClient()
        client.force_authenticate(UserFactory(role=Role.RADIOLOGIST))
        clients.append(client)
    return clients


def test_parallel_signatures_sign_once_and_notify_once(performed_order):
    report = services.imaging_report_create(
        actor=UserFactory(role=Role.RADIOLOGIST),
        order=performed_order,
        findings="Normal.",
        impression="Normal CT head.",
    )
    clients = radiologist_clients(THREADS)

    def sign(index):
        response = clients[index].post(f"/api/radiology/reports/{report.public_id}/finalize/")
        return response.status_code, response.json().get("code")

    results = run_at_once(THREADS, sign)
    assert sorted(status for status, _ in results).count(200) == 1, results
    assert {code for status, code in results if status != 200} == {"report_final"}, results
    assert Notification.objects.filter(kind="radiology_report_final").count() == 1
    assert ImagingOrder.objects.get(pk=performed_order.pk).status == "reported"


def test_parallel_first_drafts_make_one_report(performed_order):
    clients = radiologist_clients(THREADS)
    url = f"/api/radiology/orders/{performed_order.public_id}/reports/"

    def draft(index):
        response = clients[index].post(url, {"findings": f"draft {index}"}, format="json")
        return response.status_code, response.json().get("code")

    results = run_at_once(THREADS, draft)
    assert sorted(status for status, _ in results).count(201) == 1, results
    assert {code for status, code in results if status != 201} == {"report_exists"}, results
    assert ImagingReport.objects.filter(order=performed_order).count() == 1


def test_parallel_uploads_of_one_instance_store_it_once(performed_order, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    content = dicom_bytes(patient_id=performed_order.patient.mrn, sop_uid="1.2.826.0.1.99")
    clients = radiologist_clients(THREADS)
    url = f"/api/radiology/orders/{performed_order.public_id}/images/"

    def send(index):
        response = clients[index].post(url, {"file": [upload_file(content)]}, format="multipart")
        return response.status_code, response.json() if response.status_code != 201 else None

    results = run_at_once(THREADS, send)
    assert sorted(status for status, _ in results).count(201) == 1, results
    assert {body["code"] for status, body in results if status != 201} == {"duplicate_instance"}, (
        results
    )
    assert ImagingImage.objects.filter(sop_instance_uid="1.2.826.0.1.99").count() == 1
    stored = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(stored) == 2  # one DICOM file and its preview: the losers left nothing behind
