"""The demo loader: wards with beds (ICU included), the demo nurse on two wards, two admitted
patients (one in ICU with observations); idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from hms.accounts.models import User
from hms.inpatient.models import Admission, AdmissionStatus, Bed, Observation, Ward

pytestmark = pytest.mark.django_db


def test_demo_inpatient_is_idempotent_and_usable():
    call_command("seed_demo", stdout=StringIO())
    counts = (Ward.objects.count(), Bed.objects.count(), Admission.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Ward.objects.count(), Bed.objects.count(), Admission.objects.count()) == counts
    assert Ward.objects.filter(type="icu").exists() and counts[1] >= 30
    active = Admission.objects.filter(status=AdmissionStatus.ACTIVE).select_related("ward")
    assert sorted(a.ward.type for a in active) == ["icu", "medical"]
    icu_admission = next(a for a in active if a.ward.type == "icu")
    assert Observation.objects.filter(admission=icu_admission).count() == 4

    nurse = APIClient()
    nurse.force_authenticate(User.objects.get(username="nurse"))
    chart = nurse.get(f"/api/admissions/{icu_admission.public_id}/chart/").json()
    assert len(chart["observations"]) == 4 and len(chart["gcs"]) == 2
    board = nurse.get("/api/beds/board/").json()
    assert sum(w["counts"]["occupied"] for w in board["results"]) == 2
    medical = next(a for a in active if a.ward.type == "medical")
    mar = nurse.get(f"/api/admissions/{medical.public_id}/mar/").json()
    assert mar["items"], "José's pharmacy prescriptions make his MAR"
