"""The chart's three lists a doctor keeps up to date: medicines (stop, renew), the problem list
(add, resolve) and allergies (add, edit, entered in error, confirm a patient-reported one).

Each list is a card of the chart page; each change is a POST to the services that answers with
the card again (htmx swaps it in place), or, without htmx, goes back to the chart."""

from django.contrib import messages
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from hms.clinical import selectors as clinical_selectors
from hms.clinical import services as clinical_services
from hms.clinical.models import ProblemStatus
from hms.core.errors import ApplicationError, ConflictError
from hms.core.permissions import user_may
from hms.patients import selectors as patient_selectors
from hms.patients import services as patient_services
from hms.patients.access import ChartSection, patient_get_for_user
from hms.patients.models import AllergySeverity, AllergyStatus
from hms.pharmacy import selectors as pharmacy_selectors
from hms.pharmacy import services as pharmacy_services
from hms.pharmacy.selectors import MedicationStatus
from hms.pharmacy.services import OVERRIDE_REASON_MIN_LENGTH
from hms.web.forms import (
    AllergyEditForm,
    AllergyForm,
    AllergyVoidForm,
    MedicationRenewForm,
    MedicationStopForm,
    ProblemForm,
    ProblemResolveForm,
)
from hms.web.navigation import WORKSPACE_ROLES
from hms.web.views.base import chart_errors_as_http, portal_page, table_permission
from hms.web.views.workspace.common import severe

# Stopped and completed medicines shown under the current ones (newest first).
PAST_MEDICINES = 20

CARDS = {
    "medications": ("web/workspace/_medications.html", "medications-title"),
    "problems": ("web/workspace/_problems.html", "problems-title"),
    "allergies": ("web/workspace/_allergies.html", "allergies-title"),
}


# --- What each card shows ------------------------------------------------------------------


def medications_context(*, user, patient, **forms) -> dict:
    """The patient's medicines: the current ones, then the last stopped or completed ones."""
    medicines = pharmacy_selectors.medication_list(patient=patient)
    current = [m for m in medicines if m.status == MedicationStatus.ACTIVE]
    past = [m for m in medicines if m.status != MedicationStatus.ACTIVE]
    return {
        "patient": patient,
        "medicines": current,
        "past_medicines": past[:PAST_MEDICINES],
        "past_more": max(0, len(past) - PAST_MEDICINES),
        "may_stop": user_may(user, "patient_medications", "stop"),
        "may_renew": user_may(user, "patient_medications", "renew"),
        "override_reason_min": OVERRIDE_REASON_MIN_LENGTH,
        **forms,
    }


def problems_context(*, user, patient, **forms) -> dict:
    """Active problems first, the resolved ones apart (collapsed on the page)."""
    problems = list(
        clinical_selectors.problem_list(user=user, filters={"patient": patient.public_id})
    )
    return {
        "patient": patient,
        "problems": [p for p in problems if p.status == ProblemStatus.ACTIVE],
        "resolved_problems": [p for p in problems if p.status == ProblemStatus.RESOLVED],
        "may_add_problem": user_may(user, "problems", "create"),
        "may_resolve_problem": user_may(user, "problems", "update"),
        "problem_form": forms.pop("problem_form", None) or ProblemForm(auto_id="problem_%s"),
        "today": timezone.localdate(),
        **forms,
    }


def allergies_context(*, user, patient, **forms) -> dict:
    allergies = list(patient_selectors.allergy_list(patient=patient))
    return {
        "patient": patient,
        "allergies": allergies,
        "awaiting_confirmation": sum(1 for a in allergies if a.patient_reported),
        "may_add_allergy": user_may(user, "patient_allergies", "create"),
        "may_edit_allergy": user_may(user, "patient_allergies", "update"),
        "may_void_allergy": user_may(user, "patient_allergies", "void"),
        "may_confirm_allergy": user_may(user, "patient_allergies", "confirm"),
        "severity_choices": AllergySeverity.choices,
        "allergy_form": forms.pop("allergy_form", None) or AllergyForm(auto_id="allergy_%s"),
        **forms,
    }


def active_allergies(allergies) -> list:
    return [a for a in allergies if a.status == AllergyStatus.ACTIVE]


def _card(request, patient, card: str, context: dict, *, message: str = ""):
    """The card again for htmx; otherwise back to the chart at that card (the message, or
    the first form error, as a flash message)."""
    template, anchor = CARDS[card]
    if request.headers.get("HX-Request"):
        if message:
            context["card_message"] = message
        return render(request, template, context)
    if message:
        messages.success(request, message)
    errors = [
        str(error)
        for form in context.values()
        if hasattr(form, "errors") and hasattr(form, "is_bound") and form.is_bound
        for field_errors in form.errors.values()
        for error in field_errors
    ]
    if errors:
        messages.error(request, errors[0])
    return redirect(f"{reverse('web:workspace-chart', args=[patient.public_id])}#{anchor}")


# --- Medicines -----------------------------------------------------------------------------


def _medicine(request, patient_id, item_id):
    patient = pharmacy_selectors.medications_patient_for_user(
        user=request.user, patient_public_id=patient_id, purpose="write"
    )
    return patient, pharmacy_selectors.medication_get(patient=patient, public_id=item_id)


@portal_page(WORKSPACE_ROLES)
@table_permission("patient_medications", "stop")
@chart_errors_as_http
@require_http_methods(["POST"])
def workspace_medication_stop(request, patient_id, item_id):
    """Stop a medicine with a reason (the pharmacy's service; audited)."""
    patient, medicine = _medicine(request, patient_id, item_id)
    form = MedicationStopForm(request.POST, prefix=f"stop-{medicine.public_id}")
    message = ""
    if form.is_valid():
        try:
            pharmacy_services.medication_stop(
                actor=request.user, item=medicine, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            message = f"{medicine.drug.generic_name} stopped."
    context = medications_context(user=request.user, patient=patient)
    if form.errors:
        context.update(failed_item=medicine.public_id, stop_form=form)
    return _card(request, patient, "medications", context, message=message)


@portal_page(WORKSPACE_ROLES)
@table_permission("patient_medications", "renew")
@chart_errors_as_http
@require_http_methods(["POST"])
def workspace_medication_renew(request, patient_id, item_id):
    """Renew a medicine: a new prescription through the prescribing service, so its safety
    checks run; a severe warning asks for an override reason on the card."""
    patient, medicine = _medicine(request, patient_id, item_id)
    form = MedicationRenewForm(request.POST, prefix=f"renew-{medicine.public_id}")
    message, warnings = "", []
    if form.is_valid():
        try:
            prescription = pharmacy_services.medication_renew(
                actor=request.user,
                item=medicine,
                override_reason=form.cleaned_data["override_reason"],
            )
        except ConflictError as exc:
            if exc.code != "safety_override_required":
                form.add_service_error(exc)
            else:
                warnings = exc.extra.get("warnings", [])
                form.add_error("override_reason", exc.message)
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            message = f"{medicine.drug.generic_name} renewed and sent to the pharmacy."
            if prescription.override_reason:
                message += " Severe warnings were overridden; your reason is recorded."
    context = medications_context(user=request.user, patient=patient)
    if form.errors:
        context.update(
            failed_item=medicine.public_id,
            renew_form=form,
            renew_warnings=warnings,
            renew_severe=severe(warnings),
        )
    return _card(request, patient, "medications", context, message=message)


# --- Problems ------------------------------------------------------------------------------


def _clinical_chart(request, patient_id):
    return clinical_selectors.clinical_patient_get(
        user=request.user, patient_id=patient_id, purpose="write"
    )


@portal_page(WORKSPACE_ROLES)
@table_permission("problems", "create")
@chart_errors_as_http
@require_http_methods(["POST"])
def workspace_problem_add(request, patient_id):
    """Add a problem: an ICD-10 code (checked against the WHO list), onset, note."""
    patient = _clinical_chart(request, patient_id)
    form = ProblemForm(request.POST, auto_id="problem_%s")
    message = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            problem = clinical_services.problem_create(
                actor=request.user,
                patient=patient,
                code=data["code"],
                onset_date=data["onset_date"],
                notes=data["notes"],
            )
        except DjangoValidationError as exc:
            form.add_validation_error(exc)
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            message = f"{problem.code} {problem.title} added to the problem list."
            form = None
    context = problems_context(user=request.user, patient=patient, problem_form=form)
    return _card(request, patient, "problems", context, message=message)


@portal_page(WORKSPACE_ROLES)
@table_permission("problems", "update")
@chart_errors_as_http
@require_http_methods(["POST"])
def workspace_problem_resolve(request, patient_id, problem_id):
    """Resolve a problem on a given day (today by default)."""
    patient = _clinical_chart(request, patient_id)
    problem = clinical_selectors.problem_get(
        user=request.user, problem_id=problem_id, purpose="write"
    )
    if problem.patient_id != patient.pk or problem.is_voided:
        _not_on_this_chart()
    form = ProblemResolveForm(request.POST, prefix=f"resolve-{problem.public_id}")
    message = ""
    if form.is_valid():
        try:
            clinical_services.problem_update(
                actor=request.user,
                problem=problem,
                status=ProblemStatus.RESOLVED,
                resolved_date=form.cleaned_data["resolved_date"],
            )
        except DjangoValidationError as exc:
            form.add_validation_error(exc)
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            message = f"{problem.code} {problem.title} resolved."
    context = problems_context(user=request.user, patient=patient)
    if form.errors:
        context.update(failed_problem=problem.public_id, resolve_form=form)
    return _card(request, patient, "problems", context, message=message)


def _not_on_this_chart():
    raise Http404("No such record on this chart.")


# --- Allergies -----------------------------------------------------------------------------


def _allergy_chart(request, patient_id, purpose: str = "write"):
    return patient_get_for_user(
        user=request.user,
        patient_public_id=patient_id,
        section=ChartSection.ALLERGIES,
        purpose=purpose,
    )


def _allergy(request, patient_id, allergy_id):
    patient = _allergy_chart(request, patient_id)
    allergy = patient_selectors.allergy_get(patient=patient, public_id=allergy_id)
    if allergy.is_voided:
        _not_on_this_chart()
    return patient, allergy


@portal_page(WORKSPACE_ROLES)
@table_permission("patient_allergies", "create")
@chart_errors_as_http
@require_http_methods(["POST"])
def workspace_allergy_add(request, patient_id):
    patient = _allergy_chart(request, patient_id)
    form = AllergyForm(request.POST, auto_id="allergy_%s")
    message = ""
    if form.is_valid():
        try:
            allergy = patient_services.allergy_create(
                actor=request.user, patient=patient, **form.cleaned_data
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            message = f"Allergy to {allergy.substance} recorded."
            form = None
    context = allergies_context(user=request.user, patient=patient, allergy_form=form)
    return _card(request, patient, "allergies", context, message=message)


@portal_page(WORKSPACE_ROLES)
@table_permission("patient_allergies", "update")
@chart_errors_as_http
@require_http_methods(["POST"])
def workspace_allergy_edit(request, patient_id, allergy_id):
    """Change an allergy's severity and reaction."""
    patient, allergy = _allergy(request, patient_id, allergy_id)
    form = AllergyEditForm(request.POST, prefix=f"edit-{allergy.public_id}")
    message = ""
    if form.is_valid():
        try:
            patient_services.allergy_update(
                actor=request.user, allergy=allergy, **form.cleaned_data
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            message = f"Allergy to {allergy.substance} updated."
    context = allergies_context(user=request.user, patient=patient)
    if form.errors:
        context.update(failed_allergy=allergy.public_id, edit_form=form)
    return _card(request, patient, "allergies", context, message=message)


@portal_page(WORKSPACE_ROLES)
@table_permission("patient_allergies", "void")
@chart_errors_as_http
@require_http_methods(["POST"])
def workspace_allergy_void(request, patient_id, allergy_id):
    """Mark an allergy entered in error (voided with a reason; it stays in the record)."""
    patient, allergy = _allergy(request, patient_id, allergy_id)
    form = AllergyVoidForm(request.POST, prefix=f"void-{allergy.public_id}")
    message = ""
    if form.is_valid():
        try:
            patient_services.allergy_void(
                actor=request.user, allergy=allergy, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            message = f"Allergy to {allergy.substance} marked as entered in error."
    context = allergies_context(user=request.user, patient=patient)
    if form.errors:
        context.update(failed_allergy=allergy.public_id, void_form=form)
    return _card(request, patient, "allergies", context, message=message)


@portal_page(WORKSPACE_ROLES)
@table_permission("patient_allergies", "confirm")
@chart_errors_as_http
@require_http_methods(["POST"])
def workspace_allergy_confirm(request, patient_id, allergy_id):
    """Confirm an allergy the patient reported (who and when are kept; audited)."""
    patient, allergy = _allergy(request, patient_id, allergy_id)
    try:
        patient_services.allergy_confirm(actor=request.user, allergy=allergy)
    except ApplicationError as exc:
        if not request.headers.get("HX-Request"):
            messages.error(request, exc.message)
        context = allergies_context(user=request.user, patient=patient, card_error=exc.message)
        return _card(request, patient, "allergies", context)
    context = allergies_context(user=request.user, patient=patient)
    message = f"Allergy to {allergy.substance} confirmed."
    return _card(request, patient, "allergies", context, message=message)
