"""Thin API views for the pharmacy, one module per resource: the formulary, stock and its
ledger and alerts, prescriptions and dispensing. The compatibility routes of the product brief
are in `hms.pharmacy.compat`."""
