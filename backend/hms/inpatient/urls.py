from django.urls import path

from hms.inpatient import compat
from hms.inpatient.apis import (
    admissions,
    bed_days,
    beds,
    charts,
    discharge,
    icu,
    mar,
    nurse_assignments,
)

admission = "admissions/<uuid:public_id>"

urlpatterns = [
    # Compatibility aliases of the resource routes (product brief).
    path("patients/admit/", compat.PatientAdmitApi.as_view(), name="patient-admit"),
    path("patients/discharge/", compat.PatientDischargeApi.as_view(), name="patient-discharge"),
    path("icu/admit/", compat.IcuAdmitApi.as_view(), name="icu-admit"),
    path("icu/discharge/", compat.IcuDischargeApi.as_view(), name="icu-discharge"),
    # ICU (the product brief names this route too; it is the ICU list itself).
    path("icu/", icu.IcuListApi.as_view(), name="icu-list"),
    # Structure.
    path("wards/", beds.WardListCreateApi.as_view(), name="ward-list"),
    path("wards/<uuid:public_id>/", beds.WardDetailApi.as_view(), name="ward-detail"),
    path("wards/<uuid:public_id>/rooms/", beds.WardRoomListCreateApi.as_view(), name="ward-rooms"),
    path(
        "wards/<uuid:public_id>/nurses/",
        nurse_assignments.WardNurseListCreateApi.as_view(),
        name="ward-nurses",
    ),
    path(
        "nurse-assignments/<uuid:public_id>/end/",
        nurse_assignments.NurseAssignmentEndApi.as_view(),
        name="nurse-assignment-end",
    ),
    path("rooms/<uuid:public_id>/", beds.RoomDetailApi.as_view(), name="room-detail"),
    path("beds/", beds.BedListCreateApi.as_view(), name="bed-list"),
    path("beds/board/", beds.BedBoardApi.as_view(), name="bed-board"),
    path("beds/<uuid:public_id>/", beds.BedDetailApi.as_view(), name="bed-detail"),
    path("beds/<uuid:public_id>/status/", beds.BedStatusApi.as_view(), name="bed-status"),
    # Admissions.
    path("admissions/", admissions.AdmissionListCreateApi.as_view(), name="admission-list"),
    path(f"{admission}/", admissions.AdmissionDetailApi.as_view(), name="admission-detail"),
    path(
        f"{admission}/transfer/",
        admissions.AdmissionTransferApi.as_view(),
        name="admission-transfer",
    ),
    path(
        f"{admission}/discharge/",
        discharge.AdmissionDischargeApi.as_view(),
        name="admission-discharge",
    ),
    path(
        f"{admission}/discharge-summary/",
        discharge.DischargeSummaryApi.as_view(),
        name="admission-discharge-summary",
    ),
    path(
        f"{admission}/discharge-summary/pdf/",
        discharge.DischargeSummaryPdfApi.as_view(),
        name="admission-discharge-summary-pdf",
    ),
    path(
        f"{admission}/spo2-scale/", admissions.Spo2ScaleApi.as_view(), name="admission-spo2-scale"
    ),
    path(
        f"{admission}/bed-days/", bed_days.AdmissionBedDaysApi.as_view(), name="admission-bed-days"
    ),
    # Charts.
    path(f"{admission}/chart/", charts.AdmissionChartApi.as_view(), name="admission-chart"),
    path(
        f"{admission}/observations/",
        charts.ObservationListCreateApi.as_view(),
        name="admission-observations",
    ),
    path(
        f"{admission}/observations/<uuid:entry_id>/void/",
        charts.ObservationVoidApi.as_view(),
        name="admission-observation-void",
    ),
    path(f"{admission}/fluids/", charts.FluidListCreateApi.as_view(), name="admission-fluids"),
    path(
        f"{admission}/fluids/<uuid:entry_id>/void/",
        charts.FluidVoidApi.as_view(),
        name="admission-fluid-void",
    ),
    path(f"{admission}/gcs/", charts.GcsListCreateApi.as_view(), name="admission-gcs"),
    path(
        f"{admission}/gcs/<uuid:entry_id>/void/",
        charts.GcsVoidApi.as_view(),
        name="admission-gcs-void",
    ),
    path(
        f"{admission}/nursing-notes/",
        charts.NursingNoteListCreateApi.as_view(),
        name="admission-nursing-notes",
    ),
    path(
        f"{admission}/nursing-notes/<uuid:entry_id>/void/",
        charts.NursingNoteVoidApi.as_view(),
        name="admission-nursing-note-void",
    ),
    # Medication administration record.
    path(f"{admission}/mar/", mar.AdmissionMarApi.as_view(), name="admission-mar"),
    path(
        f"{admission}/mar/<uuid:entry_id>/void/",
        mar.MarVoidApi.as_view(),
        name="admission-mar-void",
    ),
    path("mar/overdue/", mar.MarOverdueApi.as_view(), name="mar-overdue"),
]
