"""The laboratory worklist against the live server: collection, result entry with live flags
(the server's flag wins), a critical result, row-level refusals and second-person verification."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from PySide6.QtWidgets import QApplication

from hms_desktop.api import Api
from hms_desktop.lab_flags import preview_flag, select_range
from hms_desktop.views.lab import LabWorklistPage, ResultEntryDialog

from .conftest import (
    hospital_today,
    make_doctor,
    make_patient,
    sign_in,
    snap,
    unique,
    wait_idle,
)
from .layout_checks import problems

TECH_PASSWORD = "Bench-work-42-lab"


def order_tests(api_as, tests: list[str], *, priority: str = "stat", doctor=None):
    desk = api_as("receptionist")
    doctor = doctor or make_doctor(api_as, first_name="Nia")
    patient = make_patient(desk)
    orders = desk.lab.request(
        patient=patient.id,
        tests=tests,
        priority=priority,
        ordering_doctor=doctor.id,
        clinical_notes="Weakness, on diuretics",
    )
    return orders, patient, doctor


def open_lab(qtbot, hms, username: str = "lab_technician", password: str | None = None):
    window = sign_in(qtbot, hms, username, *([password] if password else []))
    window.resize(1280, 800)
    page = window.open_module("lab")
    assert isinstance(page, LabWorklistPage)
    qtbot.waitUntil(lambda: page._loaded and not page.model.loading, timeout=10_000)
    return window, page


def find(qtbot, page: LabWorklistPage, order) -> None:
    page.show_order(order)
    qtbot.waitUntil(
        lambda: page.current is not None and page.current.id == order.id, timeout=10_000
    )


def step(qtbot, page: LabWorklistPage, widget, status: str) -> None:
    assert widget.isEnabled(), widget.objectName()
    widget.click()
    qtbot.waitUntil(
        lambda: page.current is not None and page.current.status == status, timeout=10_000
    )


def entry(qtbot, page: LabWorklistPage) -> ResultEntryDialog:
    dialog = page.open_results()
    assert isinstance(dialog, ResultEntryDialog)
    qtbot.waitUntil(lambda: bool(dialog.rows) and dialog.save_button.isEnabled(), timeout=15_000)
    return dialog


# The catalogue's tests whose ranges change with age and sex (HGB), leave the youngest or
# one age band out (CREA, ALP), or have critical limits only (K under a year).
LAB_PROBED = ("HGB", "CREA", "ALP", "K")
# Ages where those ranges change (staff register every patient with a date of birth).
ADULT = timedelta(days=40 * 365)
LAB_AGES = (timedelta(days=10), timedelta(days=200), timedelta(days=5 * 365), ADULT)
LAB_PATIENTS = [
    *((sex, age) for sex in ("female", "male", "other") for age in LAB_AGES),
    ("female", timedelta(days=15 * 365)),
]
# Where each value is also tried at, just below and just above every limit of its range.
LAB_EDGES = {("female", ADULT), ("other", ADULT), ("male", timedelta(days=10))}


def edge_values(applied) -> list[str]:
    limits = (
        []
        if applied is None
        else [
            limit
            for limit in (applied.critical_low, applied.low, applied.high, applied.critical_high)
            if limit is not None
        ]
    )
    step = Decimal("0.01")
    values = {limit + delta for limit in limits for delta in (-step, 0, step)}
    return [format(value, "f") for value in sorted(values)]


def test_live_flags_agree_with_the_server(api_as):
    """The flag previewed from the rules the server sends is the flag the server records,
    for patients of each sex at the ages where the ranges change, at every range limit."""
    desk, tech = api_as("receptionist"), api_as("lab_technician")
    rules = tech.client.load_capabilities().lab_flags
    catalogue = {code: tech.lab.test(code) for code in LAB_PROBED}
    doctor = make_doctor(api_as, first_name="Nia")
    today = hospital_today()
    for sex, age in LAB_PATIENTS:
        birth = today - age
        patient = desk.patients.register(
            confirm_new_person=True,
            first_name="Ama",
            last_name=unique("Flag").replace("_", ""),
            date_of_birth=birth.isoformat(),
            sex=sex,
        )
        orders = desk.lab.request(
            patient=patient.id,
            tests=list(LAB_PROBED),
            priority="routine",
            ordering_doctor=doctor.id,
        )
        for order in orders:
            tech.lab.collect(order.id)
            test = catalogue[order.test.code]
            mine = select_range(rules, test.reference_ranges, sex=sex, birth=birth, on=today)
            values = [("4.5", test.unit), (f"<{test.reference_ranges[-1].high or 1}", "")]
            if (sex, age) in LAB_EDGES:
                values += [(value, test.unit) for value in edge_values(mine)]
            if test.alt_units:
                values.append(("45", next(iter(test.alt_units))))
            for value, unit in values:
                entered = tech.client.put(
                    f"/api/lab/orders/{order.id}/results/",
                    {"results": [{"test": test.code, "value": value, "unit": unit}]},
                )
                (theirs,) = [r for r in entered["results"] if r["status"] == "pending"]
                where = (test.code, sex, birth, value, unit)
                server_range = [
                    None if theirs[limit] is None else Decimal(theirs[limit])
                    for limit in (
                        "reference_low",
                        "reference_high",
                        "critical_low",
                        "critical_high",
                    )
                ]
                if mine is None:
                    assert server_range == [None] * 4, where
                else:
                    assert server_range == [
                        mine.low,
                        mine.high,
                        mine.critical_low,
                        mine.critical_high,
                    ], where
                assert preview_flag(test, value, unit, mine) == theirs["flag"], where


def new_technician(api_as) -> str:
    """A lab technician without a self-verification grant (the demo one has one)."""
    username = unique("labtech")
    api_as("admin").users.create(
        username=username, password=TECH_PASSWORD, role="lab_technician", first_name="Ade"
    )
    return username


def test_lab_technician_enters_a_critical_result(qtbot, hms, api_as):
    (order,), _patient, doctor = order_tests(api_as, ["K"])
    window, page = open_lab(qtbot, hms, new_technician(api_as), TECH_PASSWORD)
    qtbot.waitUntil(lambda: page.counts.count("to_collect") != "…", timeout=10_000)
    assert int(page.counts.count("to_collect")) >= 1
    find(qtbot, page, order)
    assert page.details.collect_button.isEnabled()
    assert not page.details.results_button.isEnabled()
    step(qtbot, page, page.details.collect_button, "specimen_collected")

    dialog = entry(qtbot, page)
    row = dialog.row("K")
    assert "3.5-5.1 mmol/L" in row.reference.text()  # the adult range, shown while typing
    row.value.setText("4.2")
    assert row.flag.property("flag") == "normal"
    row.value.setText("5.6")
    assert row.flag.property("flag") == "high"
    row.value.setText("6.8")
    assert row.flag.property("flag") == "critical_high"
    assert "Critically high" in row.flag.text()
    snap(dialog, "lab_result_entry")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    saved = dialog.result_value
    (result,) = saved.current_results
    assert (result.value, result.flag, result.critical) == ("6.8", "critical_high", True)
    assert page.banner.property("kind") == "error"
    assert "Critical result" in page.banner.message
    assert f"Tell {doctor.first_name} {doctor.last_name}" in page.banner.message
    qtbot.waitUntil(
        lambda: page.current is not None and page.current.status == "resulted", timeout=10_000
    )
    assert page.details.critical.isVisible()
    assert page.details.results_model.index(0, 3).data() == "⇈ Critically high"
    wait_idle(qtbot, hms)
    snap(window, "lab")

    # The one who entered it cannot also verify it (no self-verification grant).
    page.details.verify_button.click()
    qtbot.waitUntil(
        lambda: page.banner.isVisible() and "second" in page.banner.message, timeout=10_000
    )
    assert page.current.status == "resulted"


def test_a_second_technician_verifies(qtbot, hms, api_as):
    (order,), _patient, _doctor = order_tests(api_as, ["NA"], priority="routine")
    first = api_as(new_technician(api_as), TECH_PASSWORD)
    first.lab.collect(order.id)
    first.lab.enter_results(order.id, [{"test": "NA", "value": "139", "unit": "", "comment": ""}])
    _window, page = open_lab(qtbot, hms)  # another technician
    find(qtbot, page, order)
    step(qtbot, page, page.details.verify_button, "verified")
    assert "verified" in page.banner.message
    assert page.current.verified_by is not None
    assert page.details.results_model.rows[0].status == "verified"
    assert "turnaround" in page.details.progress.text()


def test_panel_entry_flags_each_analyte_and_places_refusals_on_their_row(qtbot, hms, api_as):
    (order,), _patient, _doctor = order_tests(api_as, ["LYTES"], priority="urgent")
    api_as("lab_technician").lab.collect(order.id)
    _window, page = open_lab(qtbot, hms)
    find(qtbot, page, order)
    dialog = entry(qtbot, page)
    assert [r.test.code for r in dialog.rows] == ["NA", "K", "CL", "CO2"]
    dialog.row("NA").set_text("128")
    assert dialog.row("NA").flag.property("flag") == "low"
    dialog.row("K").set_text("lots")  # not a number: no flag can be given
    assert dialog.row("K").flag.property("flag") == ""
    assert dialog.row("K").flag.text() == ""
    dialog.row("CL").set_text("105")  # normal for children (102-112) and adults (98-107)
    dialog.save_button.click()
    box = dialog.row("K").box
    qtbot.waitUntil(lambda: bool(box.error_text), timeout=10_000)
    assert "not a number" in box.error_text
    assert dialog.isVisible()
    assert dialog.row("NA").text() == "128"  # nothing typed is lost
    dialog.row("K").set_text("4.0")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    flags = {r.test.code: r.flag for r in dialog.result_value.current_results}
    assert flags == {"NA": "low", "K": "normal", "CL": "normal"}
    assert dialog.result_value.status == "in_progress"  # CO2 still to come


@pytest.fixture
def lab_api(api_as) -> Api:
    return api_as("lab_technician")


def test_lab_dashboard_counts_pending_orders(qtbot, hms, lab_api):
    window = sign_in(qtbot, hms, "lab_technician")
    page = window.current_page()
    open_orders = lab_api.lab.count(open=True)
    qtbot.waitUntil(lambda: page.card("lab_open").value.text() != "…", timeout=10_000)
    assert page.card("lab_open").value.text() == f"{open_orders:,}"
    assert "STAT" in page.card("lab_open").caption.text()


def test_result_entry_fits_its_values_and_shows_whole_reference_ranges(qtbot, hms, api_as):
    """On a 1024-pixel-wide screen the value boxes take a typed value and their placeholder,
    and each reference range (with its critical limits) reads on its line in full."""
    (order,), _patient, _doctor = order_tests(api_as, ["LYTES"], priority="routine")
    api_as("lab_technician").lab.collect(order.id)
    window, page = open_lab(qtbot, hms)
    window.resize(1024, 640)
    find(qtbot, page, order)
    dialog = entry(qtbot, page)
    # The rows came after the dialog opened: it grows to hold them, each at its full height.
    qtbot.waitUntil(
        lambda: all(r.reference.height() >= r.reference.sizeHint().height() for r in dialog.rows),
        timeout=5_000,
    )
    QApplication.processEvents()
    assert dialog.width() <= 1024
    for row in dialog.rows:
        value = row.value
        needed = value.fontMetrics().horizontalAdvance(value.placeholderText() or "000.00")
        assert value.width() >= needed + 16, (row.test.code, value.width(), needed)
        comment = row.comment
        assert comment.width() >= comment.fontMetrics().horizontalAdvance("optional") + 40
        reference = row.reference
        text = reference.text()
        assert text, row.test.code
        metrics = reference.fontMetrics()
        widest = max(metrics.horizontalAdvance(line) for line in text.split("\n"))
        assert reference.contentsRect().width() >= widest, (row.test.code, text)
    assert not problems(dialog)
    snap(dialog, "lab_result_entry_panel")
    dialog.reject()
