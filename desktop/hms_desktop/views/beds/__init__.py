"""Wards and beds: the bed board page (`page`) and the admission dialogs (`dialogs`)."""

from hms_desktop.views.beds.dialogs import (
    AdmitDialog,
    BedStatusDialog,
    DischargeDialog,
    TransferDialog,
    load_free_beds,
    reason_edit,
)
from hms_desktop.views.beds.page import BedBoardPage, BedPanel

__all__ = [
    "AdmitDialog",
    "BedBoardPage",
    "BedPanel",
    "BedStatusDialog",
    "DischargeDialog",
    "TransferDialog",
    "load_free_beds",
    "reason_edit",
]
