"""Imaging orders, the radiologist's worklist, DICOM images and their previews, reports."""

from __future__ import annotations

from typing import Any

from hms_desktop.api.dto import ImagingImage, ImagingOrder, ImagingReport, Procedure
from hms_desktop.api.dto.convert import structure
from hms_desktop.api.resources.base import Resource, action, listing


class RadiologyApi(Resource):
    """Imaging orders, the radiologist's worklist, DICOM images and their previews, reports."""

    # Open orders (or `status=a,b`), STAT first; `modality`, `priority`, `q`.
    worklist = listing(ImagingOrder, "/api/radiology/")

    def count(self, **filters: Any) -> int:
        return self.worklist(page_size=1, **filters).count

    def order(self, order_id: str) -> ImagingOrder:
        """With its images and reports (drafts only for radiologists)."""
        return self._get(ImagingOrder, f"/api/radiology/orders/{order_id}/")

    def procedures(self, **filters: Any) -> list[Procedure]:
        return self._rows(Procedure, "/api/radiology/procedures/", filters)

    def request(self, **fields: Any) -> ImagingOrder:
        """`patient`, `procedure`, `clinical_indication`, `priority`, `ordering_doctor`."""
        return self._post(ImagingOrder, "/api/radiology/request/", fields)

    def schedule(self, order_id: str, *, at: str) -> ImagingOrder:
        path = f"/api/radiology/orders/{order_id}/schedule/"
        return self._post(ImagingOrder, path, {"scheduled_at": at})

    start = action(ImagingOrder, "/api/radiology/orders/{}/start/")
    # Images acquired (409 `no_images` without any).
    complete = action(ImagingOrder, "/api/radiology/orders/{}/complete/")

    def cancel(self, order_id: str, *, reason: str) -> ImagingOrder:
        path = f"/api/radiology/orders/{order_id}/cancel/"
        return self._post(ImagingOrder, path, {"reason": reason})

    def upload(self, order_id: str, files: list[tuple[str, bytes]]) -> list[ImagingImage]:
        """DICOM files, checked on the server (patient, modality, duplicates): all or none."""
        parts = [("file", (name, data, "application/dicom")) for name, data in files]
        data = self._client.upload(f"/api/radiology/orders/{order_id}/images/", parts)
        return structure(data, list[ImagingImage])

    def preview(self, image: ImagingImage) -> bytes:
        """The windowed PNG preview (served after the chart check, audited)."""
        return self._client.get_bytes(
            image.preview_url or f"/api/radiology/images/{image.id}/preview/"
        )

    def start_report(self, order_id: str, **fields: Any) -> ImagingReport:
        """`findings`, `impression`, `critical`: the draft (once the study is under way)."""
        return self._post(ImagingReport, f"/api/radiology/orders/{order_id}/reports/", fields)

    def save_report(self, report_id: str, **fields: Any) -> ImagingReport:
        """Edit a draft (versions kept); a final report answers 409 `report_final`."""
        return self._patch(ImagingReport, f"/api/radiology/reports/{report_id}/", fields)

    # Sign it (needs an impression); it never changes again.
    finalize = action(ImagingReport, "/api/radiology/reports/{}/finalize/")

    def addendum(self, report_id: str, **fields: Any) -> ImagingReport:
        """Amend a final report: `findings`, `impression`, `critical`, `finalize`."""
        return self._post(ImagingReport, f"/api/radiology/reports/{report_id}/addenda/", fields)
