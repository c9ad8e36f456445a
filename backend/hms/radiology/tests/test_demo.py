import pytest

from hms.core.demo import demo_loaders
from hms.radiology.models import ImagingImage, ImagingOrder, ImagingReport

pytestmark = pytest.mark.django_db


def test_demo_has_a_reported_study_with_an_image_and_a_worklist_and_is_idempotent():
    loaders = {loader.name: loader for loader in demo_loaders()}
    for name in ("accounts", "patients"):
        loaders[name].load()
    assert "reported" in loaders["radiology"].load()
    assert loaders["radiology"].load() == "already present"

    reported = ImagingOrder.objects.get(status="reported")
    assert reported.patient.user.username == "patient"
    image = ImagingImage.objects.get(order=reported)
    assert image.preview and image.window_source == "computed"
    report = ImagingReport.objects.get(order=reported)
    assert report.status == "final" and report.impression
    assert ImagingOrder.objects.filter(status="ordered").count() == 3
