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
    path("portal/appointments/", views.portal_appointments, name="portal-appointments"),
    path("portal/appointments/book/", views.portal_book, name="portal-book"),
    path(
        "portal/appointments/<uuid:appointment_id>/cancel/",
        views.portal_appointment_cancel,
        name="portal-appointment-cancel",
    ),
    path(
        "documents/<uuid:document_id>/download/",
        views.document_download,
        name="document-download",
    ),
    path("workspace/", views.workspace, name="workspace"),
    path("workspace/queue/", views.workspace_queue, name="workspace-queue"),
    path("workspace/patients/", views.workspace_patients, name="workspace-patients"),
    path("workspace/patients/<uuid:patient_id>/", views.workspace_chart, name="workspace-chart"),
    path("staff/", views.staff, name="staff"),
]
