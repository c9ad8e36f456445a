"""The workspace's landing pages: the dashboard, today's queue, the doctor's patients."""

from django.shortcuts import render
from django.utils import timezone

from hms.appointments import selectors as appointment_selectors
from hms.core.services import audit_page_read
from hms.patients import selectors as patient_selectors
from hms.web.forms import PatientSearchForm
from hms.web.navigation import WORKSPACE_ROLES, WORKSPACE_SECTIONS, tiles
from hms.web.views.base import headline, paginate, portal_page
from hms.web.views.notifications import attention_context


@portal_page(WORKSPACE_ROLES)
def workspace(request):
    sections, upcoming = tiles(WORKSPACE_SECTIONS)
    context = {
        "headline": headline(request.user, doctor=True),
        "sections": sections,
        "upcoming": upcoming,
        **attention_context(request),
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
