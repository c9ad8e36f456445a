"""Messages: a patient and the doctors caring for them write to each other (one conversation
per doctor, tied to the chart), and each teleconsult's chat stays readable here afterwards.
The conversation page is live (static/web/js/chat.js over the conversation's socket)."""

from django.contrib import messages as flash
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from hms.core.errors import ApplicationError
from hms.core.roles import STAFF_ROLES, Role
from hms.patients.access import ChartSection, patient_get_for_user
from hms.telemedicine import selectors as tele_selectors
from hms.telemedicine import services as tele_services
from hms.web.consults import conversation_list, doctors_caring_for
from hms.web.forms import ChartConversationForm
from hms.web.navigation import PORTAL_ROLES, WORKSPACE_ROLES
from hms.web.views.base import chart_errors_as_http, own_chart, paginate, portal_page

CONVERSATIONS_PER_PAGE = 20


def _doctor_choices(doctors) -> list[tuple[str, str]]:
    return [(str(d.public_id), f"Dr {d.get_full_name() or d.username}") for d in doctors]


@portal_page(PORTAL_ROLES)
@chart_errors_as_http
@require_http_methods(["GET", "POST"])
def portal_messages(request):
    """The patient's conversations, and a form to write to a doctor caring for them."""
    patient = own_chart(request, ChartSection.DEMOGRAPHICS)
    caring = doctors_caring_for(patient=patient) if patient is not None else []
    doctors = _doctor_choices(caring)
    form = ChartConversationForm(request.POST or None, doctors=doctors)
    if request.method == "POST" and form.is_valid() and patient is not None:
        doctor = next(d for d in caring if str(d.public_id) == form.cleaned_data["doctor"])
        try:
            conversation, _created = tele_services.conversation_get_or_create_chart(
                actor=request.user, patient=patient, doctor=doctor
            )
        except ApplicationError as exc:
            flash.error(request, exc.message)
        else:
            return redirect("web:portal-conversation", conversation.public_id)
    page = paginate(request, conversation_list(user=request.user), per_page=CONVERSATIONS_PER_PAGE)
    context = {"page": page, "form": form, "doctors": doctors, "area": "portal"}
    status = 400 if request.method == "POST" else 200
    return render(request, "web/messages/list.html", context, status=status)


@portal_page(STAFF_ROLES)
def workspace_messages(request):
    """The doctor's conversations with their patients (and consults they were invited to)."""
    page = paginate(request, conversation_list(user=request.user), per_page=CONVERSATIONS_PER_PAGE)
    return render(request, "web/messages/list.html", {"page": page, "area": "workspace"})


def _conversation_page(request, conversation_id, *, area: str):
    conversation = tele_selectors.conversation_get_for_user(
        user=request.user, public_id=conversation_id
    )
    doctor = conversation.doctor
    patient = conversation.patient
    participants = [{"id": str(doctor.public_id), "name": doctor.display_name}]
    if patient.user_id:
        participants.append({"id": str(patient.user.public_id), "name": patient.user.display_name})
    if request.user.role == Role.PATIENT:
        title = f"Dr {doctor.get_full_name() or doctor.username}"
    else:
        title = f"{patient.first_name} {patient.last_name}"
    context = {
        "conversation": conversation,
        "participants": participants,
        "title": title,
        "area": area,
    }
    return render(request, "web/messages/conversation.html", context)


@portal_page(PORTAL_ROLES)
@chart_errors_as_http
def portal_conversation(request, conversation_id):
    return _conversation_page(request, conversation_id, area="portal")


@portal_page(STAFF_ROLES)
@chart_errors_as_http
def workspace_conversation(request, conversation_id):
    return _conversation_page(request, conversation_id, area="workspace")


@portal_page(WORKSPACE_ROLES)
@chart_errors_as_http
@require_http_methods(["POST"])
def workspace_message_patient(request, patient_id):
    """ "Message patient" on the chart: the doctor's conversation with this patient (made the
    first time), opened."""
    patient = patient_get_for_user(
        user=request.user, patient_public_id=patient_id, section=ChartSection.DEMOGRAPHICS
    )
    try:
        conversation, _created = tele_services.conversation_get_or_create_chart(
            actor=request.user, patient=patient, doctor=request.user
        )
    except ApplicationError as exc:
        flash.error(request, exc.message)
        return redirect("web:workspace-chart", patient.public_id)
    return redirect("web:workspace-conversation", conversation.public_id)
