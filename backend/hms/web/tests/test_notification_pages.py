"""The inbox, the bell and the "needs attention" strip on the web."""

import pytest

from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.core.services import notification_create
from hms.patients.tests.factories import PatientFactory
from hms.web.tests.conftest import page_queries

pytestmark = pytest.mark.django_db


def _critical(user, patient=None, title="Critical result: Potassium 6.8 mmol/L"):
    return notification_create(
        recipient=user,
        kind="lab_critical_result",
        severity="critical",
        title=title,
        body="Critical high potassium.",
        patient_id=str(patient.public_id) if patient else "",
    )


def test_bell_shows_counts_on_every_page(web_client_for):
    doctor = web_client_for(Role.DOCTOR)
    _critical(doctor.user)
    notification_create(recipient=doctor.user, kind="info", title="Clinic moved")
    page = doctor.get("/workspace/").content.decode()
    assert 'data-testid="notification-bell"' in page
    assert "Notifications: 2 unread, 1 need attention" in page
    assert 'data-live-notifications="/ws/notifications/"' in page
    assert "web/js/notifications.js" in page


def test_strip_on_the_workspace_lists_unacknowledged_critical_alerts(web_client_for):
    doctor = web_client_for(Role.DOCTOR)
    patient = PatientFactory()
    _critical(doctor.user, patient)
    notification_create(recipient=doctor.user, kind="info", title="Not critical")
    page = doctor.get("/workspace/").content.decode()
    assert 'data-testid="attention-strip"' in page
    assert "Critical result: Potassium 6.8 mmol/L" in page
    assert "Not critical" not in page
    # The page read is audited with the patients it showed.
    event = AuditEvent.objects.get(resource_type="notification_attention_strip")
    assert event.detail["patients"] == [str(patient.public_id)]


def test_acknowledge_from_the_strip_with_htmx_refreshes_it(web_client_for):
    doctor = web_client_for(Role.DOCTOR)
    alert = _critical(doctor.user)
    response = doctor.post(
        f"/notifications/{alert.public_id}/acknowledge/", {"from": "strip"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "Potassium" not in response.content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_by == doctor.user
    assert AuditEvent.objects.filter(resource_type="notification_acknowledgement").count() == 1


def test_acknowledge_without_javascript_redirects_back(web_client_for):
    doctor = web_client_for(Role.DOCTOR)
    alert = _critical(doctor.user)
    response = doctor.post(
        f"/notifications/{alert.public_id}/acknowledge/", {"next": "/workspace/"}
    )
    assert response.status_code == 302 and response["Location"] == "/workspace/"
    response = doctor.post(
        f"/notifications/{alert.public_id}/acknowledge/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/notifications/"


def test_acknowledged_item_says_who_and_when(web_client_for):
    nurse = web_client_for(Role.NURSE)
    alert = _critical(nurse.user)
    response = nurse.post(f"/notifications/{alert.public_id}/acknowledge/", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert f"acknowledged by {nurse.user.display_name}" in body
    assert "Acknowledge</button>" not in body


def test_someone_elses_notification_is_404(web_client_for, make_user):
    doctor = web_client_for(Role.DOCTOR)
    theirs = _critical(make_user(Role.DOCTOR))
    assert doctor.post(f"/notifications/{theirs.public_id}/acknowledge/").status_code == 404
    assert doctor.get(f"/notifications/{theirs.public_id}/open/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.acknowledged_at is None and theirs.read_at is None


def test_open_marks_read_and_leads_a_doctor_to_the_patients_results(web_client_for):
    doctor = web_client_for(Role.DOCTOR)
    patient = PatientFactory()
    alert = _critical(doctor.user, patient)
    response = doctor.get(f"/notifications/{alert.public_id}/open/")
    assert response.status_code == 302
    assert response["Location"] == f"/workspace/patients/{patient.public_id}/results/"
    alert.refresh_from_db()
    assert alert.read_at is not None and alert.acknowledged_at is None


def test_open_leads_a_patient_to_their_results_and_others_to_the_inbox(web_client_for):
    patient_client = web_client_for(Role.PATIENT)
    ready = notification_create(
        recipient=patient_client.user, kind="radiology_report_ready", title="Your CT is ready"
    )
    response = patient_client.get(f"/notifications/{ready.public_id}/open/")
    assert response["Location"] == "/portal/results/"
    accountant = web_client_for(Role.ACCOUNTANT)
    note = notification_create(recipient=accountant.user, kind="billing_missing_tariff", title="x")
    response = accountant.get(f"/notifications/{note.public_id}/open/")
    assert response["Location"] == f"/notifications/#n-{note.public_id}"


def test_inbox_filters_and_htmx_partial(web_client_for):
    patient_client = web_client_for(Role.PATIENT)
    notification_create(recipient=patient_client.user, kind="info", title="Welcome")
    _critical(patient_client.user, title="Urgent for you")
    page = patient_client.get("/notifications/").content.decode()
    assert "Welcome" in page and "Urgent for you" in page
    attention = patient_client.get("/notifications/?show=attention").content.decode()
    assert "Urgent for you" in attention and "Welcome" not in attention
    partial = patient_client.get("/notifications/?show=nonsense", HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()
    assert 'id="notification-list"' in partial.content.decode()


def test_a_title_is_text_not_markup(web_client_for):
    doctor = web_client_for(Role.DOCTOR)
    _critical(doctor.user, title="<script>alert(1)</script>")
    page = doctor.get("/notifications/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_signed_out_goes_to_sign_in(client):
    assert client.get("/notifications/").status_code == 302


def test_inbox_and_workspace_query_counts_do_not_grow_with_rows(web_client_for):
    doctor = web_client_for(Role.DOCTOR)
    _critical(doctor.user, PatientFactory())
    doctor.get("/notifications/")
    doctor.get("/workspace/")
    inbox, workspace = page_queries(doctor, "/notifications/"), page_queries(doctor, "/workspace/")
    for i in range(15):
        _critical(doctor.user, PatientFactory(), title=f"K {i}")
    assert page_queries(doctor, "/notifications/") == inbox
    assert page_queries(doctor, "/workspace/") == workspace
