"""Pharmacy screens against the live server: the worklist and dispensing (also when stock runs
short), the formulary with receipts and adjustments, and stock alerts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hms_desktop.api import Api
from hms_desktop.views.dispensing import DispenseDialog, DispensingPage
from hms_desktop.views.stock import (
    AdjustDialog,
    DrugFormDialog,
    ReceiveDialog,
    StockPage,
)
from hms_desktop.views.stock_alerts import StockAlertsPage

from .conftest import (
    DOCTOR_PASSWORD,
    hospital_today,
    make_doctor,
    make_patient,
    sign_in,
    snap,
    unique,
    wait_idle,
)


def make_drug(pharmacist: Api, *, name: str = "Amoxicillin", reorder_level: int = 10, **extra):
    return pharmacist.pharmacy.create_drug(
        generic_name=unique(name).replace("_", " "),
        form="capsule",
        strength="500 mg",
        drug_class="Penicillins",
        reorder_level=reorder_level,
        price="0.25",
        **extra,
    )


def receive(pharmacist: Api, drug, quantity: int, *, days: int = 400, lot: str = ""):
    return pharmacist.pharmacy.receive(
        drug=drug.id,
        lot_number=lot or unique("LOT").upper(),
        expiry_date=(hospital_today() + timedelta(days=days)).isoformat(),
        quantity=quantity,
        supplier="MedSupply Ltd",
    )


@pytest.fixture
def prescribed(api_as):
    """A doctor's prescription of 21 capsules for a patient in their care, and the drug."""

    def make(stock: int):
        pharmacist = api_as("pharmacist")
        drug = make_drug(pharmacist)
        receive(pharmacist, drug, stock)
        username = unique("drrx")
        doctor = make_doctor(api_as, first_name="Ravi", username=username)
        desk = api_as("receptionist")
        patient = make_patient(desk)
        desk.patients.assign_doctor(patient.id, doctor.id)
        prescription = api_as(username, DOCTOR_PASSWORD).pharmacy.prescribe(
            patient=patient.id,
            note="Take the whole course.",
            items=[
                {
                    "drug": drug.id,
                    "dose": "500",
                    "dose_unit": "mg",
                    "frequency": "tds",
                    "duration_days": 7,
                    "quantity": 21,
                    "instructions": "After meals",
                }
            ],
        )
        return prescription, drug

    return make


def open_page(qtbot, hms, key: str, role: str = "pharmacist"):
    window = sign_in(qtbot, hms, role)
    window.resize(1280, 800)
    page = window.open_module(key)
    qtbot.waitUntil(lambda: page._loaded and not page.model.loading, timeout=10_000)
    return window, page


def select_in_worklist(qtbot, page: DispensingPage, prescription_id: str) -> None:
    while not page.select_id(prescription_id) and page.model.canFetchMore():
        page.model.fetchMore()
        qtbot.waitUntil(lambda: not page.model.loading, timeout=10_000)
    assert page.select_id(prescription_id)
    qtbot.waitUntil(
        lambda: page.current is not None and page.current.dispenses is not None, timeout=10_000
    )


def test_pharmacist_dispenses_a_prescription(qtbot, hms, api_as, prescribed):
    prescription, drug = prescribed(stock=100)
    window, page = open_page(qtbot, hms, "dispensing")
    assert isinstance(page, DispensingPage)
    assert int(page.counts.count("active")) >= 1
    select_in_worklist(qtbot, page, prescription.id)
    details = page.details
    assert details.items_model.rowCount() == 1
    assert details.items_model.index(0, 1).data() == "500 mg three times a day for 7 days"
    assert details.items_model.index(0, 5).data() == "100"  # in stock at the counter
    assert details.history.text() == "Nothing yet."
    assert "whole course" in details.note.text()
    wait_idle(qtbot, hms)
    snap(window, "dispensing")

    dialog = page.open_dispense()
    assert isinstance(dialog, DispenseDialog)
    assert dialog.chosen() == {prescription.items[0].id: 21}
    snap(dialog, "dispensing_dialog")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    result = dialog.result_value
    assert result.prescription.status == "dispensed"
    assert result.dispense.units == 21
    assert "Dispensed to" in page.banner.message
    assert result.dispense.lines[0].lot_number in page.banner.message
    qtbot.waitUntil(lambda: not page.model.loading, timeout=10_000)
    assert prescription.id not in [p.id for p in page.model.rows]  # off the worklist
    assert api_as("pharmacist").pharmacy.drug(drug.id).on_hand == 79


def test_short_stock_dispenses_what_there_is_and_keeps_it_open(qtbot, hms, prescribed):
    prescription, _drug = prescribed(stock=5)
    _window, page = open_page(qtbot, hms, "dispensing")
    select_in_worklist(qtbot, page, prescription.id)
    assert page.details.items_model.index(0, 5).data() == "5"
    dialog = page.open_dispense()
    item_id = prescription.items[0].id
    assert dialog.chosen() == {item_id: 5}  # the default is what the stock covers
    assert "not enough" in dialog.errors.fields[item_id].hint.text()
    dialog.quantities[item_id].setValue(21)  # ask for everything anyway
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    assert dialog.result_value.shortfalls[0]["missing"] == 16
    assert page.banner.property("kind") == "warning"
    assert "Not in stock" in page.banner.message
    qtbot.waitUntil(
        lambda: (
            page.current is not None
            and page.current.id == prescription.id
            and page.current.status == "partially_dispensed"
        ),
        timeout=10_000,
    )
    qtbot.waitUntil(lambda: bool(page.current.dispenses), timeout=10_000)
    assert "5 (lot" in page.details.history.text()


def test_formulary_receipt_and_adjustment(qtbot, hms, api_as):
    window, page = open_page(qtbot, hms, "stock")
    assert isinstance(page, StockPage)
    name = unique("Paracetamol").replace("_", " ")
    dialog = page.open_new_drug()
    assert isinstance(dialog, DrugFormDialog)
    dialog.generic_name.setText(name)
    dialog.strength.setText("500 mg")
    dialog.drug_form.setCurrentIndex(dialog.drug_form.findData("tablet"))
    dialog.drug_class.setText("Analgesics")
    dialog.price.setText("0.05")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    drug = dialog.result_value
    qtbot.waitUntil(lambda: page.current is not None and page.current.id == drug.id, timeout=10_000)
    assert page.details.batches_model.rowCount() == 0

    lot = unique("PCM").upper()
    receive_dialog = page.open_receive()
    assert isinstance(receive_dialog, ReceiveDialog)
    receive_dialog.lot_number.setText(lot)
    receive_dialog.quantity.setValue(200)
    receive_dialog.supplier.setText("MedSupply Ltd")
    snap(receive_dialog, "stock_receive_dialog")
    with qtbot.waitSignal(receive_dialog.saved, timeout=10_000):
        receive_dialog.save_button.click()
    qtbot.waitUntil(
        lambda: [b.lot_number for b in page.details.batches_model.rows] == [lot], timeout=10_000
    )
    qtbot.waitUntil(
        lambda: page.current is not None and page.current.on_hand == 200, timeout=10_000
    )
    assert "200" in page.details.summary.text()
    qtbot.waitUntil(lambda: page.details.ledger_model.rowCount() == 1, timeout=10_000)
    assert page.details.ledger_model.rows[0].kind == "receipt"

    page.details.batches_table.selectRow(0)
    adjust = page.open_adjust()
    assert isinstance(adjust, AdjustDialog)
    adjust.change.setValue(-2)
    adjust.save_button.click()  # no reason: the server refuses, next to the field
    qtbot.waitUntil(lambda: bool(adjust.errors.fields["reason"].error_text), timeout=10_000)
    adjust.reason.setPlainText("Stock-take: two packs damaged")
    with qtbot.waitSignal(adjust.saved, timeout=10_000):
        adjust.save_button.click()
    qtbot.waitUntil(lambda: page.details.ledger_model.rowCount() == 2, timeout=10_000)
    newest = page.details.ledger_model.rows[0]
    assert (newest.kind, newest.quantity, newest.balance_after) == ("adjustment", -2, 198)
    qtbot.waitUntil(
        lambda: page.current is not None and page.current.on_hand == 198, timeout=10_000
    )
    page.details.tabs.setCurrentIndex(1)
    wait_idle(qtbot, hms)
    snap(window, "stock")


def test_stock_alerts_lead_to_the_medicine(qtbot, hms, api_as):
    pharmacist = api_as("pharmacist")
    low = make_drug(pharmacist, name="Metformin", reorder_level=50)
    receive(pharmacist, low, 10)
    soon = make_drug(pharmacist, name="Insulin")
    receive(pharmacist, soon, 40, days=20)
    window, page = open_page(qtbot, hms, "stock_alerts")
    assert isinstance(page, StockAlertsPage)
    summary = pharmacist.pharmacy.alerts(page_size=1).summary
    assert page.counts.count("low_stock") == f"{summary['low_stock']:,}"
    drugs = {alert.drug.id: alert for alert in page.model.rows}
    assert drugs[low.id].kind == "low_stock"
    assert drugs[soon.id].kind == "expiring"
    assert drugs[soon.id].days_to_expiry == 20
    wait_idle(qtbot, hms)
    snap(window, "stock_alerts")
    page.table.selectRow([a.drug.id for a in page.model.rows].index(low.id))
    page.open_button.click()
    stock = window.current_page()
    assert isinstance(stock, StockPage)
    qtbot.waitUntil(
        lambda: stock.current is not None and stock.current.id == low.id, timeout=10_000
    )
    assert stock.current.low_stock


def test_admin_reads_stock_but_does_not_move_it(qtbot, hms):
    _window, page = open_page(qtbot, hms, "stock", role="admin")
    assert page.receive_button.isHidden()
    assert page.details.adjust_button.isHidden()
    assert not page.new_drug_button.isHidden()


def test_pharmacist_dashboard_cards(qtbot, hms, api_as):
    window = sign_in(qtbot, hms, "pharmacist")
    page = window.current_page()
    pharmacist = api_as("pharmacist")
    worklist = pharmacist.pharmacy.worklist(page_size=1).summary
    qtbot.waitUntil(lambda: page.card("prescriptions_to_fill").value.text() != "…", timeout=10_000)
    expected = worklist["active"] + worklist["partially_dispensed"]
    assert page.card("prescriptions_to_fill").value.text() == f"{expected:,}"
    alerts = pharmacist.pharmacy.alerts(page_size=1).summary
    qtbot.waitUntil(lambda: page.card("low_stock").value.text() != "…", timeout=10_000)
    assert page.card("low_stock").value.text() == f"{alerts['low_stock']:,}"
    wait_idle(qtbot, hms)
    window.resize(1280, 800)
    snap(window, "dashboard_pharmacist")
