"""Reports: the catalogue of the reports this user may read, grouped by family; the chosen
report with its filters, figures, charts and tables; and its CSV or Excel export.

Every report is drawn from the one result shape the server answers, so a report added on the
server shows here without client code.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.api.client import Download
from hms_desktop.api.dto import EXPORT_FORMATS, CatalogueItem, ReportResult
from hms_desktop.api.errors import ApiError, DownloadCancelled, ServerUnreachable
from hms_desktop.formatting import fmt_datetime
from hms_desktop.widgets.download import DownloadBar, size_text
from hms_desktop.widgets.page import Page, button
from hms_desktop.widgets.report_filters import ReportFilterBar
from hms_desktop.widgets.report_view import ReportBody

SLUG_ROLE = Qt.ItemDataRole.UserRole + 1


def as_of_text(result: ReportResult) -> str:
    return f"Figures as of {fmt_datetime(result.as_of)}" if result.as_of else ""


def export_name(item: CatalogueItem, filters: dict, fmt: str) -> str:
    days = [str(filters[k]) for k in ("date_from", "date_to") if filters.get(k)]
    return "-".join([item.slug, *days]) + f".{fmt}"


class ReportsPage(Page):
    title = "Reports"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.items: dict[str, CatalogueItem] = {}
        self.current: CatalogueItem | None = None
        self.result: ReportResult | None = None
        self._generation = 0
        self._loaded = False

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        self.splitter = splitter

        # The catalogue, by family.
        self.catalogue = QTreeWidget()
        self.catalogue.setObjectName("reportCatalogue")
        self.catalogue.setHeaderHidden(True)
        self.catalogue.setRootIsDecorated(False)
        self.catalogue.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.catalogue.header().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.catalogue.setMinimumWidth(190)
        self.catalogue.setAccessibleName("Reports")
        self.catalogue.currentItemChanged.connect(self._catalogue_changed)
        splitter.addWidget(self.catalogue)

        # The chosen report.
        self.scroll = QScrollArea()
        self.scroll.setObjectName("reportScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        detail = QWidget()
        layout = QVBoxLayout(detail)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(10)
        self.report_title = QLabel("Choose a report")
        self.report_title.setObjectName("sectionTitle")
        self.report_title.setWordWrap(True)
        self.description = QLabel(
            "The reports your role may read are listed on the left, by family."
        )
        self.description.setObjectName("muted")
        self.description.setWordWrap(True)
        layout.addWidget(self.report_title)
        layout.addWidget(self.description)

        self.filters = ReportFilterBar(ctx)
        self.run_button = button("Run", primary=True, name="runReport")
        self.run_button.clicked.connect(self.run_report)
        self.filters.add_action(self.run_button)
        self.export_buttons: dict[str, QWidget] = {}
        for fmt, label in EXPORT_FORMATS.items():
            export = button(f"Export {label.split(' ')[0]}…", name=f"export-{fmt}")
            export.setToolTip(f"Save the report as {label}")
            export.clicked.connect(lambda _=False, fmt=fmt: self.choose_export(fmt))
            self.filters.add_action(export)
            self.export_buttons[fmt] = export
        layout.addWidget(self.filters)
        self.download = DownloadBar()
        layout.addWidget(self.download)
        self.as_of = QLabel()
        self.as_of.setObjectName("muted")
        layout.addWidget(self.as_of)
        self.body = ReportBody()
        layout.addWidget(self.body, 1)
        self.scroll.setWidget(detail)
        splitter.addWidget(self.scroll)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([260, 800])
        self.outer.addWidget(splitter, 1)
        self.bind_shortcuts(refresh=self.run_button)
        self._set_report(None)

    # --- catalogue -------------------------------------------------------------------------

    def activated(self) -> None:
        self.filters.load_choices(self.run)
        if not self._loaded:
            self.load_catalogue()

    def load_catalogue(self) -> None:
        self._loaded = True
        reports = self.ctx.api.reports
        self.run(reports.catalogue_all, on_done=self._show_catalogue, on_error=self.show_error)

    def _show_catalogue(self, items: list[CatalogueItem]) -> None:
        current = self.current.slug if self.current else None
        self.catalogue.blockSignals(True)
        self.catalogue.clear()
        self.items = {item.slug: item for item in items}
        families: dict[str, QTreeWidgetItem] = {}
        for item in items:
            family = families.get(item.family)
            if family is None:
                family = QTreeWidgetItem([item.family_display])
                family.setFlags(Qt.ItemFlag.ItemIsEnabled)
                font = family.font(0)
                font.setBold(True)
                family.setFont(0, font)
                self.catalogue.addTopLevelItem(family)
                family.setExpanded(True)
                families[item.family] = family
            entry = QTreeWidgetItem([item.title])
            entry.setData(0, SLUG_ROLE, item.slug)
            entry.setToolTip(0, f"{item.title}\n{item.description}".strip())
            family.addChild(entry)
        self.catalogue.blockSignals(False)
        if not items:
            self.description.setText("There is no report your role may read.")
        elif current in self.items:
            self.select_report(current)

    def catalogue_titles(self) -> dict[str, list[str]]:
        """{family shown: [report titles]} in the order shown."""
        return {
            self.catalogue.topLevelItem(i).text(0): [
                self.catalogue.topLevelItem(i).child(j).text(0)
                for j in range(self.catalogue.topLevelItem(i).childCount())
            ]
            for i in range(self.catalogue.topLevelItemCount())
        }

    def select_report(self, slug: str) -> None:
        """Choose a report (as a click in the catalogue does) and run it."""
        for i in range(self.catalogue.topLevelItemCount()):
            family = self.catalogue.topLevelItem(i)
            for j in range(family.childCount()):
                if family.child(j).data(0, SLUG_ROLE) == slug:
                    self.catalogue.setCurrentItem(family.child(j))
                    return
        raise KeyError(slug)

    def _catalogue_changed(self, item: QTreeWidgetItem | None, _previous=None) -> None:
        slug = item.data(0, SLUG_ROLE) if item is not None else None
        if slug and slug in self.items:
            self._set_report(self.items[slug])
            self.run_report()

    def _set_report(self, item: CatalogueItem | None) -> None:
        self.current = item
        self.result = None
        self._generation += 1
        self.body.clear()
        self.as_of.clear()
        shown = item is not None
        self.filters.setVisible(shown)
        if item is not None:
            self.report_title.setText(item.title)
            self.description.setText(item.description)
            self.filters.show_only(item.accepted_filters)
            for fmt, export in self.export_buttons.items():
                export.setVisible(fmt in item.export_formats)
        self.banner.hide()

    # --- running ---------------------------------------------------------------------------

    def run_report(self) -> None:
        if self.current is None:
            return
        self._generation += 1
        generation, slug = self._generation, self.current.slug
        filters = self.filters.values()
        self.filters.errors.clear()
        self.as_of.setText("Computing…")
        reports = self.ctx.api.reports
        self.run(
            lambda: reports.run(slug, filters),
            on_done=lambda result: self._show_result(generation, result),
            on_error=lambda exc: self._failed(generation, exc),
            on_unreachable=lambda exc: self._failed(generation, exc),
            busy=[self.run_button],
            retry_key=f"report-{slug}",
        )

    def _show_result(self, generation: int, result: ReportResult) -> None:
        if generation != self._generation:
            return  # another report, or newer filters, since this one was asked for
        self.result = result
        self.filters.applied(result.filters)
        self.as_of.setText(as_of_text(result))
        self.body.set_result(result)

    def _failed(self, generation: int, exc: Exception) -> None:
        if generation != self._generation:
            return
        self.result = None
        self.as_of.clear()
        self.body.clear()
        if isinstance(exc, ServerUnreachable):
            return  # the window's banner says so, with Retry
        if not self.filters.show_error(exc):
            self.show_error(exc)

    # --- export ----------------------------------------------------------------------------

    def choose_export(self, fmt: str) -> None:
        if self.current is None:
            return
        label = EXPORT_FORMATS[fmt]
        name = export_name(self.current, self.filters.values(), fmt)
        path, _filter = QFileDialog.getSaveFileName(
            self, f"Export {self.current.title}", name, f"{label} (*.{fmt})"
        )
        if path:
            chosen = Path(path)
            self.export_to(fmt, chosen if chosen.suffix else chosen.with_suffix(f".{fmt}"))

    def export_to(self, fmt: str, path: Path):
        """Stream the current report with the bar's filters into `path`, off the UI thread."""
        assert self.current is not None
        slug, filters = self.current.slug, self.filters.values()
        reports = self.ctx.api.reports
        self.filters.errors.clear()
        return self.download.start(
            self,
            path.name,
            lambda progress, cancelled: reports.export(
                slug, fmt, path, filters, progress=progress, cancelled=cancelled
            ),
            on_done=self._exported,
            on_error=self._export_failed,
            busy=list(self.export_buttons.values()),
        )

    def _exported(self, download: Download) -> None:
        self.last_export = download.path
        self.show_success(
            f"Saved {download.path.name} ({size_text(download.size)}) in {download.path.parent}."
        )

    def _export_failed(self, exc: Exception) -> None:
        if isinstance(exc, DownloadCancelled):
            self.banner.show_message(exc.message, kind="info")
        elif isinstance(exc, ServerUnreachable):
            self.banner.show_message(f"Export failed: {exc.message}", kind="error")
        elif not self.filters.show_error(exc):
            message = exc.message if isinstance(exc, ApiError) else str(exc)
            self.banner.show_message(f"Export failed: {message}", kind="error")
