"""Table models, checked with pytest-qt's qtmodeltester, paged loading and stale pages."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from PySide6.QtCore import Qt

from hms_desktop.api import Api, ApiClient, AuditEvent, Page, User
from hms_desktop.models.audit import AuditModel
from hms_desktop.models.paged import ROW_ROLE
from hms_desktop.models.users import UsersModel
from hms_desktop.workers import TaskRunner

from .conftest import DEMO_PASSWORD


def make_user(i: int, *, active: bool = True) -> User:
    return User(
        id=f"id-{i}",
        username=f"user{i}",
        role="nurse",
        role_display="Nurse",
        first_name="First",
        last_name=f"Last{i}",
        email=f"user{i}@example.org",
        is_active=active,
        last_login=datetime(2026, 1, 2, 3, 4, tzinfo=UTC) if i % 2 else None,
    )


def fake_pages(total: int, page_size_seen: list[int] | None = None):
    users = [make_user(i, active=i % 3 != 0) for i in range(total)]

    def fetch(page: int, size: int) -> Page[User]:
        if page_size_seen is not None:
            page_size_seen.append(size)
        start = (page - 1) * size
        rows = users[start : start + size]
        return Page(
            count=total,
            results=rows,
            page=page,
            next_page=page + 1 if start + size < total else None,
        )

    return fetch


def test_users_model_passes_the_model_tester(qtmodeltester):
    model = UsersModel()
    model.set_rows([make_user(i, active=i != 2) for i in range(5)])
    qtmodeltester.check(model)
    assert model.rowCount() == 5
    assert model.columnCount() == len(UsersModel.columns)
    assert model.index(0, UsersModel.USERNAME).data() == "user0"
    assert model.index(1, UsersModel.LAST_LOGIN).data() != "—"
    assert model.index(0, UsersModel.LAST_LOGIN).data() == "—"
    assert model.index(2, UsersModel.STATUS).data() == "Deactivated"
    assert model.index(3, 0).data(ROW_ROLE).id == "id-3"
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Username"


def test_audit_model_passes_the_model_tester(qtmodeltester):
    event = AuditEvent.from_json(
        {
            "id": "e1",
            "sequence": 7,
            "occurred_at": "2026-01-02T03:04:05Z",
            "actor_username": "admin",
            "actor_role": "admin",
            "action": "login_failed",
            "resource_type": "session",
            "object_id": "",
            "patient_id": "",
            "ip": "127.0.0.1",
            "request_id": "r",
            "outcome": "failure",
            "detail": {"reason": "bad password"},
            "hash": "abc",
        }
    )
    model = AuditModel()
    model.set_rows([event])
    qtmodeltester.check(model)
    assert model.index(0, 3).data() == "Login failed"
    assert model.index(0, 7).data() == "Failure"
    assert model.index(0, 7).data(Qt.ItemDataRole.ForegroundRole) is not None


def test_paged_model_fetches_more_on_demand(qtbot, qtmodeltester):
    runner = TaskRunner()
    sizes: list[int] = []
    model = UsersModel(runner, fake_pages(23, sizes), page_size=10)
    with qtbot.waitSignal(model.rows_loaded):
        model.reload()
    assert model.rowCount() == 10
    assert model.total == 23
    assert model.canFetchMore()
    with qtbot.waitSignal(model.rows_loaded):
        model.fetchMore()
    assert model.rowCount() == 20
    with qtbot.waitSignal(model.rows_loaded):
        model.fetchMore()
    assert model.rowCount() == 23
    assert not model.canFetchMore()
    assert sizes == [10, 10, 10]
    qtmodeltester.check(model)
    runner.wait_for_done(2000)


def test_no_second_fetch_while_one_is_loading(qtbot):
    runner = TaskRunner()
    gate = threading.Event()
    calls = []
    pages = fake_pages(50)

    def slow(page, size):
        calls.append(page)
        gate.wait(5)
        return pages(page, size)

    model = UsersModel(runner, fake_pages(50), page_size=10)
    with qtbot.waitSignal(model.rows_loaded):
        model.reload()
    model.fetch = slow
    model.fetchMore()
    assert model.loading
    assert not model.canFetchMore()
    model.fetchMore()
    gate.set()
    qtbot.waitUntil(lambda: not model.loading)
    assert calls == [2]
    assert model.rowCount() == 20
    runner.wait_for_done(2000)


def test_a_page_for_old_filters_is_dropped(qtbot):
    runner = TaskRunner()
    gate = threading.Event()

    def old_filter(page, size):
        gate.wait(5)
        return Page(count=1, results=[make_user(99)], page=1)

    model = UsersModel(runner, old_filter, page_size=10)
    model.reload()
    model.fetch = fake_pages(3)
    with qtbot.waitSignal(model.rows_loaded):
        model.reload()
    gate.set()
    runner.wait_for_done(2000)
    qtbot.wait(20)
    assert [u.username for u in model.rows] == ["user0", "user1", "user2"]


def test_users_model_pages_through_the_live_server(qtbot, qtmodeltester, hms_server):
    client = ApiClient(hms_server)
    client.login("admin", DEMO_PASSWORD)
    api = Api(client)
    runner = TaskRunner()
    model = UsersModel(
        runner, lambda page, size: api.users.list(page=page, page_size=size), page_size=4
    )
    with qtbot.waitSignal(model.rows_loaded, timeout=10_000):
        model.reload()
    assert model.rowCount() == 4
    while model.canFetchMore():
        with qtbot.waitSignal(model.rows_loaded, timeout=10_000):
            model.fetchMore()
    assert model.rowCount() == model.total >= 9
    assert len({u.id for u in model.rows}) == model.rowCount()
    qtmodeltester.check(model)
    runner.wait_for_done(2000)
    client.close()


def test_appointments_model_keeps_the_days_counts(qtbot, qtmodeltester):
    from hms_desktop.api.dto import Appointment, QueuePage
    from hms_desktop.models.appointments import AppointmentsModel

    row = Appointment.from_json(
        {
            "id": "a1",
            "patient": {"id": "p1", "mrn": "H000000001", "name": "Amara Okoro"},
            "doctor": {"id": "d1", "name": "Lena Weber"},
            "date": "2026-01-02",
            "slot": "09:30",
            "start_at": "2026-01-02T09:30:00Z",
            "end_at": "2026-01-02T09:45:00Z",
            "status": "checked_in",
            "status_display": "Checked in",
            "reason": "Follow-up",
            "booked_by": {"id": "u1", "name": "Rita Desai"},
            "checked_in_at": "2026-01-02T09:20:00Z",
        }
    )
    page = QueuePage(count=1, results=[row], summary={"booked": 2, "checked_in": 1})
    model = AppointmentsModel(fetch=lambda _page, _size: page)
    with qtbot.waitSignal(model.summary_changed) as summary:
        model.reload()
    assert summary.args == [{"booked": 2, "checked_in": 1}]
    qtmodeltester.check(model)
    assert model.index(0, AppointmentsModel.TIME).data() == "09:30"
    assert model.index(0, AppointmentsModel.STATUS).data() == "Checked in"
    assert model.index(0, AppointmentsModel.STATUS).data(Qt.ItemDataRole.ForegroundRole)


def test_pharmacy_models_pass_the_model_tester(qtmodeltester):
    from hms_desktop.api.dto import Drug, Prescription, StockAlert, StockMovement
    from hms_desktop.models.pharmacy import (
        AlertsModel,
        DrugsModel,
        LedgerModel,
        PrescriptionItemsModel,
        PrescriptionsModel,
    )

    drug = {"id": "g1", "generic_name": "Amoxicillin", "strength": "500 mg", "form": "capsule"}
    prescription = Prescription.from_json(
        {
            "id": "r1",
            "patient": {"id": "p1", "mrn": "H1", "name": "Amara Okoro"},
            "prescriber": {"id": "d1", "name": "Lena Weber"},
            "status": "partially_dispensed",
            "status_display": "Partially dispensed",
            "prescribed_at": "2026-01-02T09:30:00Z",
            "note": "",
            "items": [
                {
                    "id": "i1",
                    "drug": drug,
                    "dose": "500.0000",
                    "dose_unit": "mg",
                    "route": "oral",
                    "frequency": "tds",
                    "frequency_display": "Three times a day",
                    "duration_days": 7,
                    "quantity": 21,
                    "quantity_dispensed": 5,
                    "remaining": 16,
                    "on_hand": 3,
                }
            ],
            "safety_warnings": [{"code": "allergy", "severity": "severe", "message": "x"}],
        }
    )
    prescriptions = PrescriptionsModel()
    prescriptions.set_rows([prescription])
    qtmodeltester.check(prescriptions)
    assert prescriptions.index(0, PrescriptionsModel.LEFT).data() == "16"
    items = PrescriptionItemsModel()
    items.set_rows(prescription.items)
    qtmodeltester.check(items)
    assert items.index(0, 1).data() == "500 mg three times a day for 7 days"
    assert items.index(0, PrescriptionItemsModel.STOCK).data(Qt.ItemDataRole.ForegroundRole)

    drugs = DrugsModel()
    drugs.set_rows([Drug.from_json({**drug, "on_hand": 0, "reorder_level": 10, "low_stock": True})])
    qtmodeltester.check(drugs)
    assert drugs.index(0, DrugsModel.STATUS).data() == "Out of stock"

    ledger = LedgerModel()
    ledger.set_rows(
        [
            StockMovement.from_json(
                {
                    "id": "m1",
                    "kind": "adjustment",
                    "quantity": -2,
                    "balance_after": 98,
                    "reason": "damaged",
                    "reference": "",
                    "occurred_at": "2026-01-02T09:30:00Z",
                    "batch": "b1",
                    "lot_number": "L1",
                    "location": "pharmacy",
                    "drug": "g1",
                    "drug_name": "Amoxicillin",
                }
            )
        ]
    )
    qtmodeltester.check(ledger)
    assert ledger.index(0, LedgerModel.QUANTITY).data() == "-2"
    assert "damaged" in ledger.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)

    alerts = AlertsModel()
    alerts.set_rows(
        [
            StockAlert.from_json(
                {
                    "kind": "expired",
                    "severity": "critical",
                    "title": "Expired",
                    "message": "3 at pharmacy",
                    "drug": drug,
                    "on_hand": 3,
                    "reorder_level": 10,
                    "days_to_expiry": -2,
                    "batch": {"id": "b1", "lot_number": "L1", "expiry_date": "2026-01-01"},
                }
            )
        ]
    )
    qtmodeltester.check(alerts)
    assert alerts.index(0, AlertsModel.SEVERITY).data() == "Critical"
