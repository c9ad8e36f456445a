"""The discharge summary form of the doctor workspace: diagnoses picked from the patient's
recorded diagnoses or searched in ICD-10, procedures, medicines on discharge (the current
medicines to start with, editable), the follow-up and instructions for the patient. The
inpatient service checks completeness when the doctor signs."""

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError

from hms.clinical.icd10 import icd10_lookup
from hms.web.forms import ServiceErrorsMixin

SAVE_DRAFT = "draft"
SIGN = "sign"
CODE_ROWS = 2
MEDICINE_EXTRA_ROWS = 2
MEDICINE_MAX_ROWS = 30


def _area(rows: int, placeholder: str) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "placeholder": placeholder})


class DischargeSummaryForm(ServiceErrorsMixin, forms.Form):
    recorded_diagnoses = forms.MultipleChoiceField(
        label="The patient's recorded diagnoses",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    procedures = forms.CharField(
        label="Procedures",
        required=False,
        max_length=8000,
        widget=_area(3, "One per line, e.g. Chest X-ray"),
    )
    hospital_course = forms.CharField(
        label="Course in hospital",
        required=False,
        max_length=20000,
        widget=_area(4, "What happened during the stay"),
    )
    follow_up = forms.CharField(
        label="Follow-up plan",
        required=False,
        max_length=4000,
        widget=_area(2, "e.g. GP review in one week; or: no follow-up needed"),
    )
    follow_up_date = forms.DateField(
        label="Follow-up date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    follow_up_clinic = forms.CharField(
        label="Follow-up clinic",
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Chest clinic"}),
    )
    instructions = forms.CharField(
        label="Instructions for the patient",
        required=False,
        max_length=8000,
        widget=_area(3, "e.g. Finish the antibiotics; come back if breathless"),
    )
    action = forms.ChoiceField(choices=[(SAVE_DRAFT, "Save draft"), (SIGN, "Sign")])

    def __init__(self, *args, diagnosis_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recorded_diagnoses"].choices = list(diagnosis_choices)
        self.fields["follow_up"].conditionally_required = True  # to sign

    @property
    def signing(self) -> bool:
        return self.cleaned_data.get("action") == SIGN

    def procedure_list(self) -> list[str]:
        text = self.cleaned_data.get("procedures") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    def add_validation_error(self, exc: DjangoValidationError) -> None:
        """The service's messages next to the fields they concern; diagnoses next to the
        recorded ones, medicines above the form."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for name, errors in exc.message_dict.items():
            if name == "diagnoses":
                self.add_error("recorded_diagnoses", errors)
            elif name in self.fields:
                self.add_error(name, errors)
            elif name == "medications_on_discharge":
                self.add_error(None, [f"Medicines on discharge: {e}" for e in errors])
            else:
                self.add_error(None, errors)


class Icd10CodeForm(forms.Form):
    """Another diagnosis, searched in ICD-10 (the option's text is "J18.9 · Pneumonia…"; the
    code is its first word)."""

    code = forms.CharField(label="Other diagnosis", required=False, max_length=300)

    def clean_code(self):
        raw = self.cleaned_data["code"].strip()
        if not raw:
            return ""
        try:
            return icd10_lookup(raw.split()[0]).code
        except DjangoValidationError as error:
            raise forms.ValidationError(error.messages) from error


Icd10CodeFormSet = forms.formset_factory(
    Icd10CodeForm, extra=CODE_ROWS, max_num=10, validate_max=True
)


class DischargeMedicineForm(forms.Form):
    """One medicine on discharge; an empty row is ignored."""

    drug = forms.CharField(label="Medicine", required=False, max_length=200)
    dose = forms.CharField(label="Dose", required=False, max_length=64)
    frequency = forms.CharField(label="How often", required=False, max_length=64)
    duration = forms.CharField(label="Duration", required=False, max_length=64)
    instructions = forms.CharField(label="Instructions", required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # a row is optional as a whole (said above it)
            field.conditionally_required = True

    def clean(self):
        cleaned = super().clean()
        if any(cleaned.get(n) for n in ("dose", "frequency", "duration", "instructions")) and not (
            cleaned.get("drug") or "drug" in self.errors
        ):
            self.add_error("drug", "Name the medicine for this row, or clear the row.")
        return cleaned

    def row(self) -> dict | None:
        data = getattr(self, "cleaned_data", {})
        if not data.get("drug"):
            return None
        return {name: (data.get(name) or "").strip() for name in self.fields}


DischargeMedicineFormSet = forms.formset_factory(
    DischargeMedicineForm,
    extra=MEDICINE_EXTRA_ROWS,
    max_num=MEDICINE_MAX_ROWS,
    validate_max=True,
)
