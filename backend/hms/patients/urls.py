from django.urls import path

from hms.patients import apis, compat

urlpatterns = [
    # Public self-registration: a patient account and its chart.
    path("register/", apis.RegisterApi.as_view(), name="register"),
    # Patients (product brief: POST/GET /patients/, PUT /patients/{id})
    path("patients/", apis.PatientListCreateApi.as_view(), name="patient-list"),
    path("patients/me/", apis.PatientMeApi.as_view(), name="patient-me"),
    path("patients/<uuid:public_id>/", apis.PatientDetailApi.as_view(), name="patient-detail"),
    path(
        "patients/<uuid:public_id>/wristband/pdf/",
        apis.PatientWristbandPdfApi.as_view(),
        name="patient-wristband-pdf",
    ),
    path(
        "patients/<uuid:public_id>/break-glass/",
        apis.PatientBreakGlassApi.as_view(),
        name="patient-break-glass",
    ),
    path(
        "patients/<uuid:public_id>/care-team/",
        apis.PatientCareTeamApi.as_view(),
        name="patient-care-team",
    ),
    path(
        "patients/<uuid:public_id>/contacts/",
        apis.ContactListCreateApi.as_view(),
        name="patient-contacts",
    ),
    path(
        "patients/<uuid:public_id>/contacts/<uuid:record_id>/",
        apis.ContactDetailApi.as_view(),
        name="patient-contact-detail",
    ),
    path(
        "patients/<uuid:public_id>/contacts/<uuid:record_id>/void/",
        apis.ContactVoidApi.as_view(),
        name="patient-contact-void",
    ),
    path(
        "patients/<uuid:public_id>/allergies/",
        apis.AllergyListCreateApi.as_view(),
        name="patient-allergies",
    ),
    path(
        "patients/<uuid:public_id>/allergies/report/",
        apis.AllergyReportApi.as_view(),
        name="patient-allergy-report",
    ),
    path(
        "patients/<uuid:public_id>/allergies/<uuid:record_id>/confirm/",
        apis.AllergyConfirmApi.as_view(),
        name="patient-allergy-confirm",
    ),
    path(
        "patients/<uuid:public_id>/allergies/<uuid:record_id>/",
        apis.AllergyDetailApi.as_view(),
        name="patient-allergy-detail",
    ),
    path(
        "patients/<uuid:public_id>/allergies/<uuid:record_id>/void/",
        apis.AllergyVoidApi.as_view(),
        name="patient-allergy-void",
    ),
    path(
        "patients/<uuid:public_id>/insurance/",
        apis.InsuranceListCreateApi.as_view(),
        name="patient-insurance",
    ),
    path(
        "patients/<uuid:public_id>/insurance/<uuid:record_id>/",
        apis.InsuranceDetailApi.as_view(),
        name="patient-insurance-detail",
    ),
    path(
        "patients/<uuid:public_id>/insurance/<uuid:record_id>/void/",
        apis.InsuranceVoidApi.as_view(),
        name="patient-insurance-void",
    ),
    path(
        "care-assignments/<uuid:public_id>/end/",
        apis.CareAssignmentEndApi.as_view(),
        name="care-assignment-end",
    ),
    # A doctor's own patients (the doctor directory is in hms.accounts.urls)
    path("doctors/me/patients/", apis.DoctorMyPatientsApi.as_view(), name="doctor-my-patients"),
    # Break-the-glass review (admin)
    path("audit/break-glass/", apis.BreakGlassGrantListApi.as_view(), name="break-glass-list"),
    path(
        "audit/break-glass/<uuid:public_id>/review/",
        apis.BreakGlassGrantReviewApi.as_view(),
        name="break-glass-review",
    ),
    # Compatibility aliases of the resource routes (product brief)
    path(
        "patients/assign-doctor/",
        compat.PatientAssignDoctorApi.as_view(),
        name="patient-assign",
    ),
    path(
        "doctors/assign-patient/",
        compat.DoctorAssignPatientApi.as_view(),
        name="doctor-assign",
    ),
]
