"""The reports, one module per family; importing this package registers them all."""

from hms.reporting.reports import inpatient as inpatient
from hms.reporting.reports import outpatient as outpatient
