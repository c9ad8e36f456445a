"""Portal pages. Thin: parse the form, call another app's service or selector, render.

Access: `portal_page(roles)` signs the user in and checks the role; every page that shows a
patient's data gets the patient from `hms.patients.access` (scoped and audited there).
"""

from datetime import date, datetime, timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from hms.accounts import services as account_services
from hms.accounts.views import session_logout
from hms.appointments import selectors as appointment_selectors
from hms.appointments import services as appointment_services
from hms.appointments.models import AppointmentStatus
from hms.clinical import selectors as clinical_selectors
from hms.clinical import services as clinical_services
from hms.core.errors import ApplicationError, ForbiddenError, NotFoundError
from hms.core.roles import Role
from hms.core.services import audit_page_read
from hms.patients import selectors as patient_selectors
from hms.patients.access import ChartSection, patient_get_for_user, patients_visible_to
from hms.patients.models import Sex
from hms.web import selectors as web_selectors
from hms.web.forms import (
    BookingForm,
    CancelAppointmentForm,
    DocumentUploadForm,
    PasswordChangeForm,
    PatientSearchForm,
    PortalPasswordResetForm,
    PortalSetPasswordForm,
    ProfileForm,
    SignUpForm,
)
from hms.web.navigation import (
    PORTAL_ROLES,
    PORTAL_SECTIONS,
    WORKSPACE_ROLES,
    WORKSPACE_SECTIONS,
    home_url_name_for,
    tiles,
)

SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


def portal_page(roles=None):
    """Signed-in users only (others go to the sign-in page); `roles` limits who may open it
    (others get 403). Pages are never cached: they show personal data."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if roles is not None and request.user.role not in roles:
                raise PermissionDenied("This page is not part of your role's portal.")
            return view(request, *args, **kwargs)

        return never_cache(login_required(wrapped))

    return decorator


def chart_errors_as_http(view):
    """The access module's answers as pages: 404 for a chart that is not yours (or does not
    exist), 403 with its explanation for a section or a patient outside your care."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFoundError as exc:
            raise Http404(exc.message) from exc
        except ForbiddenError as exc:
            raise PermissionDenied(exc.message) from exc

    return wrapped


def _page(request, items, per_page: int = 20):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _form_status(request, form) -> int:
    return 400 if request.method == "POST" and form.errors else 200


def _headline(user, *, doctor: bool = False) -> str:
    hour = timezone.localtime().hour
    greeting = "Good morning" if hour < 12 else "Good afternoon" if hour < 18 else "Good evening"
    if doctor and user.last_name:
        return f"{greeting}, Dr {user.last_name}"
    return f"{greeting}, {user.first_name or user.username}"


# --- Public ---------------------------------------------------------------------------------


@never_cache
def home(request):
    if request.user.is_authenticated:
        return redirect(home_url_name_for(request.user))
    return render(request, "web/public/home.html")


@require_http_methods(["POST"])
def sign_out(request):
    """The accounts app's session logout (audited), plus a note on the sign-in page."""
    response = session_logout(request)
    if response.status_code == 302:
        messages.info(request, "You have been signed out.")
    return response


def _register_patient(data: dict):
    return account_services.patient_account_register(
        username=data["username"],
        password=data["password1"],
        first_name=data["first_name"],
        last_name=data["last_name"],
        email=data["email"],
        phone=data["phone"],
        date_of_birth=data["date_of_birth"],
        sex=data["sex"] or Sex.UNKNOWN,
    )


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect(home_url_name_for(request.user))
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _register_patient(data)
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            # Sign in through the one sign-in path, so it is audited like any other.
            user = account_services.auth_authenticate(
                request=request, username=data["username"], password=data["password1"]
            )
            login(request, user, backend=SESSION_BACKEND)
            messages.success(request, f"Welcome, {user.first_name}! Your account is ready.")
            return redirect("web:portal")
    return render(
        request, "web/public/signup.html", {"form": form}, status=_form_status(request, form)
    )


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PortalPasswordResetForm
    template_name = "web/public/password_reset_form.html"
    email_template_name = "web/email/password_reset_email.txt"
    subject_template_name = "web/email/password_reset_subject.txt"
    success_url = reverse_lazy("web:password-reset-done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "web/public/password_reset_done.html"

    def get_context_data(self, **kwargs):
        hours = max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)
        return super().get_context_data(timeout_hours=hours, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = PortalSetPasswordForm
    template_name = "web/public/password_reset_confirm.html"
    success_url = reverse_lazy("web:password-reset-complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        account_services.password_reset_by_email_finalize(user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "web/public/password_reset_complete.html"


# --- Signed in: every role --------------------------------------------------------------------


@portal_page()
@require_http_methods(["GET", "POST"])
def account(request):
    user = request.user
    initial = {f: getattr(user, f) for f in ("first_name", "last_name", "email", "phone")}
    profile_form = ProfileForm(initial=initial, prefix="profile")
    password_form = PasswordChangeForm(prefix="password")
    if request.method == "POST":
        if request.POST.get("form") == "password":
            password_form = PasswordChangeForm(request.POST, prefix="password")
            if password_form.is_valid():
                data = password_form.cleaned_data
                try:
                    user = account_services.password_change(
                        user=user,
                        current_password=data["current_password"],
                        new_password=data["new_password1"],
                    )
                except ApplicationError as exc:
                    password_form.add_service_error(exc)
                else:
                    update_session_auth_hash(request, user)
                    messages.success(request, "Your password was changed.")
                    return redirect("web:account")
        else:
            profile_form = ProfileForm(request.POST, initial=initial, prefix="profile")
            if profile_form.is_valid():
                changes = {
                    k: v for k, v in profile_form.cleaned_data.items() if v != initial.get(k)
                }
                try:
                    account_services.profile_update(user=user, **changes)
                except ApplicationError as exc:
                    profile_form.add_service_error(exc)
                else:
                    messages.success(request, "Your details were saved.")
                    return redirect("web:account")
    status = 400 if profile_form.errors or password_form.errors else 200
    return render(
        request,
        "web/account/account.html",
        {"profile_form": profile_form, "password_form": password_form},
        status=status,
    )


# --- Patient portal ----------------------------------------------------------------------------


@portal_page(PORTAL_ROLES)
@chart_errors_as_http
def portal(request):
    sections, upcoming = tiles(PORTAL_SECTIONS)
    context = {"headline": _headline(request.user), "sections": sections, "upcoming": upcoming}
    patient = _own_chart(request, ChartSection.APPOINTMENTS)
    context["chart_missing"] = patient is None
    if patient is not None:
        context["next_appointment"] = (
            appointment_selectors.appointment_list(
                user=request.user, filters={"patient": patient.public_id, "upcoming": True}
            )
            .select_related("doctor__doctor_profile")
            .first()
        )
    return render(request, "web/portal/dashboard.html", context)


def _own_chart(request, section: ChartSection):
    """The signed-in patient's own chart, opened (and audited) for `section`; None when the
    account has no chart yet."""
    own = patients_visible_to(user=request.user).values_list("public_id", flat=True).first()
    if own is None:
        return None
    return patient_get_for_user(user=request.user, patient_public_id=own, section=section)


def _no_chart(request, title: str):
    return render(request, "web/portal/no_chart.html", {"title": title})


@portal_page(PORTAL_ROLES)
@chart_errors_as_http
def portal_record(request):
    patient = _own_chart(request, ChartSection.DEMOGRAPHICS)
    if patient is None:
        return _no_chart(request, "My record")
    patient = patient_get_for_user(
        user=request.user, patient_public_id=patient.public_id, section=ChartSection.ALLERGIES
    )
    allergies = patient_selectors.allergy_list(patient=patient)
    return render(
        request, "web/portal/record.html", {"patient": patient, "allergies": list(allergies)}
    )


@portal_page(PORTAL_ROLES)
@chart_errors_as_http
def portal_visits(request):
    patient = _own_chart(request, ChartSection.CLINICAL)
    if patient is None:
        return _no_chart(request, "Visits")
    notes = clinical_selectors.visit_note_list(
        user=request.user, filters={"patient": patient.public_id}
    ).select_related("prescription")
    return render(request, "web/portal/visits.html", {"page": _page(request, notes)})


@portal_page(PORTAL_ROLES)
@chart_errors_as_http
@require_http_methods(["GET", "POST"])
def portal_documents(request):
    patient = _own_chart(request, ChartSection.DOCUMENTS)
    if patient is None:
        return _no_chart(request, "Documents")
    form = DocumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            upload_to = clinical_selectors.document_patient_for_upload(user=request.user)
            document = clinical_services.document_upload(
                actor=request.user,
                patient=upload_to,
                file=data["file"],
                doc_type=data["doc_type"],
                description=data["description"],
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        except DjangoValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{document.original_name} was uploaded.")
            return redirect("web:portal-documents")
    documents = clinical_selectors.document_list(
        user=request.user, filters={"patient": patient.public_id}
    )
    return render(
        request,
        "web/portal/documents.html",
        {"form": form, "page": _page(request, documents)},
        status=_form_status(request, form),
    )


@portal_page(PORTAL_ROLES | WORKSPACE_ROLES)
@chart_errors_as_http
def document_download(request, document_id):
    """The file, after the access module opened its chart; the download itself is audited."""
    document = clinical_selectors.document_get(
        user=request.user, document_id=document_id, purpose="download"
    )
    handle = clinical_selectors.document_open(document=document)
    clinical_services.document_download_record(actor=request.user, document=document)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@portal_page(PORTAL_ROLES)
@chart_errors_as_http
def portal_access(request):
    patient = _own_chart(request, ChartSection.DEMOGRAPHICS)
    if patient is None:
        return _no_chart(request, "Who viewed my record")
    page = _page(request, web_selectors.record_access_events(patient=patient), per_page=25)
    rows = web_selectors.record_access_rows(page.object_list)
    return render(request, "web/portal/access.html", {"page": page, "rows": rows})


ACTIVE_APPOINTMENT = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)
BOOKING_DAYS_SHOWN = 14


@portal_page(PORTAL_ROLES)
@chart_errors_as_http
def portal_appointments(request):
    patient = _own_chart(request, ChartSection.APPOINTMENTS)
    if patient is None:
        return _no_chart(request, "Appointments")
    appointments = list(
        appointment_selectors.appointment_list(
            user=request.user, filters={"patient": patient.public_id}
        ).select_related("doctor__doctor_profile")
    )
    now = timezone.now()
    upcoming = [a for a in appointments if a.end_at >= now and a.status in ACTIVE_APPOINTMENT]
    past = [a for a in reversed(appointments) if a not in upcoming]
    return render(
        request,
        "web/portal/appointments.html",
        {"upcoming": upcoming, "past": past, "cancel_form": CancelAppointmentForm()},
    )


def _parse_day(value):
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@portal_page(PORTAL_ROLES)
@chart_errors_as_http
@require_http_methods(["GET", "POST"])
def portal_book(request):
    """Book from live availability. GET (or htmx on every change) narrows the choices;
    POST books through appointment_book, which re-checks the slot under a lock."""
    patient = _own_chart(request, ChartSection.APPOINTMENTS)
    if patient is None:
        return _no_chart(request, "Book an appointment")
    data = request.POST if request.method == "POST" else request.GET
    today = timezone.localdate()
    specializations = sorted(
        {
            p.specialization
            for p in patient_selectors.doctor_list(filters={"available": True})
            if p.specialization
        }
    )
    specialization = data.get("specialization", "")
    profiles = (
        list(
            patient_selectors.doctor_list(
                filters={"specialization": specialization, "available": True}
            )
        )
        if specialization in specializations
        else []
    )
    doctor_id = data.get("doctor", "")
    profile = next((p for p in profiles if str(p.user.public_id) == doctor_id), None)
    day = _parse_day(data.get("date")) or today
    free_days, slots = [], []
    if profile is not None:
        free = appointment_selectors.doctor_availability(
            doctor=profile.user, start=today, end=today + timedelta(days=BOOKING_DAYS_SHOWN - 1)
        )
        free_days = sorted({slot.date for slot in free})
        if day not in free_days and request.method == "GET" and free_days:
            day = free_days[0]
        if today <= day <= today + timedelta(days=BOOKING_DAYS_SHOWN - 1):
            slots = [s for s in free if s.date == day]
        else:
            slots = appointment_selectors.doctor_availability(
                doctor=profile.user, start=day, end=day
            )
    doctors = [
        (str(p.user.public_id), f"Dr {p.user.get_full_name() or p.user.username}") for p in profiles
    ]
    slot_choices = [(f"{s.start:%H:%M}", f"{s.start:%H:%M}") for s in slots]
    choices = {"specializations": specializations, "doctors": doctors, "slots": slot_choices}
    if request.method == "POST":
        form = BookingForm(request.POST, **choices)
    else:  # choosing: show the picks so far, no errors yet
        picked = {k: data.get(k, "") for k in ("specialization", "doctor", "slot", "reason")}
        form = BookingForm(initial={**picked, "date": day}, **choices)
    if request.method == "POST" and form.is_valid() and profile is not None:
        cleaned = form.cleaned_data
        try:
            writable = patient_get_for_user(
                user=request.user,
                patient_public_id=patient.public_id,
                section=ChartSection.APPOINTMENTS,
                purpose="write",
            )
            appointment = appointment_services.appointment_book(
                actor=request.user,
                patient=writable,
                doctor=profile.user,
                date=cleaned["date"],
                slot=datetime.strptime(cleaned["slot"], "%H:%M").time(),
                reason=cleaned["reason"],
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            when = timezone.localtime(appointment.start_at)
            messages.success(
                request,
                f"Booked: {when:%A %d %B at %H:%M} with Dr {profile.user.get_full_name()}.",
            )
            return redirect("web:portal-appointments")
    context = {
        "form": form,
        "profile": profile,
        "day": day,
        "free_days": free_days,
        "slots": slots,
        "specialization": specialization,
    }
    template = "web/portal/book.html"
    status = 400 if request.method == "POST" else 200
    return render(request, template, context, status=status)


@portal_page(PORTAL_ROLES)
@chart_errors_as_http
@require_http_methods(["POST"])
def portal_appointment_cancel(request, appointment_id):
    appointment = appointment_selectors.appointment_get_for_user(
        user=request.user, public_id=appointment_id
    )
    patient_get_for_user(
        user=request.user,
        patient_public_id=appointment.patient.public_id,
        section=ChartSection.APPOINTMENTS,
        purpose="write",
    )
    form = CancelAppointmentForm(request.POST)
    if form.is_valid():
        try:
            appointment_services.appointment_cancel(
                actor=request.user, appointment=appointment, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "The appointment was cancelled.")
    else:
        messages.error(request, "Say briefly why you are cancelling (at least 3 characters).")
    return redirect("web:portal-appointments")


# --- Doctor workspace --------------------------------------------------------------------------


@portal_page(WORKSPACE_ROLES)
def workspace(request):
    sections, upcoming = tiles(WORKSPACE_SECTIONS)
    context = {
        "headline": _headline(request.user, doctor=True),
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
    context = {"form": form, "query": query, "page": _page(request, patients)}
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
    }
    return render(request, "web/workspace/chart.html", context)


# --- Other staff -------------------------------------------------------------------------------

STAFF_DUTIES = {
    Role.ADMIN: "Create staff accounts, manage roles and review the audit log.",
    Role.NURSE: "Record vitals, run the nursing charts and the ward and ICU.",
    Role.RECEPTIONIST: (
        "Register patients, schedule appointments, check patients in and take payments."
    ),
    Role.PHARMACIST: "Dispense prescriptions and manage stock.",
    Role.LAB_TECHNICIAN: "Work the laboratory worklist and enter results.",
    Role.RADIOLOGIST: "Work the imaging worklist and write reports.",
    Role.ACCOUNTANT: "Invoices, payments and insurance claims.",
}


@portal_page(frozenset(Role) - PORTAL_ROLES - WORKSPACE_ROLES)
def staff(request):
    return render(
        request,
        "web/staff/dashboard.html",
        {
            "headline": _headline(request.user),
            "duties": STAFF_DUTIES.get(request.user.role, ""),
            "staff_pages": [],
        },
    )
