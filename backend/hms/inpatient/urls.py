from django.urls import path

from hms.inpatient import apis

admission = "admissions/<uuid:public_id>"

urlpatterns = [
    # Compatibility routes (docs/api.md).
    path("patients/admit/", apis.PatientAdmitApi.as_view(), name="patient-admit"),
    path("patients/discharge/", apis.PatientDischargeApi.as_view(), name="patient-discharge"),
    path("icu/", apis.IcuListApi.as_view(), name="icu-list"),
    path("icu/admit/", apis.IcuAdmitApi.as_view(), name="icu-admit"),
    path("icu/discharge/", apis.IcuDischargeApi.as_view(), name="icu-discharge"),
    # Structure.
    path("wards/", apis.WardListCreateApi.as_view(), name="ward-list"),
    path("wards/<uuid:public_id>/", apis.WardDetailApi.as_view(), name="ward-detail"),
    path("wards/<uuid:public_id>/rooms/", apis.WardRoomListCreateApi.as_view(), name="ward-rooms"),
    path(
        "wards/<uuid:public_id>/nurses/", apis.WardNurseListCreateApi.as_view(), name="ward-nurses"
    ),
    path(
        "nurse-assignments/<uuid:public_id>/end/",
        apis.NurseAssignmentEndApi.as_view(),
        name="nurse-assignment-end",
    ),
    path("rooms/<uuid:public_id>/", apis.RoomDetailApi.as_view(), name="room-detail"),
    path("beds/", apis.BedListCreateApi.as_view(), name="bed-list"),
    path("beds/board/", apis.BedBoardApi.as_view(), name="bed-board"),
    path("beds/<uuid:public_id>/", apis.BedDetailApi.as_view(), name="bed-detail"),
    path("beds/<uuid:public_id>/status/", apis.BedStatusApi.as_view(), name="bed-status"),
    # Admissions.
    path("admissions/", apis.AdmissionListCreateApi.as_view(), name="admission-list"),
    path(f"{admission}/", apis.AdmissionDetailApi.as_view(), name="admission-detail"),
    path(f"{admission}/transfer/", apis.AdmissionTransferApi.as_view(), name="admission-transfer"),
    path(
        f"{admission}/discharge/", apis.AdmissionDischargeApi.as_view(), name="admission-discharge"
    ),
    path(
        f"{admission}/discharge-summary/",
        apis.DischargeSummaryApi.as_view(),
        name="admission-discharge-summary",
    ),
    path(f"{admission}/spo2-scale/", apis.Spo2ScaleApi.as_view(), name="admission-spo2-scale"),
    path(f"{admission}/bed-days/", apis.AdmissionBedDaysApi.as_view(), name="admission-bed-days"),
    # Charts.
    path(f"{admission}/chart/", apis.AdmissionChartApi.as_view(), name="admission-chart"),
    path(
        f"{admission}/observations/",
        apis.ObservationListCreateApi.as_view(),
        name="admission-observations",
    ),
    path(
        f"{admission}/observations/<uuid:entry_id>/void/",
        apis.ObservationVoidApi.as_view(),
        name="admission-observation-void",
    ),
    path(f"{admission}/fluids/", apis.FluidListCreateApi.as_view(), name="admission-fluids"),
    path(
        f"{admission}/fluids/<uuid:entry_id>/void/",
        apis.FluidVoidApi.as_view(),
        name="admission-fluid-void",
    ),
    path(f"{admission}/gcs/", apis.GcsListCreateApi.as_view(), name="admission-gcs"),
    path(
        f"{admission}/gcs/<uuid:entry_id>/void/",
        apis.GcsVoidApi.as_view(),
        name="admission-gcs-void",
    ),
    path(
        f"{admission}/nursing-notes/",
        apis.NursingNoteListCreateApi.as_view(),
        name="admission-nursing-notes",
    ),
    path(
        f"{admission}/nursing-notes/<uuid:entry_id>/void/",
        apis.NursingNoteVoidApi.as_view(),
        name="admission-nursing-note-void",
    ),
    # Medication administration record.
    path(f"{admission}/mar/", apis.AdmissionMarApi.as_view(), name="admission-mar"),
    path(
        f"{admission}/mar/<uuid:entry_id>/void/",
        apis.MarVoidApi.as_view(),
        name="admission-mar-void",
    ),
    path("mar/overdue/", apis.MarOverdueApi.as_view(), name="mar-overdue"),
]
