"""Radiology (radiologist): the worklist, STAT first; DICOM upload and preview images; the
report editor — a draft saved as often as needed, signed once (final), then amended only by
addenda, which are separate signed rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QVBoxLayout,
)

from hms_desktop import theme
from hms_desktop.api.dto import (
    IMAGING_STATUSES,
    LAB_PRIORITIES,
    MODALITIES,
    OPEN_IMAGING_STATUSES,
    ImagingImage,
    ImagingOrder,
    ImagingReport,
)
from hms_desktop.api.errors import ApiError
from hms_desktop.formatting import fmt_datetime
from hms_desktop.models.radiology import IMAGING_STATUS_COLOURS, ImagingOrdersModel
from hms_desktop.views.lab import patient_line
from hms_desktop.views.radiology.dialogs import (
    AddendumDialog,
    CancelImagingDialog,
    ScheduleDialog,
    text_box,
)
from hms_desktop.widgets.forms import combo
from hms_desktop.widgets.image_viewer import ImageViewer
from hms_desktop.widgets.list_page import DetailPanel, ListPage
from hms_desktop.widgets.page import button
from hms_desktop.workers import is_busy

ALL_STATUSES = ",".join(IMAGING_STATUSES)


STATUS_FILTERS = [
    (",".join(OPEN_IMAGING_STATUSES), "Open orders"),
    *[(status, label) for status, label in IMAGING_STATUSES.items()],
    (ALL_STATUSES, "Every status"),
]


REPORTABLE = ("in_progress", "acquired")


class ReportEditor(QFrame):
    """Findings, impression, critical flag; saved as a draft, then signed."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(6)
        top = QHBoxLayout()
        title = QLabel("Report")
        title.setObjectName("sectionTitle")
        self.state = QLabel()
        top.addWidget(title)
        top.addWidget(self.state, 1)
        layout.addLayout(top)
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        findings = QLabel("Findings")
        findings.setObjectName("fieldLabel")
        layout.addWidget(findings)
        self.findings = text_box("Describe what the images show", "reportFindings", 120)
        layout.addWidget(self.findings, 2)
        impression = QLabel("Impression")
        impression.setObjectName("fieldLabel")
        layout.addWidget(impression)
        self.impression = text_box("The conclusion for the ordering doctor", "reportImpression", 60)
        layout.addWidget(self.impression, 1)
        self.critical = QCheckBox("Critical finding (the ordering doctor is alerted when signed)")
        self.critical.setObjectName("reportCritical")
        layout.addWidget(self.critical)
        self.addenda = QLabel()
        self.addenda.setWordWrap(True)
        self.addenda.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.addenda)
        buttons = QHBoxLayout()
        self.save_button = button("Save draft", name="saveDraft")
        self.sign_button = button("Sign report", primary=True, name="signReport")
        self.addendum_button = button("Add addendum…", name="addAddendum")
        buttons.addStretch(1)
        for widget in (self.save_button, self.sign_button, self.addendum_button):
            buttons.addWidget(widget)
        layout.addLayout(buttons)
        self.report: ImagingReport | None = None
        self.show_report(None, reportable=False)

    def values(self) -> dict[str, Any]:
        return {
            "findings": self.findings.toPlainText().strip(),
            "impression": self.impression.toPlainText().strip(),
            "critical": self.critical.isChecked(),
        }

    def dirty(self) -> bool:
        if self.report is None:
            return any(v for v in self.values().values())
        saved = {
            "findings": self.report.findings,
            "impression": self.report.impression,
            "critical": self.report.critical,
        }
        return saved != self.values()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))

    def show_report(
        self,
        report: ImagingReport | None,
        *,
        reportable: bool,
        addenda: list[ImagingReport] | None = None,
        keep_text: bool = False,
    ) -> None:
        self.report = report
        final = report is not None and report.is_final
        if not keep_text:
            self.show_error("")
            self.findings.setPlainText(report.findings if report else "")
            self.impression.setPlainText(report.impression if report else "")
            self.critical.setChecked(bool(report and report.critical))
        editable = not final and (report is not None or reportable)
        for widget in (self.findings, self.impression):
            widget.setReadOnly(not editable)
        self.critical.setEnabled(editable)
        for widget, enabled in (
            (self.save_button, editable),
            (self.sign_button, editable),
            (self.addendum_button, final),
        ):
            if not is_busy(widget):
                widget.setEnabled(enabled)
        self.addendum_button.setVisible(final)
        self.save_button.setVisible(not final)
        self.sign_button.setVisible(not final)
        if report is None:
            text = (
                "Not started. Write the findings and save a draft."
                if reportable
                else "Reporting opens once the examination has started."
            )
            colour = theme.MUTED
        elif final:
            who = report.finalized_by.name if report.finalized_by else ""
            text = f"Final · signed {fmt_datetime(report.finalized_at)} {who}".strip()
            colour = theme.SUCCESS
        else:
            text = f"Draft · saved {fmt_datetime(report.updated_at)}"
            colour = theme.WARNING
        critical = " · <b style='color:#b91c1c'>critical</b>" if report and report.critical else ""
        self.state.setText(f"<span style='color:{colour}'>{text}</span>{critical}")
        rows = []
        for addendum in addenda or []:
            when = f"signed {fmt_datetime(addendum.finalized_at)}" if addendum.is_final else "draft"
            rows.append(
                f"<b>Addendum</b> ({when}): {addendum.findings} "
                f"<i>{addendum.impression}</i>".strip()
            )
        self.addenda.setText("<br>".join(rows))
        self.addenda.setVisible(bool(rows))


class RadiologyPage(ListPage):
    title = "Radiology"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(
            ctx,
            ImagingOrdersModel(ctx.runner, page_size=50),
            lambda api: api.radiology.worklist,
            search="Accession number, MRN or name",
            search_name="radiologySearch",
            refresh_name="refreshRadiology",
            empty_text="No imaging order matches.",
            parent=parent,
        )
        self.can_report = ctx.may("imaging_reports", "create")
        self.status_filter = combo(STATUS_FILTERS)
        self.status_filter.setObjectName("radiologyStatus")
        self.modality_filter = combo([("", "Any modality"), *MODALITIES.items()])
        self.priority_filter = combo([("", "Any priority"), *LAB_PRIORITIES.items()])
        self.add_filters(self.status_filter, self.modality_filter, self.priority_filter)

        study = QSplitter(Qt.Orientation.Horizontal)
        study.setChildrenCollapsible(False)
        left = DetailPanel("No order selected", margins=(14, 12), spacing=-1)  # style's spacing
        left.add_heading()
        left_layout = left.body
        self.heading = left.heading
        self.order_info = QLabel()
        self.order_info.setWordWrap(True)
        left_layout.addWidget(self.order_info)
        actions = QHBoxLayout()
        self.schedule_button = button("Schedule…", name="scheduleStudy")
        self.start_button = button("Start examination", name="startStudy")
        self.upload_button = button("Add DICOM images…", name="uploadDicom")
        self.complete_button = button("Imaging done", name="completeStudy")
        self.cancel_button = button("Cancel order…", danger=True, name="cancelStudy")
        self.actions = (
            self.schedule_button,
            self.start_button,
            self.upload_button,
            self.complete_button,
            self.cancel_button,
        )
        for widget in self.actions:
            actions.addWidget(widget)
        actions.addStretch(1)
        left_layout.addLayout(actions)
        self.viewer = ImageViewer()
        left_layout.addWidget(self.viewer, 1)
        self.editor = ReportEditor()
        study.addWidget(left)
        study.addWidget(self.editor)
        study.setSizes([560, 450])
        self.set_details(
            study,
            sizes=(210, 470),
            column_widths={0: 70, 1: 130, 2: 165, 3: 110, 5: 125, 6: 125, 7: 65, 8: 70},
            stretch=ImagingOrdersModel.PROCEDURE,
        )

        self.schedule_button.clicked.connect(self.open_schedule)
        self.start_button.clicked.connect(lambda: self._act("start"))
        self.complete_button.clicked.connect(lambda: self._act("complete"))
        self.upload_button.clicked.connect(self.choose_files)
        self.cancel_button.clicked.connect(self.open_cancel)
        self.editor.save_button.clicked.connect(lambda: self.save_report(sign=False))
        self.editor.sign_button.clicked.connect(lambda: self.save_report(sign=True))
        self.editor.addendum_button.clicked.connect(self.open_addendum)
        self.show_order(None)

    # --- the worklist ---------------------------------------------------------------------

    def filters(self) -> dict[str, Any]:
        return {
            "status": self.status_filter.currentData() or None,
            "modality": self.modality_filter.currentData() or None,
            "priority": self.priority_filter.currentData() or None,
            "q": self.search.text().strip() or None,
        }

    def clear_filters(self) -> None:
        super().clear_filters()
        self.status_filter.setCurrentIndex(self.status_filter.findData(ALL_STATUSES))

    def row_selected(self, order: ImagingOrder | None, previous: ImagingOrder | None) -> None:
        if order is None:
            if previous is not None and self._select_after_load == previous.id:
                self.current = previous
                return  # the list is reloading and will select it again: keep the study open
            self.show_order(None)
            return
        if previous is not None and previous.id == order.id and previous.images is not None:
            self.current = previous
            return  # the same study: keep what is typed in the report
        self.show_order(order)
        self.load_detail(order.id)

    def load_detail(self, order_id: str, *, keep_text: bool = False) -> None:
        radiology = self.ctx.api.radiology
        self.run(
            lambda: radiology.order(order_id),
            on_done=lambda detail: self._detail(detail, keep_text=keep_text),
            on_error=self.show_error,
        )

    def _detail(self, order: ImagingOrder, *, keep_text: bool = False) -> None:
        if self.current is None or self.current.id != order.id:
            return
        self.current = order
        self.show_order(order, keep_text=keep_text)
        for image in order.images or []:
            if image.id not in self.viewer.pixmaps and image.preview_url:
                self._load_preview(image)

    def _load_preview(self, image: ImagingImage) -> None:
        radiology = self.ctx.api.radiology
        self.run(
            lambda: radiology.preview(image),
            on_done=lambda data: self.viewer.set_preview(image.id, data),
            on_error=lambda exc: self.viewer.caption.setText(
                f"Preview not available: {getattr(exc, 'message', exc)}"
            ),
        )

    def show_order(self, order: ImagingOrder | None, *, keep_text: bool = False) -> None:
        status = order.status if order else ""
        states = {
            self.schedule_button: status in ("ordered", "scheduled"),
            self.start_button: status in ("ordered", "scheduled"),
            self.upload_button: status in ("ordered", "scheduled", "in_progress", "acquired"),
            self.complete_button: status == "in_progress",
            self.cancel_button: status in OPEN_IMAGING_STATUSES,
        }
        for widget, applies in states.items():
            # Only the steps that apply now are shown: the row stays short and obvious.
            allowed = self.can_report or widget is self.cancel_button
            if not is_busy(widget):
                widget.setVisible(allowed and applies)
        self.editor.setVisible(self.can_report)
        if order is None:
            self.heading.setText("No order selected")
            self.order_info.setText("")
            self.viewer.set_images([])
            self.editor.show_report(None, reportable=False)
            return
        colour = IMAGING_STATUS_COLOURS.get(order.status, theme.TEXT)
        self.heading.setText(
            f"{order.procedure.name} · {order.accession_number} "
            f"<span style='color:{colour}'>· {order.status_display}</span>"
        )
        doctor = order.ordering_doctor.name if order.ordering_doctor else "—"
        lines = [
            f"<b>{patient_line(order.patient)}</b>",
            f"{order.priority_display} · ordered by {doctor} · “{order.clinical_indication}”",
        ]
        if order.scheduled_at:
            lines.append(f"Scheduled {fmt_datetime(order.scheduled_at)}")
        for warning in order.warnings:
            lines.append(f"<span style='color:#b45309'>⚠ {warning.message}</span>")
        self.order_info.setText("<br>".join(lines))
        if order.images is not None:
            self.viewer.set_images(order.images)
        if order.reports is not None:
            self.editor.show_report(
                order.report,
                reportable=order.status in REPORTABLE,
                addenda=order.addenda,
                keep_text=keep_text,
            )

    # --- study steps ----------------------------------------------------------------------

    MESSAGES = {
        "start": "The examination of {order} has started.",
        "complete": "Images of {order} are acquired; it waits for the report.",
    }

    def _act(self, action: str) -> None:
        self.run_step(
            getattr(self.ctx.api.radiology, action),
            getattr(self, f"{action}_button"),
            lambda done: self._changed(done, self.MESSAGES[action]),
        )

    def _changed(self, order: ImagingOrder, message: str) -> None:
        self.show_success(message.format(order=order.accession_number))
        self._refresh(order)

    def _refresh(self, order: ImagingOrder, *, keep_text: bool = True) -> None:
        self.model.replace_row(order)
        if self.current is not None and self.current.id == order.id:
            self.current = order
            self.show_order(order, keep_text=keep_text)

    def choose_files(self) -> None:
        names, _filter = QFileDialog.getOpenFileNames(
            self, "Upload DICOM images", "", "DICOM files (*.dcm *.DCM);;All files (*)"
        )
        if names:
            self.upload_files([Path(name) for name in names])

    def upload_files(self, paths: list[Path]) -> None:
        order = self.current
        if order is None:
            return
        radiology = self.ctx.api.radiology
        self.banner.hide()
        self.run(
            # Files are read on the worker too: a large series must not freeze the window.
            lambda: radiology.upload(order.id, [(p.name, p.read_bytes()) for p in paths]),
            on_done=lambda images: self._uploaded(order, images),
            on_error=self.show_error,
            busy=[self.upload_button],
        )

    def _uploaded(self, order: ImagingOrder, images: list[ImagingImage]) -> None:
        self.show_success(f"{len(images)} image(s) added to {order.accession_number}.")
        if self.current is not None and self.current.id == order.id:
            self.load_detail(order.id, keep_text=True)
        self.reload_and_select(order.id)

    # --- the report -----------------------------------------------------------------------

    def save_report(self, *, sign: bool) -> None:
        order = self.current
        if order is None:
            return
        values = self.editor.values()
        report = self.editor.report
        dirty = self.editor.dirty()
        radiology = self.ctx.api.radiology

        def work() -> ImagingReport:
            saved = report
            if saved is None:
                saved = radiology.start_report(order.id, **values)
            elif dirty:
                saved = radiology.save_report(saved.id, **values)
            return radiology.finalize(saved.id) if sign else saved

        self.editor.show_error("")
        self.banner.hide()
        self.run(
            work,
            on_done=lambda saved: self._report_saved(order, saved, sign),
            on_error=self._report_refused,
            busy=[self.editor.save_button, self.editor.sign_button],
        )

    def _report_refused(self, exc: Exception) -> None:
        message = exc.message if isinstance(exc, ApiError) else str(exc)
        if isinstance(exc, ApiError) and exc.fields:
            details = " ".join(
                f"{name.capitalize()}: {' '.join(text)}" for name, text in exc.fields.items()
            )
            message = f"{message} {details}"
        self.editor.show_error(message)
        if self.current is not None:
            self.load_detail(self.current.id, keep_text=True)

    def _report_saved(self, order: ImagingOrder, report: ImagingReport, signed: bool) -> None:
        if signed:
            critical = (
                " The ordering doctor was alerted to the critical finding."
                if (report.critical)
                else " The ordering doctor and the patient are told."
            )
            self.show_success(f"Report of {order.accession_number} signed.{critical}")
            self.find(order.id, order.accession_number)  # it leaves the open list
        else:
            self.show_success(f"Draft report of {order.accession_number} saved.")
        if self.current is not None and self.current.id == order.id:
            self.load_detail(order.id)

    def open_addendum(self) -> AddendumDialog | None:
        report = self.editor.report
        if report is None or not report.is_final:
            return None
        dialog = AddendumDialog(self, report)
        self._open(dialog, self._addendum_added)
        return dialog

    def _addendum_added(self, addendum: ImagingReport) -> None:
        state = "signed" if addendum.is_final else "saved as a draft"
        self.show_success(f"Addendum {state}; the original report is unchanged.")
        if self.current is not None:
            self.load_detail(self.current.id)

    # --- dialogs --------------------------------------------------------------------------

    def open_schedule(self) -> ScheduleDialog | None:
        if self.current is None:
            return None
        dialog = ScheduleDialog(self, self.current)
        self._open(
            dialog,
            lambda order: self._changed(
                order, f"{{order}} scheduled for {fmt_datetime(order.scheduled_at)}."
            ),
        )
        return dialog

    def open_cancel(self) -> CancelImagingDialog | None:
        if self.current is None:
            return None
        dialog = CancelImagingDialog(self, self.current)
        self._open(dialog, lambda order: self._changed(order, "{order} cancelled."))
        return dialog
