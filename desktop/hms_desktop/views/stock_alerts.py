"""Stock alerts (pharmacist, admin): medicines below their reorder level and batches that
expire within 90 days or have expired with units left."""

from __future__ import annotations

from typing import Any

from hms_desktop.api.dto import StockAlert
from hms_desktop.models.pharmacy import ALERT_KINDS, SEVERITY_COLOURS, AlertsModel
from hms_desktop.widgets.cards import CountStrip
from hms_desktop.widgets.forms import combo
from hms_desktop.widgets.list_page import ListPage
from hms_desktop.widgets.page import button


class StockAlertsPage(ListPage):
    title = "Stock alerts"
    intro = (
        "What needs ordering or taking off the shelf. The same alerts reach pharmacists as "
        "notifications every morning."
    )

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(
            ctx,
            AlertsModel(ctx.runner, page_size=100),
            lambda api: api.pharmacy.alerts,
            refresh_name="refreshAlerts",
            empty_text="No alert: stock is in order.",
            parent=parent,
        )
        self.kind_filter = combo([("", "All alerts"), *ALERT_KINDS.items()])
        self.kind_filter.setObjectName("alertKind")
        self.kind_filter.setMinimumWidth(200)
        self.add_filters(self.kind_filter)
        self.open_button = button("Open in stock", primary=True, name="openInStock")
        self.add_actions(self.open_button)
        self.counts = CountStrip(
            [
                ("low_stock", "Below reorder level", SEVERITY_COLOURS["warning"]),
                ("expiring", "Expiring within 90 days", SEVERITY_COLOURS["info"]),
                ("expired", "Expired, still on the shelf", SEVERITY_COLOURS["critical"]),
            ]
        )
        self.outer.addWidget(self.counts)
        self.set_table(column_widths={0: 90, 1: 90, 2: 260, 3: 420})

        self.open_button.clicked.connect(self.open_in_stock)
        self.table.doubleClicked.connect(lambda _i: self.open_in_stock())
        self.model.summary_changed.connect(self.counts.set_counts)
        self._selection_changed()

    def filters(self) -> dict[str, Any]:
        return {"kind": self.kind_filter.currentData() or None}

    def row_selected(self, alert: StockAlert | None, _previous: StockAlert | None) -> None:
        self.open_button.setEnabled(alert is not None)

    def open_in_stock(self) -> None:
        alert: StockAlert | None = self.table.selected_row()
        window = self.window()
        if alert is None or not hasattr(window, "open_module"):
            return
        page = window.open_module("stock")
        page.show_drug(alert.drug.id, alert.drug.generic_name)
