"""Laboratory: the worklist page (`page`) and its dialogs (`dialogs`)."""

from hms_desktop.views.lab.dialogs import (
    AnalyteRow,
    CancelOrderDialog,
    ResultEntryDialog,
    flag_label,
    patient_line,
    style_flag_chip,
)
from hms_desktop.views.lab.page import LabOrderPanel, LabWorklistPage

__all__ = [
    "AnalyteRow",
    "CancelOrderDialog",
    "LabOrderPanel",
    "LabWorklistPage",
    "ResultEntryDialog",
    "flag_label",
    "patient_line",
    "style_flag_chip",
]
