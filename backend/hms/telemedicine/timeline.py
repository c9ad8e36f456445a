"""Chat messages on the patient's timeline (registered in TelemedicineConfig.ready())."""

from collections.abc import Iterator

from hms.clinical.timeline import TimelineEntry, register_timeline_source
from hms.core.time_window import in_time_window
from hms.telemedicine.models import Message

MESSAGE_TYPE = "message"
SUMMARY_LENGTH = 200


def message_entries(patient, user, since, until) -> Iterator[TimelineEntry]:
    """Every message of the patient's conversations (chart and consult), in one query."""
    rows = Message.objects.filter(conversation__patient=patient).select_related(
        "sender", "conversation", "document"
    )
    for message in in_time_window(rows, "created_at", since, until):
        sender = message.sender.display_name
        summary = message.body[:SUMMARY_LENGTH]
        if message.document is not None and not summary:
            summary = f"Attachment: {message.document.original_name}"
        yield TimelineEntry(
            occurred_at=message.created_at,
            type=MESSAGE_TYPE,
            id=str(message.public_id),
            title=f"Message from {sender}",
            summary=summary,
            actor=sender,
            detail={
                "conversation": str(message.conversation.public_id),
                "kind": message.conversation.kind,
                "seq": message.seq,
                "attachment": (
                    str(message.document.public_id) if message.document is not None else None
                ),
            },
        )


def register_telemedicine_timeline_sources() -> None:
    register_timeline_source("messages", message_entries, types={MESSAGE_TYPE})
