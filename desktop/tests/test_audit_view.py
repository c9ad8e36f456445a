"""The audit log viewer against the live server."""

from __future__ import annotations

import contextlib
from datetime import datetime

from PySide6.QtCore import QDateTime

from hms_desktop.api import ApiClient, ApiError

from .conftest import sign_in, snap, unique


def open_audit(qtbot, hms):
    window = sign_in(qtbot, hms, "admin")
    window.resize(1280, 800)
    page = window.open_module("audit")
    qtbot.waitUntil(lambda: page.model.rowCount() >= 1 and not page.model.loading, timeout=10_000)
    return window, page


def apply(qtbot, page, **filters):
    page.set_filters(**filters)
    page.apply_button.click()
    qtbot.waitUntil(lambda: not page.model.loading, timeout=10_000)


def test_filter_by_user_and_action(qtbot, hms):
    window, page = open_audit(qtbot, hms)
    apply(qtbot, page, actor="admin", action="login")
    assert page.model.rowCount() >= 1
    assert {e.actor_username for e in page.model.rows} == {"admin"}
    assert {e.action for e in page.model.rows} == {"login"}
    page.table.selectRow(0)
    assert "Login" in page.detail_title.text()
    assert "Chain hash" in page.detail.toPlainText()
    snap(window, "audit")


def test_filter_failed_sign_ins_by_outcome_and_resource(qtbot, hms, hms_server):
    ghost = unique("intruder")
    with contextlib.suppress(ApiError):
        ApiClient(hms_server).login(ghost, "guess")
    _window, page = open_audit(qtbot, hms)
    apply(qtbot, page, action="login_failed", outcome="failure")
    rows = page.model.rows
    assert rows
    assert {e.outcome for e in rows} == {"failure"}
    assert ghost in {e.actor_username or (e.detail or {}).get("username", "") for e in rows} or any(
        ghost in str(e.detail) for e in rows
    )
    resource = rows[0].resource_type
    apply(qtbot, page, resource_type=resource, outcome="failure")
    assert {e.resource_type for e in page.model.rows} == {resource}


def test_date_range(qtbot, hms):
    _window, page = open_audit(qtbot, hms)
    future = QDateTime.currentDateTime().addDays(1)
    apply(qtbot, page, since=future)
    assert page.model.rowCount() == 0
    assert "No audit event" in page.table_panel.footer.text()
    past = QDateTime.currentDateTime().addDays(-1)
    apply(qtbot, page, since=past, until=future)
    assert page.model.rowCount() >= 1
    now = datetime.now().astimezone()
    assert all(e.occurred_at <= now for e in page.model.rows if e.occurred_at)


def test_inverted_range_is_a_field_error(qtbot, hms):
    _window, page = open_audit(qtbot, hms)
    now = QDateTime.currentDateTime()
    apply(qtbot, page, since=now, until=now.addDays(-2))
    qtbot.waitUntil(lambda: bool(page.errors.fields["until"].error_text), timeout=10_000)
    assert page.model.rowCount() == 0


def test_clear_filters(qtbot, hms):
    _window, page = open_audit(qtbot, hms)
    apply(qtbot, page, actor="nobody-at-all")
    assert page.model.rowCount() == 0
    page.clear_button.click()
    qtbot.waitUntil(lambda: page.model.rowCount() >= 1, timeout=10_000)
    assert page.filters() == {}
