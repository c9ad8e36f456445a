from django.urls import path

from hms.pharmacy import compat
from hms.pharmacy.apis import formulary, medications, prescriptions, stock

urlpatterns = [
    # Formulary.
    path("pharmacy/drugs/", formulary.DrugListCreateApi.as_view(), name="pharmacy-drug-list"),
    path("pharmacy/drugs/search/", formulary.DrugSearchApi.as_view(), name="pharmacy-drug-search"),
    path(
        "pharmacy/drugs/<uuid:public_id>/presets/",
        formulary.DrugDosePresetListCreateApi.as_view(),
        name="pharmacy-drug-presets",
    ),
    path(
        "pharmacy/drugs/<uuid:public_id>/", formulary.DrugDetailApi.as_view(), name="pharmacy-drug"
    ),
    # Stock and ledger.
    path("pharmacy/batches/", stock.BatchListCreateApi.as_view(), name="pharmacy-batch-list"),
    path(
        "pharmacy/batches/<uuid:public_id>/", stock.BatchDetailApi.as_view(), name="pharmacy-batch"
    ),
    path(
        "pharmacy/batches/<uuid:public_id>/adjust/",
        stock.BatchAdjustApi.as_view(),
        name="pharmacy-batch-adjust",
    ),
    path(
        "pharmacy/batches/<uuid:public_id>/write-off/",
        stock.BatchWriteOffApi.as_view(),
        name="pharmacy-batch-write-off",
    ),
    path(
        "pharmacy/batches/<uuid:public_id>/transfer/",
        stock.BatchTransferApi.as_view(),
        name="pharmacy-batch-transfer",
    ),
    path(
        "pharmacy/dispense-lines/<uuid:public_id>/return/",
        stock.DispenseLineReturnApi.as_view(),
        name="pharmacy-dispense-line-return",
    ),
    path("pharmacy/ledger/", stock.StockMovementListApi.as_view(), name="pharmacy-ledger"),
    path("pharmacy/alerts/", stock.PharmacyAlertsApi.as_view(), name="pharmacy-alerts"),
    # Prescriptions and dispensing.
    path("pharmacy/", prescriptions.PharmacyWorklistApi.as_view(), name="pharmacy-worklist"),
    path(
        "pharmacy/prescriptions/",
        prescriptions.PrescriptionListCreateApi.as_view(),
        name="pharmacy-prescription-list",
    ),
    path(
        "pharmacy/prescriptions/check/",
        prescriptions.PrescriptionCheckApi.as_view(),
        name="pharmacy-prescription-check",
    ),
    path(
        "pharmacy/prescriptions/<uuid:public_id>/",
        prescriptions.PrescriptionDetailApi.as_view(),
        name="pharmacy-prescription",
    ),
    path(
        "pharmacy/prescriptions/<uuid:public_id>/pdf/",
        prescriptions.PrescriptionPdfApi.as_view(),
        name="pharmacy-prescription-pdf",
    ),
    path(
        "pharmacy/prescriptions/<uuid:public_id>/cancel/",
        prescriptions.PrescriptionCancelApi.as_view(),
        name="pharmacy-prescription-cancel",
    ),
    path(
        "pharmacy/prescriptions/<uuid:public_id>/dispense/",
        prescriptions.PrescriptionDispenseApi.as_view(),
        name="pharmacy-prescription-dispense",
    ),
    path(
        "patients/<uuid:public_id>/medications/",
        medications.PatientMedicationsApi.as_view(),
        name="patient-medications",
    ),
    path(
        "patients/<uuid:public_id>/medications/<uuid:item_id>/stop/",
        medications.MedicationStopApi.as_view(),
        name="patient-medication-stop",
    ),
    path(
        "patients/<uuid:public_id>/medications/<uuid:item_id>/renew/",
        medications.MedicationRenewApi.as_view(),
        name="patient-medication-renew",
    ),
    # Compatibility aliases of the resource routes (product brief): hms.pharmacy.compat.
    path(
        "pharmacy/prescription/",
        compat.PrescriptionCreateCompatApi.as_view(),
        name="pharmacy-prescription-compat",
    ),
    path("pharmacy/update-stock/", compat.UpdateStockApi.as_view(), name="pharmacy-update-stock"),
]
