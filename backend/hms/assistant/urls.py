from django.urls import path

from hms.assistant import apis

urlpatterns = [
    path(
        "analyze-prescription/",
        apis.PrescriptionAnalysisApi.as_view(),
        name="analyze-prescription",
    ),
    path(
        "assistant/analyses/",
        apis.PrescriptionAnalysisListApi.as_view(),
        name="prescription-analysis-list",
    ),
    path(
        "assistant/analyses/<uuid:public_id>/",
        apis.PrescriptionAnalysisDetailApi.as_view(),
        name="prescription-analysis",
    ),
]
