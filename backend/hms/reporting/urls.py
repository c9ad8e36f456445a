from django.urls import path

from hms.reporting import apis
from hms.reporting.registry import report_list

urlpatterns = [
    path("reports/", apis.ReportCatalogueApi.as_view(), name="report-catalogue"),
    *(
        path(f"reports/{report.slug}/", apis.report_api_view(report), name=f"report-{report.slug}")
        for report in report_list()
    ),
]
