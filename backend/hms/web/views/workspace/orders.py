"""Laboratory and imaging orders."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from hms.core.errors import ApplicationError
from hms.laboratory import selectors as lab_selectors
from hms.laboratory import services as lab_services
from hms.patients.access import ChartSection, patient_get_for_user
from hms.radiology import selectors as radiology_selectors
from hms.radiology import services as radiology_services
from hms.radiology.models import Laterality
from hms.web.forms import ImagingOrderForm, LabOrderForm
from hms.web.navigation import WORKSPACE_ROLES
from hms.web.views.base import chart_errors_as_http, form_status, portal_page, table_permission
from hms.web.views.workspace.common import encounter_chosen, encounter_initial, open_encounters


@portal_page(WORKSPACE_ROLES)
@table_permission("lab_orders", "create")
@chart_errors_as_http
@require_http_methods(["GET", "POST"])
def workspace_lab_order(request, patient_id):
    """Order tests and panels from the laboratory's catalogue (lab_order_create: one order
    each, in the doctor's name). The picker searches the catalogue (panels first, then tests
    by department); without JavaScript its "Find" button does the same by reloading the page,
    keeping what was ticked."""
    user = request.user
    patient = patient_get_for_user(
        user=user, patient_public_id=patient_id, section=ChartSection.ORDERS, purpose="write"
    )
    data = request.POST if request.method == "POST" else None
    chosen = lab_selectors.lab_tests_by_public_ids(data.getlist("tests")) if data else {}
    query = ((data or request.GET).get("test_search") or "").strip()[:TEST_QUERY_MAX_LENGTH]
    finding = data is not None and "find" in data
    encounters = open_encounters(user=user, patient_id=patient_id)
    form = LabOrderForm(
        None if finding else data,
        tests=[(key, _lab_test_label(test)) for key, test in chosen.items()],
        encounters=encounters,
        initial=_find_initial(data) if finding else encounter_initial(encounters),
    )
    if data is not None and not finding and form.is_valid():
        cleaned = form.cleaned_data
        try:
            orders = lab_services.lab_order_create(
                actor=user,
                patient=patient,
                tests=[chosen[key] for key in cleaned["tests"]],
                priority=cleaned["priority"],
                encounter=encounter_chosen(encounters, cleaned["encounter"]),
                clinical_notes=cleaned["clinical_notes"],
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            names = ", ".join(order.test.name for order in orders)
            messages.success(request, f"Sent to the laboratory: {names}.")
            return redirect("web:workspace-results-patient", patient_id=patient.public_id)
    context = {
        "patient": patient,
        "form": form,
        "query": query,
        "chosen": list(chosen.values()),
        "result": lab_selectors.lab_test_search(q=query, exclude=chosen.keys()),
    }
    return render(
        request, "web/workspace/lab_order.html", context, status=form_status(request, form)
    )


TEST_QUERY_MAX_LENGTH = 100


def _find_initial(data) -> dict:
    """The order's own fields as they were when "Find" reloaded the page."""
    return {name: data.get(name) for name in ("priority", "encounter", "clinical_notes")}


def _lab_test_label(test) -> str:
    specimen = test.get_specimen_type_display()
    return f"{test.name} · {specimen}" + (" · panel" if test.kind == "panel" else "")


@portal_page(WORKSPACE_ROLES)
@table_permission("imaging_orders", "create")
@chart_errors_as_http
@require_http_methods(["GET", "POST"])
def workspace_imaging_order(request, patient_id):
    """Request an imaging examination (imaging_order_create, in the doctor's name)."""
    user = request.user
    patient = radiology_selectors.radiology_patient_for_user(
        user=user, patient_public_id=patient_id, purpose="write"
    )
    procedures = {str(p.public_id): p for p in radiology_selectors.imaging_procedure_list()}
    choices = [(key, f"{p.get_modality_display()} · {p.name}") for key, p in procedures.items()]
    encounters = open_encounters(user=user, patient_id=patient_id)
    form = ImagingOrderForm(
        request.POST or None,
        procedures=choices,
        encounters=encounters,
        initial=encounter_initial(encounters),
    )
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        try:
            order = radiology_services.imaging_order_create(
                actor=user,
                patient=patient,
                procedure=procedures[cleaned["procedure"]],
                clinical_indication=cleaned["clinical_indication"],
                priority=cleaned["priority"],
                laterality=cleaned["laterality"] or Laterality.NONE,
                notes=cleaned["notes"],
                encounter=encounter_chosen(encounters, cleaned["encounter"]),
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request, f"Sent to radiology: {order.procedure.name} ({order.accession_number})."
            )
            return redirect("web:workspace-results-patient", patient_id=patient.public_id)
    context = {"patient": patient, "form": form}
    return render(
        request, "web/workspace/imaging_order.html", context, status=form_status(request, form)
    )
