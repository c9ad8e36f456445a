"""Real threads on PostgreSQL: parallel senders in one conversation get distinct, consecutive
seqs (the conversation's row lock), and a message sent twice at once is stored once."""

import uuid

import pytest

from hms.core.tests.threads import run_at_once
from hms.telemedicine import services
from hms.telemedicine.models import Message
from hms.telemedicine.tests.factories import ChartConversationFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("require_postgres"),
]


def test_two_parallel_sends_get_distinct_consecutive_seqs():
    conversation = ChartConversationFactory()
    senders = [conversation.doctor, conversation.patient.user]

    def send(index):
        return services.message_send(
            actor=senders[index],
            conversation=conversation,
            body=f"message {index}",
            client_id=uuid.uuid4(),
        ).seq

    results = run_at_once(2, send)

    assert sorted(results) == [1, 2], results
    conversation.refresh_from_db()
    assert conversation.last_seq == 2
    assert sorted(Message.objects.values_list("seq", flat=True)) == [1, 2]


def test_many_parallel_sends_leave_no_gap():
    conversation = ChartConversationFactory()

    def send(index):
        sender = conversation.doctor if index % 2 else conversation.patient.user
        return services.message_send(
            actor=sender, conversation=conversation, body="hi", client_id=uuid.uuid4()
        ).seq

    results = run_at_once(8, send)

    assert sorted(results) == list(range(1, 9)), results


def test_the_same_message_sent_twice_at_once_is_stored_once():
    conversation = ChartConversationFactory()
    client_id = uuid.uuid4()

    def send(index):
        return services.message_send(
            actor=conversation.doctor, conversation=conversation, body="once", client_id=client_id
        ).pk

    results = run_at_once(2, send)

    assert results[0] == results[1], results
    assert Message.objects.count() == 1
