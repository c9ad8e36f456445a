"""The management dashboard (administrators, accountants): the hospital's key figures for a
period as cards, its trends as charts with their tables, and the same as a PDF to share.

It is its own module beside the Dashboard: the Dashboard is each role's "today at a glance",
built from many small live counts; this one is one server-computed result over a chosen date
range. The Dashboard's module shortcuts lead here.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from hms_desktop.api.client import Download
from hms_desktop.api.dto import ReportResult
from hms_desktop.api.errors import ApiError, DownloadCancelled, ServerUnreachable
from hms_desktop.views.reports import as_of_text
from hms_desktop.widgets.download import DownloadBar, size_text
from hms_desktop.widgets.page import Page, button
from hms_desktop.widgets.report_filters import ReportFilterBar
from hms_desktop.widgets.report_view import ReportBody

DASHBOARD_FILTERS = ("date_from", "date_to")


class ManagementDashboardPage(Page):
    title = "Management"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.result: ReportResult | None = None
        self._generation = 0
        self._loaded = False
        self.filters = ReportFilterBar(ctx)
        self.filters.show_only(DASHBOARD_FILTERS)
        self.refresh_button = button("Show", primary=True, name="refreshManagement")
        self.refresh_button.setToolTip("Compute the dashboard for these dates")
        self.refresh_button.clicked.connect(self.refresh)
        self.pdf_button = button("Save PDF…", name="managementPdf")
        self.pdf_button.clicked.connect(self.choose_pdf)
        self.filters.add_action(self.refresh_button)
        self.filters.add_action(self.pdf_button)
        self.outer.addWidget(self.filters)
        self.download = DownloadBar()
        self.outer.addWidget(self.download)
        self.as_of = QLabel()
        self.as_of.setObjectName("muted")
        self.outer.addWidget(self.as_of)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("managementScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, 4, 0)
        self.body = ReportBody()
        holder_layout.addWidget(self.body)
        self.scroll.setWidget(holder)
        self.outer.addWidget(self.scroll, 1)
        self.bind_shortcuts(refresh=self.refresh_button, print=self.pdf_button)

    def activated(self) -> None:
        if not self._loaded:
            self.refresh()

    def refresh(self) -> None:
        self._loaded = True
        self._generation += 1
        generation = self._generation
        filters = self.filters.values()
        self.filters.errors.clear()
        self.as_of.setText("Computing…")
        reports = self.ctx.api.reports
        self.run(
            lambda: reports.management_dashboard(filters),
            on_done=lambda result: self._show(generation, result),
            on_error=lambda exc: self._failed(generation, exc),
            on_unreachable=lambda exc: self._failed(generation, exc),
            busy=[self.refresh_button],
            retry_key="management-dashboard",
        )

    def _show(self, generation: int, result: ReportResult) -> None:
        if generation != self._generation:
            return
        self.result = result
        self.filters.applied(result.filters)
        self.as_of.setText(as_of_text(result))
        self.body.set_result(result)

    def _failed(self, generation: int, exc: Exception) -> None:
        if generation != self._generation:
            return
        self.as_of.clear()
        if isinstance(exc, ServerUnreachable):
            return  # the window's banner says so, with Retry
        if not self.filters.show_error(exc):
            self.show_error(exc)

    # --- PDF -------------------------------------------------------------------------------

    def pdf_name(self) -> str:
        values = self.filters.values()
        return f"management-dashboard-{values['date_from']}-{values['date_to']}.pdf"

    def choose_pdf(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, "Save the management dashboard", self.pdf_name(), "PDF (*.pdf)"
        )
        if path:
            chosen = Path(path)
            self.save_pdf(chosen if chosen.suffix else chosen.with_suffix(".pdf"), open_after=True)

    def save_pdf(self, path: Path, *, open_after: bool = False):
        """Stream the dashboard's PDF for the bar's dates into `path`, off the UI thread."""
        filters = self.filters.values()
        reports = self.ctx.api.reports
        self.filters.errors.clear()
        return self.download.start(
            self,
            path.name,
            lambda progress, cancelled: reports.management_dashboard_pdf(
                path, filters, progress=progress, cancelled=cancelled
            ),
            on_done=lambda download: self._pdf_saved(download, open_after),
            on_error=self._pdf_failed,
            busy=[self.pdf_button],
        )

    def _pdf_saved(self, download: Download, open_after: bool) -> None:
        self.last_pdf = download.path
        self.show_success(
            f"Saved {download.path.name} ({size_text(download.size)}) in {download.path.parent}."
        )
        if open_after:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(download.path)))

    def _pdf_failed(self, exc: Exception) -> None:
        if isinstance(exc, DownloadCancelled):
            self.banner.show_message(exc.message, kind="info")
        elif not self.filters.show_error(exc):
            message = exc.message if isinstance(exc, ApiError) else str(exc)
            self.banner.show_message(f"Could not save the PDF: {message}", kind="error")
