"""The teleconsult call page, for the patient (/portal/consults/<id>/) and for the doctor and
the staff the doctor invites (/workspace/consults/<id>/): video, chat, and for the doctor the
visit note and links to prescribe and order tests for the patient.

The page is a shell: static/web/js/consult.js joins through the API (which starts the
appointment when the doctor joins) and runs the call and the chat over the conversation's
socket. Someone else's appointment answers 404."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from hms.appointments import selectors as appointment_selectors
from hms.appointments.models import Appointment, VisitType
from hms.clinical import selectors as clinical_selectors
from hms.clinical import services as clinical_services
from hms.clinical.models import EncounterStatus
from hms.core.errors import ApplicationError
from hms.core.permissions import user_may
from hms.core.roles import STAFF_ROLES
from hms.telemedicine import selectors as tele_selectors
from hms.web.consults import consult_invited, room_window, staff_to_invite
from hms.web.forms import ConsultNoteForm, DiagnosisFormSet
from hms.web.navigation import PORTAL_ROLES
from hms.web.views.base import chart_errors_as_http, portal_page
from hms.web.views.workspace.chart import chart_actions

ORDER_ACTIONS = ("workspace-prescribe", "workspace-lab-order", "workspace-imaging-order")


def _api_urls(appointment: Appointment) -> dict:
    base = f"/api/appointments/{appointment.public_id}/consult/"
    return {"join": f"{base}join/", "end": f"{base}end/", "invite": f"{base}invite/"}


def _participants(appointment: Appointment) -> list[dict]:
    doctor = appointment.doctor
    patient = appointment.patient
    people = [
        {"id": str(doctor.public_id), "name": f"Dr {doctor.get_full_name() or doctor.username}"},
    ]
    if patient.user_id:
        people.append(
            {"id": str(patient.user.public_id), "name": f"{patient.first_name} {patient.last_name}"}
        )
    return people + consult_invited(appointment=appointment)


def _teleconsult_or_404(appointment: Appointment) -> Appointment:
    if appointment.visit_type != VisitType.TELECONSULT:
        raise Http404("This appointment is not a teleconsult.")
    return appointment


@portal_page(PORTAL_ROLES)
@chart_errors_as_http
def portal_consult(request, appointment_id):
    """The patient's side of the call (their own teleconsults only)."""
    appointment = _teleconsult_or_404(
        appointment_selectors.appointment_get_for_user(user=request.user, public_id=appointment_id)
    )
    context = {
        "appointment": appointment,
        "role": "patient",
        "room": room_window(appointment),
        "api": _api_urls(appointment),
        "participants": _participants(appointment),
    }
    return render(request, "web/consult/call.html", context)


def _staff_consult(request, appointment_id) -> tuple[Appointment, str]:
    """The teleconsult and the user's part in it: "doctor" (its own doctor) or "staff"
    (invited). Anyone else, or an appointment that is not a teleconsult: 404."""
    appointment = _teleconsult_or_404(
        tele_selectors.appointment_for_consult(
            user=request.user, appointment_public_id=appointment_id
        )
    )
    return appointment, "doctor" if appointment.doctor_id == request.user.pk else "staff"


def _note_context(request, appointment, *, form=None, diagnoses=None, saved: str = "") -> dict:
    return {
        "appointment": appointment,
        "note_form": form or ConsultNoteForm(),
        "diagnoses": diagnoses or DiagnosisFormSet(prefix="dx"),
        "note_url": reverse("web:workspace-consult-note", args=[appointment.public_id]),
        "note_saved": saved,
    }


@portal_page(STAFF_ROLES)
@chart_errors_as_http
def workspace_consult(request, appointment_id):
    """The doctor's side of the call (and an invited colleague's, without the doctor's tools)."""
    appointment, role = _staff_consult(request, appointment_id)
    context = {
        "appointment": appointment,
        "role": role,
        "room": room_window(appointment),
        "api": _api_urls(appointment),
        "participants": _participants(appointment),
    }
    if role == "doctor":
        actions = chart_actions(user=request.user, patient=appointment.patient)
        context.update(_note_context(request, appointment))
        context["order_links"] = [a for a in actions if a["testid"] in ORDER_ACTIONS]
        context["staff_choices"] = staff_to_invite(exclude=[request.user])
        context["invited"] = consult_invited(appointment=appointment)
    return render(request, "web/consult/call.html", context)


@portal_page(STAFF_ROLES)
@chart_errors_as_http
@require_http_methods(["POST"])
def workspace_consult_note(request, appointment_id):
    """Save a visit note (and its diagnoses) on the consult's encounter, from the call page
    (htmx: the form comes back, cleared, with what was saved)."""
    appointment, role = _staff_consult(request, appointment_id)
    user = request.user
    if role != "doctor" or not user_may(user, "visitnotes", "create"):
        raise PermissionDenied("Only the consult's doctor writes its visit note.")
    form = ConsultNoteForm(request.POST)
    diagnoses = DiagnosisFormSet(request.POST, prefix="dx")
    status = 400
    saved = ""
    if form.is_valid() and diagnoses.is_valid():
        codes = [(row["code"], row["type"]) for row in diagnoses.cleaned_data if row.get("code")]
        if codes and not user_may(user, "diagnoses", "create"):
            raise PermissionDenied("Your role may not record diagnoses.")
        try:
            _save_note(
                user=user, appointment=appointment, notes=form.cleaned_data["notes"], codes=codes
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        except DjangoValidationError as exc:
            form.add_validation_error(exc)
        else:
            count = len(codes)
            saved = "Visit note saved" + (
                f" with {count} diagnos{'es' if count != 1 else 'is'}." if count else "."
            )
            form, diagnoses, status = None, None, 200
    context = _note_context(request, appointment, form=form, diagnoses=diagnoses, saved=saved)
    return render(request, "web/consult/_note_form.html", context, status=status)


def _save_note(*, user, appointment: Appointment, notes: str, codes) -> None:
    patient = clinical_selectors.clinical_patient_get(
        user=user, patient_id=appointment.patient.public_id, purpose="write"
    )
    appointment.refresh_from_db(fields=["encounter"])
    encounter = appointment.encounter
    if encounter is None or encounter.status != EncounterStatus.OPEN:
        raise ApplicationError(
            "The consult's visit is not open: join the call first (joining opens the visit).",
            code="consult_not_started",
        )
    clinical_services.visit_note_with_diagnoses_create(
        actor=user, patient=patient, encounter=encounter, notes=notes, codes=codes
    )
