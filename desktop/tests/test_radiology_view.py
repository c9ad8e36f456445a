"""Radiology against the live server: the worklist, DICOM upload (refusals included) with
preview images, and the report from draft to signed, then an addendum."""

from __future__ import annotations

from pathlib import Path

import pydicom  # test-only: makes DICOM files for the order's patient (shipped test data)
import pytest
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid

from hms_desktop.views.radiology import AddendumDialog, RadiologyPage

from .conftest import make_doctor, make_patient, sign_in, snap, wait_idle


def dicom_for(tmp_path: Path, patient_id: str, name: str = "ct.dcm") -> Path:
    """The shipped CT test image, relabelled for this patient with a new instance UID."""
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    ds.PatientID = patient_id
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    path = tmp_path / name
    ds.save_as(path)
    return path


@pytest.fixture
def ct_order(api_as):
    desk = api_as("receptionist")
    procedure = next(p for p in desk.radiology.procedures(modality="ct") if p.active)
    patient = make_patient(desk)
    order = desk.radiology.request(
        patient=patient.id,
        procedure=procedure.id,
        clinical_indication="Headache after a fall; exclude bleed",
        priority="stat",
        ordering_doctor=make_doctor(api_as, first_name="Sara").id,
    )
    return order, patient


def open_radiology(qtbot, hms):
    window = sign_in(qtbot, hms, "radiologist")
    window.resize(1280, 860)
    page = window.open_module("radiology")
    assert isinstance(page, RadiologyPage)
    qtbot.waitUntil(lambda: page._loaded and not page.model.loading, timeout=10_000)
    return window, page


def show(qtbot, page: RadiologyPage, order) -> None:
    page.find(order.id, order.accession_number)
    qtbot.waitUntil(
        lambda: (
            page.current is not None
            and page.current.id == order.id
            and page.current.reports is not None
        ),
        timeout=10_000,
    )


def test_radiologist_reads_images_and_signs_a_report(qtbot, hms, ct_order, tmp_path):
    order, patient = ct_order
    window, page = open_radiology(qtbot, hms)
    show(qtbot, page, order)
    assert page.start_button.isVisible()
    assert not page.complete_button.isVisible()  # only the steps that apply now
    assert not page.editor.save_button.isEnabled()  # reporting opens once it has started
    page.start_button.click()
    qtbot.waitUntil(lambda: page.current.status == "in_progress", timeout=10_000)

    page.upload_files([dicom_for(tmp_path, patient.mrn)])
    qtbot.waitUntil(lambda: len(page.viewer.images) == 1, timeout=15_000)
    image = page.viewer.images[0]
    qtbot.waitUntil(lambda: image.id in page.viewer.pixmaps, timeout=15_000)
    assert not page.viewer.pixmaps[image.id].isNull()
    assert "CT" in page.viewer.caption.text()
    assert "added" in page.banner.message

    page.complete_button.click()
    qtbot.waitUntil(lambda: page.current.status == "acquired", timeout=10_000)
    editor = page.editor
    editor.findings.setPlainText("No intracranial haemorrhage. No fracture.")
    editor.save_button.click()
    qtbot.waitUntil(
        lambda: editor.report is not None and editor.report.status == "draft", timeout=10_000
    )
    assert "Draft" in editor.state.text()
    editor.sign_button.click()  # no impression yet: the server refuses to sign
    qtbot.waitUntil(lambda: editor.error.isVisible(), timeout=10_000)
    assert editor.findings.toPlainText().startswith("No intracranial")  # nothing lost
    editor.impression.setPlainText("Normal CT head.")
    wait_idle(qtbot, hms)
    snap(window, "radiology")
    editor.sign_button.click()
    qtbot.waitUntil(lambda: editor.report is not None and editor.report.is_final, timeout=10_000)
    assert "signed" in page.banner.message
    assert editor.findings.isReadOnly()
    qtbot.waitUntil(lambda: page.current.status == "reported", timeout=10_000)

    dialog = page.open_addendum()
    assert isinstance(dialog, AddendumDialog)
    dialog.findings.setPlainText("On review: small left frontal scalp haematoma.")
    dialog.impression.setPlainText("No intracranial injury.")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    assert dialog.result_value.kind == "addendum"
    assert dialog.result_value.is_final
    qtbot.waitUntil(lambda: editor.addenda.isVisible(), timeout=10_000)
    assert "scalp haematoma" in editor.addenda.text()
    assert editor.report.findings == "No intracranial haemorrhage. No fracture."  # unchanged
    wait_idle(qtbot, hms)
    snap(window, "radiology_reported")


def test_an_image_of_another_patient_is_refused(qtbot, hms, ct_order, tmp_path):
    order, _patient = ct_order
    _window, page = open_radiology(qtbot, hms)
    show(qtbot, page, order)
    page.upload_files([dicom_for(tmp_path, "SOMEONE-ELSE")])
    qtbot.waitUntil(lambda: page.banner.isVisible(), timeout=15_000)
    assert page.banner.property("kind") == "error"
    assert "patient" in page.banner.message.lower()
    wait_idle(qtbot, hms)
    assert page.viewer.images == []


def test_radiologist_dashboard(qtbot, hms, api_as):
    window = sign_in(qtbot, hms, "radiologist")
    page = window.current_page()
    open_orders = api_as("radiologist").radiology.count()
    qtbot.waitUntil(lambda: page.card("imaging_open").value.text() != "…", timeout=10_000)
    assert page.card("imaging_open").value.text() == f"{open_orders:,}"
