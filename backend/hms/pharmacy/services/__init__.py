"""Writes for the formulary, stock, prescriptions and dispensing. Each is one transaction and
writes its audit event last.

Stock: every change of a batch's quantity goes through `_post_movement`, which locks nothing
itself but requires the batch row to be locked (SELECT ... FOR UPDATE) by the caller, changes
the quantity and appends the ledger row in the same transaction. The database refuses a negative
quantity (check constraint), so even a bug here cannot drive stock below zero.

Locking order (to avoid deadlocks): prescription, its items (by id), batches (by id), then the
audit chain head (inside audit_record)."""

from hms.pharmacy.services.alerts import pharmacy_stock_alerts_notify
from hms.pharmacy.services.formulary import (
    DRUG_FIELDS,
    drug_create,
    drug_dose_preset_create,
    drug_dose_preset_deactivate,
    drug_search_text,
    drug_set_derived,
    drug_update,
)
from hms.pharmacy.services.medications import medication_renew, medication_stop
from hms.pharmacy.services.prescriptions import (
    OVERRIDE_REASON_MIN_LENGTH,
    START_DATE_WINDOW_DAYS,
    default_quantity,
    prescription_cancel,
    prescription_create,
    prescription_dispense,
)
from hms.pharmacy.services.stock import (
    DEFAULT_LOCATION,
    MAX_SHELF_LIFE_YEARS,
    stock_adjust,
    stock_receive,
    stock_return,
    stock_transfer,
    stock_write_off_expired,
)

__all__ = [
    "DEFAULT_LOCATION",
    "DRUG_FIELDS",
    "MAX_SHELF_LIFE_YEARS",
    "OVERRIDE_REASON_MIN_LENGTH",
    "START_DATE_WINDOW_DAYS",
    "default_quantity",
    "drug_create",
    "drug_dose_preset_create",
    "drug_dose_preset_deactivate",
    "drug_search_text",
    "drug_set_derived",
    "drug_update",
    "medication_renew",
    "medication_stop",
    "pharmacy_stock_alerts_notify",
    "prescription_cancel",
    "prescription_create",
    "prescription_dispense",
    "stock_adjust",
    "stock_receive",
    "stock_return",
    "stock_transfer",
    "stock_write_off_expired",
]
