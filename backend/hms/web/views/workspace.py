"""The doctor workspace: today's queue, the doctor's patients and their charts."""

from dataclasses import dataclass

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from hms.appointments import selectors as appointment_selectors
from hms.clinical import selectors as clinical_selectors
from hms.clinical import services as clinical_services
from hms.clinical.icd10 import icd10_search
from hms.clinical.models import EncounterStatus, EncounterType
from hms.core.errors import ApplicationError, ConflictError
from hms.core.permissions import user_may
from hms.core.services import audit_page_read
from hms.patients import selectors as patient_selectors
from hms.patients import services as patient_services
from hms.patients.access import ChartSection, patient_get_for_user
from hms.web.forms import (
    NEW_ENCOUNTER,
    BreakGlassForm,
    DiagnosisFormSet,
    PatientSearchForm,
    VisitNoteForm,
)
from hms.web.navigation import (
    WORKSPACE_ROLES,
    WORKSPACE_SECTIONS,
    tiles,
)
from hms.web.views.base import (
    break_glass_page,
    chart_errors_as_http,
    headline,
    paginate,
    portal_page,
    table_permission,
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


@dataclass(frozen=True)
class ChartAction:
    label: str
    url_name: str
    icon: str
    resource: str
    action: str
    requires_app: str | None = None


# What a doctor does from a chart; each shows when its module is installed and the role table
# allows it (the page behind it checks again).
CHART_ACTIONS = (
    ChartAction("Write a note", "web:workspace-note-new", "clipboard", "visitnotes", "create"),
)


def chart_actions(*, user, patient) -> list[dict]:
    return [
        {
            "label": a.label,
            "icon": a.icon,
            "url": reverse(a.url_name, args=[patient.public_id]),
            "testid": a.url_name.rsplit(":", 1)[-1],
        }
        for a in CHART_ACTIONS
        if (a.requires_app is None or apps.is_installed(a.requires_app))
        and user_may(user, a.resource, a.action)
    ]


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
        "actions": chart_actions(user=user, patient=patient),
    }
    return render(request, "web/workspace/chart.html", context)


# --- Break the glass ---------------------------------------------------------------------------


@portal_page(WORKSPACE_ROLES)
@table_permission("patients", "break_glass")
@require_http_methods(["POST"])
def workspace_break_glass(request, patient_id):
    """The 403 page's form: a reason grants emergency access (patients' service, audited as
    emergency access and listed for review), then the chart opens."""
    patient = patient_selectors.patient_find(public_id=patient_id)
    if patient is None:
        raise Http404("No patient with this id.")
    chart = reverse("web:workspace-chart", args=[patient.public_id])
    form = BreakGlassForm(request.POST)
    if form.is_valid():
        target = form.cleaned_data["next"]
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = chart
        try:
            grant = patient_services.break_glass_grant_create(
                user=request.user, patient=patient, reason=form.cleaned_data["reason"]
            )
        except ConflictError as exc:  # already in care: nothing to break
            messages.info(request, exc.message)
            return redirect(target)
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            until = timezone.localtime(grant.expires_at)
            messages.warning(
                request,
                f"Emergency access to {patient.first_name} {patient.last_name}'s chart until "
                f"{until:%H:%M on %d %b}. It is recorded and will be reviewed.",
            )
            return redirect(target)
    return break_glass_page(request, patient_id=patient.public_id, form=form, status=400)


# --- Visit notes with diagnoses ----------------------------------------------------------------


@portal_page(WORKSPACE_ROLES)
@table_permission("icd10", "list")
def workspace_icd10(request):
    """ICD-10 suggestions for a diagnosis field (htmx): the <option>s of its <datalist>. The
    field's own value is the query; `for` names the field."""
    field = request.GET.get("for", "q")
    query = (request.GET.get(field) or "").strip()[:100]
    codes = icd10_search(query, limit=ICD10_SUGGESTIONS) if len(query) >= 2 else []
    return render(request, "web/workspace/_icd10_options.html", {"codes": codes})


ICD10_SUGGESTIONS = 15


def _open_encounters(*, user, patient_id):
    """This doctor's open encounters with the patient, newest first (the note goes on one)."""
    return list(
        clinical_selectors.encounter_list(
            user=user,
            filters={
                "patient": patient_id,
                "status": EncounterStatus.OPEN,
                "doctor": user.public_id,
            },
        )[:5]
    )


@portal_page(WORKSPACE_ROLES)
@table_permission("visitnotes", "create")
@chart_errors_as_http
@require_http_methods(["GET", "POST"])
def workspace_note_new(request, patient_id):
    """Write a visit note with up to three ICD-10 diagnoses on an open encounter (or a new
    outpatient one): the clinical services, in one transaction."""
    user = request.user
    patient = clinical_selectors.clinical_patient_get(
        user=user, patient_id=patient_id, purpose="write"
    )
    encounters = _open_encounters(user=user, patient_id=patient_id)
    data = request.POST if request.method == "POST" else None
    form = VisitNoteForm(data, encounters=encounters)
    diagnoses = DiagnosisFormSet(data, prefix="dx")
    if request.method == "POST" and form.is_valid() and diagnoses.is_valid():
        codes = [(row["code"], row["type"]) for row in diagnoses.cleaned_data if row.get("code")]
        if codes and not user_may(user, "diagnoses", "create"):
            raise PermissionDenied("Your role may not record diagnoses.")
        try:
            _note_with_diagnoses(
                user=user,
                patient=patient,
                encounters=encounters,
                encounter_choice=form.cleaned_data["encounter"],
                notes=form.cleaned_data["notes"],
                codes=codes,
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        except DjangoValidationError as exc:
            form.add_validation_error(exc)
        else:
            saved = (
                f" with {len(codes)} diagnos{'es' if len(codes) != 1 else 'is'}" if codes else ""
            )
            messages.success(request, f"Visit note saved{saved}.")
            return redirect(
                f"{reverse('web:workspace-chart', args=[patient.public_id])}#timeline-title"
            )
    status = 400 if request.method == "POST" else 200
    context = {"patient": patient, "form": form, "diagnoses": diagnoses}
    return render(request, "web/workspace/note_form.html", context, status=status)


def _note_with_diagnoses(*, user, patient, encounters, encounter_choice, notes, codes):
    with transaction.atomic():
        if encounter_choice == NEW_ENCOUNTER:
            encounter = clinical_services.encounter_create(
                actor=user, patient=patient, type=EncounterType.OUTPATIENT
            )
        else:
            encounter = next(e for e in encounters if str(e.public_id) == encounter_choice)
        note = clinical_services.visit_note_create(
            actor=user, patient=patient, notes=notes, encounter=encounter
        )
        for code, kind in codes:
            clinical_services.diagnosis_create(
                actor=user, encounter=encounter, code=code, type=kind
            )
    return note
