"""The audit log viewer (admin): filter by user, action, resource, outcome, patient and time."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDateTimeEdit,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QVBoxLayout,
)

from hms_desktop.api.dto import AuditEvent
from hms_desktop.api.errors import ApiError, ServerUnreachable
from hms_desktop.api.resources import AUDIT_ACTIONS, AUDIT_OUTCOMES
from hms_desktop.formatting import fmt_datetime
from hms_desktop.models.audit import ACTION_LABELS, AuditModel
from hms_desktop.roles import role_label
from hms_desktop.widgets.forms import FieldBox, FormErrors, combo, line_edit
from hms_desktop.widgets.page import Page, button
from hms_desktop.widgets.table import TablePanel

RESOURCE_HINT = "e.g. user, password, patient"


class DateFilter(QFrame):
    """An optional bound: a checkbox switches the date-time editor on."""

    def __init__(self, label: str, default: QDateTime, parent=None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.check = QCheckBox(label)
        self.edit = QDateTimeEdit(default)
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.edit.setEnabled(False)
        self.check.toggled.connect(self.edit.setEnabled)
        layout.addWidget(self.check)
        layout.addWidget(self.edit, 1)
        self.editingFinished = self.edit.editingFinished
        self.textChanged = self.check.toggled  # FieldBox clears its error on change

    def value(self) -> str | None:
        if not self.check.isChecked():
            return None
        return self.edit.dateTime().toString(Qt.DateFormat.ISODate)  # local time with offset

    def set(self, when: QDateTime | None) -> None:
        self.check.setChecked(when is not None)
        if when is not None:
            self.edit.setDateTime(when)


class AuditPage(Page):
    title = "Audit log"
    intro = (
        "Every sign-in, every change and every read of patient data, newest first. The log is "
        "append-only and hash-chained; entries cannot be edited here or anywhere else."
    )

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.model = AuditModel(ctx.runner, page_size=50, parent=self)

        filters = QFrame()
        filters.setObjectName("panel")
        grid = QGridLayout(filters)
        grid.setContentsMargins(14, 12, 14, 12)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        self.errors = FormErrors(QLabel())
        self.actor = line_edit("Username")
        self.actor.setObjectName("actorFilter")
        self.action = combo([("", "Any action"), *AUDIT_ACTIONS])
        self.action.setObjectName("actionFilter")
        self.resource = line_edit(RESOURCE_HINT)
        self.resource.setObjectName("resourceFilter")
        self.outcome = combo([("", "Any outcome"), *AUDIT_OUTCOMES])
        self.outcome.setObjectName("outcomeFilter")
        self.patient = line_edit("Patient id")
        now = QDateTime.currentDateTime()
        self.since = DateFilter("From", now.addDays(-7))
        self.until = DateFilter("To", now)
        for edit in (self.actor, self.action, self.resource, self.outcome, self.patient):
            edit.setMinimumWidth(150)
        cells = [
            ("actor", "User", self.actor),
            ("action", "Action", self.action),
            ("resource_type", "Resource", self.resource),
            ("outcome", "Outcome", self.outcome),
            ("patient_id", "Patient", self.patient),
            ("since", "", self.since),
            ("until", "", self.until),
        ]
        for i, (name, label, editor) in enumerate(cells):
            row, col = divmod(i, 5)
            caption = QLabel(label)
            caption.setObjectName("fieldLabel")
            grid.addWidget(caption, row * 2, col)
            grid.addWidget(self.errors.add(name, FieldBox(editor)), row * 2 + 1, col)
        self.apply_button = button("Apply filters", primary=True, name="applyAudit")
        self.clear_button = button("Clear", name="clearAudit")
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.clear_button)
        actions.addWidget(self.apply_button)
        grid.addLayout(actions, 3, 2, 1, 3, Qt.AlignmentFlag.AlignBottom)
        self.outer.addWidget(filters)
        self.outer.addWidget(self.errors.general)
        self.bind_shortcuts(search=self.actor, refresh=self.apply_button)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        self.table_panel = TablePanel(self.model, empty_text="No audit event matches.")
        self.table_panel.set_column_widths(
            {0: 170, 1: 110, 2: 120, 3: 100, 4: 100, 5: 140, 6: 100, 7: 80}
        )
        self.table = self.table_panel.table
        splitter.addWidget(self.table_panel)
        detail = QFrame()
        detail.setObjectName("panel")
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(14, 10, 14, 10)
        self.detail_title = QLabel("Select an event to see its details.")
        self.detail_title.setObjectName("sectionTitle")
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setObjectName("auditDetail")
        self.detail.setStyleSheet("font-family: 'DejaVu Sans Mono'; font-size: 9pt;")
        detail_layout.addWidget(self.detail_title)
        detail_layout.addWidget(self.detail, 1)
        splitter.addWidget(detail)
        splitter.setSizes([460, 170])
        self.outer.addWidget(splitter, 1)

        self.apply_button.clicked.connect(self.reload)
        self.clear_button.clicked.connect(self.clear_filters)
        for edit in (self.actor, self.resource, self.patient):
            edit.returnPressed.connect(self.reload)
        self.action.currentIndexChanged.connect(lambda _i: self.reload())
        self.outcome.currentIndexChanged.connect(lambda _i: self.reload())
        self.model.load_failed.connect(self._load_failed)
        self.model.loading_changed.connect(self._loading)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._selection_changed)
        self._loaded = False

    def filters(self) -> dict[str, Any]:
        values = {
            "actor": self.actor.text().strip(),
            "action": self.action.currentData(),
            "resource_type": self.resource.text().strip(),
            "outcome": self.outcome.currentData(),
            "patient_id": self.patient.text().strip(),
            "since": self.since.value(),
            "until": self.until.value(),
        }
        return {key: value for key, value in values.items() if value}

    def set_filters(self, **values: Any) -> None:
        """Set filters without reloading for each one (tests and saved searches)."""
        widgets = (self.action, self.outcome)
        for widget in widgets:
            widget.blockSignals(True)
        try:
            self.actor.setText(values.get("actor", ""))
            self.resource.setText(values.get("resource_type", ""))
            self.patient.setText(values.get("patient_id", ""))
            self.action.setCurrentIndex(max(0, self.action.findData(values.get("action", ""))))
            self.outcome.setCurrentIndex(max(0, self.outcome.findData(values.get("outcome", ""))))
            self.since.set(values.get("since"))
            self.until.set(values.get("until"))
        finally:
            for widget in widgets:
                widget.blockSignals(False)

    def clear_filters(self) -> None:
        self.set_filters()
        self.reload()

    def activated(self) -> None:
        if not self._loaded:
            self.reload()

    def reload(self) -> None:
        self._loaded = True
        self.errors.clear()
        filters = self.filters()
        audit = self.ctx.api.audit
        self.model.fetch = lambda page, size: audit.list(page=page, page_size=size, **filters)
        self.model.reload()

    def _loading(self, loading: bool) -> None:
        self.apply_button.setEnabled(not loading)

    def _load_failed(self, exc: Exception) -> None:
        if isinstance(exc, ServerUnreachable):
            return  # the window's banner says so, with Retry
        if isinstance(exc, ApiError) and exc.fields:
            self.errors.show(exc)
            self.model.set_rows([])
        else:
            self.show_error(exc)

    def _selection_changed(self, *_args) -> None:
        event: AuditEvent | None = self.table.selected_row()
        if event is None:
            self.detail_title.setText("Select an event to see its details.")
            self.detail.clear()
            return
        who = event.actor_username or "anonymous"
        role = f" ({role_label(event.actor_role)})" if event.actor_role else ""
        self.detail_title.setText(
            f"#{event.sequence} · {ACTION_LABELS.get(event.action, event.action)} "
            f"{event.resource_type} by {who}{role}"
        )
        lines = [
            f"When:        {fmt_datetime(event.occurred_at, seconds=True)}",
            f"Outcome:     {event.outcome}",
            f"Object:      {event.object_id or '—'}",
            f"Patient:     {event.patient_id or '—'}",
            f"Address:     {event.ip or '—'}",
            f"Request id:  {event.request_id or '—'}",
            f"Chain hash:  {event.hash}",
            "Detail:",
            json.dumps(event.detail, indent=2, sort_keys=True) if event.detail else "  (none)",
        ]
        self.detail.setPlainText("\n".join(lines))
