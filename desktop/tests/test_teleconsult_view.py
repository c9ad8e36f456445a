"""Teleconsults on the desktop: booking one, the Visit column's pill and "In the waiting room"
(re-read when the notification feed says a patient entered the room), and the doctor or an
invited colleague opening the consult room's web call page in the browser."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QStyleOptionViewItem, QTableView

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
from hms_desktop.views.consults import consult_state_text, consult_url

from .conftest import hospital_tomorrow, make_doctor, make_patient, snap, wait_idle
from .test_appointments_view import (
    choose,
    label_time,
    open_appointments,
    pick_patient,
    select_slot,
)


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
        "H000000001",
        "Lena Weber",
        "Amara Okoro: I can hear you now",
        "2",
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
