"""A patient's chart summary, and break-the-glass access to it."""

from dataclasses import dataclass

from django.apps import apps
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from hms.clinical import selectors as clinical_selectors
from hms.core.errors import ApplicationError, ConflictError
from hms.core.permissions import user_may
from hms.inpatient import selectors as inpatient_selectors
from hms.patients import selectors as patient_selectors
from hms.patients import services as patient_services
from hms.patients.access import ChartSection, patient_get_for_user
from hms.pharmacy import selectors as pharmacy_selectors
from hms.web.forms import BreakGlassForm
from hms.web.monitoring import admission_banner, vital_charts
from hms.web.navigation import WORKSPACE_ROLES
from hms.web.views.base import break_glass_page, chart_errors_as_http, portal_page, table_permission
from hms.web.views.workspace.chart_lists import (
    active_allergies,
    allergies_context,
    medications_context,
    problems_context,
)

CHART_VITALS = 20
CHART_TIMELINE = 15


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
    ChartAction(
        "Prescribe", "web:workspace-prescribe", "pill", "prescriptions", "create", "hms.pharmacy"
    ),
    ChartAction(
        "Order lab tests",
        "web:workspace-lab-order",
        "flask",
        "lab_orders",
        "create",
        "hms.laboratory",
    ),
    ChartAction(
        "Order imaging",
        "web:workspace-imaging-order",
        "activity",
        "imaging_orders",
        "create",
        "hms.radiology",
    ),
    ChartAction(
        "Results", "web:workspace-results-patient", "list", "lab_orders", "list", "hms.laboratory"
    ),
    ChartAction(
        "Prescription assistant",
        "web:workspace-analysis-new",
        "search",
        "prescription_analysis",
        "create",
        "hms.assistant",
    ),
)


# Shown while the patient is admitted.
ADMISSION_ACTIONS = (
    ChartAction(
        "Discharge summary",
        "web:workspace-discharge-summary",
        "file",
        "discharge_summaries",
        "write",
        "hms.inpatient",
    ),
)


def chart_actions(*, user, patient, admitted: bool = False) -> list[dict]:
    actions = CHART_ACTIONS + (ADMISSION_ACTIONS if admitted else ())
    return [
        {
            "label": a.label,
            "icon": a.icon,
            "url": reverse(a.url_name, args=[patient.public_id]),
            "testid": a.url_name.rsplit(":", 1)[-1],
        }
        for a in actions
        if (a.requires_app is None or apps.is_installed(a.requires_app))
        and user_may(user, a.resource, a.action)
    ]


def _admitted(patient) -> bool:
    return apps.is_installed("hms.inpatient") and (
        inpatient_selectors.active_admission_of(patient=patient) is not None
    )


@portal_page(WORKSPACE_ROLES)
@chart_errors_as_http
def workspace_chart(request, patient_id):
    """Chart summary: allergy banner, medications, problem list, allergies, vitals chart,
    timeline. Each part is opened through the access module, so each is scoped and audited."""
    user = request.user
    patient = patient_get_for_user(
        user=user, patient_public_id=patient_id, section=ChartSection.CLINICAL
    )
    patient_get_for_user(user=user, patient_public_id=patient_id, section=ChartSection.ALLERGIES)
    allergies = allergies_context(user=user, patient=patient)
    medications = (
        medications_context(
            user=user,
            patient=pharmacy_selectors.medications_patient_for_user(
                user=user, patient_public_id=patient_id
            ),
        )
        if apps.is_installed("hms.pharmacy")
        else None
    )
    vitals = list(
        clinical_selectors.vital_signs_list(user=user, filters={"patient": patient_id})[
            :CHART_VITALS
        ]
    )
    timeline = clinical_selectors.patient_timeline(user=user, patient_id=patient_id)
    context = {
        **allergies,
        **problems_context(user=user, patient=patient),
        **(medications or {}),
        "patient": patient,
        "banner_allergies": active_allergies(allergies["allergies"]),
        "medications_shown": medications is not None,
        "latest_vitals": vitals[0] if vitals else None,
        "vital_charts": vital_charts(vitals),
        "admission_banner": admission_banner(patient=patient),
        "timeline": timeline[:CHART_TIMELINE],
        "timeline_more": max(0, len(timeline) - CHART_TIMELINE),
        "actions": chart_actions(user=user, patient=patient, admitted=_admitted(patient)),
        # Doctors write to the patients in their care (the conversation service checks it).
        "may_message": user.role in WORKSPACE_ROLES and apps.is_installed("hms.telemedicine"),
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
