"""The prescription assistant: ask for an analysis, read one."""

from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from hms.assistant import selectors as assistant_selectors
from hms.assistant import services as assistant_services
from hms.core.errors import ApplicationError
from hms.pharmacy import selectors as pharmacy_selectors
from hms.web.forms import AnalysisForm
from hms.web.navigation import WORKSPACE_ROLES
from hms.web.views.base import chart_errors_as_http, form_status, portal_page, table_permission
from hms.web.views.workspace.common import severe

ANALYSIS_PRESCRIPTIONS = 10
ANALYSES_SHOWN = 5


def _prescription_label(prescription) -> str:
    names = ", ".join(item.drug.generic_name for item in prescription.items.all())
    return f"{timezone.localtime(prescription.prescribed_at):%d %b %Y} · {names}"


@portal_page(WORKSPACE_ROLES)
@table_permission("prescription_analysis", "create")
@chart_errors_as_http
@require_http_methods(["GET", "POST"])
def workspace_analysis_new(request, patient_id):
    """Ask the prescription assistant (hms.assistant: de-identified text, the configured
    provider or the local analyser, the pharmacy's safety rules for this patient)."""
    user = request.user
    patient = pharmacy_selectors.medications_patient_for_user(
        user=user, patient_public_id=patient_id
    )
    prescriptions = {
        str(p.public_id): p
        for p in pharmacy_selectors.prescription_list(user=user, filters={"patient_obj": patient})[
            :ANALYSIS_PRESCRIPTIONS
        ]
    }
    choices = [(key, _prescription_label(p)) for key, p in prescriptions.items()]
    initial = {"prescription": request.GET.get("prescription", "")}
    form = AnalysisForm(request.POST or None, prescriptions=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        prescription = prescriptions.get(cleaned["prescription"])
        if prescription is not None:
            text, source = assistant_services.prescription_as_text(prescription), "prescription"
        else:
            text, source = cleaned["text"], "text"
        try:
            analysis = assistant_services.prescription_analyse(
                actor=user, text=text, source=source, patient=patient, prescription=prescription
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            return redirect("web:workspace-analysis", analysis_id=analysis.public_id)
    previous = assistant_selectors.analyses_for_user(user=user).filter(patient=patient)[
        :ANALYSES_SHOWN
    ]
    context = {"patient": patient, "form": form, "previous": list(previous)}
    return render(
        request, "web/workspace/analysis_form.html", context, status=form_status(request, form)
    )


@portal_page(WORKSPACE_ROLES)
@table_permission("prescription_analysis", "read")
@chart_errors_as_http
def workspace_analysis(request, analysis_id):
    """One stored analysis (the doctor's own): drugs found, warnings, the explanation."""
    analysis = assistant_selectors.analysis_get_for_user(user=request.user, public_id=analysis_id)
    patient = analysis.patient
    if patient is not None:
        patient = pharmacy_selectors.medications_patient_for_user(
            user=request.user, patient_public_id=patient.public_id
        )
    result = analysis.result or {}
    warnings = result.get("warnings", [])
    context = {
        "analysis": analysis,
        "patient": patient,
        "drugs": result.get("drugs", []),
        "warnings": warnings,
        "severe": severe(warnings),
        "explanation": result.get("explanation", ""),
        "fallback": result.get("fallback"),
        "identifiers_removed": result.get("identifiers_removed", 0),
    }
    return render(request, "web/workspace/analysis.html", context)
