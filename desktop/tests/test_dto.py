"""The DTOs and their one converter: the server's real answers convert in strict mode, and a
field the client does not expect (or one it needs and does not get) fails loudly here."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from hms_desktop.api.dto import (
    STRICT_ENV,
    Appointment,
    BoardWard,
    DtoMismatch,
    ErrorBody,
    ImagingWarning,
    LabRequestResult,
    LabTest,
    MarDay,
    MarDose,
    Page,
    Patient,
    PersonRef,
    PossibleDuplicate,
    Prescription,
    RefreshedTokens,
    StockMovement,
    User,
    convert,
)
from hms_desktop.api.errors import ApiError

from .conftest import hospital_today

PERSON = {"id": "p1", "name": "Grace Okafor"}
PATIENT_REF = {"id": "pt1", "mrn": "MRN-1", "name": "Amara Okoro"}
NOW = "2026-03-02T00:00:00Z"
APPOINTMENT = {
    "id": "a1",
    "patient": PATIENT_REF,
    "doctor": PERSON,
    "date": "2026-03-02",
    "slot": "09:15:00",
    "start_at": "2026-03-02T09:15:00Z",
    "end_at": "2026-03-02T09:30:00+00:00",
    "status": "checked_in",
}


@pytest.fixture
def lenient(monkeypatch):
    monkeypatch.setenv(STRICT_ENV, "0")
    monkeypatch.setattr(convert, "_reported", set())


def test_the_suite_converts_strictly():
    assert convert.strict()


def test_an_unknown_field_fails_in_strict_mode(dto_mismatches):
    with pytest.raises(DtoMismatch, match=r"PersonRef: .*unknown field.*nickname"):
        PersonRef.from_json({**PERSON, "nickname": "Gracie"})
    dto_mismatches.clear()  # on purpose


def test_an_unknown_field_inside_a_read_object_fails_in_strict_mode(dto_mismatches):
    dose = {
        "prescription_item": "i1",
        "drug": "Amoxicillin",
        "dose": "500 mg",
        "route": "oral",
        "scheduled_at": "2026-03-02T08:00:00Z",
        "state": "given",
        "record": {"id": "r1", "recorded_by": PERSON, "witness": PERSON},
    }
    with pytest.raises(DtoMismatch, match=r"unknown field.*record\.witness"):
        MarDose.from_json(dose)
    dto_mismatches.clear()


def test_a_missing_field_fails_in_strict_mode(dto_mismatches):
    with pytest.raises(DtoMismatch, match=r"User: .*missing field.*role"):
        User.from_json({"id": "u1", "username": "nurse"})
    dto_mismatches.clear()


def test_a_nested_mismatch_fails_the_whole_answer(dto_mismatches):
    with pytest.raises(Exception, match="Appointment") as caught:
        Appointment.from_json({**APPOINTMENT, "doctor": {**PERSON, "grade": "consultant"}})
    assert caught.group_contains(DtoMismatch, match="PersonRef")
    dto_mismatches.clear()


def test_lenient_mode_tolerates_unknown_and_missing_fields_and_logs_each_once(
    lenient, caplog, dto_mismatches
):
    with caplog.at_level(logging.WARNING, logger=convert.__name__):
        first = User.from_json({"id": "u1", "username": "nurse", "shoe_size": 9})
        User.from_json({"id": "u2", "username": "doctor", "shoe_size": 10})
    assert first.role == ""
    assert first.display_name == "nurse"
    assert len(caplog.records) == 1
    assert "shoe_size" in caplog.text
    assert "role" in caplog.text
    assert len(dto_mismatches) == 2  # what a lenient client tolerates, the suite still sees
    dto_mismatches.clear()


def test_types_convert_as_the_server_writes_them():
    appointment = Appointment.from_json(APPOINTMENT)
    assert appointment.date == date(2026, 3, 2)
    assert appointment.slot == time(9, 15)
    assert appointment.start_at == datetime(2026, 3, 2, 9, 15, tzinfo=UTC)
    assert appointment.end_at == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert appointment.patient.mrn == "MRN-1"
    assert appointment.status_display == "Checked in"  # not sent: the client's own label
    assert appointment.booked_by is None

    test = LabTest.from_json(
        {
            "id": "t1",
            "code": "K",
            "loinc_code": "2823-3",
            "name": "Potassium",
            "unit": "mmol/L",
            "alt_units": {"mEq/L": "1.000"},
            "components": [{"code": "K", "name": "Potassium"}],
            "reference_ranges": [{"sex": None, "low": "3.5", "high": 5.1}],
        }
    )
    assert test.alt_units == {"mEq/L": Decimal("1.000")}
    assert test.components == ["K"]
    assert test.reference_ranges[0].sex == "any"  # null: the field's default
    assert test.reference_ranges[0].high == Decimal("5.1")


def test_renamed_flattened_and_completed_fields():
    movement = StockMovement.from_json(
        {
            "id": "m1",
            "kind": "receipt",
            "quantity": 10,
            "balance_after": 10,
            "reason": "",
            "reference": None,  # null for a text: empty
            "occurred_at": "2026-03-02T08:00:00Z",
            "batch": "b1",
            "lot_number": "L1",
            "location": "pharmacy",
            "drug": "d1",
            "drug_name": "Amoxicillin",
            "dispense": None,
            "actor": None,
        }
    )
    assert (movement.batch_id, movement.drug_id, movement.reference) == ("b1", "d1", "")
    ward = BoardWard.from_json(
        {
            "id": "w1",
            "name": "Medical",
            "beds": [{"id": "b1", "label": "A", "room": "1", "status": "available"}],
        }
    )
    assert ward.beds[0].ward is not None and ward.beds[0].ward.name == "Medical"
    assert ward.beds[0].place == "Medical · 1 · Bed A"


def test_a_page_converts_its_rows_and_checks_its_envelope(dto_mismatches):
    body = {"count": 30, "next": "/api/x/?page=3", "previous": "/api/x/?page=1"}
    page = Page.from_json({**body, "results": [PERSON]}, PersonRef.from_json, 2)
    assert (page.count, page.page, page.next_page) == (30, 2, 3)
    assert page.results == [PersonRef(id="p1", name="Grace Okafor")]
    with pytest.raises(DtoMismatch, match=r"unknown field.*total_pages"):
        Page.from_json({**body, "results": [], "total_pages": 2}, PersonRef.from_json, 2)
    dto_mismatches.clear()


@pytest.mark.parametrize(
    ("dto", "body", "problem"),
    [
        (LabRequestResult, {"orders": [], "created": 1}, r"unknown field.*created"),
        (LabRequestResult, {}, r"missing field.*orders"),
        (MarDay, {"admission_id": "a1", "since": NOW, "until": NOW}, r"missing field.*doses"),
        (PossibleDuplicate, {"people": []}, r"unknown field.*people"),
        (RefreshedTokens, {"refresh": "r"}, r"missing field.*access"),
        (ErrorBody, {"status": 409, "code": "x", "message": "m", "hint": ""}, r"unknown.*hint"),
    ],
)
def test_an_envelope_is_checked_like_any_answer(dto_mismatches, dto, body, problem):
    with pytest.raises(DtoMismatch, match=problem):
        dto.from_json(body)
    dto_mismatches.clear()


def test_envelopes_convert_what_they_carry():
    mar = MarDay.from_json(
        {
            "admission_id": "a1",
            "since": NOW,
            "until": "2026-03-03T00:00:00Z",
            "items": [],
            "prn": [],
            "doses": [],
        }
    )
    assert mar.doses == [] and mar.until.day == 3
    error = ErrorBody.from_json({"status": 409, "code": "slot_taken", "message": "Taken."})
    assert (error.fields, error.extra, error.request_id) == ({}, {}, "")
    assert RefreshedTokens.from_json({"access": "a"}).refresh == ""


def test_an_imaging_orders_warnings_convert():
    warning = {"code": "contrast_allergy", "message": "Allergy to iodine; uses contrast."}
    (converted,) = convert.structure([warning], list[ImagingWarning])
    assert converted == ImagingWarning(code="contrast_allergy", message=warning["message"])


# --- the server's real answers (its demo data), converted in strict mode -----------------------


def test_real_people_and_audit_convert(api_as):
    admin = api_as("admin")
    assert admin.profile.get().username == "admin"
    users = admin.users.list(page_size=20)
    assert users.count and users.results[0].id
    assert admin.audit.list(page_size=20).results
    assert admin.doctors.list().results


def test_real_patients_and_appointments_convert(api_as):
    desk = api_as("receptionist")
    patients = desk.patients.list(page_size=5)
    detail = desk.patients.get(patients.results[0].id)
    assert isinstance(detail, Patient) and detail.detailed
    assert not patients.results[0].detailed or patients.results[0].created_at
    queue = desk.appointments.queue(day=hospital_today())
    assert queue.day == hospital_today()
    doctor = desk.doctors.list().results[0]
    assert desk.appointments.availability(doctor.id, hospital_today()).time_zone
    for appointment in desk.appointments.list(page_size=5).results:
        assert desk.appointments.get(appointment.id).id == appointment.id


def test_real_pharmacy_answers_convert(api_as):
    pharmacy = api_as("pharmacist").pharmacy
    drugs = pharmacy.drugs(page_size=5).results
    assert pharmacy.drug(drugs[0].id).generic_name == drugs[0].generic_name
    assert pharmacy.batches(page_size=5).results
    assert pharmacy.ledger(page_size=5).results
    assert pharmacy.alerts().results
    worklist = pharmacy.worklist()
    assert worklist.results
    detail = pharmacy.prescription(worklist.results[0].id)
    assert isinstance(detail, Prescription) and detail.dispenses is not None


def test_real_lab_answers_convert(api_as):
    lab = api_as("lab_technician").lab
    orders = lab.worklist(page_size=20).results
    assert orders
    for order in orders[:5]:
        assert lab.order(order.id).placer_number == order.placer_number
    tests = lab.tests(page_size=20).results
    assert lab.test(tests[0].code).name == tests[0].name


def test_real_inpatient_answers_convert(api_as):
    nurse = api_as("nurse").inpatient
    admin = api_as("admin").inpatient
    wards = admin.wards().results
    assert wards
    assert admin.rooms(wards[0].id)
    admin.ward_nurses(wards[0].id)
    assert nurse.board()
    assert nurse.beds().results
    admissions = nurse.admissions(page_size=20).results
    assert admissions
    # The first admission this nurse may open: other tests on the same server admit patients
    # to wards of their own, which the demo nurse lists but does not work on.
    opened = None
    for admission in admissions:
        try:
            opened = nurse.admission(admission.id)
        except ApiError as error:
            assert error.status in (403, 404), error
            continue
        break
    assert opened is not None and opened.stays
    nurse.mar(opened.id)
    nurse.observations(opened.id)
    nurse.icu()


def test_real_radiology_answers_convert(api_as):
    radiology = api_as("radiologist").radiology
    assert radiology.procedures()
    orders = radiology.worklist().results
    assert orders
    for order in orders[:5]:
        assert radiology.order(order.id).accession_number == order.accession_number


def test_real_billing_answers_convert(api_as):
    billing = api_as("accountant").billing
    assert billing.tariffs().results
    billing.charges()
    invoices = billing.invoices().results
    assert invoices
    details = [billing.invoice(invoice.id) for invoice in invoices[:5]]
    assert any(invoice.payments for invoice in details)
    report = billing.daily_cash()
    assert report.date and report.currency
    assert report.total_net == report.total_received - report.total_refunded
    assert sum((row.net for row in report.rows), Decimal("0.00")) == report.total_net
