from django.urls import path

from hms.web.views import (
    consults,
    messages,
    notifications,
    portal,
    printing,
    public,
    reports,
    staff,
    workspace,
)

app_name = "web"

urlpatterns = [
    path("signup/", public.signup, name="signup"),
    path("password-reset/", public.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password-reset/sent/", public.PasswordResetDoneView.as_view(), name="password-reset-done"
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        public.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/done/",
        public.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("account/", public.account, name="account"),
    path("notifications/", notifications.notifications, name="notifications"),
    path(
        "notifications/attention/",
        notifications.notification_attention_strip,
        name="notification-attention",
    ),
    path(
        "notifications/<uuid:notification_id>/open/",
        notifications.notification_open,
        name="notification-open",
    ),
    path(
        "notifications/<uuid:notification_id>/acknowledge/",
        notifications.notification_acknowledge_view,
        name="notification-acknowledge",
    ),
    path("portal/", portal.portal, name="portal"),
    path("portal/record/", portal.portal_record, name="portal-record"),
    path("portal/record/allergies/", portal.portal_allergy_report, name="portal-allergy-report"),
    path("portal/visits/", portal.portal_visits, name="portal-visits"),
    path("portal/documents/", portal.portal_documents, name="portal-documents"),
    path("portal/access/", portal.portal_access, name="portal-access"),
    path("portal/appointments/", portal.portal_appointments, name="portal-appointments"),
    path("portal/results/", portal.portal_results, name="portal-results"),
    path("portal/prescriptions/", portal.portal_prescriptions, name="portal-prescriptions"),
    path("portal/invoices/", portal.portal_invoices, name="portal-invoices"),
    path(
        "portal/invoices/<uuid:invoice_id>/pdf/",
        portal.portal_invoice_pdf,
        name="portal-invoice-pdf",
    ),
    path("portal/appointments/book/", portal.portal_book, name="portal-book"),
    path(
        "portal/appointments/<uuid:appointment_id>/cancel/",
        portal.portal_appointment_cancel,
        name="portal-appointment-cancel",
    ),
    path("portal/consults/<uuid:appointment_id>/", consults.portal_consult, name="portal-consult"),
    path("portal/messages/", messages.portal_messages, name="portal-messages"),
    path(
        "portal/messages/<uuid:conversation_id>/",
        messages.portal_conversation,
        name="portal-conversation",
    ),
    path(
        "workspace/consults/<uuid:appointment_id>/",
        consults.workspace_consult,
        name="workspace-consult",
    ),
    path(
        "workspace/consults/<uuid:appointment_id>/note/",
        consults.workspace_consult_note,
        name="workspace-consult-note",
    ),
    path("workspace/messages/", messages.workspace_messages, name="workspace-messages"),
    path(
        "workspace/messages/<uuid:conversation_id>/",
        messages.workspace_conversation,
        name="workspace-conversation",
    ),
    path(
        "workspace/patients/<uuid:patient_id>/message/",
        messages.workspace_message_patient,
        name="workspace-message-patient",
    ),
    path(
        "documents/<uuid:document_id>/download/",
        portal.document_download,
        name="document-download",
    ),
    path("workspace/", workspace.workspace, name="workspace"),
    path("workspace/dashboard/", reports.workspace_dashboard, name="workspace-dashboard"),
    path("workspace/queue/", workspace.workspace_queue, name="workspace-queue"),
    path("workspace/patients/", workspace.workspace_patients, name="workspace-patients"),
    path(
        "workspace/patients/<uuid:patient_id>/", workspace.workspace_chart, name="workspace-chart"
    ),
    path(
        "workspace/patients/<uuid:patient_id>/break-glass/",
        workspace.workspace_break_glass,
        name="workspace-break-glass",
    ),
    path(
        "workspace/patients/<uuid:patient_id>/notes/new/",
        workspace.workspace_note_new,
        name="workspace-note-new",
    ),
    path(
        "workspace/patients/<uuid:patient_id>/prescribe/",
        workspace.workspace_prescribe,
        name="workspace-prescribe",
    ),
    path(
        "workspace/patients/<uuid:patient_id>/prescribe/check/",
        workspace.workspace_prescribe_check,
        name="workspace-prescribe-check",
    ),
    path(
        "workspace/patients/<uuid:patient_id>/orders/lab/",
        workspace.workspace_lab_order,
        name="workspace-lab-order",
    ),
    path(
        "workspace/patients/<uuid:patient_id>/orders/imaging/",
        workspace.workspace_imaging_order,
        name="workspace-imaging-order",
    ),
    path(
        "workspace/patients/<uuid:patient_id>/discharge-summary/",
        workspace.workspace_discharge_summary,
        name="workspace-discharge-summary",
    ),
    path(
        "workspace/patients/<uuid:patient_id>/results/",
        workspace.workspace_patient_results,
        name="workspace-results-patient",
    ),
    path(
        "workspace/patients/<uuid:patient_id>/results/<str:test_code>/",
        workspace.workspace_analyte_trend,
        name="workspace-analyte-trend",
    ),
    path(
        "workspace/patients/<uuid:patient_id>/assistant/",
        workspace.workspace_analysis_new,
        name="workspace-analysis-new",
    ),
    path(
        "workspace/analyses/<uuid:analysis_id>/",
        workspace.workspace_analysis,
        name="workspace-analysis",
    ),
    path(
        "workspace/patients/<uuid:patient_id>/medications/<uuid:item_id>/stop/",
        workspace.workspace_medication_stop,
        name="workspace-medication-stop",
    ),
    path(
        "workspace/patients/<uuid:patient_id>/medications/<uuid:item_id>/renew/",
        workspace.workspace_medication_renew,
        name="workspace-medication-renew",
    ),
    path(
        "workspace/patients/<uuid:patient_id>/problems/",
        workspace.workspace_problem_add,
        name="workspace-problem-add",
    ),
    path(
        "workspace/patients/<uuid:patient_id>/problems/<uuid:problem_id>/resolve/",
        workspace.workspace_problem_resolve,
        name="workspace-problem-resolve",
    ),
    path(
        "workspace/patients/<uuid:patient_id>/allergies/",
        workspace.workspace_allergy_add,
        name="workspace-allergy-add",
    ),
    path(
        "workspace/patients/<uuid:patient_id>/allergies/<uuid:allergy_id>/",
        workspace.workspace_allergy_edit,
        name="workspace-allergy-edit",
    ),
    path(
        "workspace/patients/<uuid:patient_id>/allergies/<uuid:allergy_id>/entered-in-error/",
        workspace.workspace_allergy_void,
        name="workspace-allergy-void",
    ),
    path(
        "workspace/patients/<uuid:patient_id>/allergies/<uuid:allergy_id>/confirm/",
        workspace.workspace_allergy_confirm,
        name="workspace-allergy-confirm",
    ),
    path("workspace/results/", workspace.workspace_results, name="workspace-results"),
    path("workspace/schedule/", workspace.workspace_schedule, name="workspace-schedule"),
    path(
        "workspace/prescriptions/",
        workspace.workspace_prescriptions,
        name="workspace-prescribing",
    ),
    path("workspace/icd10/", workspace.workspace_icd10, name="workspace-icd10"),
    path(
        "workspace/medicines/search/",
        workspace.workspace_medicine_search,
        name="workspace-medicine-search",
    ),
    path(
        "workspace/medicines/<uuid:drug_id>/presets/",
        workspace.workspace_medicine_presets,
        name="workspace-medicine-presets",
    ),
    path(
        "workspace/lab-tests/search/",
        workspace.workspace_lab_test_search,
        name="workspace-lab-test-search",
    ),
    # Printable documents (PDF, shown in the browser).
    path(
        "print/prescriptions/<uuid:record_id>/",
        printing.print_prescription,
        name="print-prescription",
    ),
    path("print/lab-reports/<uuid:record_id>/", printing.print_lab_report, name="print-lab-report"),
    path(
        "print/visit-summaries/<uuid:record_id>/",
        printing.print_visit_summary,
        name="print-visit-summary",
    ),
    path(
        "print/discharge-summaries/<uuid:record_id>/",
        printing.print_discharge_summary,
        name="print-discharge-summary",
    ),
    path(
        "print/appointment-slips/<uuid:record_id>/",
        printing.print_appointment_slip,
        name="print-appointment-slip",
    ),
    path("staff/", staff.staff, name="staff"),
    path("staff/queue/", staff.staff_queue, name="staff-queue"),
    path("staff/beds/", staff.staff_beds, name="staff-beds"),
    # Reports and dashboards (the numbers come from hms.reporting, as for the API).
    path("reports/", reports.reports_catalogue, name="reports"),
    path("reports/dashboard/", reports.reports_dashboard, name="reports-dashboard"),
    path("reports/<slug:slug>/", reports.report_detail, name="report"),
]
