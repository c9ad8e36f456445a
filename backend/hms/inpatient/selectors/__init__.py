"""Reads for wards, beds, admissions, charts, the MAR and bed-days, each with its scope.

One module per sub-domain; callers import the selectors from this package. Billing reads the
bed-days here (hms.inpatient.selectors.bed_days describes the counting rule):

    from hms.inpatient.selectors import admission_bed_days, bed_days_for_admissions
"""

from hms.inpatient.selectors.admissions import (
    active_admission_of,
    admission_detail,
    admission_get_for_user,
    admission_list,
    admissions_visible_to,
)
from hms.inpatient.selectors.bed_days import (
    BedDays,
    StayDays,
    admission_bed_days,
    bed_days_for_admissions,
)
from hms.inpatient.selectors.beds import (
    bed_board,
    bed_get,
    bed_list,
    days_admitted,
    room_find,
    room_get,
    room_list,
    ward_get,
    ward_list,
)
from hms.inpatient.selectors.charts import (
    CHART_DEFAULT,
    CHART_MAX_DAYS,
    ChartSeries,
    admission_chart,
    chart_entry_get,
    fluid_list,
    gcs_list,
    nursing_note_list,
    observation_list,
)
from hms.inpatient.selectors.discharge import discharge_summary_of
from hms.inpatient.selectors.icu import icu_list
from hms.inpatient.selectors.mar import (
    MAR_MAX_DAYS,
    MAR_OVERDUE_AFTER,
    MAR_OVERDUE_LOOKBACK,
    MarDose,
    MarView,
    admission_dose_times,
    admission_mar,
    overdue_doses,
    prescription_item_for_admission,
)
from hms.inpatient.selectors.nurse_assignments import (
    nurse_assignment_get,
    nurse_assignment_list,
    nurses_on_ward_today,
    wards_of_nurse_today,
)

__all__ = [
    "CHART_DEFAULT",
    "CHART_MAX_DAYS",
    "MAR_MAX_DAYS",
    "MAR_OVERDUE_AFTER",
    "MAR_OVERDUE_LOOKBACK",
    "BedDays",
    "ChartSeries",
    "MarDose",
    "MarView",
    "StayDays",
    "active_admission_of",
    "admission_bed_days",
    "admission_chart",
    "admission_detail",
    "admission_dose_times",
    "admission_get_for_user",
    "admission_list",
    "admission_mar",
    "admissions_visible_to",
    "bed_board",
    "bed_days_for_admissions",
    "bed_get",
    "bed_list",
    "chart_entry_get",
    "days_admitted",
    "discharge_summary_of",
    "fluid_list",
    "gcs_list",
    "icu_list",
    "nurse_assignment_get",
    "nurse_assignment_list",
    "nurses_on_ward_today",
    "nursing_note_list",
    "observation_list",
    "overdue_doses",
    "prescription_item_for_admission",
    "room_find",
    "room_get",
    "room_list",
    "ward_get",
    "ward_list",
    "wards_of_nurse_today",
]
