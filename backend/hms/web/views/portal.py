"""The patient portal: the patient's own chart, read and written through the modules'
selectors and services with the patient's scope."""

from datetime import date, datetime, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from hms.accounts import selectors as account_selectors
from hms.appointments import selectors as appointment_selectors
from hms.appointments import services as appointment_services
from hms.appointments.models import AppointmentStatus, VisitType
from hms.billing import selectors as billing_selectors
from hms.billing.pdf import invoice_pdf
from hms.clinical import selectors as clinical_selectors
from hms.clinical import services as clinical_services
from hms.clinical.models import Diagnosis
from hms.core.errors import ApplicationError
from hms.core.permissions import user_may
from hms.core.query_params import date_in_range
from hms.laboratory import selectors as lab_selectors
from hms.patients import selectors as patient_selectors
from hms.patients import services as patient_services
from hms.patients.access import ChartSection, patient_get_for_user
from hms.pharmacy import selectors as pharmacy_selectors
from hms.radiology import selectors as radiology_selectors
from hms.web import selectors as web_selectors
from hms.web.consults import with_room_windows
from hms.web.forms import (
    AllergyForm,
    BookingForm,
    CancelAppointmentForm,
    DocumentUploadForm,
)
from hms.web.navigation import (
    PORTAL_ROLES,
    PORTAL_SECTIONS,
    WORKSPACE_ROLES,
    tiles,
)
from hms.web.results import lab_trends, order_results
from hms.web.views.base import (
    chart_errors_as_http,
    form_status,
    headline,
    no_chart,
    own_chart,
    paginate,
    portal_page,
    table_permission,
)

# --- Patient portal ----------------------------------------------------------------------------


@portal_page(PORTAL_ROLES)
@chart_errors_as_http
def portal(request):
    sections, upcoming = tiles(PORTAL_SECTIONS)
    context = {"headline": headline(request.user), "sections": sections, "upcoming": upcoming}
    patient = own_chart(request, ChartSection.APPOINTMENTS)
    context["chart_missing"] = patient is None
    if patient is not None:
        context["next_appointment"] = (
            appointment_selectors.appointment_list(
                user=request.user, filters={"patient": patient, "upcoming": True}
            )
            .select_related("doctor__doctor_profile")
            .first()
        )
    return render(request, "web/portal/dashboard.html", context)


@portal_page(PORTAL_ROLES)
@chart_errors_as_http
def portal_record(request):
    patient = own_chart(request, ChartSection.DEMOGRAPHICS)
    if patient is None:
        return no_chart(request, "My record")
    return _record_page(request, patient)


def _record_page(request, patient, form=None, status: int = 200):
    patient = patient_get_for_user(
        user=request.user, patient_public_id=patient.public_id, section=ChartSection.ALLERGIES
    )
    allergies = patient_selectors.allergy_list(patient=patient)
    context = {
        "patient": patient,
        "allergies": list(allergies),
        "may_report_allergy": user_may(request.user, "patient_allergies", "report"),
        "allergy_form": form or AllergyForm(auto_id="report_%s"),
    }
    return render(request, "web/portal/record.html", context, status=status)


@portal_page(PORTAL_ROLES)
@table_permission("patient_allergies", "report")
@chart_errors_as_http
@require_http_methods(["POST"])
def portal_allergy_report(request):
    """The patient reports an allergy: it shows as patient-reported until a doctor or nurse
    confirms it, and counts for the prescribing safety checks at once."""
    patient = own_chart(request, ChartSection.ALLERGIES)
    if patient is None:
        return no_chart(request, "My record")
    form = AllergyForm(request.POST, auto_id="report_%s")
    if form.is_valid():
        try:
            allergy = patient_services.allergy_report(
                actor=request.user, patient=patient, **form.cleaned_data
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                f"Thank you: your allergy to {allergy.substance} is on your record. Your care "
                "team will confirm it; it is already taken into account when medicines are "
                "prescribed.",
            )
            return redirect("web:portal-record")
    return _record_page(request, patient, form=form, status=400)


@portal_page(PORTAL_ROLES)
@chart_errors_as_http
def portal_visits(request):
    patient = own_chart(request, ChartSection.CLINICAL)
    if patient is None:
        return no_chart(request, "Visits")
    notes = clinical_selectors.visit_note_list(
        user=request.user, filters={"patient": patient.public_id}
    ).prefetch_related(
        # The visit's diagnoses, shown under its note (voided ones stay hidden).
        Prefetch("encounter__diagnoses", queryset=Diagnosis.objects.order_by("diagnosed_at", "id"))
    )
    return render(request, "web/portal/visits.html", {"page": paginate(request, notes)})


@portal_page(PORTAL_ROLES)
@chart_errors_as_http
@require_http_methods(["GET", "POST"])
def portal_documents(request):
    patient = own_chart(request, ChartSection.DOCUMENTS)
    if patient is None:
        return no_chart(request, "Documents")
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
            form.add_validation_error(exc)
        else:
            messages.success(request, f"{document.original_name} was uploaded.")
            return redirect("web:portal-documents")
    documents = clinical_selectors.document_list(
        user=request.user, filters={"patient": patient.public_id}
    )
    return render(
        request,
        "web/portal/documents.html",
        {"form": form, "page": paginate(request, documents)},
        status=form_status(request, form),
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
    patient = own_chart(request, ChartSection.DEMOGRAPHICS)
    if patient is None:
        return no_chart(request, "Who viewed my record")
    page = paginate(request, web_selectors.record_access_events(patient=patient), per_page=25)
    rows = web_selectors.record_access_rows(page.object_list)
    return render(request, "web/portal/access.html", {"page": page, "rows": rows})


ACTIVE_APPOINTMENT = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)
BOOKING_DAYS_SHOWN = 14


@portal_page(PORTAL_ROLES)
@chart_errors_as_http
def portal_appointments(request):
    patient = own_chart(request, ChartSection.APPOINTMENTS)
    if patient is None:
        return no_chart(request, "Appointments")
    now = timezone.now()
    appointments = with_room_windows(
        appointment_selectors.appointment_list(
            user=request.user, filters={"patient": patient}
        ).select_related("doctor__doctor_profile", "consult_room__conversation"),
        now=now,
    )
    upcoming = [
        a
        for a in appointments
        if (a.end_at >= now and a.status in ACTIVE_APPOINTMENT) or (a.room and a.room.is_open)
    ]
    past = [a for a in reversed(appointments) if a not in upcoming]
    return render(
        request,
        "web/portal/appointments.html",
        {"upcoming": upcoming, "past": past, "cancel_form": CancelAppointmentForm()},
    )


def _parse_day(value):
    """The ?date= of the booking page, or None when it is missing, malformed or out of range."""
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if date_in_range(day) else None


@portal_page(PORTAL_ROLES)
@chart_errors_as_http
@require_http_methods(["GET", "POST"])
def portal_book(request):
    """Book from live availability. GET (or htmx on every change) narrows the choices;
    POST books through appointment_book, which re-checks the slot under a lock."""
    patient = own_chart(request, ChartSection.APPOINTMENTS)
    if patient is None:
        return no_chart(request, "Book an appointment")
    data = request.POST if request.method == "POST" else request.GET
    today = timezone.localdate()
    specializations = sorted(
        {
            p.specialization
            for p in account_selectors.doctor_list(filters={"available": True})
            if p.specialization
        }
    )
    specialization = data.get("specialization", "")
    profiles = (
        list(
            account_selectors.doctor_list(
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
        picked = {
            k: data.get(k, "") for k in ("specialization", "doctor", "slot", "reason", "visit_type")
        }
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
                visit_type=cleaned["visit_type"],
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            when = timezone.localtime(appointment.start_at)
            how = " (teleconsult)" if appointment.visit_type == VisitType.TELECONSULT else ""
            messages.success(
                request,
                f"Booked: {when:%A %d %B at %H:%M} with Dr {profile.user.get_full_name()}{how}.",
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


# --- Results, prescriptions, invoices ------------------------------------------------------------

PORTAL_LAB_ORDERS = 50


@portal_page(PORTAL_ROLES)
@table_permission("lab_orders", "list")
@chart_errors_as_http
def portal_results(request):
    """Verified laboratory results (flags, trends of repeated tests) and final imaging
    reports, as the laboratory and radiology release them to the patient."""
    user = request.user
    patient = own_chart(request, ChartSection.ORDERS)
    if patient is None:
        return no_chart(request, "Results")
    orders = list(
        lab_selectors.lab_orders_for_user(user=user, filters={"patient": patient.public_id})[
            :PORTAL_LAB_ORDERS
        ]
    )
    reports = []
    if user_may(user, "imaging_reports", "list"):
        radiology_selectors.radiology_patient_for_user(
            user=user, patient_public_id=patient.public_id
        )
        reports = list(radiology_selectors.final_reports_for_patient(patient=patient)[:20])
    context = {
        "patient": patient,
        "lab": order_results(orders, user),
        "trends": lab_trends(orders, user),
        "reports": reports,
    }
    return render(request, "web/portal/results.html", context)


@portal_page(PORTAL_ROLES)
@table_permission("prescriptions", "list")
@chart_errors_as_http
def portal_prescriptions(request):
    """The patient's prescriptions, newest first, with each medicine and what was dispensed."""
    patient = own_chart(request, ChartSection.MEDICATIONS)
    if patient is None:
        return no_chart(request, "Prescriptions")
    prescriptions = pharmacy_selectors.prescription_list(
        user=request.user, filters={"patient_obj": patient}
    )
    return render(
        request, "web/portal/prescriptions.html", {"page": paginate(request, prescriptions)}
    )


@portal_page(PORTAL_ROLES)
@table_permission("billing_invoices", "list")
@chart_errors_as_http
def portal_invoices(request):
    patient = own_chart(request, ChartSection.BILLING)
    if patient is None:
        return no_chart(request, "Invoices")
    invoices = billing_selectors.invoice_list(
        user=request.user, filters={"patient": patient.public_id}
    )
    return render(request, "web/portal/invoices.html", {"page": paginate(request, invoices)})


@portal_page(PORTAL_ROLES)
@table_permission("billing_invoices", "pdf")
@chart_errors_as_http
def portal_invoice_pdf(request, invoice_id):
    """The invoice as the billing module prints it (someone else's answers 404)."""
    invoice = billing_selectors.invoice_get_for_user(user=request.user, public_id=invoice_id)
    patient_get_for_user(
        user=request.user,
        patient_public_id=invoice.patient.public_id,
        section=ChartSection.BILLING,
    )
    name = invoice.number or f"draft-{invoice.public_id}"
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
