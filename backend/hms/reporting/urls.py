from django.urls import path

from hms.reporting import apis, export_apis, schedule_apis
from hms.reporting.registry import report_list

urlpatterns = [
    path("reports/", apis.ReportCatalogueApi.as_view(), name="report-catalogue"),
    path(
        "reports/schedules/",
        schedule_apis.ReportScheduleListApi.as_view(),
        name="report-schedule-list",
    ),
    path(
        "reports/schedules/<uuid:public_id>/",
        schedule_apis.ReportScheduleDetailApi.as_view(),
        name="report-schedule-detail",
    ),
    path(
        "reports/dashboards/management/",
        apis.ManagementDashboardApi.as_view(),
        name="report-dashboard-management",
    ),
    path(
        "reports/dashboards/doctor/",
        apis.DoctorDashboardApi.as_view(),
        name="report-dashboard-doctor",
    ),
    path(
        "reports/dashboards/management/pdf/",
        export_apis.ManagementDashboardPdfApi.as_view(),
        name="report-dashboard-management-pdf",
    ),
    path(
        "reports/dashboards/doctor/pdf/",
        export_apis.DoctorDashboardPdfApi.as_view(),
        name="report-dashboard-doctor-pdf",
    ),
    *(
        path(f"reports/{report.slug}/", apis.report_api_view(report), name=f"report-{report.slug}")
        for report in report_list()
    ),
    *(
        path(
            f"reports/{report.slug}/export/",
            export_apis.report_export_view(report),
            name=f"report-{report.slug}-export",
        )
        for report in report_list()
    ),
]
