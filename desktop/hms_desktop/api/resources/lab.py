"""The laboratory: catalogue, the technician's worklist, collection, results, verification."""

from __future__ import annotations

from typing import Any

from hms_desktop.api.dto import LabOrder, LabRequestResult, LabTest
from hms_desktop.api.resources.base import Resource, action, listing


class LabApi(Resource):
    """The laboratory: catalogue, the technician's worklist, collection, results, verification."""

    # Every order, STAT first then oldest; `open`, `status`, `priority`, `critical`, `q`.
    worklist = listing(LabOrder, "/api/lab/", booleans=True)

    def count(self, **filters: Any) -> int:
        return self.worklist(page_size=1, **filters).count

    def order(self, order_id: str) -> LabOrder:
        return self._get(LabOrder, f"/api/lab/orders/{order_id}/")

    def report_pdf(self, order_id: str) -> bytes:
        """The order's lab report (unverified results marked preliminary); audited."""
        return self._client.get_bytes(f"/api/lab/orders/{order_id}/pdf/")

    tests = listing(LabTest, "/api/lab/tests/")

    def test(self, ref: str) -> LabTest:
        """By local code, LOINC code or id."""
        return self._get(LabTest, f"/api/lab/tests/{ref}/")

    def analytes(self, ref: str) -> list[LabTest]:
        """What results an order of this test needs: the test, or a panel's components."""
        test = self.test(ref)
        if not test.components:
            return [test]
        return [self.test(code) for code in test.components]

    def request(self, **fields: Any) -> list[LabOrder]:
        """Order tests: `patient`, `tests`, `priority`, `ordering_doctor`, `clinical_notes`."""
        return self._post(LabRequestResult, "/api/lab/request/", fields).orders

    collect = action(LabOrder, "/api/lab/orders/{}/collect/")
    start = action(LabOrder, "/api/lab/orders/{}/start/")
    # A second person verifies (403 `second_person_required` for the one who entered).
    verify = action(LabOrder, "/api/lab/orders/{}/verify/")

    def cancel(self, order_id: str, *, reason: str) -> LabOrder:
        return self._post(LabOrder, f"/api/lab/orders/{order_id}/cancel/", {"reason": reason})

    def enter_results(self, order_id: str, results: list[dict[str, str]]) -> LabOrder:
        """`[{test, value, unit, comment}]`; the server flags each value (authoritative)."""
        path = f"/api/lab/orders/{order_id}/results/"
        return self._send(LabOrder, "PUT", path, {"results": results})
