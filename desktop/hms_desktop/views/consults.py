"""My consults: the teleconsults a user runs (a doctor) or was invited to (any staff member:
an interpreter, a nurse, a second doctor), with each room's window, waiting room and invited
staff. Video and chat live in the web call page: "Open consult room" opens it in the browser.

The helpers here (the call page's address, a room's state in words, opening it) are shared
with the appointments queue.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QLabel

from hms_desktop.api.dto import ConsultRoom, ConsultState, Conversation, ConversationKind
from hms_desktop.api.errors import ApiError
from hms_desktop.formatting import EMPTY
from hms_desktop.models.telemedicine import ConsultsModel
from hms_desktop.widgets.list_page import DetailPanel, ListPage
from hms_desktop.widgets.page import Page, button
from hms_desktop.workers import is_busy

CONSULT_PATH = "/workspace/consults/{}/"


def consult_url(base_url: str, appointment_id: str) -> QUrl:
    """The web call page of a teleconsult, on the server the desktop is signed in to."""
    return QUrl(base_url.rstrip("/") + CONSULT_PATH.format(appointment_id))


def clock(value: datetime) -> str:
    local = value.astimezone() if value.tzinfo else value
    return local.strftime("%H:%M")


def consult_state_text(room: ConsultRoom) -> str:
    """ "Opens at 09:15", "Open until 10:15 · the doctor joined", "Ended at 09:52"..."""
    if room.state == ConsultState.SCHEDULED and room.opens_at is not None:
        return f"Opens at {clock(room.opens_at)}"
    if room.state == ConsultState.OPEN:
        until = f" until {clock(room.closes_at)}" if room.closes_at is not None else ""
        joined = " · the doctor joined" if room.doctor_joined_at is not None else ""
        return f"Open{until}{joined}"
    if room.state == ConsultState.CLOSED and room.ended_at is not None:
        return f"Ended at {clock(room.ended_at)}"
    return room.state_display


def window_text(room: ConsultRoom) -> str:
    """When the room is open: "Tue 08 Dec 2026 09:15 to 10:15" (the closing day too when it
    is another)."""
    if room.opens_at is None or room.closes_at is None:
        return EMPTY
    opens, closes = room.opens_at.astimezone(), room.closes_at.astimezone()
    until = f"{closes:%H:%M}" if closes.date() == opens.date() else f"{closes:%a %d %b %H:%M}"
    return f"{opens:%a %d %b %Y %H:%M} to {until}"


def invited_text(room: ConsultRoom) -> str:
    return ", ".join(person.label for person in room.invited) or "Nobody yet"


def waiting_text(room: ConsultRoom) -> str:
    if room.patient_waiting_since is None:
        return EMPTY
    return f"The patient is in the waiting room since {clock(room.patient_waiting_since)}"


def open_consult_room(page: Page, appointment_id: str) -> QUrl:
    """Open the teleconsult's call page in the web browser (video and chat live there)."""
    url = consult_url(page.ctx.api.client.base_url, appointment_id)
    if not QDesktopServices.openUrl(url):
        page.banner.show_message(
            f"Could not open the web browser. The consult room is at {url.toString()}",
            kind="error",
        )
    return url


def load_consult(page: Page, appointment_id: str, on_done, on_error) -> None:
    """Read a teleconsult's room off the UI thread; `on_error(message)` says why not."""
    telemedicine = page.ctx.api.telemedicine
    page.run(
        lambda: telemedicine.consult(appointment_id),
        on_done=on_done,
        on_error=lambda exc: on_error(exc.message if isinstance(exc, ApiError) else str(exc)),
    )


class ConsultDetails(DetailPanel):
    """The selected consult: when its room is open, who waits, who is invited."""

    FIELDS = (
        ("MRN", "mrn"),
        ("Doctor", "doctor"),
        ("Consult room", "state"),
        ("Open", "window"),
        ("Waiting room", "waiting"),
        ("Invited", "invited"),
        ("Last message", "last_message"),
    )

    def __init__(self, parent=None) -> None:
        super().__init__(
            "No consult selected", margins=(18, 16), spacing=10, min_width=300, parent=parent
        )
        self.conversation: Conversation | None = None
        self.room: ConsultRoom | None = None
        layout = self.body
        layout.addWidget(self.heading)
        layout.addLayout(self.add_fields(self.FIELDS))
        for label in (self.heading, *self.values.values()):  # names and messages as typed
            label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addSpacing(6)
        self.open_button = button("Open consult room", primary=True, name="openConsultRoom")
        self.open_button.setToolTip("Open the teleconsult's call page in the web browser")
        layout.addWidget(self.open_button)
        self.hint = QLabel("Video and chat open in the web browser; sign in there if asked.")
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        layout.addStretch(1)
        self.show_consult(None)

    def show_consult(self, conversation: Conversation | None) -> None:
        same = (
            conversation is not None
            and self.conversation is not None
            and conversation.id == self.conversation.id
        )
        self.conversation = conversation
        if not same:
            self.room = None
        if conversation is None:
            self.heading.setText("No consult selected")
            self.clear_values()
            self.open_button.setEnabled(False)
            return
        self.heading.setText(conversation.patient.name)
        self.values["mrn"].setText(conversation.patient.mrn)
        self.values["doctor"].setText(conversation.doctor.name)
        self.values["last_message"].setText(conversation.last_message_text or EMPTY)
        self._show_room()

    def show_room(self, appointment_id: str, room: ConsultRoom | None, error: str = "") -> None:
        """The room of the consult shown (a late answer for another one is dropped)."""
        if self.conversation is None or self.conversation.appointment != appointment_id:
            return
        self.room = room
        self._show_room(error)

    def _show_room(self, error: str = "") -> None:
        room = self.room
        if room is None:
            self.values["state"].setText(f"Could not load: {error}" if error else "…")
            for key in ("window", "waiting", "invited"):
                self.values[key].setText(EMPTY)
        else:
            self.values["state"].setText(consult_state_text(room))
            self.values["window"].setText(window_text(room))
            self.values["waiting"].setText(waiting_text(room))
            self.values["invited"].setText(invited_text(room))
        closed = room is not None and room.state == ConsultState.CLOSED
        if not is_busy(self.open_button):
            self.open_button.setEnabled(self.conversation is not None and not closed)


class ConsultsPage(ListPage):
    title = "My consults"
    intro = (
        "Teleconsults you run, or that a doctor invited you to. Video and chat open in the web "
        "browser."
    )

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(
            ctx,
            ConsultsModel(ctx.runner, page_size=50),
            lambda api: api.telemedicine.conversations,
            refresh_name="refreshConsults",
            empty_text="No teleconsult: a doctor's invitation brings one here.",
            parent=parent,
        )
        self.set_details(
            ConsultDetails(),
            beside=True,
            sizes=(700, 320),
            column_widths={0: 170, 1: 150, 2: 115, 3: 60},
            stretch=ConsultsModel.LAST_MESSAGE,
        )
        self.details.open_button.clicked.connect(self.open_consult_room)
        self.table.doubleClicked.connect(lambda _i: self.open_consult_room())
        centre = getattr(ctx, "notifications", None)
        if centre is not None:  # a patient entering or leaving a consult's waiting room
            centre.consult_waiting.connect(lambda _message: self._waiting_changed())
            centre.resumed.connect(self._waiting_changed)  # a change may have been missed

    def filters(self) -> dict[str, Any]:
        return {"kind": ConversationKind.CONSULT}

    def row_selected(self, conversation: Conversation | None, _previous: Any) -> None:
        self.details.show_consult(conversation)
        if conversation is not None and conversation.appointment:
            appointment_id = conversation.appointment
            load_consult(
                self,
                appointment_id,
                on_done=lambda room: self.details.show_room(appointment_id, room),
                on_error=lambda message: self.details.show_room(appointment_id, None, message),
            )

    def _waiting_changed(self) -> None:
        if self._loaded:
            self.reload_keeping_selection()

    def open_consult_room(self) -> QUrl | None:
        conversation = self.current
        if conversation is None or not conversation.appointment:
            return None
        if not self.details.open_button.isEnabled():
            return None
        return open_consult_room(self, conversation.appointment)
