from django.urls import path

from hms.pharmacy import apis

urlpatterns = [
    # Compatibility routes (product brief).
    path("pharmacy/", apis.PharmacyWorklistApi.as_view(), name="pharmacy-worklist"),
    path(
        "pharmacy/prescription/",
        apis.PrescriptionSeedCreateApi.as_view(),
        name="pharmacy-prescription-seed",
    ),
    path("pharmacy/update-stock/", apis.UpdateStockApi.as_view(), name="pharmacy-update-stock"),
    # Formulary.
    path("pharmacy/drugs/", apis.DrugListCreateApi.as_view(), name="pharmacy-drug-list"),
    path("pharmacy/drugs/<uuid:public_id>/", apis.DrugDetailApi.as_view(), name="pharmacy-drug"),
    # Stock and ledger.
    path("pharmacy/batches/", apis.BatchListCreateApi.as_view(), name="pharmacy-batch-list"),
    path(
        "pharmacy/batches/<uuid:public_id>/", apis.BatchDetailApi.as_view(), name="pharmacy-batch"
    ),
    path(
        "pharmacy/batches/<uuid:public_id>/adjust/",
        apis.BatchAdjustApi.as_view(),
        name="pharmacy-batch-adjust",
    ),
    path(
        "pharmacy/batches/<uuid:public_id>/write-off/",
        apis.BatchWriteOffApi.as_view(),
        name="pharmacy-batch-write-off",
    ),
    path(
        "pharmacy/batches/<uuid:public_id>/transfer/",
        apis.BatchTransferApi.as_view(),
        name="pharmacy-batch-transfer",
    ),
    path(
        "pharmacy/dispense-lines/<uuid:public_id>/return/",
        apis.DispenseLineReturnApi.as_view(),
        name="pharmacy-dispense-line-return",
    ),
    path("pharmacy/ledger/", apis.StockMovementListApi.as_view(), name="pharmacy-ledger"),
    path("pharmacy/alerts/", apis.PharmacyAlertsApi.as_view(), name="pharmacy-alerts"),
    # Prescriptions and dispensing.
    path(
        "pharmacy/prescriptions/",
        apis.PrescriptionListCreateApi.as_view(),
        name="pharmacy-prescription-list",
    ),
    path(
        "pharmacy/prescriptions/check/",
        apis.PrescriptionCheckApi.as_view(),
        name="pharmacy-prescription-check",
    ),
    path(
        "pharmacy/prescriptions/<uuid:public_id>/",
        apis.PrescriptionDetailApi.as_view(),
        name="pharmacy-prescription",
    ),
    path(
        "pharmacy/prescriptions/<uuid:public_id>/cancel/",
        apis.PrescriptionCancelApi.as_view(),
        name="pharmacy-prescription-cancel",
    ),
    path(
        "pharmacy/prescriptions/<uuid:public_id>/dispense/",
        apis.PrescriptionDispenseApi.as_view(),
        name="pharmacy-prescription-dispense",
    ),
    path(
        "patients/<uuid:public_id>/medications/",
        apis.PatientMedicationsApi.as_view(),
        name="patient-medications",
    ),
]
