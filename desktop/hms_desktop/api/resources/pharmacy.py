"""The formulary, stock and its ledger, the prescription worklist and dispensing."""

from __future__ import annotations

from typing import Any

from hms_desktop.api.dto import (
    DispenseResult,
    Drug,
    Prescription,
    StockAlert,
    StockBatch,
    StockMovement,
    SummaryPage,
)
from hms_desktop.api.resources.base import Resource, listing


class PharmacyApi(Resource):
    """The formulary, stock and its ledger, the prescription worklist and dispensing."""

    # --- prescriptions ---

    # Prescriptions to fill, oldest first, with the counts per open status.
    worklist = listing(Prescription, "/api/pharmacy/", page_type=SummaryPage)

    prescriptions = listing(Prescription, "/api/pharmacy/prescriptions/")

    def prescription(self, prescription_id: str) -> Prescription:
        """With its dispenses (lots and expiry dates given out)."""
        return self._get(Prescription, f"/api/pharmacy/prescriptions/{prescription_id}/")

    def prescription_pdf(self, prescription_id: str) -> bytes:
        """The prescription as printed for the patient; audited."""
        return self._client.get_bytes(f"/api/pharmacy/prescriptions/{prescription_id}/pdf/")

    def prescribe(self, **fields: Any) -> Prescription:
        """A doctor prescribes: `patient`, `items: [{drug, dose, frequency, ...}]`, `note`.
        Severe safety warnings answer 409 `safety_override_required` unless
        `override_reason` is given."""
        return self._post(Prescription, "/api/pharmacy/prescriptions/", fields)

    def dispense(
        self, prescription_id: str, *, quantities: dict[str, int] | None = None, note: str = ""
    ) -> DispenseResult:
        """First-expiry-first-out; everything left, or `{item id: units}`."""
        body: dict[str, Any] = {"note": note}
        if quantities is not None:
            body["items"] = [{"item": k, "quantity": v} for k, v in quantities.items()]
        path = f"/api/pharmacy/prescriptions/{prescription_id}/dispense/"
        return self._post(DispenseResult, path, body)

    # --- formulary and stock ---

    drugs = listing(Drug, "/api/pharmacy/drugs/", booleans=True)

    def drug(self, drug_id: str) -> Drug:
        return self._get(Drug, f"/api/pharmacy/drugs/{drug_id}/")

    def create_drug(self, **fields: Any) -> Drug:
        return self._post(Drug, "/api/pharmacy/drugs/", fields)

    batches = listing(StockBatch, "/api/pharmacy/batches/", booleans=True)

    ledger = listing(StockMovement, "/api/pharmacy/ledger/")

    def receive(self, **fields: Any) -> StockMovement:
        """A delivery: `drug`, `lot_number`, `expiry_date`, `quantity`, `unit_cost`, ..."""
        return self._post(StockMovement, "/api/pharmacy/batches/", fields)

    def adjust(self, batch_id: str, *, quantity: int, reason: str) -> StockMovement:
        """A signed correction of a batch (stock-take, damage, loss) with its reason."""
        body = {"quantity": quantity, "reason": reason}
        return self._post(StockMovement, f"/api/pharmacy/batches/{batch_id}/adjust/", body)

    def write_off(self, batch_id: str, *, reason: str = "") -> StockMovement:
        path = f"/api/pharmacy/batches/{batch_id}/write-off/"
        return self._post(StockMovement, path, {"reason": reason})

    # Low stock, then batches expiring (or expired with stock left).
    alerts = listing(StockAlert, "/api/pharmacy/alerts/", page_type=SummaryPage)
