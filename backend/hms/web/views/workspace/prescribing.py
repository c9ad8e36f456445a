"""Prescribing with the pharmacy's safety checks, and the prescriptions a doctor wrote."""

import re

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from hms.core.errors import ApplicationError, ConflictError
from hms.core.services import audit_page_read
from hms.patients import selectors as patient_selectors
from hms.patients.access import ChartSection, patient_get_for_user
from hms.pharmacy import safety as pharmacy_safety
from hms.pharmacy import selectors as pharmacy_selectors
from hms.pharmacy import services as pharmacy_services
from hms.pharmacy.services import OVERRIDE_REASON_MIN_LENGTH
from hms.web.forms import PrescriptionForm, PrescriptionItemFormSet
from hms.web.navigation import WORKSPACE_ROLES
from hms.web.views.base import chart_errors_as_http, paginate, portal_page, table_permission
from hms.web.views.workspace.catalogue import QUERY_MAX_LENGTH as SEARCH_MAX_LENGTH
from hms.web.views.workspace.catalogue import medicine_label, stock_hint
from hms.web.views.workspace.common import (
    encounter_chosen,
    encounter_initial,
    open_encounters,
    severe,
)

DRUG_FIELD = re.compile(r"^rx-\d+-drug$")


def _chosen_drugs(data) -> dict:
    """The active drugs the submitted rows name: {id: Drug} with their stock (one query)."""
    if data is None:
        return {}
    return pharmacy_selectors.drugs_by_public_ids(
        value for key, value in data.items() if DRUG_FIELD.match(key)
    )


def _attach_drug_options(formset, drugs: dict, data) -> None:
    """Each row's medicine <option>s: the chosen medicine, and for a row with search words
    but no medicine (the "Find" button without JavaScript) the matches of those words."""
    for index, row in enumerate(formset.forms):
        prefix = f"{formset.prefix}-{index}"
        chosen = drugs.get((data or {}).get(f"{prefix}-drug") or "")
        search = ((data or {}).get(f"{prefix}-drug_search") or "").strip()[:SEARCH_MAX_LENGTH]
        options = [chosen] if chosen else []
        if data is not None and chosen is None and search:
            options += pharmacy_selectors.drug_search(q=search)
        row.drug_chosen = chosen
        row.drug_options = [
            {"value": str(drug.public_id), "label": medicine_label(drug), "stock": stock_hint(drug)}
            for drug in options
        ]
        row.drug_searched = data is not None and chosen is None and bool(search)


OPTIONAL_ITEM_FIELDS = ("dose_unit", "duration_days", "quantity", "instructions")


def _prescription_items(formset, drugs: dict) -> tuple[list[dict], list[int]]:
    """The filled rows as the pharmacy's service takes them, and the row index of each (to
    put the service's per-item errors back on the right row). Rows that failed their own
    checks still give what they have, so the safety panel can warn early."""
    items, rows = [], []
    for index, form in enumerate(formset.forms):
        cleaned = getattr(form, "cleaned_data", None) or {}
        drug = drugs.get(cleaned.get("drug") or "")
        if drug is None:
            continue
        item = {"drug": drug, "dose": cleaned.get("dose"), "frequency": cleaned.get("frequency")}
        item.update(
            {
                name: cleaned[name]
                for name in OPTIONAL_ITEM_FIELDS
                if cleaned.get(name) not in (None, "")
            }
        )
        items.append(item)
        rows.append(index)
    return items, rows


def _safety_warnings(*, patient, items: list[dict]) -> list[dict]:
    if not items:
        return []
    return [
        warning.as_dict()
        for warning in pharmacy_safety.prescription_safety_warnings(patient=patient, items=items)
    ]


def _place_item_errors(exc: ApplicationError, *, form, formset, rows: list[int]) -> None:
    """The service's errors: per item ({"items": {i: {field: [...]}}}) on that row's fields,
    the rest next to the prescription's fields or above the form."""
    fields = dict(exc.fields or {})
    per_item = fields.pop("items", None)
    placed = False
    if isinstance(per_item, dict):
        for index, errors in per_item.items():
            row = formset.forms[rows[int(index)]]
            for name, messages_ in errors.items():
                row.add_error(name if name in row.fields else None, messages_)
                placed = True
    elif per_item:
        formset._non_form_errors = formset.error_class(
            per_item if isinstance(per_item, list) else [per_item]
        )
        placed = True
    for name, messages_ in fields.items():
        form.add_error(name if name in form.fields else None, messages_)
        placed = True
    if not placed:
        form.add_error(None, exc.message)


def _prescribing_context(request, patient_id) -> dict:
    """What the prescribing page and its live check both need: the chart's medications
    opened for writing, the formulary and the bound forms."""
    user = request.user
    patient = pharmacy_selectors.medications_patient_for_user(
        user=user, patient_public_id=patient_id, purpose="write"
    )
    data = request.POST if request.method == "POST" else None
    drugs = _chosen_drugs(data)
    formset = PrescriptionItemFormSet(data, prefix="rx", form_kwargs={"drugs": drugs})
    return {"patient": patient, "drugs": drugs, "formset": formset}


@portal_page(WORKSPACE_ROLES)
@table_permission("prescriptions", "create")
@chart_errors_as_http
@require_http_methods(["GET", "POST"])
def workspace_prescribe(request, patient_id):
    """Prescribe with the pharmacy's safety checks shown as the form is filled (htmx) and on
    submit; a severe warning needs an override reason, which the service records and audits."""
    user = request.user
    context = _prescribing_context(request, patient_id)
    patient, formset = context["patient"], context["formset"]
    allergy_chart = patient_get_for_user(
        user=user, patient_public_id=patient_id, section=ChartSection.ALLERGIES
    )
    allergies = [
        a for a in patient_selectors.allergy_list(patient=allergy_chart) if a.status == "active"
    ]
    encounters = open_encounters(user=user, patient_id=patient_id)
    data = request.POST if request.method == "POST" else None
    form = PrescriptionForm(data, encounters=encounters, initial=encounter_initial(encounters))
    warnings: list[dict] = []
    items: list[dict] = []
    finding = request.method == "POST" and "find" in request.POST
    if finding:
        # Without JavaScript, "Find" looks the typed words up: the page comes back with the
        # matches in that row's medicine list and nothing is checked or sent.
        form.is_valid()
    elif request.method == "POST":
        form_ok, items_ok = form.is_valid(), formset.is_valid()
        items, rows = _prescription_items(formset, context["drugs"])
        warnings = _safety_warnings(patient=patient, items=items)
        if form_ok and items_ok:
            cleaned = form.cleaned_data
            encounter = encounter_chosen(encounters, cleaned["encounter"])
            try:
                prescription = pharmacy_services.prescription_create(
                    actor=user,
                    patient=patient,
                    items=items,
                    encounter=encounter,
                    note=cleaned["note"],
                    override_reason=cleaned["override_reason"],
                )
            except ConflictError as exc:
                if exc.code != "safety_override_required":
                    raise
                warnings = exc.extra.get("warnings", warnings)
                form.add_error("override_reason", exc.message)
            except ApplicationError as exc:
                _place_item_errors(exc, form=form, formset=formset, rows=rows)
            else:
                count = len(items)
                messages.success(
                    request,
                    f"Prescription sent to the pharmacy ({count} medicine"
                    f"{'s' if count != 1 else ''}).",
                )
                if prescription.override_reason:
                    messages.warning(
                        request, "Severe safety warnings were overridden; your reason is recorded."
                    )
                return redirect(
                    f"{reverse('web:workspace-chart', args=[patient.public_id])}#timeline-title"
                )
    _attach_drug_options(formset, context["drugs"], data)
    context.update(
        form=form,
        allergies=allergies,
        warnings=warnings,
        severe=severe(warnings),
        checked=bool(items),
        override_reason_min=OVERRIDE_REASON_MIN_LENGTH,
    )
    status = 400 if request.method == "POST" and not finding else 200
    return render(request, "web/workspace/prescribe.html", context, status=status)


@portal_page(WORKSPACE_ROLES)
@table_permission("prescriptions", "check")
@chart_errors_as_http
@require_http_methods(["POST"])
def workspace_prescribe_check(request, patient_id):
    """The safety panel for the medicines chosen so far (htmx, nothing is written)."""
    context = _prescribing_context(request, patient_id)
    context["formset"].is_valid()
    items, _ = _prescription_items(context["formset"], context["drugs"])
    warnings = _safety_warnings(patient=context["patient"], items=items)
    form = PrescriptionForm(request.POST)
    form.is_valid()
    context.update(
        form=form,
        warnings=warnings,
        severe=severe(warnings),
        checked=bool(items),
        override_reason_min=OVERRIDE_REASON_MIN_LENGTH,
    )
    return render(request, "web/workspace/_rx_safety.html", context)


@portal_page(WORKSPACE_ROLES)
@table_permission("prescriptions", "list")
def workspace_prescriptions(request):
    """The prescriptions this doctor wrote, newest first, with their status at the pharmacy
    and any safety override. One audited read per page."""
    user = request.user
    page = paginate(
        request, pharmacy_selectors.prescription_list(user=user, filters={"mine": True})
    )
    audit_page_read(
        actor=user,
        resource_type="prescription_list",
        patient_ids=sorted({str(p.patient.public_id) for p in page.object_list}),
        count=page.paginator.count,
        detail={"mine": True},
    )
    return render(request, "web/workspace/prescriptions.html", {"page": page})
