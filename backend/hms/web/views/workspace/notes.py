"""Visit notes with ICD-10 diagnoses."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from hms.clinical import selectors as clinical_selectors
from hms.clinical import services as clinical_services
from hms.clinical.icd10 import icd10_search
from hms.clinical.models import EncounterType
from hms.core.errors import ApplicationError
from hms.core.permissions import user_may
from hms.web.forms import NEW_ENCOUNTER, DiagnosisFormSet, VisitNoteForm
from hms.web.navigation import WORKSPACE_ROLES
from hms.web.views.base import chart_errors_as_http, portal_page, table_permission
from hms.web.views.workspace.common import open_encounters


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
    encounters = open_encounters(user=user, patient_id=patient_id)
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
        return clinical_services.visit_note_with_diagnoses_create(
            actor=user, patient=patient, encounter=encounter, notes=notes, codes=codes
        )
