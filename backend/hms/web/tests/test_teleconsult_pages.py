"""Teleconsults and messages on the web: the booking choice, the appointments page's Join,
the call pages (who may open them), the note written from the call, the doctor's queue, the
visits page's summary, the Messages pages and their query counts."""

import uuid
from datetime import UTC, datetime, time, timedelta

import pytest

from hms.accounts.tests.factories import DoctorProfileFactory
from hms.appointments.models import Appointment, VisitType
from hms.appointments.services import appointment_book
from hms.appointments.tests.conftest import give_schedule
from hms.clinical.models import EncounterStatus, EncounterType, VisitNote
from hms.clinical.tests.factories import EncounterFactory, VisitNoteFactory
from hms.core.roles import Role
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory
from hms.telemedicine.models import (
    ConsultInvite,
    ConsultRoom,
    Conversation,
    ConversationKind,
    Message,
)
from hms.web.tests.conftest import page_queries, signed_in_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

# Monday 1 March 2027, 07:00 UTC (the hospital's zone in the test settings); the doctor works
# 09-12 and 14-17, 30-minute slots.
NOW = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
DAY = NOW.date()
XSS = '<img src=x onerror="alert(1)">'


@pytest.fixture
def frozen_instant():
    return NOW


@pytest.fixture
def world(make_user):
    doctor = DoctorProfileFactory(
        user__first_name="Grace", user__last_name="Okafor", specialization="Cardiology"
    ).user
    give_schedule(doctor)
    alice = PatientFactory(user=make_user(Role.PATIENT), first_name="Alice", last_name="Adeyemi")
    bob = PatientFactory(user=make_user(Role.PATIENT), first_name="Bob", last_name="Brown")
    return {"doctor": doctor, "alice": alice, "bob": bob}


def teleconsult(world, patient=None, slot=time(9), visit_type=VisitType.TELECONSULT):
    patient = patient or world["alice"]
    return appointment_book(
        actor=patient.user,
        patient=patient,
        doctor=world["doctor"],
        date=DAY,
        slot=slot,
        visit_type=visit_type,
    )


def room_for(appointment, **fields) -> ConsultRoom:
    conversation = Conversation.objects.create(
        patient=appointment.patient, doctor=appointment.doctor, kind=ConversationKind.CONSULT
    )
    return ConsultRoom.objects.create(appointment=appointment, conversation=conversation, **fields)


def say(conversation, sender, body, seq=None):
    seq = seq or conversation.last_seq + 1
    message = Message.objects.create(
        conversation=conversation,
        seq=seq,
        sender=sender,
        body=body,
        client_id=uuid.uuid4(),
        created_at=NOW,
    )
    Conversation.objects.filter(pk=conversation.pk).update(last_seq=seq, last_message_at=NOW)
    conversation.refresh_from_db()
    return message


# --- Booking and the appointments page ----------------------------------------------------------


def test_the_patient_books_a_teleconsult(world):
    client = signed_in_client(world["alice"].user)
    url = (
        f"/portal/appointments/book/?specialization=Cardiology&doctor={world['doctor'].public_id}"
        f"&date={DAY.isoformat()}"
    )
    html = client.get(url).content.decode()
    assert 'name="visit_type" id="visit-type-teleconsult" value="teleconsult"' in html
    assert 'id="visit-type-in_person" value="in_person" checked' in html

    response = client.post(
        "/portal/appointments/book/",
        {
            "specialization": "Cardiology",
            "doctor": str(world["doctor"].public_id),
            "date": DAY.isoformat(),
            "slot": "10:00",
            "reason": "Follow-up",
            "visit_type": "teleconsult",
        },
        follow=True,
    )
    assert response.status_code == 200
    appointment = Appointment.objects.get(patient=world["alice"])
    assert appointment.visit_type == VisitType.TELECONSULT
    assert "(teleconsult)" in response.content.decode()


def test_appointments_page_shows_the_type_and_when_the_room_opens(world, frozen_now):
    appointment = teleconsult(world)
    teleconsult(world, slot=time(11), visit_type=VisitType.IN_PERSON)
    client = signed_in_client(world["alice"].user)

    html = client.get("/portal/appointments/").content.decode()
    assert html.count('data-testid="visit-type"') == 2
    assert "In person" in html and "Teleconsult" in html
    assert 'data-testid="consult-opens">Opens at 08:45<' in html
    assert 'data-testid="join-consult"' not in html

    frozen_now.move_to(datetime(2027, 3, 1, 8, 46, tzinfo=UTC))
    html = client.get("/portal/appointments/").content.decode()
    assert f'href="/portal/consults/{appointment.public_id}/" data-testid="join-consult"' in html


def test_the_old_teleconsult_placeholder_is_gone_and_messages_are_in_the_menu(world):
    html = signed_in_client(world["alice"].user).get("/portal/").content.decode()
    assert "Start or join a video consultation" not in html
    assert 'href="/portal/messages/"' in html
    html = signed_in_client(world["doctor"]).get("/workspace/").content.decode()
    assert 'href="/workspace/messages/"' in html


# --- The call pages -----------------------------------------------------------------------------


def test_the_patient_opens_their_own_call_page_only(world, frozen_now):
    appointment = teleconsult(world)
    client = signed_in_client(world["alice"].user)
    url = f"/portal/consults/{appointment.public_id}/"

    html = client.get(url).content.decode()
    assert 'data-consult-state="scheduled"' in html
    assert "The consult room opens at 08:45" in html
    assert "consult.js" not in html  # nothing to run before the room opens

    frozen_now.move_to(datetime(2027, 3, 1, 8, 50, tzinfo=UTC))
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-consult-state="open"' in html
    assert f'data-join-url="/api/appointments/{appointment.public_id}/consult/join/"' in html
    assert 'data-testid="remote-videos"' in html and 'data-testid="chat"' in html
    assert "web/js/consult.js" in html and "web/js/chat.js" in html
    assert 'data-testid="end-consult"' not in html  # the doctor ends it
    assert 'data-testid="consult-note-form"' not in html
    assert "<script>" not in html  # CSP: no inline script

    # Another patient, an in-person visit, a doctor on the patient's page: no.
    assert signed_in_client(world["bob"].user).get(url).status_code == 404
    in_person = teleconsult(world, slot=time(11), visit_type=VisitType.IN_PERSON)
    assert client.get(f"/portal/consults/{in_person.public_id}/").status_code == 404
    assert signed_in_client(world["doctor"]).get(url).status_code == 403


def test_the_room_is_closed_after_the_doctor_ends_it(world, frozen_now):
    appointment = teleconsult(world)
    room_for(appointment, ended_at=datetime(2027, 3, 1, 9, 20, tzinfo=UTC))
    frozen_now.move_to(datetime(2027, 3, 1, 9, 25, tzinfo=UTC))
    html = (
        signed_in_client(world["alice"].user)
        .get(f"/portal/consults/{appointment.public_id}/")
        .content.decode()
    )
    assert 'data-consult-state="closed"' in html
    assert "This consult has ended" in html


def test_the_doctors_call_page_has_the_note_orders_and_invite(world, frozen_now, make_user):
    appointment = teleconsult(world)
    nurse = make_user(Role.NURSE, first_name="Nina", last_name="Nurse")
    frozen_now.move_to(datetime(2027, 3, 1, 8, 55, tzinfo=UTC))
    url = f"/workspace/consults/{appointment.public_id}/"

    html = signed_in_client(world["doctor"]).get(url).content.decode()
    assert 'data-role="doctor"' in html and 'data-may-share="true"' in html
    assert 'data-testid="consult-note-form"' in html
    assert 'data-testid="end-consult"' in html and 'data-testid="share-screen"' in html
    patient_id = world["alice"].public_id
    assert f'href="/workspace/patients/{patient_id}/prescribe/" target="_blank"' in html
    assert f'href="/workspace/patients/{patient_id}/orders/lab/" target="_blank"' in html
    assert f'<option value="{nurse.public_id}">Nina Nurse (Nurse)</option>' in html

    # Another doctor, a nurse not invited: 404; a patient: not a staff page.
    other = DoctorProfileFactory().user
    assert signed_in_client(other).get(url).status_code == 404
    assert signed_in_client(nurse).get(url).status_code == 404
    assert signed_in_client(world["alice"].user).get(url).status_code == 403

    # Invited, the nurse joins without the doctor's tools.
    room = room_for(appointment)
    ConsultInvite.objects.create(room=room, user=nurse, invited_by=world["doctor"])
    html = signed_in_client(nurse).get(url).content.decode()
    assert 'data-role="staff"' in html
    assert f'data-participant="{nurse.public_id}"' in html  # in the chat's participants
    assert 'data-testid="consult-note-form"' not in html and "end-consult" not in html


def test_the_doctor_writes_the_note_on_the_consults_visit(world, frozen_now):
    appointment = teleconsult(world)
    frozen_now.move_to(datetime(2027, 3, 1, 9, 0, tzinfo=UTC))
    client = signed_in_client(world["doctor"])
    url = f"/workspace/consults/{appointment.public_id}/note/"
    data = {
        "notes": "Cough improving. " + XSS,
        "dx-TOTAL_FORMS": "1",
        "dx-INITIAL_FORMS": "0",
        "dx-0-code": "J45.9",
        "dx-0-type": "confirmed",
    }
    # Not joined yet: no visit to write on.
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "join the call first" in response.content.decode()

    encounter = EncounterFactory(
        patient=world["alice"],
        attending_doctor=world["doctor"],
        type=EncounterType.TELECONSULT,
        status=EncounterStatus.OPEN,
    )
    Appointment.objects.filter(pk=appointment.pk).update(encounter=encounter)
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Visit note saved with 1 diagnosis." in response.content.decode()
    note = VisitNote.objects.get(encounter=encounter)
    assert note.notes.startswith("Cough improving.")
    assert encounter.diagnoses.get().code == "J45.9"

    # Only the consult's doctor writes it.
    other = DoctorProfileFactory().user
    assert signed_in_client(other).post(url, data).status_code == 404


def test_queue_shows_the_teleconsult_and_the_waiting_room(world, frozen_now):
    appointment = teleconsult(world)
    teleconsult(world, patient=world["bob"], slot=time(10), visit_type=VisitType.IN_PERSON)
    client = signed_in_client(world["doctor"])
    html = client.get("/workspace/queue/").content.decode()
    assert html.count('data-testid="visit-type"') == 1
    assert 'data-testid="waiting-room" hidden' in html
    assert f'href="/workspace/consults/{appointment.public_id}/"' in html
    assert "web/js/queue.js" in html

    room_for(appointment, patient_waiting_since=datetime(2027, 3, 1, 8, 50, tzinfo=UTC))
    html = client.get("/workspace/queue/").content.decode()
    assert 'data-testid="waiting-room">' in html
    assert "In the waiting room" in html


def test_visits_page_marks_the_teleconsult(world):
    encounter = EncounterFactory(
        patient=world["alice"],
        attending_doctor=world["doctor"],
        type=EncounterType.TELECONSULT,
        started_at=NOW - timedelta(days=1),
        ended_at=NOW - timedelta(days=1) + timedelta(minutes=20),
        status=EncounterStatus.CLOSED,
    )
    VisitNoteFactory(patient=world["alice"], doctor=world["doctor"], encounter=encounter)
    html = signed_in_client(world["alice"].user).get("/portal/visits/").content.decode()
    assert 'data-testid="teleconsult-visit"' in html
    assert "07:00\u201307:20" in html  # start and end of the call


# --- Messages -----------------------------------------------------------------------------------


def chart_conversation(world, patient=None):
    patient = patient or world["alice"]
    return Conversation.objects.create(
        patient=patient, doctor=world["doctor"], kind=ConversationKind.CHART
    )


def test_patient_messages_list_and_conversation_page(world):
    CareAssignmentFactory(patient=world["alice"], doctor=world["doctor"])
    conversation = chart_conversation(world)
    say(conversation, world["doctor"], XSS)
    client = signed_in_client(world["alice"].user)

    html = client.get("/portal/messages/").content.decode()
    assert f'href="/portal/messages/{conversation.public_id}/"' in html
    assert "Dr Grace Okafor" in html
    assert XSS not in html and "&lt;img src=x" in html  # text, never markup
    assert 'data-testid="unread">1<' in html
    assert f'<option value="{world["doctor"].public_id}">Dr Grace Okafor</option>' in html

    html = client.get(f"/portal/messages/{conversation.public_id}/").content.decode()
    assert f'data-conversation="{conversation.public_id}"' in html
    assert "data-chat-autostart" in html and "web/js/chat.js" in html

    # Starting from the list opens the same conversation.
    response = client.post("/portal/messages/", {"doctor": str(world["doctor"].public_id)})
    assert response["Location"] == f"/portal/messages/{conversation.public_id}/"

    # Someone else's conversation: 404; a doctor on the patient's page: 403.
    other = chart_conversation(world, patient=world["bob"])
    assert client.get(f"/portal/messages/{other.public_id}/").status_code == 404
    assert (
        signed_in_client(world["doctor"]).get(f"/portal/messages/{other.public_id}/").status_code
        == 403
    )


def test_doctor_messages_pages(world):
    CareAssignmentFactory(patient=world["alice"], doctor=world["doctor"])
    conversation = chart_conversation(world)
    say(conversation, world["alice"].user, "Hello doctor")
    client = signed_in_client(world["doctor"])
    html = client.get("/workspace/messages/").content.decode()
    assert f'href="/workspace/messages/{conversation.public_id}/"' in html
    assert "Adeyemi, Alice" in html and "Hello doctor" in html
    assert client.get(f"/workspace/messages/{conversation.public_id}/").status_code == 200
    other = DoctorProfileFactory().user
    assert (
        signed_in_client(other).get(f"/workspace/messages/{conversation.public_id}/").status_code
        == 404
    )
    html = client.get(f"/workspace/patients/{world['alice'].public_id}/").content.decode()
    assert 'data-testid="message-patient"' in html

    # "Message patient" opens the doctor's conversation with the patient (the same one again).
    response = client.post(f"/workspace/patients/{world['alice'].public_id}/message/")
    assert response.status_code == 302
    assert response["Location"] == f"/workspace/messages/{conversation.public_id}/"
    # Not in this doctor's care: refused (back to the chart, which asks to break the glass).
    response = signed_in_client(other).post(
        f"/workspace/patients/{world['alice'].public_id}/message/", follow=True
    )
    assert response.redirect_chain[0][0] == f"/workspace/patients/{world['alice'].public_id}/"
    assert Conversation.objects.filter(doctor=other).count() == 0


def test_messages_lists_run_the_same_queries_for_one_and_many(world, make_user):
    patient_client = signed_in_client(world["alice"].user)
    doctor_client = signed_in_client(world["doctor"])
    say(chart_conversation(world), world["doctor"], "One")
    patient_client.get("/portal/messages/")
    doctor_client.get("/workspace/messages/")
    patient_one = page_queries(patient_client, "/portal/messages/")
    doctor_one = page_queries(doctor_client, "/workspace/messages/")

    slots = [time(10), time(10, 30), time(11), time(14), time(14, 30), time(15)]
    for n, slot in enumerate(slots):
        doctor = DoctorProfileFactory().user
        conversation = Conversation.objects.create(
            patient=world["alice"], doctor=doctor, kind=ConversationKind.CHART
        )
        say(conversation, doctor, f"Message {n}")
        patient = PatientFactory(user=make_user(Role.PATIENT))
        appointment = teleconsult(world, patient=patient, slot=slot)
        say(room_for(appointment).conversation, world["doctor"], "Consult")
        say(chart_conversation(world, patient=patient), patient.user, "Hi")
    assert page_queries(patient_client, "/portal/messages/") == patient_one
    assert page_queries(doctor_client, "/workspace/messages/") == doctor_one


def test_appointments_and_queue_with_teleconsults_run_the_same_queries(world, make_user):
    patient_client = signed_in_client(world["alice"].user)
    doctor_client = signed_in_client(world["doctor"])
    teleconsult(world)
    patient_client.get("/portal/appointments/")
    doctor_client.get("/workspace/queue/")
    mine = page_queries(patient_client, "/portal/appointments/")
    queue = page_queries(doctor_client, "/workspace/queue/")

    # More teleconsults, with consult rooms (one waiting, one ended) and without.
    for n, slot in enumerate([time(9, 30), time(10), time(10, 30), time(11)]):
        appointment = teleconsult(
            world, patient=PatientFactory(user=make_user(Role.PATIENT)), slot=slot
        )
        if n % 2:
            room_for(appointment, patient_waiting_since=NOW)
    for n in range(1, 4):
        other = DoctorProfileFactory().user
        give_schedule(other)
        appointment = appointment_book(
            actor=world["alice"].user,
            patient=world["alice"],
            doctor=other,
            date=DAY + timedelta(days=n),
            slot=time(14),
            visit_type=VisitType.TELECONSULT,
        )
        room_for(appointment)
    assert page_queries(patient_client, "/portal/appointments/") == mine
    assert page_queries(doctor_client, "/workspace/queue/") == queue
