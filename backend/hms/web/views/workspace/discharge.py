"""The discharge summary of an admitted patient: written as a draft, then signed by the doctor
(hms.inpatient's service checks it is complete). The ward discharges from the desktop client
once it is signed."""

from django.contrib import messages
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from hms.clinical import selectors as clinical_selectors
from hms.core.errors import ApplicationError
from hms.inpatient import selectors as inpatient_selectors
from hms.inpatient import services as inpatient_services
from hms.pharmacy.selectors import active_prescription_items_for_patient
from hms.web.discharge_forms import (
    SIGN,
    DischargeMedicineFormSet,
    DischargeSummaryForm,
    Icd10CodeFormSet,
)
from hms.web.navigation import WORKSPACE_ROLES
from hms.web.views.base import chart_errors_as_http, portal_page, table_permission


def _diagnosis_choices(*, user, patient) -> list[tuple[str, str]]:
    """The patient's recorded diagnoses, one per code, newest first."""
    seen, choices = set(), []
    for diagnosis in clinical_selectors.diagnosis_list(
        user=user, filters={"patient": patient.public_id}
    ):
        if diagnosis.code in seen:
            continue
        seen.add(diagnosis.code)
        when = timezone.localtime(diagnosis.diagnosed_at)
        label = (
            f"{diagnosis.code} · {diagnosis.title} "
            f"({diagnosis.get_type_display().lower()}, {when:%d %b %Y})"
        )
        choices.append((diagnosis.code, label))
    return choices


def _current_medicines(patient) -> list[dict]:
    """The patient's current medicines as rows of the form, to edit into the discharge list."""
    rows = []
    for item in active_prescription_items_for_patient(patient):
        rows.append(
            {
                "drug": str(item.drug),
                "dose": f"{item.dose.normalize():f} {item.dose_unit}".strip(),
                "frequency": item.get_frequency_display(),
                "duration": f"{item.duration_days} days" if item.duration_days else "",
                "instructions": item.instructions,
            }
        )
    return rows


def _initial(summary, *, choices, encounter_codes, patient):
    """What the form starts with: the saved summary, or for a new one the diagnoses of this
    stay and the current medicines."""
    recorded = {code for code, _label in choices}
    if summary is None:
        form = {"recorded_diagnoses": [c for c in encounter_codes if c in recorded]}
        return form, [], _current_medicines(patient)
    codes = [d["code"] for d in summary.diagnoses]
    form = {
        "recorded_diagnoses": [c for c in codes if c in recorded],
        "procedures": "\n".join(summary.procedures),
        "hospital_course": summary.hospital_course,
        "follow_up": summary.follow_up,
        "follow_up_date": summary.follow_up_date,
        "follow_up_clinic": summary.follow_up_clinic,
        "instructions": summary.instructions,
    }
    others = [{"code": c} for c in codes if c not in recorded]
    return form, others, list(summary.medications_on_discharge)


@portal_page(WORKSPACE_ROLES)
@table_permission("discharge_summaries", "write")
@chart_errors_as_http
@require_http_methods(["GET", "POST"])
def workspace_discharge_summary(request, patient_id):
    """Write, save as a draft, and sign the discharge summary of the patient's current
    admission. The chart is opened for writing (patients in the doctor's care, or an
    emergency grant); a patient who is not admitted gets a page that says so."""
    user = request.user
    patient = clinical_selectors.clinical_patient_get(
        user=user, patient_id=patient_id, purpose="write"
    )
    admission = inpatient_selectors.active_admission_of(patient=patient)
    if admission is None:
        context = {"patient": patient, "admission": None}
        return render(request, "web/workspace/discharge_summary.html", context, status=404)
    summary = getattr(admission, "discharge_summary", None)
    choices = _diagnosis_choices(user=user, patient=patient)
    encounter_codes = [
        d.code for d in admission.encounter.diagnoses.all().order_by("diagnosed_at", "id")
    ]
    initial, other_codes, medicines = _initial(
        summary, choices=choices, encounter_codes=encounter_codes, patient=patient
    )
    data = request.POST if request.method == "POST" else None
    form = DischargeSummaryForm(data, initial=initial, diagnosis_choices=choices)
    codes = Icd10CodeFormSet(data, initial=other_codes, prefix="dx")
    medicine_rows = DischargeMedicineFormSet(data, initial=medicines, prefix="med")
    if data is not None and all(f.is_valid() for f in (form, codes, medicine_rows)):
        diagnoses = list(form.cleaned_data["recorded_diagnoses"])
        diagnoses += [row["code"] for row in codes.cleaned_data if row.get("code")]
        try:
            summary = inpatient_services.discharge_summary_save(
                actor=user,
                admission=admission,
                diagnoses=[{"code": code} for code in diagnoses],
                procedures=form.procedure_list(),
                medications_on_discharge=[
                    row for row in (f.row() for f in medicine_rows.forms) if row is not None
                ],
                follow_up=form.cleaned_data["follow_up"],
                follow_up_date=form.cleaned_data["follow_up_date"],
                follow_up_clinic=form.cleaned_data["follow_up_clinic"],
                instructions=form.cleaned_data["instructions"],
                hospital_course=form.cleaned_data["hospital_course"],
                finalise=form.signing,
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        except DjangoValidationError as exc:
            form.add_validation_error(exc)
        else:
            if form.signing:
                messages.success(
                    request, "Discharge summary signed. The ward can now discharge the patient."
                )
            else:
                messages.success(request, "Draft saved. Sign it when it is complete.")
            url = reverse("web:workspace-discharge-summary", args=[patient.public_id])
            return redirect(url)
    if data is not None and data.get("action") == SIGN:
        form.add_error(
            None, "The summary was not signed: complete the fields marked below, then sign."
        )
    status = 400 if data is not None else 200
    context = {
        "patient": patient,
        "admission": admission,
        "summary": summary,
        "form": form,
        "codes": codes,
        "medicines": medicine_rows,
    }
    return render(request, "web/workspace/discharge_summary.html", context, status=status)
