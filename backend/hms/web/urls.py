from django.urls import path

from hms.web import views

app_name = "web"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("password-reset/sent/", views.PasswordResetDoneView.as_view(), name="password-reset-done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("account/", views.account, name="account"),
    path("portal/", views.portal, name="portal"),
    path("portal/record/", views.portal_record, name="portal-record"),
    path("portal/visits/", views.portal_visits, name="portal-visits"),
    path("portal/documents/", views.portal_documents, name="portal-documents"),
    path("portal/access/", views.portal_access, name="portal-access"),
    path(
        "documents/<uuid:document_id>/download/",
        views.document_download,
        name="document-download",
    ),
    path("workspace/", views.workspace, name="workspace"),
    path("workspace/patients/", views.workspace_patients, name="workspace-patients"),
    path("workspace/patients/<uuid:patient_id>/", views.workspace_chart, name="workspace-chart"),
    path("staff/", views.staff, name="staff"),
]
