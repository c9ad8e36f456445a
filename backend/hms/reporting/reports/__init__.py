"""The reports, one module per family; importing this package registers them all."""

from hms.reporting.reports import clinical as clinical
from hms.reporting.reports import diagnostics as diagnostics
from hms.reporting.reports import finance as finance
from hms.reporting.reports import governance as governance
from hms.reporting.reports import inpatient as inpatient
from hms.reporting.reports import outpatient as outpatient
from hms.reporting.reports import pharmacy as pharmacy
