import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from hms.accounts.tests.factories import UserFactory
from hms.appointments.models import AppointmentStatus
from hms.clinical.models import Document, EncounterStatus, EncounterType
from hms.clinical.tests.files import ELF, PDF
from hms.clinical.timeline import timeline_collect
from hms.core.errors import ApplicationError, ConflictError, ForbiddenError, NotFoundError
from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.core.tests.partial_unique import assert_row_locked
from hms.patients.models import CareAssignment, Patient
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory
from hms.telemedicine import selectors, services
from hms.telemedicine.live import conversation_group
from hms.telemedicine.models import (
    Conversation,
    ConversationKind,
    ConversationReadState,
    Message,
)
from hms.telemedicine.tests.conftest import NOW
from hms.telemedicine.tests.factories import (
    ChartConversationFactory,
    TeleconsultAppointmentFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def conversation():
    return ChartConversationFactory()


def send(conversation, sender, body="Hello", client_id=None):
    return services.message_send(
        actor=sender,
        conversation=conversation,
        body=body,
        client_id=client_id or uuid.uuid4(),
    )


# --- message_send ----------------------------------------------------------------------------


def test_messages_are_numbered_one_by_one_in_their_conversation(conversation):
    patient_user = conversation.patient.user

    first = send(conversation, conversation.doctor, "How are you?")
    second = send(conversation, patient_user, "Better, thanks.")
    elsewhere = ChartConversationFactory()
    other = send(elsewhere, elsewhere.doctor, "x")

    assert (first.seq, second.seq) == (1, 2)
    conversation.refresh_from_db()
    assert conversation.last_seq == 2
    assert other.seq == 1  # seq is per conversation
    audit = AuditEvent.objects.filter(resource_type="message", object_id=str(second.public_id))
    assert audit.get().patient_id == str(conversation.patient.public_id)


def test_the_sender_has_read_their_own_message(conversation):
    message = send(conversation, conversation.doctor)

    state = ConversationReadState.objects.get(conversation=conversation, user=conversation.doctor)
    assert (state.last_read_seq, state.last_delivered_seq) == (message.seq, message.seq)


def test_a_resent_message_is_stored_once(conversation):
    client_id = uuid.uuid4()

    first = send(conversation, conversation.doctor, "Once", client_id=client_id)
    again = send(conversation, conversation.doctor, "Once", client_id=client_id)

    assert first.created is True and again.created is False
    assert again.pk == first.pk
    assert Message.objects.filter(conversation=conversation).count() == 1


def test_the_same_client_id_from_two_senders_is_two_messages(conversation):
    client_id = uuid.uuid4()

    send(conversation, conversation.doctor, client_id=client_id)
    send(conversation, conversation.patient.user, client_id=client_id)

    assert Message.objects.filter(conversation=conversation).count() == 2


@pytest.mark.parametrize(
    ("body", "client_id", "code"),
    [
        ("x" * 4001, uuid.uuid4(), "too_long"),
        ("   ", uuid.uuid4(), "empty"),
        ("a\x00b", uuid.uuid4(), "invalid"),
        ("Hi", "not-a-uuid", "invalid"),
        (["Hi"], uuid.uuid4(), "invalid"),
    ],
)
def test_invalid_messages_are_refused_and_not_stored(conversation, body, client_id, code):
    with pytest.raises(ApplicationError) as refused:
        services.message_send(
            actor=conversation.doctor, conversation=conversation, body=body, client_id=client_id
        )

    assert refused.value.code == code
    assert not Message.objects.exists()


def test_the_longest_message_is_accepted(conversation):
    message = send(conversation, conversation.doctor, "x" * 4000)

    assert len(message.body) == 4000


def test_a_chart_conversation_closes_when_the_care_ends(conversation):
    send(conversation, conversation.patient.user)
    CareAssignment.objects.filter(patient=conversation.patient).update(active=False, ended_at=NOW)

    with pytest.raises(ForbiddenError) as refused:
        send(conversation, conversation.patient.user)

    assert refused.value.code == "not_in_care"


def test_someone_outside_the_conversation_cannot_send(conversation):
    for outsider in (UserFactory(role=Role.DOCTOR), UserFactory(role=Role.PATIENT)):
        with pytest.raises(ForbiddenError):
            send(conversation, outsider)
    assert not Message.objects.exists()


@override_settings(CHAT_RATE_LIMIT="3/10")
def test_messages_over_the_rate_limit_are_refused_until_the_window_passes(conversation, frozen_now):
    for _ in range(3):
        send(conversation, conversation.doctor)

    with pytest.raises(ApplicationError) as refused:
        send(conversation, conversation.doctor)
    assert (refused.value.code, refused.value.status_code) == ("rate_limited", 429)
    assert refused.value.extra["retry_after_seconds"] >= 1
    send(conversation, conversation.patient.user)  # the limit is per user

    frozen_now.shift(timedelta(seconds=10))
    assert send(conversation, conversation.doctor).seq == 5
    assert Message.objects.filter(conversation=conversation).count() == 5


@override_settings(CHAT_RATE_LIMIT="1/10")
def test_a_resend_does_not_count_against_the_rate_limit(conversation):
    client_id = uuid.uuid4()
    send(conversation, conversation.doctor, client_id=client_id)

    again = send(conversation, conversation.doctor, client_id=client_id)

    assert again.created is False


def test_a_message_is_pushed_to_the_conversation_after_commit(
    conversation, pushed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = send(conversation, conversation.doctor, "<b>plain</b>")

    assert pushed == [
        (
            conversation_group(conversation.public_id),
            {"type": "chat.message", "message": services.message_repr(message)},
        )
    ]
    frame = pushed[0][1]["message"]
    assert frame["body"] == "<b>plain</b>"  # stored and sent as text, rendered as text
    assert frame["seq"] == 1 and frame["sender"]["role"] == Role.DOCTOR
    assert frame["client_id"] == str(message.client_id)
    assert frame["attachment"] is None


def test_an_attachment_is_a_chart_document_behind_a_message(conversation):
    upload = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")

    message = services.message_send_attachment(
        actor=conversation.patient.user, conversation=conversation, file=upload, body=""
    )

    document = Document.objects.get()
    assert message.document == document and document.patient == conversation.patient
    attachment = services.message_repr(message)["attachment"]
    assert attachment["content_type"] == "application/pdf"
    assert attachment["url"].endswith(f"/attachments/{message.public_id}/")


def test_an_attachment_that_is_not_an_allowed_file_is_refused(conversation):
    upload = SimpleUploadedFile("notes.pdf", ELF, content_type="application/pdf")

    with pytest.raises(Exception):  # noqa: B017 - the documents module's own refusal
        services.message_send_attachment(
            actor=conversation.doctor, conversation=conversation, file=upload
        )

    assert not Message.objects.exists() and not Document.all_objects.exists()


def test_messages_are_never_deleted(conversation):
    message = send(conversation, conversation.doctor)

    with pytest.raises(PermissionError):
        message.delete()
    with pytest.raises(PermissionError):
        conversation.delete()


# --- read state --------------------------------------------------------------------------------


def test_read_state_moves_forward_only_and_stops_at_the_last_message(
    conversation, pushed, django_capture_on_commit_callbacks
):
    for _ in range(3):
        send(conversation, conversation.doctor)
    reader = conversation.patient.user

    with django_capture_on_commit_callbacks(execute=True):
        services.conversation_mark_read(actor=reader, conversation=conversation, seq=2)
        services.conversation_mark_read(actor=reader, conversation=conversation, seq=1)
        state = services.conversation_mark_read(actor=reader, conversation=conversation, seq=99)

    assert (state.last_read_seq, state.last_delivered_seq) == (3, 3)
    reads = [message for _, message in pushed if message["type"] == "chat.read"]
    assert reads == [
        {"type": "chat.read", "user": str(reader.public_id), "seq": 2},
        {"type": "chat.read", "user": str(reader.public_id), "seq": 3},
    ]
    assert selectors.read_positions(conversation=conversation)[str(reader.public_id)] == 3


def test_delivered_is_tracked_apart_from_read(conversation):
    send(conversation, conversation.doctor)
    send(conversation, conversation.doctor)
    reader = conversation.patient.user

    state = services.conversation_mark_delivered(actor=reader, conversation=conversation, seq=2)

    assert (state.last_read_seq, state.last_delivered_seq) == (0, 2)


def test_unread_counts_messages_after_my_last_read(conversation):
    for _ in range(3):
        send(conversation, conversation.doctor)
    reader = conversation.patient.user
    services.conversation_mark_read(actor=reader, conversation=conversation, seq=1)

    mine = selectors.conversation_list(user=reader).get()
    theirs = selectors.conversation_list(user=conversation.doctor).get()

    assert (mine.unread, theirs.unread) == (2, 0)


def test_messages_after_replays_in_order(conversation):
    for body in "abcd":
        send(conversation, conversation.doctor, body)

    replay = selectors.messages_after(conversation=conversation, after_seq=2)

    assert [(m.seq, m.body) for m in replay] == [(3, "c"), (4, "d")]
    assert [m.seq for m in selectors.messages_after(conversation=conversation, limit=2)] == [1, 2]


# --- chart conversations -------------------------------------------------------------------


def test_a_doctor_starts_one_chart_conversation_with_a_patient_in_their_care():
    assignment = CareAssignmentFactory()

    first, created = services.conversation_get_or_create_chart(
        actor=assignment.doctor, patient=assignment.patient
    )
    again, created_again = services.conversation_get_or_create_chart(
        actor=assignment.doctor, patient=assignment.patient
    )

    assert (created, created_again) == (True, False)
    assert first.pk == again.pk and first.kind == ConversationKind.CHART


@pytest.mark.usefixtures("without_partial_indexes")
def test_without_partial_indexes_the_pair_still_gets_one_chart_conversation():
    assignment = CareAssignmentFactory()

    with CaptureQueriesContext(connection) as queries:
        first, created = services.conversation_get_or_create_chart(
            actor=assignment.doctor, patient=assignment.patient
        )
    again, created_again = services.conversation_get_or_create_chart(
        actor=assignment.doctor, patient=assignment.patient
    )

    assert (created, created_again) == (True, False) and again.pk == first.pk
    assert_row_locked(queries, Patient._meta.db_table)
    assert Conversation.objects.filter(kind=ConversationKind.CHART).count() == 1


def test_a_patient_writes_to_a_doctor_caring_for_them_but_not_to_another():
    patient_user = UserFactory(role=Role.PATIENT)
    chart = PatientFactory(user=patient_user)
    assignment = CareAssignmentFactory(patient=chart)
    stranger = UserFactory(role=Role.DOCTOR)

    conversation, created = services.conversation_get_or_create_chart(
        actor=patient_user, doctor=assignment.doctor
    )
    assert created and conversation.patient == chart
    with pytest.raises(ForbiddenError) as refused:
        services.conversation_get_or_create_chart(actor=patient_user, doctor=stranger)
    assert refused.value.code == "not_in_care"


def test_a_doctor_cannot_start_a_conversation_with_a_patient_outside_their_care():
    with pytest.raises(ForbiddenError) as refused:
        services.conversation_get_or_create_chart(
            actor=UserFactory(role=Role.DOCTOR), patient=PatientFactory()
        )
    assert refused.value.code == "not_in_care"


def test_conversation_for_participant_tells_unknown_from_forbidden(conversation):
    found = selectors.conversation_for_participant(
        user=conversation.patient.user, conversation_public_id=conversation.public_id
    )
    assert found.pk == conversation.pk
    with pytest.raises(NotFoundError):
        selectors.conversation_for_participant(
            user=conversation.doctor, conversation_public_id=uuid.uuid4()
        )
    with pytest.raises(ForbiddenError):
        selectors.conversation_for_participant(
            user=UserFactory(role=Role.PATIENT), conversation_public_id=conversation.public_id
        )


def test_messages_are_on_the_patients_timeline(conversation):
    send(conversation, conversation.patient.user, "My chest hurts less today.")

    entries = timeline_collect(
        patient=conversation.patient, user=conversation.doctor, types=["message"]
    )

    (entry,) = list(entries)
    assert entry.title == f"Message from {conversation.patient.user.display_name}"
    assert entry.summary == "My chest hurts less today."


# --- consult rooms -----------------------------------------------------------------------


@pytest.fixture
def appointment():
    return TeleconsultAppointmentFactory()


def test_the_room_is_open_from_before_the_start_to_after_the_end(appointment, frozen_now):
    room = services.consult_room_ensure(appointment=appointment)
    window = selectors.room_window(appointment=appointment)

    assert window.opens_at == appointment.start_at - timedelta(minutes=15)
    assert window.closes_at == appointment.end_at + timedelta(minutes=30)
    assert selectors.room_state(room=room) == "open"
    assert selectors.room_state(room=room, at=window.opens_at - timedelta(seconds=1)) == (
        "scheduled"
    )
    assert selectors.room_state(room=room, at=window.closes_at) == "closed"
    with pytest.raises(ConflictError) as early:
        services.consult_room_check_open(room=room, at=window.opens_at - timedelta(minutes=1))
    assert early.value.code == "room_not_open"
    with pytest.raises(ConflictError) as late:
        services.consult_room_check_open(room=room, at=window.closes_at)
    assert late.value.code == "room_closed"


def test_the_room_is_made_once_with_its_consult_conversation(appointment):
    room = services.consult_room_ensure(appointment=appointment)

    assert services.consult_room_ensure(appointment=appointment).pk == room.pk
    assert room.conversation.kind == ConversationKind.CONSULT
    assert room.conversation.patient == appointment.patient
    assert room.conversation.doctor == appointment.doctor


def test_an_in_person_appointment_has_no_room():
    appointment = TeleconsultAppointmentFactory(visit_type="in_person")

    with pytest.raises(ConflictError) as refused:
        services.consult_room_ensure(appointment=appointment)
    assert refused.value.code == "not_a_teleconsult"


def test_the_waiting_patient_is_announced_to_the_doctor(
    appointment, pushed, django_capture_on_commit_callbacks
):
    room = services.consult_room_ensure(appointment=appointment)

    with django_capture_on_commit_callbacks(execute=True):
        room = services.consult_patient_waiting(room=room, waiting=True)
        services.consult_patient_waiting(room=room, waiting=True)  # no change, no push
    assert room.patient_waiting_since is not None
    row = selectors_appointment_row(appointment)
    assert row.waiting_room is True

    with django_capture_on_commit_callbacks(execute=True):
        room = services.consult_patient_waiting(room=room, waiting=False)
    assert room.patient_waiting_since is None
    events = [message for _, message in pushed]
    assert [event["waiting"] for event in events] == [True, False]
    assert events[0] == {
        "type": "notification.event",
        "event": "consult_waiting",
        "appointment": str(appointment.public_id),
        "patient": appointment.patient.display_name,
        "waiting": True,
    }
    assert {group for group, _ in pushed} == {f"notifications.user.{appointment.doctor_id}"}


def selectors_appointment_row(appointment):
    from hms.appointments.selectors import appointment_queue

    return appointment_queue(day=appointment.date, doctor=appointment.doctor).get()


def test_the_doctor_joining_starts_the_visit_and_a_teleconsult_encounter(appointment, frozen_now):
    services.consult_patient_waiting(
        room=services.consult_room_ensure(appointment=appointment), waiting=True
    )

    room = services.consult_join(actor=appointment.doctor, appointment=appointment)

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.IN_PROGRESS
    encounter = appointment.encounter
    assert encounter.type == EncounterType.TELECONSULT
    assert encounter.started_at == NOW == appointment.started_at
    assert room.doctor_joined_at is not None and room.patient_waiting_since is None
    assert selectors_appointment_row(appointment).waiting_room is False
    # A second join (a reconnect) changes nothing.
    again = services.consult_join(actor=appointment.doctor, appointment=appointment)
    assert again.doctor_joined_at == room.doctor_joined_at


def test_the_patient_joins_without_starting_the_visit(appointment):
    services.consult_join(actor=appointment.patient.user, appointment=appointment)

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_joining_too_early_or_after_the_end_is_refused(appointment, frozen_now):
    frozen_now.move_to(appointment.start_at - timedelta(minutes=16))
    with pytest.raises(ConflictError) as early:
        services.consult_join(actor=appointment.patient.user, appointment=appointment)
    assert early.value.code == "room_not_open"

    frozen_now.move_to(appointment.end_at + timedelta(minutes=30))
    with pytest.raises(ConflictError) as late:
        services.consult_join(actor=appointment.patient.user, appointment=appointment)
    assert late.value.code == "room_closed"


def test_only_participants_and_invited_staff_join(appointment):
    nurse = UserFactory(role=Role.NURSE)
    with pytest.raises(ForbiddenError):
        services.consult_join(actor=nurse, appointment=appointment)

    services.consult_invite(actor=appointment.doctor, appointment=appointment, user=nurse)
    room = services.consult_join(actor=nurse, appointment=appointment)

    assert [u.pk for u in selectors.consult_room_invitees(room=room)] == [nurse.pk]
    assert nurse.notifications.filter(kind="consult_invite").count() == 1
    assert selectors.is_participant(user=nurse, conversation=room.conversation)
    assert selectors.conversation_list(user=nurse).get().pk == room.conversation.pk


def test_only_the_doctor_invites_and_only_staff(appointment):
    with pytest.raises(ForbiddenError):
        services.consult_invite(
            actor=appointment.patient.user,
            appointment=appointment,
            user=UserFactory(role=Role.NURSE),
        )
    with pytest.raises(ApplicationError) as refused:
        services.consult_invite(
            actor=appointment.doctor,
            appointment=appointment,
            user=UserFactory(role=Role.PATIENT),
        )
    assert refused.value.code == "not_staff"
    inactive = UserFactory(role=Role.NURSE, is_active=False)
    with pytest.raises(ApplicationError):
        services.consult_invite(actor=appointment.doctor, appointment=appointment, user=inactive)


def test_ending_completes_the_visit_closes_the_encounter_and_the_room(
    appointment, frozen_now, pushed, django_capture_on_commit_callbacks
):
    services.consult_join(actor=appointment.doctor, appointment=appointment)
    frozen_now.shift(timedelta(minutes=20))

    with django_capture_on_commit_callbacks(execute=True):
        room = services.consult_end(actor=appointment.doctor, appointment=appointment)

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.COMPLETED
    assert appointment.encounter.status == EncounterStatus.CLOSED
    assert appointment.encounter.ended_at == room.ended_at
    assert selectors.room_state(room=room) == "closed"
    assert (conversation_group(room.conversation.public_id), {"type": "consult.ended"}) in pushed
    with pytest.raises(ConflictError) as closed:
        send(room.conversation, appointment.patient.user)
    assert closed.value.code == "room_closed"
    with pytest.raises(ConflictError):
        services.consult_end(actor=appointment.doctor, appointment=appointment)


def test_only_the_doctor_ends_the_consult(appointment):
    with pytest.raises(ForbiddenError):
        services.consult_end(actor=appointment.patient.user, appointment=appointment)


def test_consult_chat_is_open_only_while_the_room_is(appointment, frozen_now):
    room = services.consult_room_ensure(appointment=appointment)
    assert send(room.conversation, appointment.patient.user).seq == 1

    frozen_now.move_to(appointment.start_at - timedelta(hours=1))
    with pytest.raises(ConflictError) as early:
        send(room.conversation, appointment.patient.user)
    assert early.value.code == "room_not_open"


def test_a_conversation_is_represented_on_its_own_for_a_user(conversation):
    send(conversation, conversation.doctor, "One")
    send(conversation, conversation.doctor, "Two")

    shown = services.conversation_repr(conversation, user=conversation.patient.user)

    assert shown["unread"] == 2
    assert shown["last_message"]["body"] == "Two"
    assert shown["appointment"] is None


def test_the_room_brief_tells_who_ends_the_consult(appointment):
    room = services.consult_room_ensure(appointment=appointment)

    doctor_view = services.consult_room_brief(room, user=appointment.doctor)
    patient_view = services.consult_room_brief(room, user=appointment.patient.user)

    assert (doctor_view["ends_consult"], patient_view["ends_consult"]) == (True, False)
    assert doctor_view["state"] == "open"
    assert doctor_view["opens_at"] == "2027-03-01T08:45:00Z"
