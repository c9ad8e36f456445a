"""The demo tells its story whatever the hour it is loaded: today's clinic (with a patient
checked in and waiting), the ward's medication round and charting are on the hospital's local
date, even on a Sunday at 23:30; a patient's potassium trends over the week; bed labels are
unique in their ward; the demo CT image is the study its report describes. Running the loader
again changes nothing."""

from datetime import UTC, date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pydicom
import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from rest_framework.test import APIClient

from hms.accounts.models import User
from hms.appointments.models import Appointment
from hms.inpatient.models import (
    Admission,
    AdmissionStatus,
    Bed,
    MedicationAdministration,
    Observation,
    Room,
)
from hms.laboratory.models import LabOrder, LabResult
from hms.radiology.models import ImagingImage, ImagingOrder

pytestmark = pytest.mark.django_db

HOSPITAL_TZ = "Africa/Nairobi"  # UTC+3: the hospital's Sunday 23:30 is 20:30 UTC

# (local time the demo is loaded, its local date)
HOURS = {
    "sunday_23_30": (datetime(2026, 12, 6, 23, 30), date(2026, 12, 6)),
    "monday_00_10": (datetime(2026, 12, 7, 0, 10), date(2026, 12, 7)),
    "wednesday_10_00": (datetime(2026, 12, 9, 10, 0), date(2026, 12, 9)),
}


def _seed() -> None:
    call_command("seed_demo", stdout=StringIO())


def _as(username: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(username=username))
    return client


def _counts() -> dict:
    return {
        "appointments": Appointment.objects.count(),
        "admissions": Admission.objects.count(),
        "doses": MedicationAdministration.objects.count(),
        "observations": Observation.objects.count(),
        "lab_orders": LabOrder.objects.count(),
        "beds": Bed.objects.count(),
        "imaging": ImagingOrder.objects.count(),
    }


@pytest.fixture
def hospital_clock(settings, request):
    """The clock stopped at the hospital's local time named by the test's parameter."""
    settings.TIME_ZONE = HOSPITAL_TZ
    local, day = HOURS[request.param]
    instant = local.replace(tzinfo=ZoneInfo(HOSPITAL_TZ)).astimezone(UTC)
    with time_machine.travel(instant, tick=False):
        yield day


@pytest.mark.parametrize("hospital_clock", list(HOURS), indirect=True)
def test_the_demo_has_a_day_in_the_hospital_whatever_the_hour(hospital_clock):
    today = hospital_clock
    # given an empty database, when the demo is loaded at that hour
    _seed()
    assert timezone.localdate() == today

    # then reception's queue for today has patients, one checked in and waiting
    queue = _as("receptionist").get("/api/appointments/queue/").json()
    assert queue["date"] == today.isoformat()
    assert len(queue["results"]) >= 3
    assert queue["summary"]["checked_in"] == 1
    # and so has the doctor's own queue
    mine = _as("doctor").get("/api/appointments/queue/").json()
    assert [row["status"] for row in mine["results"]].count("checked_in") == 1

    # and the medication round has today's doses, with work left for the nurse
    nurse = _as("nurse")
    jose = Admission.objects.get(patient__last_name="Álvarez", status=AdmissionStatus.ACTIVE)
    mar = nurse.get(f"/api/admissions/{jose.public_id}/mar/").json()
    todays = [d for d in mar["doses"] if _local_date(d["scheduled_at"]) == today]
    assert todays, "doses on today's round"
    assert any(d["state"] in ("due", "overdue", "upcoming") for d in todays)

    # and the ward's charting is from today, on both admitted patients
    for admission in Admission.objects.filter(status=AdmissionStatus.ACTIVE):
        latest = Observation.objects.filter(admission=admission).latest("measured_at")
        assert timezone.localdate(latest.measured_at) == today
        assert latest.measured_at <= timezone.now()


def test_late_on_sunday_the_evening_dose_is_overdue_on_the_round(settings):
    settings.TIME_ZONE = HOSPITAL_TZ
    local, _ = HOURS["sunday_23_30"]
    with time_machine.travel(local.replace(tzinfo=ZoneInfo(HOSPITAL_TZ)), tick=False):
        _seed()
        overdue = _as("nurse").get("/api/mar/overdue/").json()
    rows = overdue.get("results", overdue) if isinstance(overdue, dict) else overdue
    assert any(row["drug"].startswith("Metformin") for row in rows), rows


def _local_date(iso: str) -> date:
    return timezone.localdate(datetime.fromisoformat(iso.replace("Z", "+00:00")))


@pytest.mark.parametrize("hospital_clock", ["sunday_23_30"], indirect=True)
def test_running_the_demo_again_adds_nothing(hospital_clock):
    _seed()
    first = _counts()
    _seed()
    assert _counts() == first


def test_loaded_again_the_next_morning_the_demo_has_that_day_too(settings):
    # given the demo loaded late on Sunday
    settings.TIME_ZONE = HOSPITAL_TZ
    tz = ZoneInfo(HOSPITAL_TZ)
    with time_machine.travel(datetime(2026, 12, 6, 23, 30, tzinfo=tz), tick=False):
        _seed()
        sunday = _counts()
    # when it is loaded again on Monday morning
    with time_machine.travel(datetime(2026, 12, 7, 7, 30, tzinfo=tz), tick=False):
        _seed()
        queue = _as("receptionist").get("/api/appointments/queue/").json()
    # then Monday has its clinic, and nothing else was added again
    assert queue["date"] == "2026-12-07" and queue["summary"]["checked_in"] == 1
    monday = _counts()
    assert monday["appointments"] > sunday["appointments"]
    assert {k: v for k, v in monday.items() if k != "appointments"} == {
        k: v for k, v in sunday.items() if k != "appointments"
    }


@pytest.mark.parametrize("hospital_clock", ["wednesday_10_00"], indirect=True)
def test_a_patient_has_a_potassium_trend_over_several_days(hospital_clock):
    _seed()
    potassium = (
        LabResult.objects.filter(
            order__patient__first_name="Amina", test__code="K", verified_at__isnull=False
        )
        .select_related("order")
        .order_by("order__collected_at")
    )
    values = [(str(r.value_numeric.normalize()), r.order.collected_at) for r in potassium]
    assert [value for value, _ in values] == ["4.1", "5.2", "6.8"]
    days = {timezone.localdate(collected) for _, collected in values}
    assert len(days) == 3, "one result a day, over the week"
    assert [r.flag for r in potassium] == ["normal", "high", "critical_high"]


@pytest.mark.parametrize("hospital_clock", ["wednesday_10_00"], indirect=True)
def test_bed_labels_are_unique_in_each_ward(hospital_clock):
    _seed()
    duplicates = Bed.objects.values("ward_id", "label").annotate(n=Count("id")).filter(n__gt=1)
    assert list(duplicates) == []
    assert Bed.objects.filter(ward__code="MED-A", label="MED-A-B2-1").exists()

    # and the database refuses a second bed with a ward's label, even in another room
    bay_1 = Room.objects.get(ward__code="MED-A", name="Bay 1")
    bay_2 = Room.objects.get(ward__code="MED-A", name="Bay 2")
    with pytest.raises(IntegrityError), transaction.atomic():
        Bed.objects.create(ward=bay_1.ward, room=bay_1, label="MED-A-B2-1")
    # and the API answers 409 rather than failing
    response = _as("admin").post(
        "/api/beds/", {"room": str(bay_1.public_id), "label": "MED-A-B2-1"}
    )
    assert response.status_code == 409 and response.json()["code"] == "bed_exists"
    assert Bed.objects.filter(room=bay_2, label="MED-A-B2-1").count() == 1


@pytest.mark.parametrize("hospital_clock", ["wednesday_10_00"], indirect=True)
def test_the_demo_ct_image_is_the_study_its_report_describes(hospital_clock):
    _seed()
    order = ImagingOrder.objects.select_related("procedure").get(status="reported")
    assert order.procedure.code == "CT-CHEST-WO"
    report = order.reports.get()
    assert "thoracic" in report.findings.lower() and "head" not in report.findings.lower()
    image = ImagingImage.objects.get(order=order)
    with image.file.open("rb") as handle:
        dataset = pydicom.dcmread(handle)
    assert dataset.Modality == "CT" and dataset.BodyPartExamined == "CHEST"
