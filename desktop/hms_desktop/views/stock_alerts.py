"""Stock alerts (pharmacist, admin): medicines below their reorder level and batches that
expire within 90 days or have expired with units left."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout

from hms_desktop.api.dto import StockAlert
from hms_desktop.api.errors import ServerUnreachable
from hms_desktop.models.pharmacy import ALERT_KINDS, SEVERITY_COLOURS, AlertsModel
from hms_desktop.views.base import Page, button
from hms_desktop.widgets.cards import CountStrip
from hms_desktop.widgets.forms import combo
from hms_desktop.widgets.table import TablePanel


class StockAlertsPage(Page):
    title = "Stock alerts"
    intro = (
        "What needs ordering or taking off the shelf. The same alerts reach pharmacists as "
        "notifications every morning."
    )

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.model = AlertsModel(ctx.runner, page_size=100, parent=self)
        toolbar = QHBoxLayout()
        self.kind_filter = combo([("", "All alerts"), *ALERT_KINDS.items()])
        self.kind_filter.setObjectName("alertKind")
        self.kind_filter.setMinimumWidth(200)
        self.refresh_button = button("Refresh", name="refreshAlerts")
        self.open_button = button("Open in stock", primary=True, name="openInStock")
        toolbar.addWidget(self.kind_filter)
        toolbar.addStretch(1)
        toolbar.addWidget(self.refresh_button)
        toolbar.addWidget(self.open_button)
        self.outer.addLayout(toolbar)
        self.counts = CountStrip(
            [
                ("low_stock", "Below reorder level", SEVERITY_COLOURS["warning"]),
                ("expiring", "Expiring within 90 days", SEVERITY_COLOURS["info"]),
                ("expired", "Expired, still on the shelf", SEVERITY_COLOURS["critical"]),
            ]
        )
        self.outer.addWidget(self.counts)
        self.table_panel = TablePanel(self.model, empty_text="No alert: stock is in order.")
        self.table_panel.set_column_widths({0: 90, 1: 90, 2: 260, 3: 420})
        self.table = self.table_panel.table
        self.outer.addWidget(self.table_panel, 1)

        self.kind_filter.currentIndexChanged.connect(lambda _i: self.reload())
        self.refresh_button.clicked.connect(self.reload)
        self.open_button.clicked.connect(self.open_in_stock)
        self.table.doubleClicked.connect(lambda _i: self.open_in_stock())
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._selection_changed)
        self.model.summary_changed.connect(self.counts.set_counts)
        self.model.load_failed.connect(self._load_failed)
        self._loaded = False
        self._selection_changed()

    def filters(self) -> dict[str, Any]:
        return {"kind": self.kind_filter.currentData() or None}

    def activated(self) -> None:
        if not self._loaded:
            self.reload()

    def reload(self) -> None:
        self._loaded = True
        filters = self.filters()
        pharmacy = self.ctx.api.pharmacy
        self.model.fetch = lambda page, size: pharmacy.alerts(page=page, page_size=size, **filters)
        self.model.reload()

    def _load_failed(self, exc: Exception) -> None:
        if not isinstance(exc, ServerUnreachable):
            self.show_error(exc)

    def _selection_changed(self, *_args) -> None:
        self.open_button.setEnabled(self.table.selected_row() is not None)

    def open_in_stock(self) -> None:
        alert: StockAlert | None = self.table.selected_row()
        window = self.window()
        if alert is None or not hasattr(window, "open_module"):
            return
        page = window.open_module("stock")
        page.show_drug(alert.drug.id, alert.drug.generic_name)
