"""Radiology: the worklist page with its viewer and report editor (`page`) and its dialogs
(`dialogs`)."""

from hms_desktop.views.radiology.dialogs import AddendumDialog, CancelImagingDialog, ScheduleDialog
from hms_desktop.views.radiology.page import RadiologyPage, ReportEditor

__all__ = [
    "AddendumDialog",
    "CancelImagingDialog",
    "RadiologyPage",
    "ReportEditor",
    "ScheduleDialog",
]
