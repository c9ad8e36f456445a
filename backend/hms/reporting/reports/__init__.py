"""The reports, one module per family; importing this package registers them all."""

from hms.reporting.reports import finance, inpatient  # noqa: F401
