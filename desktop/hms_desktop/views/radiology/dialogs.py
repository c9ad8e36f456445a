"""Radiology's dialogs: scheduling a study, cancelling an order, adding an addendum to a signed
report."""

from __future__ import annotations

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QCheckBox, QDateTimeEdit, QLabel, QPlainTextEdit

from hms_desktop.api.dto import ImagingOrder, ImagingReport
from hms_desktop.views.dialogs import FormDialog, ReasonDialog
from hms_desktop.widgets.page import Page


def text_box(placeholder: str, name: str, height: int = 110) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    edit.setMinimumHeight(height)
    return edit


class ScheduleDialog(FormDialog):
    def __init__(self, page: Page, order: ImagingOrder) -> None:
        super().__init__(page, "Schedule", f"Schedule {order.procedure.name}")
        self.order = order
        start = QDateTime.currentDateTime().addSecs(3600)
        self.at = QDateTimeEdit(start)
        self.at.setObjectName("scheduleAt")
        self.at.setCalendarPopup(True)
        self.at.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.at.setMinimumDateTime(QDateTime.currentDateTime())
        self.at.textChanged = self.at.dateTimeChanged
        self.field("scheduled_at", "When", self.at)
        self.save_button.setText("Schedule")
        self.finish_layout()

    def submit(self) -> None:
        order_id = self.order.id
        at = self.at.dateTime().toString(Qt.DateFormat.ISODate)
        radiology = self.ctx.api.radiology
        self.call(lambda: radiology.schedule(order_id, at=at))


class CancelImagingDialog(ReasonDialog):
    def __init__(self, page: Page, order: ImagingOrder) -> None:
        radiology, order_id = page.ctx.api.radiology, order.id
        super().__init__(
            page,
            "Cancel order",
            f"Cancel {order.accession_number}?",
            action="Cancel order",
            send=lambda reason: radiology.cancel(order_id, reason=reason),
            placeholder="e.g. requested twice; the other order stands",
        )
        self.order = order


class AddendumDialog(FormDialog):
    """An addendum to a signed report: a new row; the report stays as it was signed."""

    def __init__(self, page: Page, report: ImagingReport) -> None:
        super().__init__(page, "Addendum", "Add an addendum to the signed report")
        self.setMinimumWidth(620)
        self.report = report
        note = QLabel(
            "The signed report does not change. The addendum is shown with it, and the ordering "
            "doctor is told once it is signed."
        )
        self.add_note(note, muted=True)
        self.findings = text_box("What is added or corrected", "addendumFindings")
        self.impression = text_box("The corrected conclusion", "addendumImpression", 70)
        self.critical = QCheckBox("Critical finding (the ordering doctor is alerted)")
        self.critical.textChanged = self.critical.toggled
        self.sign = QCheckBox("Sign it now")
        self.sign.setChecked(True)
        self.field("findings", "Findings", self.findings)
        self.field("impression", "Impression", self.impression)
        self.field("critical", "", self.critical)
        self.field("finalize", "", self.sign)
        self.save_button.setText("Add addendum")
        self.finish_layout()

    def submit(self) -> None:
        fields = {
            "findings": self.findings.toPlainText().strip(),
            "impression": self.impression.toPlainText().strip(),
            "critical": self.critical.isChecked(),
            "finalize": self.sign.isChecked(),
        }
        report_id, radiology = self.report.id, self.ctx.api.radiology
        self.call(lambda: radiology.addendum(report_id, **fields))
