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
from hms.assistant import selectors as assistant_selectors
from hms.assistant import services as assistant_services
from hms.clinical import selectors as clinical_selectors
from hms.clinical import services as clinical_services
from hms.clinical.icd10 import icd10_search
from hms.clinical.models import EncounterStatus, EncounterType
from hms.core.errors import ApplicationError, ConflictError
from hms.core.permissions import user_may
from hms.core.services import audit_page_read
from hms.laboratory import selectors as lab_selectors
from hms.laboratory import services as lab_services
from hms.patients import selectors as patient_selectors
from hms.patients import services as patient_services
from hms.patients.access import ChartSection, patient_get_for_user
from hms.pharmacy import safety as pharmacy_safety
from hms.pharmacy import selectors as pharmacy_selectors
from hms.pharmacy import services as pharmacy_services
from hms.pharmacy.safety import Severity
from hms.pharmacy.services import OVERRIDE_REASON_MIN_LENGTH
from hms.radiology import selectors as radiology_selectors
from hms.radiology import services as radiology_services
from hms.radiology.models import Laterality
from hms.web.forms import (
    NEW_ENCOUNTER,
    NO_ENCOUNTER,
    AnalysisForm,
    BreakGlassForm,
    DiagnosisFormSet,
    ImagingOrderForm,
    LabOrderForm,
    PatientSearchForm,
    PrescriptionForm,
    PrescriptionItemFormSet,
    VisitNoteForm,
)
from hms.web.navigation import (
    WORKSPACE_ROLES,
    WORKSPACE_SECTIONS,
    tiles,
)
from hms.web.results import lab_trends, order_results
from hms.web.views.base import (
    break_glass_page,
    chart_errors_as_http,
    form_status,
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


# --- Prescribing -------------------------------------------------------------------------------


def _drug_choices() -> tuple[dict, list[tuple[str, str]]]:
    """The active formulary for the medicine picker: {id: Drug} and the select's choices."""
    drugs = list(pharmacy_selectors.drug_list())
    choices = []
    for drug in drugs:
        label = drug.display_name + (f" ({drug.brand_name})" if drug.brand_name else "")
        if not drug.on_hand_pharmacy:
            label += " · none in the pharmacy"
        choices.append((str(drug.public_id), label))
    return {str(d.public_id): d for d in drugs}, choices


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
    drugs, choices = _drug_choices()
    data = request.POST if request.method == "POST" else None
    formset = PrescriptionItemFormSet(data, prefix="rx", form_kwargs={"drugs": choices})
    return {"patient": patient, "drugs": drugs, "formset": formset}


SEVERE = Severity.SEVERE


def _severe(warnings: list[dict]) -> bool:
    return any(w["severity"] == SEVERE for w in warnings)


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
    encounters = _open_encounters(user=user, patient_id=patient_id)
    initial = {"encounter": str(encounters[0].public_id) if encounters else NO_ENCOUNTER}
    data = request.POST if request.method == "POST" else None
    form = PrescriptionForm(data, encounters=encounters, initial=initial)
    warnings: list[dict] = []
    items: list[dict] = []
    if request.method == "POST":
        form_ok, items_ok = form.is_valid(), formset.is_valid()
        items, rows = _prescription_items(formset, context["drugs"])
        warnings = _safety_warnings(patient=patient, items=items)
        if form_ok and items_ok:
            cleaned = form.cleaned_data
            encounter = next(
                (e for e in encounters if str(e.public_id) == cleaned["encounter"]), None
            )
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
    context.update(
        form=form,
        allergies=allergies,
        warnings=warnings,
        severe=_severe(warnings),
        checked=bool(items),
        override_reason_min=OVERRIDE_REASON_MIN_LENGTH,
    )
    status = 400 if request.method == "POST" else 200
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
        severe=_severe(warnings),
        checked=bool(items),
        override_reason_min=OVERRIDE_REASON_MIN_LENGTH,
    )
    return render(request, "web/workspace/_rx_safety.html", context)


# --- Orders: laboratory and imaging --------------------------------------------------------------


def _encounter_chosen(encounters, choice):
    return next((e for e in encounters if str(e.public_id) == choice), None)


def _order_initial(encounters) -> dict:
    return {"encounter": str(encounters[0].public_id) if encounters else NO_ENCOUNTER}


@portal_page(WORKSPACE_ROLES)
@table_permission("lab_orders", "create")
@chart_errors_as_http
@require_http_methods(["GET", "POST"])
def workspace_lab_order(request, patient_id):
    """Order tests and panels from the laboratory's catalogue (lab_order_create: one order
    each, in the doctor's name)."""
    user = request.user
    patient = patient_get_for_user(
        user=user, patient_public_id=patient_id, section=ChartSection.ORDERS, purpose="write"
    )
    tests = {str(t.public_id): t for t in lab_selectors.lab_test_list()}
    choices = [(key, _lab_test_label(test)) for key, test in tests.items()]
    encounters = _open_encounters(user=user, patient_id=patient_id)
    form = LabOrderForm(
        request.POST or None,
        tests=choices,
        encounters=encounters,
        initial=_order_initial(encounters),
    )
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        try:
            orders = lab_services.lab_order_create(
                actor=user,
                patient=patient,
                tests=[tests[key] for key in cleaned["tests"]],
                priority=cleaned["priority"],
                encounter=_encounter_chosen(encounters, cleaned["encounter"]),
                clinical_notes=cleaned["clinical_notes"],
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            names = ", ".join(order.test.name for order in orders)
            messages.success(request, f"Sent to the laboratory: {names}.")
            return redirect("web:workspace-results-patient", patient_id=patient.public_id)
    context = {"patient": patient, "form": form}
    return render(
        request, "web/workspace/lab_order.html", context, status=form_status(request, form)
    )


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
    encounters = _open_encounters(user=user, patient_id=patient_id)
    form = ImagingOrderForm(
        request.POST or None,
        procedures=choices,
        encounters=encounters,
        initial=_order_initial(encounters),
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
                encounter=_encounter_chosen(encounters, cleaned["encounter"]),
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


# --- Results -----------------------------------------------------------------------------------

LAB_ORDERS_SHOWN = 50
IMAGING_ORDERS_SHOWN = 20


@portal_page(WORKSPACE_ROLES)
@table_permission("lab_orders", "list")
@chart_errors_as_http
def workspace_patient_results(request, patient_id):
    """One patient's laboratory orders with their verified results (abnormal and critical
    flags highlighted, trends of repeated tests) and imaging orders with final reports."""
    user = request.user
    patient = patient_get_for_user(
        user=user, patient_public_id=patient_id, section=ChartSection.ORDERS
    )
    orders = list(
        lab_selectors.lab_orders_for_user(user=user, filters={"patient": patient_id})[
            :LAB_ORDERS_SHOWN
        ]
    )
    imaging = []
    if user_may(user, "imaging_orders", "list"):
        imaging = list(
            radiology_selectors.orders_prefetch_reports(
                radiology_selectors.imaging_order_list(user=user, filters={"patient": patient_id}),
                user=user,
            )[:IMAGING_ORDERS_SHOWN]
        )
    context = {
        "patient": patient,
        "lab": order_results(orders, user),
        "trends": lab_trends(orders, user),
        "imaging": imaging,
        "may_order_lab": user_may(user, "lab_orders", "create"),
        "may_order_imaging": user_may(user, "imaging_orders", "create"),
    }
    return render(request, "web/workspace/results.html", context)


# --- Prescription assistant --------------------------------------------------------------------

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
        "severe": _severe(warnings),
        "explanation": result.get("explanation", ""),
        "fallback": result.get("fallback"),
        "identifiers_removed": result.get("identifiers_removed", 0),
    }
    return render(request, "web/workspace/analysis.html", context)


# --- Across the doctor's patients ----------------------------------------------------------------


@portal_page(WORKSPACE_ROLES)
@table_permission("lab_orders", "list")
def workspace_results(request):
    """The results of the tests and imaging this doctor ordered, newest first: verified lab
    results with their flags (the laboratory's visible_results), and imaging reports. One
    audited read per page, naming the patients on it."""
    user = request.user
    page = paginate(request, lab_selectors.lab_orders_for_user(user=user, filters={"mine": True}))
    imaging = []
    if user_may(user, "imaging_orders", "list"):
        imaging = list(
            radiology_selectors.orders_prefetch_reports(
                radiology_selectors.imaging_order_list(
                    user=user, filters={"ordering_doctor": user.public_id}
                ),
                user=user,
            )[:IMAGING_ORDERS_SHOWN]
        )
    audit_page_read(
        actor=user,
        resource_type="lab_order_list",
        patient_ids=sorted(
            {str(o.patient.public_id) for o in page.object_list}
            | {str(o.patient.public_id) for o in imaging}
        ),
        count=page.paginator.count,
        detail={"mine": True},
    )
    context = {
        "page": page,
        "lab": order_results(page.object_list, user),
        "imaging": imaging,
    }
    return render(request, "web/workspace/results_mine.html", context)


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
