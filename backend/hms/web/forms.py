"""Portal forms: they parse and check input; services do the writes and the business rules."""

from decimal import Decimal

from django import forms
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone

from hms.appointments.models import VisitType
from hms.clinical.icd10 import icd10_lookup
from hms.clinical.models import DiagnosisType, DocumentType
from hms.core.errors import ApplicationError
from hms.inpatient.models import WardType
from hms.laboratory.models import LabPriority
from hms.patients.models import AllergyCategory, AllergySeverity, Sex
from hms.patients.services import BREAK_GLASS_REASON_MIN_LENGTH
from hms.pharmacy.models import Frequency
from hms.radiology.models import Laterality, Priority


class ServiceErrorsMixin:
    """Put an ApplicationError's field messages next to the matching fields."""

    service_field_map: dict[str, str] = {}

    def add_service_error(self, exc: ApplicationError) -> None:
        placed = False
        for name, messages in (exc.fields or {}).items():
            field = self.service_field_map.get(name, name)
            if field in self.fields:
                for message in messages if isinstance(messages, list | tuple) else [messages]:
                    self.add_error(field, str(message))
                placed = True
        if not placed:
            self.add_error(None, exc.message)

    def add_validation_error(self, exc: DjangoValidationError) -> None:
        """A service's Django ValidationError: field messages next to the form's fields of that
        name, the rest above the form."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for name, errors in exc.message_dict.items():
            self.add_error(name if name in self.fields else None, errors)


def _text(label: str, autocomplete: str, *, required: bool = True, max_length: int = 150, **kw):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.TextInput(attrs={"autocomplete": autocomplete, **kw}),
    )


def _password(label: str, autocomplete: str = "new-password"):
    return forms.CharField(
        label=label,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class NewPasswordTwiceMixin:
    """A new password typed twice (`password_fields`): the second must match the first."""

    password_fields = ("password1", "password2")

    def clean(self):
        cleaned = super().clean()
        first_name, second_name = self.password_fields
        first, second = cleaned.get(first_name), cleaned.get(second_name)
        if first and second and first != second:
            self.add_error(second_name, "The two passwords are not the same.")
        return cleaned


class SignInForm(forms.Form):
    username = forms.CharField(max_length=150, widget=forms.TextInput(attrs={"autofocus": True}))
    password = forms.CharField(strip=False, widget=forms.PasswordInput)


class SignUpForm(NewPasswordTwiceMixin, ServiceErrorsMixin, forms.Form):
    service_field_map = {"password": "password1"}

    first_name = _text("First name", "given-name")
    last_name = _text("Last name", "family-name")
    date_of_birth = forms.DateField(
        label="Date of birth",
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
    )
    sex = forms.ChoiceField(
        label="Sex",
        choices=[
            ("", "Prefer not to say"),
            *((v, label) for v, label in Sex.choices if v != Sex.UNKNOWN),
        ],
        required=False,
        widget=forms.Select(attrs={"autocomplete": "sex"}),
    )
    email = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = _text("Phone", "tel", required=False, max_length=32, inputmode="tel")
    username = forms.CharField(
        label="Username",
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    password1 = _password("Password")
    password2 = _password("Repeat the password")

    def clean_username(self):
        return self.cleaned_data["username"].strip()


class ProfileForm(ServiceErrorsMixin, forms.Form):
    first_name = _text("First name", "given-name")
    last_name = _text("Last name", "family-name")
    email = forms.EmailField(
        label="Email", required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = _text("Phone", "tel", required=False, max_length=32, inputmode="tel")


class PasswordChangeForm(NewPasswordTwiceMixin, ServiceErrorsMixin, forms.Form):
    service_field_map = {"password": "new_password1"}
    password_fields = ("new_password1", "new_password2")

    current_password = _password("Current password", "current-password")
    new_password1 = _password("New password")
    new_password2 = _password("Repeat the new password")


class PortalPasswordResetForm(PasswordResetForm):
    email = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class PortalSetPasswordForm(SetPasswordForm):
    """Django's form with plain help text (the template shows the rules in one sentence)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("new_password1", "new_password2"):
            self.fields[name].help_text = ""
        self.fields["new_password2"].label = "Repeat the new password"


class DocumentUploadForm(ServiceErrorsMixin, forms.Form):
    file = forms.FileField(
        label="File",
        help_text="PDF, PNG, JPEG or DICOM.",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.png,.jpg,.jpeg,.dcm,application/pdf,image/png,image/jpeg"}
        ),
    )
    doc_type = forms.ChoiceField(label="Type", choices=DocumentType.choices)
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Blood test from my GP, March"}),
    )


class PatientSearchForm(forms.Form):
    q = forms.CharField(
        label="Search your patients",
        required=False,
        max_length=100,
        widget=forms.SearchInput(
            attrs={"placeholder": "Name, MRN or phone", "autocomplete": "off"}
        ),
    )


class BookingForm(ServiceErrorsMixin, forms.Form):
    """Pick a specialization, a doctor, a day and one of the doctor's free slots.

    The choices come from the view (live availability), so the form only checks that what was
    posted is one of them; appointment_book re-checks everything under a lock.
    """

    specialization = forms.ChoiceField(label="Specialization")
    doctor = forms.ChoiceField(label="Doctor")
    date = forms.DateField(label="Day", widget=forms.DateInput(attrs={"type": "date"}))
    slot = forms.ChoiceField(label="Time", widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Reason for the visit",
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Check-up, cough for two weeks"}),
    )
    # In person unless the patient picks a teleconsult.
    visit_type = forms.ChoiceField(
        label="How",
        choices=VisitType.choices,
        initial=VisitType.IN_PERSON,
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, specializations=(), doctors=(), slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        pick = ("", "Choose…")
        self.fields["specialization"].choices = [pick, *((s, s) for s in specializations)]
        self.fields["doctor"].choices = [pick, *doctors]
        self.fields["slot"].choices = list(slots)

    def clean_visit_type(self) -> str:
        return self.cleaned_data.get("visit_type") or VisitType.IN_PERSON


class CancelAppointmentForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(label="Why are you cancelling?", min_length=3, max_length=500)


# --- Doctor workspace --------------------------------------------------------------------------


class BreakGlassForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label="Why do you need this chart now?",
        min_length=BREAK_GLASS_REASON_MIN_LENGTH,
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "e.g. Unconscious in the emergency department"}
        ),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


NEW_ENCOUNTER = "new"


class VisitNoteForm(ServiceErrorsMixin, forms.Form):
    """The note and the encounter it belongs to (an open one of this doctor, or a new
    outpatient visit). The diagnoses come in DiagnosisFormSet beside it."""

    encounter = forms.ChoiceField(label="Visit")
    notes = forms.CharField(
        label="Note",
        max_length=50_000,
        widget=forms.Textarea(
            attrs={"rows": 8, "placeholder": "History, examination, assessment and plan"}
        ),
    )

    def __init__(self, *args, encounters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["encounter"].choices = [
            *((str(e.public_id), _encounter_label(e)) for e in encounters),
            (NEW_ENCOUNTER, "New outpatient visit, starting now"),
        ]


class ConsultNoteForm(ServiceErrorsMixin, forms.Form):
    """The visit note written from the consult page: it goes on the consult's encounter."""

    notes = forms.CharField(
        label="Note",
        max_length=50_000,
        widget=forms.Textarea(
            attrs={"rows": 6, "placeholder": "History, examination, assessment and plan"}
        ),
    )


class ChartConversationForm(forms.Form):
    """A patient starts (or reopens) the conversation with one of the doctors caring for them."""

    doctor = forms.ChoiceField(label="Doctor")

    def __init__(self, *args, doctors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["doctor"].choices = [("", "Choose…"), *doctors]


def _encounter_label(encounter) -> str:
    started = timezone.localtime(encounter.started_at)
    return f"{encounter.get_type_display()} started {started:%d %b %Y %H:%M} (open)"


class DiagnosisForm(forms.Form):
    """One diagnosis row: an ICD-10 code, typed or picked from the search (the option's text is
    "J45.9 · Asthma, unspecified"; the code is its first word), checked against the WHO list."""

    code = forms.CharField(
        label="ICD-10 diagnosis",
        required=False,
        max_length=300,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "placeholder": "Code or words, e.g. J45.9 or asthma",
                "spellcheck": "false",
            }
        ),
    )
    type = forms.ChoiceField(
        label="Certainty", choices=DiagnosisType.choices, initial=DiagnosisType.PROVISIONAL
    )

    def clean_code(self):
        raw = self.cleaned_data["code"].strip()
        if not raw:
            return ""
        code = raw.split()[0]
        try:
            return icd10_lookup(code).code
        except DjangoValidationError as error:
            raise forms.ValidationError(error.messages) from error


DIAGNOSIS_ROWS = 3
DiagnosisFormSet = forms.formset_factory(
    DiagnosisForm, extra=DIAGNOSIS_ROWS, max_num=DIAGNOSIS_ROWS, validate_max=True
)


# --- Staff pages -------------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    date = forms.DateField(
        label="Day",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    doctor = forms.ChoiceField(label="Doctor", required=False)

    def __init__(self, *args, doctors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["doctor"].choices = [("", "All doctors"), *doctors]


# --- Prescribing -------------------------------------------------------------------------------

NO_ENCOUNTER = ""


class PrescriptionForm(ServiceErrorsMixin, forms.Form):
    """The prescription's own fields; its medicines come in PrescriptionItemFormSet beside it.
    The override reason is asked for only when the safety checks find something severe."""

    encounter = forms.ChoiceField(label="Visit", required=False)
    note = forms.CharField(
        label="Note to the pharmacy",
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Patient prefers liquid forms"}),
    )
    override_reason = forms.CharField(
        label="Reason to prescribe despite the severe warnings",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, encounters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["encounter"].choices = [
            *((str(e.public_id), _encounter_label(e)) for e in encounters),
            (NO_ENCOUNTER, "Not linked to a visit"),
        ]
        self.fields["override_reason"].conditionally_required = True  # when shown


class PrescriptionItemForm(forms.Form):
    """One medicine. A row without a drug is ignored (unless something else was typed in it);
    quantity may be left empty when the pharmacy can work it out from dose and duration."""

    drug = forms.ChoiceField(label="Medicine", required=False)
    # The picker's search box: what was typed to find the medicine (the type-ahead's query,
    # and without JavaScript the words the "Find" button looks up).
    # It holds the chosen medicine's full name once picked, hence the room.
    drug_search = forms.CharField(label="Find a medicine", required=False, max_length=500)
    dose = forms.DecimalField(
        label="Dose",
        required=False,
        min_value=Decimal("0.0001"),
        max_value=Decimal(10**7),
        max_digits=12,
        decimal_places=4,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    dose_unit = forms.CharField(
        label="Unit",
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={"placeholder": "the drug's"}),
    )
    frequency = forms.ChoiceField(
        label="How often", required=False, choices=[("", "Choose…"), *Frequency.choices]
    )
    duration_days = forms.IntegerField(label="Days", required=False, min_value=1, max_value=3650)
    quantity = forms.IntegerField(label="Quantity", required=False, min_value=1, max_value=100_000)
    instructions = forms.CharField(
        label="Instructions",
        required=False,
        max_length=1000,
        widget=forms.TextInput(attrs={"placeholder": "e.g. After food"}),
    )

    def __init__(self, *args, drugs=None, **kwargs):
        """`drugs`: the formulary's active products this submission names ({id: Drug}); any
        other id is not a valid choice. The formulary is searched, never listed whole."""
        super().__init__(*args, **kwargs)
        self.fields["drug"].choices = [
            ("", "Choose a medicine…"),
            *((key, str(drug)) for key, drug in (drugs or {}).items()),
        ]
        for name in ("drug", "dose", "frequency"):  # required once the row is used
            self.fields[name].conditionally_required = True

    def clean(self):
        cleaned = super().clean()
        filled = [n for n, v in cleaned.items() if n != "drug" and v not in (None, "")]
        if not cleaned.get("drug"):
            if filled and "drug" not in self.errors:
                self.add_error("drug", "Choose the medicine for this row.")
            return cleaned
        for name in ("dose", "frequency"):
            if cleaned.get(name) in (None, "") and name not in self.errors:
                self.add_error(name, "This field is required.")
        return cleaned

    @property
    def is_used(self) -> bool:
        return bool(getattr(self, "cleaned_data", {}).get("drug"))


class _ItemFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        if not any(form.is_used for form in self.forms):
            raise forms.ValidationError("Choose at least one medicine.")


PRESCRIPTION_ROWS = 3
PrescriptionItemFormSet = forms.formset_factory(
    PrescriptionItemForm,
    formset=_ItemFormSet,
    extra=PRESCRIPTION_ROWS,
    max_num=PRESCRIPTION_ROWS,
    validate_max=True,
)


# --- Orders --------------------------------------------------------------------------------------


class _OrderForm(ServiceErrorsMixin, forms.Form):
    encounter = forms.ChoiceField(label="Visit", required=False)

    def __init__(self, *args, encounters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["encounter"].choices = [
            *((str(e.public_id), _encounter_label(e)) for e in encounters),
            (NO_ENCOUNTER, "Not linked to a visit"),
        ]


class LabOrderForm(_OrderForm):
    """Tests and panels from the laboratory's catalogue (one order each)."""

    tests = forms.MultipleChoiceField(label="Tests and panels", widget=forms.CheckboxSelectMultiple)
    priority = forms.ChoiceField(
        label="Priority", choices=LabPriority.choices, initial=LabPriority.ROUTINE
    )
    clinical_notes = forms.CharField(
        label="Clinical notes for the laboratory",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "e.g. On warfarin; fasting"}),
    )

    field_order = ["tests", "priority", "clinical_notes", "encounter"]

    def __init__(self, *args, tests=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tests"].choices = list(tests)


class ImagingOrderForm(_OrderForm):
    procedure = forms.ChoiceField(label="Examination")
    laterality = forms.ChoiceField(
        label="Side", required=False, choices=Laterality.choices, initial=Laterality.NONE
    )
    priority = forms.ChoiceField(
        label="Priority", choices=Priority.choices, initial=Priority.ROUTINE
    )
    clinical_indication = forms.CharField(
        label="Clinical question",
        min_length=3,
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": "e.g. Fever and cough for 2 weeks: pneumonia?"}
        ),
    )
    notes = forms.CharField(
        label="Notes for radiology",
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Claustrophobic; pregnant?"}),
    )

    field_order = ["procedure", "laterality", "priority", "clinical_indication", "notes"]

    def __init__(self, *args, procedures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = [("", "Choose an examination…"), *procedures]


# --- Prescription assistant --------------------------------------------------------------------


class AnalysisForm(ServiceErrorsMixin, forms.Form):
    """Analyse one of the patient's prescriptions on record, or a prescription typed in."""

    prescription = forms.ChoiceField(label="A prescription on record", required=False)
    text = forms.CharField(
        label="Or the prescription text",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(
            attrs={
                "rows": 5,
                "placeholder": "e.g. Amoxicillin 500 mg three times a day for 7 days\n"
                "Ibuprofen 400 mg as needed",
            }
        ),
    )

    def __init__(self, *args, prescriptions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prescription"].choices = [("", "None: analyse the text below"), *prescriptions]

    def clean(self):
        cleaned = super().clean()
        given = [name for name in ("prescription", "text") if (cleaned.get(name) or "").strip()]
        if len(given) != 1 and not self.errors:
            raise forms.ValidationError(
                "Choose a prescription on record or type one in (one of the two)."
            )
        return cleaned


class WardTypeFilterForm(forms.Form):
    type = forms.ChoiceField(
        label="Ward type", required=False, choices=[("", "All wards"), *WardType.choices]
    )


# --- The chart's lists: medicines, problems, allergies ------------------------------------------


class MedicationStopForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label="Why stop it?",
        min_length=3,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Rash after two doses"}),
    )


class MedicationRenewForm(ServiceErrorsMixin, forms.Form):
    override_reason = forms.CharField(
        label="Reason to renew despite the severe warnings",
        required=False,
        max_length=1000,
        widget=forms.TextInput(attrs={"placeholder": "Only needed after a severe warning"}),
    )


class ProblemForm(ServiceErrorsMixin, forms.Form):
    """A problem: an ICD-10 code typed or picked from the search (the option's text is
    "I10 · Essential (primary) hypertension"; the code is its first word), onset and a note."""

    code = forms.CharField(
        label="ICD-10 problem",
        max_length=300,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "placeholder": "Code or words, e.g. I10 or hypertension",
                "spellcheck": "false",
            }
        ),
    )
    onset_date = forms.DateField(
        label="Onset", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(label="Note", required=False, max_length=2000, widget=forms.TextInput())

    def clean_code(self):
        raw = self.cleaned_data["code"].strip()
        code = raw.split()[0] if raw else ""
        try:
            return icd10_lookup(code).code
        except DjangoValidationError as error:
            raise forms.ValidationError(error.messages) from error


class ProblemResolveForm(ServiceErrorsMixin, forms.Form):
    resolved_date = forms.DateField(
        label="Resolved on", widget=forms.DateInput(attrs={"type": "date"})
    )


class AllergyEditForm(ServiceErrorsMixin, forms.Form):
    severity = forms.ChoiceField(label="Severity", choices=AllergySeverity.choices)
    reaction = forms.CharField(
        label="Reaction",
        required=False,
        max_length=255,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Hives, anaphylaxis"}),
    )


class AllergyForm(AllergyEditForm):
    """A new allergy (staff) or one the patient reports from the portal."""

    substance = forms.CharField(
        label="Substance",
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Penicillin, peanuts, latex"}),
    )
    category = forms.ChoiceField(
        label="Kind", choices=AllergyCategory.choices, initial=AllergyCategory.MEDICATION
    )
    note = forms.CharField(label="Note", required=False, max_length=2000)

    field_order = ["substance", "category", "severity", "reaction", "note"]


class AllergyVoidForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label="What was wrong?",
        max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Recorded on the wrong patient"}),
    )
