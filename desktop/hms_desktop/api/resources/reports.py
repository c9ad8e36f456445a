"""Reports: the catalogue, running a report, exports, and the management dashboard.

Filters are sent as the server names them (`date_from`, `date_to` as ISO days; `ward`,
`doctor` as ids; `department`, `payer` as text); empty ones are left out, so the server's
defaults apply (the 30 days ending today).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from hms_desktop.api.client import Download, Progress
from hms_desktop.api.dto import CatalogueItem, Page, ReportResult
from hms_desktop.api.resources.base import ONE_PAGE, Resource, listing

MANAGEMENT_DASHBOARD = "/api/reports/dashboards/management/"


def report_params(filters: dict[str, Any] | None) -> dict[str, Any]:
    """Query parameters for `filters`: days as ISO text, empty values left out."""
    params: dict[str, Any] = {}
    for name, value in (filters or {}).items():
        if value in (None, ""):
            continue
        params[name] = value.isoformat() if isinstance(value, date) else value
    return params


def report_path(slug: str) -> str:
    return f"/api/reports/{slug}/"


class ReportsApi(Resource):
    # The reports this user may read, by family then title (the server's order).
    catalogue = listing(CatalogueItem, "/api/reports/", page_size=ONE_PAGE)

    def catalogue_all(self) -> list[CatalogueItem]:
        """Every page of the catalogue."""
        items: list[CatalogueItem] = []
        page: int | None = 1
        while page is not None:
            answer: Page[CatalogueItem] = self.catalogue(page=page)
            items += answer.results
            page = answer.next_page
        return items

    def run(self, slug: str, filters: dict[str, Any] | None = None) -> ReportResult:
        """Compute a report (400 names the filter the server refused)."""
        return self._get(ReportResult, report_path(slug), report_params(filters))

    def export(
        self,
        slug: str,
        fmt: str,
        dest: Path,
        filters: dict[str, Any] | None = None,
        *,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> Download:
        """Stream the report as `fmt` ("csv" or "xlsx") into `dest`."""
        params = {**report_params(filters), "format": fmt}
        return self._client.download(
            report_path(slug) + "export/",
            dest,
            params=params,
            progress=progress,
            cancelled=cancelled,
        )

    def management_dashboard(self, filters: dict[str, Any] | None = None) -> ReportResult:
        return self._get(ReportResult, MANAGEMENT_DASHBOARD, report_params(filters))

    def management_dashboard_pdf(
        self,
        dest: Path,
        filters: dict[str, Any] | None = None,
        *,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> Download:
        return self._client.download(
            MANAGEMENT_DASHBOARD + "pdf/",
            dest,
            params=report_params(filters),
            progress=progress,
            cancelled=cancelled,
        )
