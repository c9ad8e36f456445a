"""The doctor workspace: today's queue, the doctor's patients and their charts."""

from django.shortcuts import render
from django.utils import timezone

from hms.appointments import selectors as appointment_selectors
from hms.clinical import selectors as clinical_selectors
from hms.core.services import audit_page_read
from hms.patients import selectors as patient_selectors
from hms.patients.access import ChartSection, patient_get_for_user
from hms.web.forms import (
    PatientSearchForm,
)
from hms.web.navigation import (
    WORKSPACE_ROLES,
    WORKSPACE_SECTIONS,
    tiles,
)
from hms.web.views.base import (
    chart_errors_as_http,
    headline,
    paginate,
    portal_page,
)

# --- Doctor workspace --------------------------------------------------------------------------


@portal_page(WORKSPACE_ROLES)
def workspace(request):
    sections, upcoming = tiles(WORKSPACE_SECTIONS)
    context = {
        "headline": headline(request.user, doctor=True),
        "sections": sections,
        "upcoming": upcoming,
    }
    return render(request, "web/workspace/dashboard.html", context)


@portal_page(WORKSPACE_ROLES)
def workspace_queue(request):
    today = timezone.localdate()
    queue = list(appointment_selectors.appointment_queue(day=today, doctor=request.user))
    audit_page_read(
        actor=request.user,
        resource_type="appointment_queue",
        patient_ids=[a.patient.public_id for a in queue],
        count=len(queue),
    )
    summary = appointment_selectors.appointment_queue_summary(day=today, doctor=request.user)
    return render(
        request, "web/workspace/queue.html", {"queue": queue, "summary": summary, "today": today}
    )


@portal_page(WORKSPACE_ROLES)
def workspace_patients(request):
    form = PatientSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    patients = patient_selectors.doctor_patient_list(doctor=request.user, filters={"q": query})
    context = {"form": form, "query": query, "page": paginate(request, patients)}
    if request.headers.get("HX-Request") == "true":
        return render(request, "web/workspace/_patient_rows.html", context)
    return render(request, "web/workspace/patients.html", context)


VITAL_SERIES = (
    ("systolic_bp", "Systolic BP", "mmHg"),
    ("diastolic_bp", "Diastolic BP", "mmHg"),
    ("pulse", "Pulse", "/min"),
    ("spo2", "SpO₂", "%"),
    ("temperature_c", "Temperature", "°C"),
)
CHART_VITALS = 20
CHART_TIMELINE = 15


def _vitals_chart(vitals) -> dict:
    points = list(reversed(vitals))  # oldest first, left to right
    return {
        "labels": [timezone.localtime(v.measured_at).strftime("%d %b %H:%M") for v in points],
        "series": [
            {
                "label": label,
                "unit": unit,
                "data": [
                    float(getattr(v, field)) if getattr(v, field) is not None else None
                    for v in points
                ],
            }
            for field, label, unit in VITAL_SERIES
            if any(getattr(v, field) is not None for v in points)
        ],
    }


@portal_page(WORKSPACE_ROLES)
@chart_errors_as_http
def workspace_chart(request, patient_id):
    """Chart summary: allergy banner, problem list, vitals chart, timeline. Each part is
    opened through the access module, so each is scoped and audited."""
    user = request.user
    patient = patient_get_for_user(
        user=user, patient_public_id=patient_id, section=ChartSection.CLINICAL
    )
    patient_get_for_user(user=user, patient_public_id=patient_id, section=ChartSection.ALLERGIES)
    allergies = list(patient_selectors.allergy_list(patient=patient))
    problems = list(clinical_selectors.problem_list(user=user, filters={"patient": patient_id}))
    vitals = list(
        clinical_selectors.vital_signs_list(user=user, filters={"patient": patient_id})[
            :CHART_VITALS
        ]
    )
    timeline = clinical_selectors.patient_timeline(user=user, patient_id=patient_id)
    context = {
        "patient": patient,
        "allergies": [a for a in allergies if a.status == "active"],
        "problems": problems,
        "latest_vitals": vitals[0] if vitals else None,
        "vitals_chart": _vitals_chart(vitals) if vitals else None,
        "timeline": timeline[:CHART_TIMELINE],
        "timeline_more": max(0, len(timeline) - CHART_TIMELINE),
    }
    return render(request, "web/workspace/chart.html", context)
