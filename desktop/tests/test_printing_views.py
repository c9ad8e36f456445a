"""Printing from the desktop against the live server: the front desk's wristband and
appointment slip, the lab's report, the pharmacy's prescription. Each is the server's PDF,
saved where the user chose (and opened to print); the file's text names the patient."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from pypdf import PdfReader

from hms_desktop.views.appointments import AppointmentsPage
from hms_desktop.views.patients import PatientsPage

from . import test_pharmacy_views as pharmacy_views
from .conftest import hospital_tomorrow, make_doctor, make_patient, sign_in, snap
from .test_appointments_view import free_slots
from .test_lab_view import TECH_PASSWORD, find, new_technician, open_lab, order_tests

prescribed = pharmacy_views.prescribed  # the fixture: a prescription for a patient in care


def saved_pdf_text(qtbot, page, path: Path) -> str:
    """Press the page's print action with `path` as the chosen file; the saved PDF's text."""
    assert page.save_print_pdf(path) is not None
    qtbot.waitUntil(lambda: getattr(page, "last_pdf", None) == path, timeout=15_000)
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    assert path.name in page.banner.message
    return "\n".join(p.extract_text() for p in PdfReader(BytesIO(data)).pages)


def test_front_desk_prints_wristband_and_appointment_slip(qtbot, hms, api_as, tmp_path):
    desk = api_as("receptionist")
    patient = make_patient(desk, first_name="Wanjiru")
    doctor = make_doctor(api_as, first_name="Kofi")
    tomorrow = hospital_tomorrow()
    slot = free_slots(desk, doctor.id, tomorrow)[0]
    booked = desk.appointments.book(
        patient=patient.id, doctor=doctor.id, day=slot.date, slot=slot.start
    )
    window = sign_in(qtbot, hms, "receptionist")
    window.resize(1280, 800)

    patients = window.open_module("patients")
    assert isinstance(patients, PatientsPage)
    qtbot.waitUntil(lambda: patients._loaded and not patients.model.loading, timeout=10_000)
    patients.find(patient.id, patient.mrn)
    qtbot.waitUntil(
        lambda: (
            patients.current is not None
            and patients.current.id == patient.id
            and patients.details.wristband_button.isEnabled()
        ),
        timeout=10_000,
    )
    assert patients.details.wristband_button.isVisible()
    text = saved_pdf_text(qtbot, patients, tmp_path / "wristband.pdf")
    assert f"MRN {patient.mrn}" in text and "Wanjiru" in text
    snap(window, "print_wristband")

    appointments = window.open_module("appointments")
    assert isinstance(appointments, AppointmentsPage)
    qtbot.waitUntil(lambda: appointments._loaded, timeout=10_000)
    appointments.show_day(tomorrow, select=booked.id)
    qtbot.waitUntil(
        lambda: appointments.current is not None and appointments.current.id == booked.id,
        timeout=10_000,
    )
    assert appointments.details.slip_button.isEnabled()
    text = saved_pdf_text(qtbot, appointments, tmp_path / "slip.pdf")
    assert "Appointment slip" in text and patient.mrn in text and "Kofi" in text
    assert slot.start.strftime("%H:%M") in text


def test_lab_prints_the_report(qtbot, hms, api_as, tmp_path):
    (order,), patient, _doctor = order_tests(api_as, ["NA"], priority="routine")
    bench = api_as(new_technician(api_as), TECH_PASSWORD)
    bench.lab.collect(order.id)
    bench.lab.enter_results(order.id, [{"test": "NA", "value": "139", "unit": "", "comment": ""}])
    _window, page = open_lab(qtbot, hms)
    find(qtbot, page, order)
    qtbot.waitUntil(lambda: page.details.report_button.isEnabled(), timeout=10_000)
    text = saved_pdf_text(qtbot, page, tmp_path / "report.pdf")
    assert order.placer_number in text and patient.mrn in text
    assert "139" in text and "PRELIMINARY" in text  # entered, not verified yet


def test_pharmacy_prints_the_prescription(qtbot, hms, prescribed, tmp_path):
    prescription, drug = prescribed(stock=50)
    _window, page = pharmacy_views.open_page(qtbot, hms, "dispensing")
    pharmacy_views.select_in_worklist(qtbot, page, prescription.id)
    assert page.details.pdf_button.isVisible() and page.details.pdf_button.isEnabled()
    text = saved_pdf_text(qtbot, page, tmp_path / "prescription.pdf")
    assert drug.generic_name in " ".join(text.split())
    assert prescription.patient.mrn in text and "Signature" in text
