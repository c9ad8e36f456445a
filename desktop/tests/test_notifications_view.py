"""The bell, the inbox and the dashboard's "needs attention" strip, live: a NEWS2 alert the
ward nurse's observations raise reaches the attending doctor's open desktop without a click."""

from __future__ import annotations

from hms_desktop.live import NotificationFeed, feed_url
from hms_desktop.views.dashboard import DashboardPage
from tests.conftest import DOCTOR_PASSWORD, sign_in, snap, unique, wait_idle
from tests.test_inpatient_views import admit, make_doctor, make_ward

# Scores NEWS2 well over 7: a critical alert to the attending doctor.
DETERIORATING = {
    "respiratory_rate": 28,
    "spo2": 89,
    "on_oxygen": False,
    "systolic_bp": 88,
    "diastolic_bp": 50,
    "pulse": 135,
    "consciousness": "V",
    "temperature_c": "39.4",
}


def test_feed_url():
    assert feed_url("http://127.0.0.1:8000") == "ws://127.0.0.1:8000/ws/notifications/"
    assert feed_url("https://hms.example/") == "wss://hms.example/ws/notifications/"


def test_the_feed_socket_lives_off_the_ui_thread(qtbot):
    feed = NotificationFeed()
    try:
        assert feed._socket.thread() is feed.thread
        assert feed.thread.isRunning()
        assert feed.thread is not qtbot.__class__  # sanity: a QThread of its own
    finally:
        feed.shut_down()


def test_a_critical_alert_reaches_the_open_desktop_live(qtbot, hms, api_as):
    ward = make_ward(api_as, beds=1, name="Bell")
    nurse = api_as("nurse")
    api_as("admin").client.post(
        f"/api/wards/{ward['id']}/nurses/", {"nurse": nurse.profile.get().id}
    )
    username = unique("drbell")
    doctor = make_doctor(api_as, first_name="Bella", username=username)
    admission, _patient, _doctor = admit(api_as, ward, doctor=doctor)

    window = sign_in(qtbot, hms, username, DOCTOR_PASSWORD)
    window.resize(1280, 800)
    dashboard = window.open_module("dashboard")
    assert isinstance(dashboard, DashboardPage)
    centre = window.notifications
    qtbot.waitUntil(lambda: centre.live, timeout=15_000)
    wait_idle(qtbot, hms)
    before = window.header.unread
    assert window.header.attention == 0
    assert not dashboard.attention.isVisible()

    with qtbot.waitSignal(centre.alert, timeout=5_000) as alert:
        nurse.inpatient.record_observation(admission.id, **DETERIORATING)
    assert alert.args[0].kind == "news2_alert" and alert.args[0].needs_attention

    qtbot.waitUntil(lambda: window.header.unread == before + 1, timeout=5_000)
    assert window.header.attention == 1
    assert "⚠ 1" in window.header.bell.text()
    assert "1 need attention" in window.header.bell.toolTip()
    assert window.banner_visible() and "NEWS2" in window.banner.message
    qtbot.waitUntil(lambda: dashboard.attention.isVisible(), timeout=5_000)
    assert "NEWS2" in dashboard.attention.items[0].title
    snap(window, "notifications-dashboard-strip")

    # The inbox from the bell: acknowledge there, and the strip and the bell follow.
    window.header.bell.click()
    dialog = window.notifications_dialog
    qtbot.waitUntil(lambda: bool(dialog.rows), timeout=5_000)
    dialog.table.selectRow(0)
    assert dialog.acknowledge_button.isEnabled()
    snap(dialog, "notifications-inbox")
    dialog.acknowledge_button.click()
    qtbot.waitUntil(lambda: window.header.attention == 0, timeout=5_000)
    qtbot.waitUntil(lambda: not dashboard.attention.isVisible(), timeout=5_000)
    qtbot.waitUntil(
        lambda: "Acknowledged by Bella" in dialog.table.item(0, 2).text(), timeout=5_000
    )
    dialog.close()
