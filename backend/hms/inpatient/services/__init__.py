"""Writes for wards, beds, admissions, charts and the medication administration record.

Each service is one transaction, checks its rules before writing, and records an audit event as
its last step. Races are closed in the database: admitting locks the bed row and then the
patient row (SELECT ... FOR UPDATE), transfers and discharges lock the admission and then the
beds in primary-key order, and partial unique constraints (one active admission per bed and per
patient, one open stay per bed, one record per scheduled dose) turn any lost race into a 409.
MySQL/MariaDB cannot hold those constraints; there the services check each rule themselves
under the same locks (the admission's, for a dose).

Access is decided before a service runs: the API resolves the patient through
hms.patients.access (care relationship, break-the-glass, audit of the read) and the role table
has said the role may try.

One module per sub-domain (helpers they share in `common`); callers import the services from
this package.
"""

from hms.inpatient.services.admissions import (
    admission_admit,
    admission_set_spo2_scale,
    admission_transfer,
)
from hms.inpatient.services.beds import (
    MANUAL_BED_STATUSES,
    bed_create,
    bed_set_status,
    bed_update,
    room_create,
    room_update,
    ward_create,
    ward_update,
)
from hms.inpatient.services.charts import (
    CHART_RESOURCE_TYPES,
    chart_entry_void,
    fluid_record,
    gcs_record,
    nursing_note_create,
    observation_record,
)
from hms.inpatient.services.discharge import admission_discharge, discharge_summary_save
from hms.inpatient.services.icu import icu_admit, icu_discharge
from hms.inpatient.services.mar import administration_record
from hms.inpatient.services.nurse_assignments import nurse_ward_assign, nurse_ward_assignment_end

__all__ = [
    "CHART_RESOURCE_TYPES",
    "MANUAL_BED_STATUSES",
    "administration_record",
    "admission_admit",
    "admission_discharge",
    "admission_set_spo2_scale",
    "admission_transfer",
    "bed_create",
    "bed_set_status",
    "bed_update",
    "chart_entry_void",
    "discharge_summary_save",
    "fluid_record",
    "gcs_record",
    "icu_admit",
    "icu_discharge",
    "nurse_ward_assign",
    "nurse_ward_assignment_end",
    "nursing_note_create",
    "observation_record",
    "room_create",
    "room_update",
    "ward_create",
    "ward_update",
]
