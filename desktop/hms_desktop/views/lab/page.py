"""Laboratory (lab technician): the worklist (STAT first), specimen collection, result entry
with live flagging, and verification by a second person.

While a value is typed, its flag is worked out here from the reference range for the patient's
sex and age (lab_flags); once saved, the server's flag is the one recorded and shown.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QLabel

from hms_desktop import theme
from hms_desktop.api.dto import CRITICAL_LAB_FLAGS, LAB_PRIORITIES, LabOrder
from hms_desktop.formatting import fmt_datetime, fmt_text
from hms_desktop.models.lab import (
    LAB_STATUS_COLOURS,
    PRIORITY_COLOURS,
    LabOrdersModel,
    LabResultsModel,
)
from hms_desktop.views.lab.dialogs import CancelOrderDialog, ResultEntryDialog, patient_line
from hms_desktop.widgets.cards import CountStrip
from hms_desktop.widgets.forms import combo
from hms_desktop.widgets.list_page import DetailPanel, ListPage
from hms_desktop.widgets.page import button
from hms_desktop.widgets.table import DataTable
from hms_desktop.workers import is_busy

STATUS_FILTERS = [
    ("open", "Open orders"),
    ("ordered", "Waiting for the specimen"),
    ("specimen_collected,in_progress", "In the lab"),
    ("resulted", "To verify"),
    ("verified", "Verified"),
    ("cancelled", "Cancelled"),
    ("", "Everything"),
]


class LabOrderPanel(DetailPanel):
    """The selected order: patient, request, progress, results and the next step."""

    def __init__(self, parent=None) -> None:
        super().__init__("No order selected", parent=parent)
        layout = self.body
        self.collect_button = button("Specimen collected", name="collectSpecimen")
        self.start_button = button("Start", name="startAnalysis")
        self.results_button = button("Enter results…", primary=True, name="enterResults")
        self.verify_button = button("Verify", primary=True, name="verifyResults")
        self.cancel_button = button("Cancel order…", danger=True, name="cancelOrder")
        self.report_button = button("Lab report PDF…", name="labReportPdf")
        self.actions = (
            self.collect_button,
            self.start_button,
            self.results_button,
            self.verify_button,
            self.cancel_button,
            self.report_button,
        )
        self.add_heading(*self.actions)
        self.patient = QLabel()
        self.patient.setWordWrap(True)
        layout.addWidget(self.patient)
        self.request = QLabel()
        self.request.setObjectName("muted")
        self.request.setWordWrap(True)
        layout.addWidget(self.request)
        self.critical = QLabel()
        self.critical.setObjectName("banner")
        self.critical.setProperty("kind", "error")
        self.critical.setWordWrap(True)
        self.critical.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.critical)
        self.results_model = LabResultsModel(parent=self)
        self.results = DataTable()
        self.results.setModel(self.results_model)
        for column, width in {0: 220, 1: 80, 2: 80, 3: 150, 4: 110, 5: 80, 6: 120}.items():
            self.results.setColumnWidth(column, width)
        layout.addWidget(self.results, 1)
        self.progress = QLabel()
        self.progress.setObjectName("muted")
        self.progress.setWordWrap(True)
        layout.addWidget(self.progress)
        self.show_order(None)

    def show_order(self, order: LabOrder | None) -> None:
        status = order.status if order else ""
        states = {
            self.collect_button: status == "ordered",
            self.start_button: status == "specimen_collected",
            self.results_button: status in ("specimen_collected", "in_progress", "resulted"),
            self.verify_button: status == "resulted",
            self.cancel_button: status in ("ordered", "specimen_collected", "in_progress"),
            self.report_button: status in ("resulted", "verified"),
        }
        for widget, enabled in states.items():
            if not is_busy(widget):
                widget.setEnabled(enabled)
        self.results_button.setText(
            "Correct results…" if status == "resulted" else "Enter results…"
        )
        if order is None:
            self.heading.setText("No order selected")
            self.patient.setText("")
            self.request.setText("")
            self.critical.hide()
            self.results_model.set_rows([])
            self.progress.setText("")
            return
        colour = PRIORITY_COLOURS.get(order.priority, theme.MUTED)
        status_colour = LAB_STATUS_COLOURS.get(order.status, theme.TEXT)
        self.heading.setText(
            f"{order.test.name} <span style='color:{colour}'>· {order.priority_display}</span>"
        )
        self.patient.setText(
            f"<b>{patient_line(order.patient)}</b> · "
            f"<b style='color:{status_colour}'>{order.status_display}</b>"
        )
        doctor = order.ordering_doctor.name if order.ordering_doctor else "—"
        notes = f" · “{order.clinical_notes}”" if order.clinical_notes else ""
        self.request.setText(f"Order {order.placer_number} · ordered by {doctor}{notes}")
        critical = [r for r in order.current_results if r.flag in CRITICAL_LAB_FLAGS]
        if critical:
            values = "; ".join(
                f"{r.test.name} {r.value} {r.unit} ({r.flag_display.lower()})" for r in critical
            )
            self.critical.setText(f"⚠ <b>Critical:</b> {values}. Tell {doctor} now.")
            self.critical.show()
        else:
            self.critical.hide()
        self.results_model.set_rows(order.results)
        steps = [
            ("Ordered", order.ordered_at),
            ("collected", order.collected_at),
            ("started", order.started_at),
            ("resulted", order.resulted_at),
            ("verified", order.verified_at),
        ]
        text = " → ".join(f"{name} {fmt_datetime(when)}" for name, when in steps if when)
        if order.verified_by:
            text += f" by {order.verified_by.name}"
        if order.turnaround_minutes is not None:
            text += f" · turnaround {order.turnaround_minutes} min"
        if order.cancel_reason:
            text += f" · cancelled: {order.cancel_reason}"
        self.progress.setText(fmt_text(text))


class LabWorklistPage(ListPage):
    title = "Laboratory"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(
            ctx,
            LabOrdersModel(ctx.runner, page_size=50),
            lambda api: api.lab.worklist,
            search="Order number or MRN",
            search_name="labSearch",
            refresh_name="refreshLab",
            empty_text="No order matches.",
            search_width=220,
            parent=parent,
        )
        self.status_filter = combo(STATUS_FILTERS)
        self.status_filter.setObjectName("labStatus")
        self.status_filter.setMinimumWidth(200)
        self.priority_filter = combo([("", "Any priority"), *LAB_PRIORITIES.items()])
        self.critical_only = QCheckBox("Critical only")
        self.add_filters(self.status_filter, self.priority_filter, self.critical_only)
        self.counts = CountStrip(
            [
                ("to_collect", "Waiting for the specimen", theme.MUTED),
                ("in_lab", "In the lab", theme.INFO),
                ("to_verify", "To verify", theme.WARNING),
                ("critical", "Open with critical results", theme.DANGER),
            ]
        )
        self.outer.addWidget(self.counts)

        self.set_details(
            LabOrderPanel(),
            sizes=(280, 380),
            column_widths={0: 75, 1: 135, 2: 190, 3: 110, 5: 140, 6: 140, 7: 80},
            stretch=LabOrdersModel.TEST,
        )

        self.details.collect_button.clicked.connect(lambda: self._act("collect"))
        self.details.start_button.clicked.connect(lambda: self._act("start"))
        self.details.verify_button.clicked.connect(lambda: self._act("verify"))
        self.details.results_button.clicked.connect(self.open_results)
        self.details.cancel_button.clicked.connect(self.open_cancel)
        self.details.report_button.clicked.connect(self.choose_print_pdf)
        self.table.doubleClicked.connect(lambda _i: self.open_results())

    # --- the worklist ---------------------------------------------------------------------

    def filters(self) -> dict[str, Any]:
        status = self.status_filter.currentData() or ""
        return {
            "open": status == "open",
            "status": status if status not in ("", "open") else None,
            "priority": self.priority_filter.currentData() or None,
            "critical": self.critical_only.isChecked(),
            "q": self.search.text().strip() or None,
        }

    def reloaded(self) -> None:
        lab = self.ctx.api.lab
        self.run(
            lambda: {
                "to_collect": lab.count(status="ordered"),
                "in_lab": lab.count(status="specimen_collected,in_progress"),
                "to_verify": lab.count(status="resulted"),
                "critical": lab.count(open=True, critical=True),
            },
            on_done=self.counts.set_counts,
            on_error=lambda _exc: None,
            retry_key="lab-counts",
        )

    def row_selected(self, order: LabOrder | None, _previous: LabOrder | None) -> None:
        self.details.show_order(order)

    def show_order(self, order: LabOrder) -> None:
        """Find one order by its number (any status) and select it."""
        self.find(order.id, order.placer_number)

    # --- steps ----------------------------------------------------------------------------

    MESSAGES = {
        "collect": "Specimen for {order} recorded as collected.",
        "start": "{order} is in progress.",
        "verify": "{order} verified; the results are released to the ordering doctor.",
    }

    def _act(self, action: str) -> None:
        self.run_step(
            getattr(self.ctx.api.lab, action),
            getattr(self.details, f"{action}_button"),
            lambda done: self._changed(done, self.MESSAGES[action]),
        )

    def _changed(self, order: LabOrder, message: str) -> None:
        self.show_success(message.format(order=f"{order.test.name} ({order.placer_number})"))
        self._updated(order)

    def _updated(self, order: LabOrder) -> None:
        self.model.replace_row(order)
        if self.current is not None and self.current.id == order.id:
            self.current = order
            self.details.show_order(order)
        self.reload_and_select(order.id)

    def open_results(self) -> ResultEntryDialog | None:
        if self.current is None or not self.details.results_button.isEnabled():
            return None
        dialog = ResultEntryDialog(self, self.current)
        self._open(dialog, self._resulted)
        return dialog

    def _resulted(self, order: LabOrder) -> None:
        critical = [r for r in order.current_results if r.flag in CRITICAL_LAB_FLAGS]
        saved = len([r for r in order.current_results if r.status == "pending"])
        if critical:
            doctor = order.ordering_doctor.name if order.ordering_doctor else "the doctor"
            values = "; ".join(
                f"{r.test.name} {r.value} {r.unit} ({r.flag_display.lower()})" for r in critical
            )
            self.banner.show_message(
                f"Critical result for {order.patient.name}: {values}. Tell {doctor} now; a "
                "second person verifies to release it.",
                kind="error",
            )
        else:
            self.show_success(
                f"{saved} result(s) saved for {order.patient.name}. A second person verifies "
                "them next."
            )
        self._updated(order)

    def open_cancel(self) -> CancelOrderDialog | None:
        if self.current is None:
            return None
        dialog = CancelOrderDialog(self, self.current)
        self._open(
            dialog, lambda order: self._changed(order, "{order} cancelled; nothing was deleted.")
        )
        return dialog

    # --- The lab report -------------------------------------------------------------------

    def print_source(self):
        if self.current is None:
            return None
        order_id = self.current.id
        return (
            f"lab-report-{self.current.placer_number}.pdf",
            lambda: self.ctx.api.lab.report_pdf(order_id),
            self.details.report_button,
        )
