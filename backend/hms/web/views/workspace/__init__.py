"""The doctor workspace: today's queue, the doctor's patients and their charts, one module per
page group (chart, notes, prescribing, orders, results, assistant)."""

from hms.web.views.workspace.assistant import workspace_analysis, workspace_analysis_new
from hms.web.views.workspace.catalogue import (
    workspace_lab_test_search,
    workspace_medicine_presets,
    workspace_medicine_search,
)
from hms.web.views.workspace.chart import workspace_break_glass, workspace_chart
from hms.web.views.workspace.chart_lists import (
    workspace_allergy_add,
    workspace_allergy_confirm,
    workspace_allergy_edit,
    workspace_allergy_void,
    workspace_medication_renew,
    workspace_medication_stop,
    workspace_problem_add,
    workspace_problem_resolve,
)
from hms.web.views.workspace.discharge import workspace_discharge_summary
from hms.web.views.workspace.home import workspace, workspace_patients, workspace_queue
from hms.web.views.workspace.lab_trend import workspace_analyte_trend
from hms.web.views.workspace.notes import workspace_icd10, workspace_note_new
from hms.web.views.workspace.orders import workspace_imaging_order, workspace_lab_order
from hms.web.views.workspace.prescribing import (
    workspace_prescribe,
    workspace_prescribe_check,
    workspace_prescriptions,
)
from hms.web.views.workspace.results import workspace_patient_results, workspace_results
from hms.web.views.workspace.schedule import workspace_schedule

__all__ = [
    "workspace",
    "workspace_allergy_add",
    "workspace_allergy_confirm",
    "workspace_allergy_edit",
    "workspace_allergy_void",
    "workspace_analysis",
    "workspace_analysis_new",
    "workspace_analyte_trend",
    "workspace_break_glass",
    "workspace_chart",
    "workspace_discharge_summary",
    "workspace_icd10",
    "workspace_imaging_order",
    "workspace_lab_order",
    "workspace_lab_test_search",
    "workspace_medication_renew",
    "workspace_medication_stop",
    "workspace_medicine_presets",
    "workspace_medicine_search",
    "workspace_note_new",
    "workspace_patient_results",
    "workspace_patients",
    "workspace_prescribe",
    "workspace_prescribe_check",
    "workspace_prescriptions",
    "workspace_problem_add",
    "workspace_problem_resolve",
    "workspace_queue",
    "workspace_results",
    "workspace_schedule",
]
