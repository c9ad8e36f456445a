import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from hms.accounts.tests.factories import UserFactory
from hms.appointments.models import Appointment, AppointmentStatus
from hms.clinical.tests.files import ELF, PDF
from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.core.tests.query_budget import AUDIT_WRITE
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory
from hms.telemedicine import services
from hms.telemedicine.models import Conversation, Message
from hms.telemedicine.tests.factories import (
    ChartConversationFactory,
    TeleconsultAppointmentFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def conversation():
    return ChartConversationFactory()


def send(conversation, sender, body="Hello"):
    return services.message_send(
        actor=sender, conversation=conversation, body=body, client_id=uuid.uuid4()
    )


def url(conversation, rest=""):
    return f"/api/conversations/{conversation.public_id}/{rest}"


# --- conversations -------------------------------------------------------------------------


def test_a_doctor_lists_their_conversations_with_the_last_message_and_unread(conversation, as_user):
    send(conversation, conversation.doctor, "First")
    send(conversation, conversation.patient.user, "Second <script>")
    ChartConversationFactory()  # someone else's

    response = as_user(conversation.doctor).get("/api/conversations/")

    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["id"] == str(conversation.public_id)
    assert row["kind"] == "chart" and row["appointment"] is None
    assert row["patient"] == {
        "id": str(conversation.patient.public_id),
        "name": conversation.patient.display_name,
        "mrn": conversation.patient.mrn,
    }
    assert row["last_message"]["seq"] == 2
    assert row["last_message"]["body"] == "Second <script>"
    assert row["unread"] == 1


def test_conversations_filter_by_kind_and_patient(conversation, as_user):
    doctor = conversation.doctor
    other = ChartConversationFactory(doctor=doctor)
    client = as_user(doctor)

    by_patient = client.get("/api/conversations/", {"patient": str(other.patient.public_id)})
    consults = client.get("/api/conversations/", {"kind": "consult"})

    assert [r["id"] for r in by_patient.json()["results"]] == [str(other.public_id)]
    assert consults.json()["count"] == 0


def test_a_doctor_starts_a_chart_conversation_once(as_user):
    assignment = CareAssignmentFactory()
    client = as_user(assignment.doctor)
    body = {"patient": str(assignment.patient.public_id)}

    first = client.post("/api/conversations/", body, format="json")
    again = client.post("/api/conversations/", body, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Conversation.objects.count() == 1


def test_a_patient_cannot_start_a_conversation_with_a_doctor_not_caring_for_them(as_user):
    patient_user = UserFactory(role=Role.PATIENT)
    PatientFactory(user=patient_user)
    stranger = UserFactory(role=Role.DOCTOR)

    response = as_user(patient_user).post(
        "/api/conversations/", {"doctor": str(stranger.public_id)}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "not_in_care"
    assert not Conversation.objects.exists()


def test_a_nurse_cannot_start_a_chart_conversation(client_for):
    response = client_for(Role.NURSE).post(
        "/api/conversations/", {"patient": str(PatientFactory().public_id)}, format="json"
    )

    assert response.status_code == 403


def test_someone_elses_conversation_answers_404(conversation, as_user):
    for outsider in (UserFactory(role=Role.PATIENT), UserFactory(role=Role.DOCTOR)):
        client = as_user(outsider)
        assert client.get(url(conversation)).status_code == 404
        assert client.get(url(conversation, "messages/")).status_code == 404
        posted = client.post(
            url(conversation, "messages/"),
            {"client_id": str(uuid.uuid4()), "body": "Hi"},
            format="json",
        )
        assert posted.status_code == 404
    assert not Message.objects.exists()


def test_the_patient_reads_their_conversation(conversation, as_user):
    send(conversation, conversation.doctor, "Your results are fine.")

    response = as_user(conversation.patient.user).get(url(conversation))

    assert response.status_code == 200
    assert response.json()["unread"] == 1


# --- messages ------------------------------------------------------------------------------


def test_sending_by_rest_stores_once_per_client_id(
    conversation, as_user, pushed, django_capture_on_commit_callbacks
):
    client = as_user(conversation.patient.user)
    body = {"client_id": str(uuid.uuid4()), "body": "Can I take it with food?"}

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url(conversation, "messages/"), body, format="json")
        again = client.post(url(conversation, "messages/"), body, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert first.json()["seq"] == 1
    assert first.json()["sender"]["role"] == "patient"
    assert Message.objects.count() == 1
    assert [message["type"] for _, message in pushed] == ["chat.message"]  # fanned out once


def test_a_too_long_message_is_refused(conversation, as_user):
    response = as_user(conversation.doctor).post(
        url(conversation, "messages/"),
        {"client_id": str(uuid.uuid4()), "body": "x" * 4001},
        format="json",
    )

    assert response.status_code == 400
    assert not Message.objects.exists()


@override_settings(CHAT_RATE_LIMIT="2/10")
def test_flooding_by_rest_answers_429(conversation, as_user):
    client = as_user(conversation.doctor)

    statuses = [
        client.post(
            url(conversation, "messages/"),
            {"client_id": str(uuid.uuid4()), "body": "spam"},
            format="json",
        ).status_code
        for _ in range(3)
    ]

    assert statuses == [201, 201, 429]
    assert Message.objects.count() == 2


def test_messages_come_in_seq_order_after_a_seq(conversation, as_user):
    for body in "abcde":
        send(conversation, conversation.doctor, body)

    response = as_user(conversation.patient.user).get(
        url(conversation, "messages/"), {"after": 2, "page_size": 2}
    )

    data = response.json()
    assert data["count"] == 3
    assert [(m["seq"], m["body"]) for m in data["results"]] == [(3, "c"), (4, "d")]
    assert AuditEvent.objects.filter(resource_type="message_list").exists()


def test_marking_read(conversation, as_user):
    send(conversation, conversation.doctor)
    send(conversation, conversation.doctor)
    client = as_user(conversation.patient.user)

    response = client.post(url(conversation, "read/"), {"seq": 2}, format="json")

    assert response.json() == {"last_read_seq": 2, "last_delivered_seq": 2}
    assert client.get(url(conversation)).json()["unread"] == 0


def test_an_attachment_is_sent_and_downloaded_by_participants_only(conversation, as_user):
    upload = SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf")

    sent = as_user(conversation.patient.user).post(
        url(conversation, "attachments/"), {"file": upload, "body": "My letter"}, format="multipart"
    )

    assert sent.status_code == 201, sent.content
    message = sent.json()
    assert message["attachment"]["content_type"] == "application/pdf"
    download = as_user(conversation.doctor).get(message["attachment"]["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")
    outsider = as_user(UserFactory(role=Role.DOCTOR)).get(message["attachment"]["url"])
    assert outsider.status_code == 404


def test_an_attachment_with_a_forbidden_type_is_refused(conversation, as_user):
    upload = SimpleUploadedFile("trojan.pdf", ELF, content_type="application/pdf")

    response = as_user(conversation.doctor).post(
        url(conversation, "attachments/"), {"file": upload}
    )

    assert response.status_code == 400
    assert not Message.objects.exists()


def test_a_message_without_a_file_has_no_download(conversation, as_user):
    message = send(conversation, conversation.doctor)

    response = as_user(conversation.doctor).get(
        url(conversation, f"attachments/{message.public_id}/")
    )

    assert response.status_code == 404


# --- consult rooms -----------------------------------------------------------------------


@pytest.fixture
def appointment():
    return TeleconsultAppointmentFactory()


def consult(appointment, rest=""):
    return f"/api/appointments/{appointment.public_id}/consult/{rest}"


@override_settings(WEBRTC_ICE_SERVERS=[{"urls": ["stun:stun.example.org:3478"]}])
def test_the_room_describes_its_window_socket_and_ice_servers(appointment, as_user):
    response = as_user(appointment.patient.user).get(consult(appointment))

    assert response.status_code == 200
    room = response.json()
    assert room["state"] == "open"
    assert room["opens_at"] == "2027-03-01T08:45:00Z"
    assert room["closes_at"] == "2027-03-01T10:00:00Z"
    assert room["ws_url"] == f"/ws/conversations/{room['conversation']}/"
    assert room["ice_servers"] == [{"urls": ["stun:stun.example.org:3478"]}]
    assert room["encounter"] is None and room["invited"] == []


def test_the_consult_from_join_to_end(appointment, as_user, frozen_now):
    doctor = as_user(appointment.doctor)
    patient = as_user(appointment.patient.user)
    nurse_user = UserFactory(role=Role.NURSE)

    assert patient.post(consult(appointment, "join/")).status_code == 200
    joined = doctor.post(consult(appointment, "join/"))
    assert joined.status_code == 200
    assert joined.json()["encounter"] is not None
    invited = doctor.post(consult(appointment, "invite/"), {"user": str(nurse_user.public_id)})
    assert [p["id"] for p in invited.json()["invited"]] == [str(nurse_user.public_id)]
    assert as_user(nurse_user).post(consult(appointment, "join/")).status_code == 200

    frozen_now.shift(timedelta(minutes=25))
    ended = doctor.post(consult(appointment, "end/"))

    assert ended.status_code == 200
    assert ended.json()["state"] == "closed"
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.COMPLETED
    late = patient.post(consult(appointment, "join/"))
    assert (late.status_code, late.json()["code"]) == (409, "room_closed")


def test_joining_too_early_answers_409(appointment, as_user, frozen_now):
    frozen_now.move_to(appointment.start_at - timedelta(hours=1))

    response = as_user(appointment.patient.user).post(consult(appointment, "join/"))

    assert (response.status_code, response.json()["code"]) == (409, "room_not_open")


def test_someone_elses_consult_answers_404(appointment, as_user):
    for outsider in (UserFactory(role=Role.PATIENT), UserFactory(role=Role.DOCTOR)):
        client = as_user(outsider)
        assert client.get(consult(appointment)).status_code == 404
        assert client.post(consult(appointment, "join/")).status_code == 404


def test_the_patient_may_not_invite_or_end(appointment, as_user):
    patient = as_user(appointment.patient.user)

    assert patient.post(consult(appointment, "end/")).status_code == 403
    invite = patient.post(consult(appointment, "invite/"), {"user": str(uuid.uuid4())})
    assert invite.status_code == 403


def test_inviting_a_patient_is_refused(appointment, as_user):
    response = as_user(appointment.doctor).post(
        consult(appointment, "invite/"), {"user": str(UserFactory(role=Role.PATIENT).public_id)}
    )

    assert (response.status_code, response.json()["code"]) == (400, "not_staff")


# --- appointments carry the visit type and the waiting room --------------------------------


def test_booking_a_teleconsult_by_api(as_user, client_for):
    from hms.appointments.tests.conftest import give_schedule

    patient_user = UserFactory(role=Role.PATIENT)
    PatientFactory(user=patient_user)
    doctor = UserFactory(role=Role.DOCTOR)
    give_schedule(doctor)

    response = as_user(patient_user).post(
        "/api/appointments/",
        {
            "doctor": str(doctor.public_id),
            "date": "2027-03-02",
            "slot": "09:00",
            "visit_type": "teleconsult",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["visit_type"] == "teleconsult"
    assert response.json()["visit_type_display"] == "Teleconsult"
    assert response.json()["waiting_room"] is False
    assert Appointment.objects.get().visit_type == "teleconsult"


def test_booking_refuses_an_unknown_visit_type(client_for):
    from hms.appointments.tests.conftest import give_schedule

    doctor = UserFactory(role=Role.DOCTOR)
    give_schedule(doctor)

    response = client_for(Role.RECEPTIONIST).post(
        "/api/appointments/",
        {
            "patient": str(PatientFactory().public_id),
            "doctor": str(doctor.public_id),
            "date": "2027-03-02",
            "slot": "09:00",
            "visit_type": "house_call",
        },
        format="json",
    )

    assert response.status_code == 400
    assert not Appointment.objects.exists()


def test_the_doctors_queue_shows_the_waiting_room(appointment, as_user):
    room = services.consult_room_ensure(appointment=appointment)
    services.consult_patient_waiting(room=room, waiting=True)

    response = as_user(appointment.doctor).get("/api/appointments/queue/", {"date": "2027-03-01"})
    listed = as_user(appointment.doctor).get("/api/appointments/")

    (row,) = response.json()["results"]
    assert (row["visit_type"], row["waiting_room"]) == ("teleconsult", True)
    assert listed.json()["results"][0]["waiting_room"] is True


# --- query counts --------------------------------------------------------------------------

# Writing one audit event (see query_budget).
AUDIT = AUDIT_WRITE


def count_queries(client, path, params=None) -> int:
    client.get(path, params)  # warm-up: the audit chain head row exists from now on
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params)
    assert response.status_code == 200, response.content
    return len(queries)


@override_settings(CHAT_RATE_LIMIT="1000/10")
def test_the_conversation_list_costs_the_same_for_1_and_30_rows(as_user):
    doctor = UserFactory(role=Role.DOCTOR)
    first = ChartConversationFactory(doctor=doctor)
    send(first, doctor)
    client = as_user(doctor)

    one = count_queries(client, "/api/conversations/", {"page_size": 50})
    for _ in range(29):
        conversation = ChartConversationFactory(doctor=doctor)
        send(conversation, doctor)
        send(conversation, conversation.patient.user)
    many = count_queries(client, "/api/conversations/", {"page_size": 50})

    # COUNT(*), the page (patient, doctor, consult room and appointment joined; unread as a
    # subquery), and the page's last messages with their senders.
    assert one == many == 3


@override_settings(CHAT_RATE_LIMIT="1000/10")
def test_the_message_list_costs_the_same_for_1_and_40_rows(conversation, as_user):
    send(conversation, conversation.doctor)
    client = as_user(conversation.doctor)

    one = count_queries(client, url(conversation, "messages/"), {"page_size": 50})
    for _ in range(39):
        send(conversation, conversation.patient.user)
    many = count_queries(client, url(conversation, "messages/"), {"page_size": 50})

    # The conversation (with patient and doctor), the participant check's nothing more for its
    # doctor, the unread annotation's SELECT, COUNT(*), the page (sender and document joined),
    # then the read audit.
    assert one == many
    assert many <= 4 + AUDIT


# --- timeline --------------------------------------------------------------------------------


def test_messages_show_on_the_chart_timeline(conversation, as_user):
    send(conversation, conversation.patient.user, "The rash is gone.")

    response = as_user(conversation.doctor).get(
        f"/api/patients/{conversation.patient.public_id}/timeline/", {"type": "message"}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    entries = body["results"] if isinstance(body, dict) and "results" in body else body
    (entry,) = entries
    assert entry["title"] == f"Message from {conversation.patient.user.display_name}"
    assert entry["summary"] == "The rash is gone."


def test_an_in_person_appointment_has_no_consult_room(as_user):
    appointment = TeleconsultAppointmentFactory(visit_type="in_person")

    response = as_user(appointment.doctor).get(consult(appointment))

    assert (response.status_code, response.json()["code"]) == (409, "not_a_teleconsult")
