from django.urls import path

from hms.clinical import apis

urlpatterns = [
    path("encounters/", apis.EncounterListCreateApi.as_view(), name="encounter-list"),
    path("encounters/<uuid:encounter_id>/", apis.EncounterDetailApi.as_view(), name="encounter"),
    path(
        "encounters/<uuid:encounter_id>/pdf/", apis.EncounterPdfApi.as_view(), name="encounter-pdf"
    ),
    path(
        "encounters/<uuid:encounter_id>/close/",
        apis.EncounterCloseApi.as_view(),
        name="encounter-close",
    ),
    path(
        "encounters/<uuid:encounter_id>/void/",
        apis.EncounterVoidApi.as_view(),
        name="encounter-void",
    ),
    path("visitnotes/", apis.VisitNoteListCreateApi.as_view(), name="visitnote-list"),
    path("visitnotes/<uuid:note_id>/", apis.VisitNoteDetailApi.as_view(), name="visitnote"),
    path("visitnotes/<uuid:note_id>/void/", apis.VisitNoteVoidApi.as_view(), name="visitnote-void"),
    path("vitals/", apis.VitalSignsListCreateApi.as_view(), name="vitals-list"),
    path("vitals/<uuid:vitals_id>/", apis.VitalSignsDetailApi.as_view(), name="vitals"),
    path("vitals/<uuid:vitals_id>/void/", apis.VitalSignsVoidApi.as_view(), name="vitals-void"),
    path("diagnoses/", apis.DiagnosisListCreateApi.as_view(), name="diagnosis-list"),
    path("diagnoses/<uuid:diagnosis_id>/", apis.DiagnosisDetailApi.as_view(), name="diagnosis"),
    path(
        "diagnoses/<uuid:diagnosis_id>/void/",
        apis.DiagnosisVoidApi.as_view(),
        name="diagnosis-void",
    ),
    path("problems/", apis.ProblemListCreateApi.as_view(), name="problem-list"),
    path("problems/<uuid:problem_id>/", apis.ProblemDetailApi.as_view(), name="problem"),
    path("problems/<uuid:problem_id>/void/", apis.ProblemVoidApi.as_view(), name="problem-void"),
    path("documents/", apis.DocumentListCreateApi.as_view(), name="document-list"),
    path("documents/<uuid:document_id>/", apis.DocumentDetailApi.as_view(), name="document"),
    path(
        "documents/<uuid:document_id>/void/",
        apis.DocumentVoidApi.as_view(),
        name="document-void",
    ),
    path(
        "documents/<uuid:document_id>/download/",
        apis.DocumentDownloadApi.as_view(),
        name="document-download",
    ),
    path(
        "patients/<uuid:patient_id>/timeline/",
        apis.PatientTimelineApi.as_view(),
        name="patient-timeline",
    ),
    path("icd10/", apis.Icd10SearchApi.as_view(), name="icd10-search"),
]
