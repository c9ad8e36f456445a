"""The reports, one module per family; importing this package registers them all."""

from hms.reporting.reports import (
    clinical,  # noqa: F401
    diagnostics,  # noqa: F401
    governance,  # noqa: F401
    inpatient,  # noqa: F401
    pharmacy,  # noqa: F401
)
