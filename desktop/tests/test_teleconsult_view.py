"""Teleconsults on the desktop: booking one, the Visit column's pill and "In the waiting room"
(re-read when the notification feed says a patient entered the room), and the doctor or an
invited colleague opening the consult room's web call page in the browser."""

from __future__ import annotations

import httpx
import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtNetwork import QNetworkRequest
from PySide6.QtWebSockets import QWebSocket
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem, QTableView

from hms_desktop import theme
from hms_desktop.api.dto import (
    Appointment,
    ConsultRoom,
    Conversation,
    Page,
    QueuePage,
    VisitType,
)
from hms_desktop.live import NotificationCentre
from hms_desktop.models.appointments import AppointmentsModel, VisitPillDelegate
from hms_desktop.models.telemedicine import ConsultsModel
from hms_desktop.views import consults as consults_view
from hms_desktop.views.consults import ConsultsPage, consult_state_text, consult_url

from .conftest import (
    DOCTOR_PASSWORD,
    hospital_now,
    hospital_today,
    hospital_tomorrow,
    make_doctor,
    make_patient,
    sign_in,
    snap,
    unique,
    wait_idle,
)
from .layout_checks import problems
from .test_appointments_view import (
    choose,
    free_slots,
    label_time,
    open_appointments,
    pick_patient,
    select_slot,
)

PATIENT_PASSWORD = "Portal-visit-42"


def appointment_json(**changes) -> dict:
    data = {
        "id": "a1",
        "patient": {"id": "p1", "mrn": "H000000001", "name": "Amara Okoro"},
        "doctor": {"id": "d1", "name": "Lena Weber"},
        "date": "2026-01-02",
        "slot": "09:30",
        "start_at": "2026-01-02T09:30:00Z",
        "end_at": "2026-01-02T09:45:00Z",
        "status": "booked",
        "status_display": "Booked",
        "visit_type": "in_person",
        "visit_type_display": "In person",
        "waiting_room": False,
    }
    data.update(changes)
    return data


def visit_cells(model: AppointmentsModel) -> list[str]:
    return [model.index(row, AppointmentsModel.VISIT).data() for row in range(model.rowCount())]


def test_the_visit_column_shows_the_type_and_the_waiting_room(qtbot, qtmodeltester):
    rows = [
        Appointment.from_json(appointment_json()),
        Appointment.from_json(
            appointment_json(id="a2", visit_type="teleconsult", visit_type_display="Teleconsult")
        ),
        Appointment.from_json(
            appointment_json(
                id="a3",
                visit_type="teleconsult",
                visit_type_display="Teleconsult",
                waiting_room=True,
            )
        ),
    ]
    model = AppointmentsModel(fetch=lambda _page, _size: QueuePage(count=3, results=rows))
    model.reload()
    qtmodeltester.check(model)
    assert model.headerData(AppointmentsModel.VISIT, Qt.Orientation.Horizontal) == "Visit"
    assert visit_cells(model) == ["In person", "Teleconsult", "In the waiting room"]
    colours = [
        model.index(row, AppointmentsModel.VISIT).data(Qt.ItemDataRole.ForegroundRole)
        for row in range(3)
    ]
    assert [c.name() for c in colours] == [theme.MUTED, theme.INFO, theme.WARNING]
    tips = [
        model.index(row, AppointmentsModel.VISIT).data(Qt.ItemDataRole.ToolTipRole)
        for row in range(3)
    ]
    assert "waiting room" in tips[2] and "video" in tips[1]

    # The pill is painted: its background shows in the cell, for a waiting patient amber.
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    delegate = VisitPillDelegate(view)
    view.setItemDelegateForColumn(AppointmentsModel.VISIT, delegate)
    view.resize(900, 200)
    view.setColumnWidth(AppointmentsModel.VISIT, 160)
    image = QImage(160, 30, QImage.Format.Format_ARGB32)
    for row, background in ((1, theme.INFO_LIGHT), (2, theme.WARNING_LIGHT)):
        image.fill(QColor("white"))
        painter = QPainter(image)
        option = QStyleOptionViewItem()
        option.rect = image.rect()
        option.font = view.font()
        option.widget = view
        delegate.paint(painter, option, model.index(row, AppointmentsModel.VISIT))
        painter.end()
        assert QColor(image.pixel(12, 15)).name() == background, row


def test_an_older_server_without_visit_types_reads_as_in_person():
    data = appointment_json()
    for key in ("visit_type", "visit_type_display", "waiting_room"):
        del data[key]
    appointment = Appointment.from_json(data)
    assert (appointment.visit_type_display, appointment.is_teleconsult) == ("In person", False)


def test_the_consult_room_reads_and_says_its_state():
    room = ConsultRoom.from_json(
        {
            "appointment": "a1",
            "state": "scheduled",
            "opens_at": "2026-01-02T09:15:00+00:00",
            "closes_at": "2026-01-02T10:15:00+00:00",
            "conversation": "c1",
            "patient_waiting_since": None,
            "doctor_joined_at": None,
            "ended_at": None,
            "encounter": None,
            "invited": [{"id": "u9", "name": "Nia Brown", "role": "nurse"}],
            "ice_servers": [],
            "ws_url": "/ws/conversations/c1/",
        }
    )
    assert room.invited[0].label == "Nia Brown (Nurse)"
    assert consult_state_text(room).startswith("Opens at ")
    assert room.state_display == "Not open yet"


def test_a_consult_conversation_reads_and_lists(qtmodeltester):
    row = Conversation.from_json(
        {
            "id": "c1",
            "kind": "consult",
            "patient": {"id": "p1", "name": "Amara Okoro", "mrn": "H000000001"},
            "doctor": {"id": "d1", "name": "Lena Weber"},
            "appointment": "a1",
            "last_message": {
                "seq": 3,
                "body": "I can hear\nyou now",
                "sender_name": "Amara Okoro",
                "created_at": "2026-01-02T09:31:00Z",
            },
            "unread": 2,
            "created_at": "2026-01-01T12:00:00Z",
        }
    )
    model = ConsultsModel(fetch=lambda _page, _size: Page(count=1, results=[row]))
    model.reload()
    qtmodeltester.check(model)
    cells = [model.index(0, column).data() for column in range(model.columnCount())]
    assert cells == [
        "Amara Okoro",
        "Lena Weber",
        "H000000001",
        "2",
        "Amara Okoro: I can hear you now",
    ]


def test_the_consult_rooms_web_page():
    assert consult_url("http://127.0.0.1:8000/", "a1") == QUrl(
        "http://127.0.0.1:8000/workspace/consults/a1/"
    )


def test_the_centre_passes_on_a_patient_entering_the_waiting_room(qtbot):
    centre = NotificationCentre(ctx=None)
    try:
        frame = {"event": "consult_waiting", "appointment": "a1", "patient": "A O", "waiting": True}
        with qtbot.waitSignal(centre.consult_waiting, timeout=1_000) as heard:
            centre._message(frame)
        assert heard.args == [frame]
        with qtbot.assertNotEmitted(centre.consult_waiting), qtbot.assertNotEmitted(centre.changed):
            centre._message({"event": "consult_waiting"})  # no appointment: not for us
        # Back after a drop: screens re-read what the feed may have carried meanwhile.
        centre._message({"event": "hello"})
        with qtbot.waitSignal(centre.resumed, timeout=1_000):
            centre._message({"event": "hello"})
    finally:
        centre.stop()


# --- against the live server ---------------------------------------------------------------


def test_booking_a_teleconsult_sends_the_type_and_the_queue_shows_it(qtbot, hms, api_as):
    desk = api_as("receptionist")
    doctor = make_doctor(api_as)
    patient = make_patient(desk)
    _window, page = open_appointments(qtbot, hms)
    dialog = page.open_booking()
    assert dialog.visit_type.currentData() == VisitType.IN_PERSON  # unless chosen
    assert [dialog.visit_type.itemText(i) for i in range(dialog.visit_type.count())] == [
        "In person",
        "Teleconsult",
    ]
    pick_patient(qtbot, dialog, patient)
    choose(qtbot, dialog, doctor.id, hospital_tomorrow())
    select_slot(dialog, "09:45")
    dialog.visit_type.setCurrentIndex(dialog.visit_type.findData(VisitType.TELECONSULT))
    snap(dialog, "appointments_book_teleconsult")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    booked = dialog.result_value
    assert (booked.visit_type, booked.visit_type_display) == ("teleconsult", "Teleconsult")
    assert desk.appointments.get(booked.id).visit_type == VisitType.TELECONSULT  # stored so

    qtbot.waitUntil(
        lambda: page.current is not None and page.current.id == booked.id, timeout=10_000
    )
    row = [a.id for a in page.model.rows].index(booked.id)
    assert page.model.index(row, AppointmentsModel.VISIT).data() == "Teleconsult"
    assert page.details.values["visit"].text() == "Teleconsult"
    assert page.details.consult_button.isVisible()
    # The front desk books it but does not join: that is the doctor's, and invited staff's.
    assert not page.details.consult_button.isEnabled()
    assert "invite" in page.details.hint.text()

    # An in-person visit (the default) shows as such, without the consult rows.
    other = desk.appointments.book(
        patient=make_patient(desk, "Bola").id,
        doctor=doctor.id,
        day=hospital_tomorrow(),
        slot=label_time("10:00"),
    )
    assert other.visit_type == VisitType.IN_PERSON
    page.show_day(hospital_tomorrow(), select=other.id)
    qtbot.waitUntil(
        lambda: page.current is not None and page.current.id == other.id, timeout=10_000
    )
    assert page.details.values["visit"].text() == "In person"
    assert page.details.consult_button.isHidden()
    assert page.details.values["invited"].isHidden()
    wait_idle(qtbot, hms)


@pytest.fixture
def teleconsult(api_as):
    """A teleconsult tomorrow with a doctor of its own, who invited the demo nurse."""
    username = unique("drtele")
    doctor = make_doctor(api_as, first_name="Tariq", username=username)
    desk = api_as("receptionist")
    patient = make_patient(desk)
    slot = free_slots(desk, doctor.id, hospital_tomorrow())[0]
    booked = desk.appointments.book(
        patient=patient.id,
        doctor=doctor.id,
        day=slot.date,
        slot=slot.start,
        reason="Rash follow-up",
        visit_type=VisitType.TELECONSULT,
    )
    nurse = api_as("nurse").profile.get()
    api_as(username, DOCTOR_PASSWORD).client.post(
        f"/api/appointments/{booked.id}/consult/invite/", {"user": nurse.id}
    )
    return username, booked, nurse


@pytest.fixture
def opened_urls(monkeypatch):
    """What the desktop asked the system to open in the browser (nothing is opened)."""
    urls: list[str] = []

    def open_url(url: QUrl) -> bool:
        urls.append(url.toString())
        return True

    monkeypatch.setattr(consults_view.QDesktopServices, "openUrl", staticmethod(open_url))
    return urls


def select_teleconsult(qtbot, page, booked) -> None:
    page.show_day(booked.date, select=booked.id)
    qtbot.waitUntil(
        lambda: page.current is not None and page.current.id == booked.id, timeout=10_000
    )


def test_the_doctor_opens_the_consult_room_in_the_browser(
    qtbot, hms, hms_server, teleconsult, opened_urls
):
    username, booked, nurse = teleconsult
    _window, page = open_appointments(qtbot, hms, role=username, password=DOCTOR_PASSWORD)
    select_teleconsult(qtbot, page, booked)
    details = page.details
    qtbot.waitUntil(lambda: details.room is not None, timeout=10_000)
    assert details.values["invited"].isVisible()
    assert details.values["invited"].text() == f"{nurse.display_name} (Nurse)"
    assert details.values["consult"].text().startswith("Opens at ")  # tomorrow
    assert details.consult_button.isEnabled()
    details.consult_button.click()
    assert opened_urls == [f"{hms_server}/workspace/consults/{booked.id}/"]


def test_invited_staff_see_their_consults_and_open_the_room(
    qtbot, hms, hms_server, teleconsult, opened_urls
):
    _username, booked, nurse = teleconsult
    window = sign_in(qtbot, hms, "nurse")
    window.resize(1024, 640)
    window.show()
    page = window.open_module("consults")
    assert isinstance(page, ConsultsPage)
    qtbot.waitUntil(lambda: page._loaded and not page.model.loading, timeout=10_000)
    rows = [c.appointment for c in page.model.rows]
    assert booked.id in rows
    page.table.selectRow(rows.index(booked.id))
    details = page.details
    qtbot.waitUntil(lambda: details.room is not None, timeout=10_000)
    assert details.heading.text() == booked.patient.name
    assert nurse.display_name in details.values["invited"].text()
    assert details.values["state"].text().startswith("Opens at ")
    wait_idle(qtbot, hms)
    assert not problems(window), problems(window)
    snap(window, "consults")
    details.open_button.click()
    assert opened_urls == [f"{hms_server}/workspace/consults/{booked.id}/"]

    # The same consult in the nurse's appointments queue, on a small screen.
    appointments = window.open_module("appointments")
    qtbot.waitUntil(lambda: appointments._loaded and not appointments.model.loading)
    select_teleconsult(qtbot, appointments, booked)
    qtbot.waitUntil(lambda: appointments.details.room is not None, timeout=10_000)
    assert appointments.details.consult_button.isEnabled()
    wait_idle(qtbot, hms)
    QApplication.processEvents()
    assert not problems(window), problems(window)
    # The panel scrolls rather than squeeze its rows onto each other.
    squeezed = [
        key
        for key, label in appointments.details.values.items()
        if label.isVisible() and label.height() < label.minimumSizeHint().height()
    ]
    assert not squeezed, squeezed
    snap(window, "appointments_teleconsult_small")
    appointments.details.consult_button.click()
    assert opened_urls[-1] == f"{hms_server}/workspace/consults/{booked.id}/"


def test_staff_not_invited_do_not_join(qtbot, hms, teleconsult, opened_urls):
    _username, booked, _nurse = teleconsult
    _window, page = open_appointments(qtbot, hms)  # the front desk
    select_teleconsult(qtbot, page, booked)
    wait_idle(qtbot, hms)
    details = page.details
    assert details.room is None  # the server shows a consult to its participants only
    assert details.consult_button.isVisible() and not details.consult_button.isEnabled()
    assert details.values["invited"].isHidden()
    assert "invite" in details.hint.text()
    assert page.open_consult_room() is None
    assert opened_urls == []


def patient_socket(qtbot, server: str, token: str, conversation_id: str) -> QWebSocket:
    """The patient's browser in the consult room: a socket to its conversation."""
    socket = QWebSocket()
    url = server.replace("http://", "ws://") + f"/ws/conversations/{conversation_id}/"
    request = QNetworkRequest(QUrl(url))
    request.setRawHeader(b"Authorization", f"Bearer {token}".encode())
    with qtbot.waitSignal(socket.connected, timeout=10_000):
        socket.open(request)
    return socket


def portal_patient(server: str, api_as):
    """A patient who signed up to the portal (an account and a chart of their own, so no other
    test's visits overlap theirs), signed in to the API."""
    username = unique("pt")
    answer = httpx.post(
        f"{server}/api/register/",
        json={
            "username": username,
            "password": PATIENT_PASSWORD,
            "first_name": "Zainab",
            "last_name": unique("Bello").replace("_", ""),
            "date_of_birth": "1988-05-20",
            "sex": "female",
        },
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    return api_as(username, PATIENT_PASSWORD)


def test_a_patient_in_the_waiting_room_shows_live_in_the_doctors_queue(
    qtbot, hms, hms_server, api_as
):
    username = unique("drwait")
    doctor = make_doctor(api_as, first_name="Wanda", username=username)
    desk, portal = api_as("receptionist"), portal_patient(hms_server, api_as)
    me = portal.patients.list(page_size=1).results[0]
    # The next free slot starts within 15 minutes: its room is open now.
    now = hospital_now()
    slot = next(s for s in free_slots(desk, doctor.id, hospital_today()) if s.start_at >= now)
    booked = desk.appointments.book(
        patient=me.id,
        doctor=doctor.id,
        day=slot.date,
        slot=slot.start,
        visit_type=VisitType.TELECONSULT,
    )
    window, page = open_appointments(qtbot, hms, role=username, password=DOCTOR_PASSWORD)
    qtbot.waitUntil(lambda: window.notifications.live, timeout=15_000)
    select_teleconsult(qtbot, page, booked)
    row = [a.id for a in page.model.rows].index(booked.id)
    visit = page.model.index(row, AppointmentsModel.VISIT)
    assert visit.data() == "Teleconsult"

    room = portal.client.get(f"/api/appointments/{booked.id}/consult/")
    assert room["state"] == "open"
    socket = patient_socket(qtbot, hms_server, portal.client.access_token, room["conversation"])
    try:
        qtbot.waitUntil(
            lambda: page.current is not None and page.current.waiting_room, timeout=10_000
        )
        row = [a.id for a in page.model.rows].index(booked.id)
        assert page.model.index(row, AppointmentsModel.VISIT).data() == "In the waiting room"
        assert "In the waiting room" in page.details.values["visit"].text()
        # Heard on any screen: the window says so.
        assert window.banner_visible() and "waiting room" in window.banner.message
        assert me.first_name in window.banner.message
        wait_idle(qtbot, hms)
        snap(window, "appointments_waiting_room")
    finally:
        socket.close()
    # The patient left: the queue says so without a click.
    qtbot.waitUntil(
        lambda: page.current is not None and not page.current.waiting_room, timeout=10_000
    )
    row = [a.id for a in page.model.rows].index(booked.id)
    assert page.model.index(row, AppointmentsModel.VISIT).data() == "Teleconsult"
    wait_idle(qtbot, hms)
