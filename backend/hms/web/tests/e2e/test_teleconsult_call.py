"""A teleconsult in two browsers: the patient waits in the room, the doctor sees it live in
the queue and joins, the WebRTC call connects (Chromium's fake camera and microphone) and the
remote video plays, both chat (text stays text, read receipts), mute and screen sharing show on
the other side, a reloaded page gets the call back, the doctor writes the visit note from the
call page and ends the consult, and the patient's visits show it. And with the camera refused:
the page says so, the consult goes on by chat (typing, an attachment), and the doctor, away
from the queue, is told the patient is waiting."""

import base64
import os
import re
import shutil
from datetime import datetime, time
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from hms.accounts.tests.factories import TEST_PASSWORD, DoctorProfileFactory, UserFactory
from hms.appointments.models import VisitType
from hms.appointments.services import appointment_book
from hms.appointments.tests.conftest import give_schedule
from hms.clinical.models import Document, VisitNote
from hms.core.roles import Role
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory

from .conftest import ARTIFACTS, MONDAY
from .test_portal_flows import sign_in

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[5] / "docs" / "screenshots"
XSS = '<img src=x onerror="document.title=1">'
# A 1 by 1 pixel PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

CONNECTED = """() => {
  const consult = document.querySelector('[data-consult]').hmsConsult;
  return !!consult && Object.values(consult.peers).some(
    (peer) => peer.pc.connectionState === 'connected');
}"""
REMOTE_TIME = "() => document.querySelector('[data-testid=remote-video]').currentTime"


@pytest.fixture
def ten_to_nine():
    """The server's clock at 08:50 on a Monday (ticking): the 09:00 teleconsult's room is
    open (from 08:45)."""
    start = timezone.make_aware(datetime.combine(MONDAY, time(8, 50)))
    with time_machine.travel(start, tick=True):
        yield start


@pytest.fixture
def consult(ten_to_nine):
    doctor = DoctorProfileFactory(
        user__username="drvideo",
        user__first_name="Vera",
        user__last_name="Video",
        specialization="General practice",
    ).user
    give_schedule(doctor)
    patient_user = UserFactory(
        role=Role.PATIENT, username="patvideo", first_name="Paul", last_name="Patel"
    )
    patient = PatientFactory(user=patient_user, first_name="Paul", last_name="Patel")
    CareAssignmentFactory(patient=patient, doctor=doctor)
    appointment = appointment_book(
        actor=patient_user,
        patient=patient,
        doctor=doctor,
        date=MONDAY,
        slot=time(9),
        reason="Rash on the arm",
        visit_type=VisitType.TELECONSULT,
    )
    return {"doctor": doctor, "patient": patient, "appointment": appointment}


def chat_send(page, text: str) -> None:
    page.get_by_test_id("chat-input").fill(text)
    page.get_by_test_id("chat-send").click()


def join_as_patient(page) -> None:
    sign_in(page, "patvideo", TEST_PASSWORD)
    page.goto(f"{page.base_url}/portal/appointments/")
    page.get_by_test_id("join-consult").first.click()
    expect(page).to_have_url(re.compile(r"/portal/consults/[0-9a-f-]+/$"))
    expect(page.get_by_test_id("chat")).to_have_attribute("data-chat-state", "open")


def open_queue(page):
    sign_in(page, "drvideo", TEST_PASSWORD)
    page.goto(f"{page.base_url}/workspace/queue/")
    expect(page.get_by_test_id("notification-bell")).to_have_attribute("data-live-state", "open")
    row = page.get_by_test_id("queue").locator("tr", has_text="Patel")
    expect(row.get_by_test_id("visit-type")).to_have_text("Teleconsult")
    return row


def join_as_doctor(page, row=None) -> None:
    row = row or open_queue(page)
    expect(row.get_by_test_id("waiting-room")).to_be_visible()  # the patient is waiting
    row.get_by_test_id("join-consult").click()
    expect(page).to_have_url(re.compile(r"/workspace/consults/[0-9a-f-]+/$"))
    expect(page.get_by_test_id("chat")).to_have_attribute("data-chat-state", "open")


def test_doctor_and_patient_hold_a_video_consult(call_page, consult, shoot):
    patient = call_page()
    doctor = call_page()

    # The doctor's queue is open when the patient enters the waiting room: it shows at once.
    row = open_queue(doctor)
    expect(row.get_by_test_id("waiting-room")).to_be_hidden()
    join_as_patient(patient)
    expect(patient.get_by_test_id("call-state")).to_contain_text("waiting room")
    expect(row.get_by_test_id("waiting-room")).to_be_visible()
    join_as_doctor(doctor, row)

    # The call connects and the other side's video plays, on both sides.
    for page in (doctor, patient):
        page.wait_for_function(CONNECTED)
        expect(page.get_by_test_id("remote-video")).to_have_count(1)
        start = page.evaluate(REMOTE_TIME)
        page.wait_for_function(f"() => ({REMOTE_TIME})() > {start} + 0.5")
        expect(page.get_by_test_id("call-state")).to_have_text("Connected")
        expect(page.get_by_test_id("call-quality")).to_contain_text("lost")

    # Chat both ways; a message that looks like markup arrives as text.
    chat_send(patient, "Good morning, can you see the rash?")
    expect(doctor.get_by_test_id("chat-body").last).to_have_text(
        "Good morning, can you see the rash?"
    )
    chat_send(doctor, XSS)
    expect(patient.get_by_test_id("chat-body").last).to_have_text(XSS)
    expect(patient.get_by_test_id("chat-log").locator("img")).to_have_count(0)
    # The doctor has read the patient's message.
    expect(
        patient.get_by_test_id("chat-message")
        .filter(has_text="can you see")
        .locator("[data-receipt]")
    ).to_have_text("Seen")

    # Mute and camera off say so on the other side.
    doctor.get_by_test_id("toggle-mic").click()
    expect(doctor.get_by_test_id("toggle-mic")).to_have_attribute("aria-pressed", "true")
    expect(patient.locator("[data-peer-media]")).to_contain_text("muted")
    # The doctor shares the screen (Chromium's stand-in screen) and stops again.
    doctor.get_by_test_id("share-screen").click()
    expect(doctor.get_by_test_id("share-screen")).to_have_attribute("aria-pressed", "true")
    expect(patient.locator("[data-peer-media]")).to_contain_text("sharing the screen")
    doctor.get_by_test_id("share-screen").click()
    expect(doctor.get_by_test_id("share-screen")).to_have_attribute("aria-pressed", "false")
    expect(patient.locator("[data-peer-media]")).not_to_contain_text("sharing")

    # The patient reloads the page: the call comes back, the chat keeps its history.
    patient.reload()
    expect(patient.get_by_test_id("chat-body").first).to_have_text(
        "Good morning, can you see the rash?"
    )
    for page in (patient, doctor):
        page.wait_for_function(CONNECTED)
        expect(page.get_by_test_id("remote-video")).to_have_count(1)
    start = patient.evaluate(REMOTE_TIME)
    patient.wait_for_function(f"() => ({REMOTE_TIME})() > {start} + 0.5")

    # The doctor writes the visit note from the call page.
    doctor.get_by_label("Note", exact=True).fill(
        "Eczema on the left forearm. Emollient, review in 2 weeks."
    )
    doctor.get_by_test_id("save-consult-note").click()
    expect(doctor.get_by_test_id("note-saved")).to_contain_text("Visit note saved")
    assert VisitNote.objects.filter(patient=consult["patient"], notes__startswith="Eczema").exists()

    # Desktop and phone widths, nothing scrolling sideways.
    shoot(doctor, "teleconsult-doctor")
    shoot(patient, "teleconsult-patient")
    if os.environ.get("HMS_UPDATE_DOC_SCREENSHOTS"):  # refresh the pictures in docs/ on request
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for side in ("doctor", "patient"):
            shutil.copy(
                ARTIFACTS / f"teleconsult-{side}-desktop.png",
                DOCS_SCREENSHOTS / f"teleconsult-{side}.png",
            )

    # The doctor ends the consult: both pages say so, the patient's visits show the summary.
    doctor.once("dialog", lambda dialog: dialog.accept())
    doctor.get_by_test_id("end-consult").click()
    expect(doctor.get_by_test_id("after-consult")).to_be_visible()
    expect(patient.get_by_test_id("after-consult")).to_be_visible()
    patient.get_by_test_id("after-consult").get_by_role("link").click()
    expect(patient.get_by_test_id("teleconsult-visit")).to_be_visible()
    expect(patient.get_by_test_id("visits")).to_contain_text("Eczema on the left forearm")


def test_refused_camera_falls_back_to_chat(call_page, consult, shoot):
    patient = call_page(media=False)
    doctor = call_page()

    # The doctor is on the workspace's home page when the patient enters the waiting room.
    sign_in(doctor, "drvideo", TEST_PASSWORD)
    expect(doctor).to_have_url(re.compile(r"/workspace/$"))
    expect(doctor.get_by_test_id("notification-bell")).to_have_attribute("data-live-state", "open")
    join_as_patient(patient)
    fallback = patient.get_by_test_id("media-fallback")
    expect(fallback).to_be_visible()
    expect(fallback).to_contain_text("blocked the camera and microphone")
    expect(fallback).to_contain_text("continues by chat")
    expect(patient.get_by_test_id("toggle-mic")).to_be_disabled()

    waiting = doctor.get_by_test_id("waiting-toast")
    expect(waiting).to_contain_text("Paul Patel is in the waiting room.")
    waiting.get_by_role("link", name="Join").click()
    expect(doctor).to_have_url(re.compile(r"/workspace/consults/[0-9a-f-]+/$"))
    expect(doctor.get_by_test_id("chat")).to_have_attribute("data-chat-state", "open")
    chat_send(patient, "My camera does not work, can we chat?")
    expect(doctor.get_by_test_id("chat-body").last).to_have_text(
        "My camera does not work, can we chat?"
    )
    # The doctor is typing: the patient sees it.
    doctor.get_by_test_id("chat-input").press_sequentially("Of course")
    expect(patient.get_by_test_id("chat-typing")).to_have_text("Vera Video is typing…")
    chat_send(doctor, "Of course. Describe the rash, please.")
    expect(patient.get_by_test_id("chat-body").last).to_have_text(
        "Of course. Describe the rash, please."
    )
    # A photo instead: uploaded through the API, stored in the chart, shown to the doctor.
    patient.get_by_test_id("chat-file").set_input_files(
        files=[{"name": "rash.png", "mimeType": "image/png", "buffer": PNG}]
    )
    attachment = doctor.get_by_test_id("chat-attachment")
    expect(attachment).to_contain_text("rash.png")
    assert Document.objects.filter(patient=consult["patient"], original_name="rash.png").exists()

    # The patient still sees the doctor (receive-only), and the explanation stays.
    patient.wait_for_function(CONNECTED)
    expect(patient.get_by_test_id("call-state")).to_have_text("Connected")
    expect(fallback).to_contain_text("continues by chat")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    patient.screenshot(
        path=str(ARTIFACTS / "teleconsult-chat-fallback-patient.png"), full_page=True
    )
    doctor.screenshot(path=str(ARTIFACTS / "teleconsult-chat-fallback-doctor.png"), full_page=True)


def test_the_doctor_invites_a_nurse_into_the_call(call_page, consult):
    UserFactory(role=Role.NURSE, username="nursevideo", first_name="Nia", last_name="Nurse")
    patient = call_page()
    doctor = call_page()
    nurse = call_page()
    join_as_patient(patient)
    join_as_doctor(doctor)

    invite = doctor.get_by_test_id("invite-form")
    invite.get_by_label("An interpreter, a nurse or a colleague").select_option(
        label="Nia Nurse (Nurse)"
    )
    invite.get_by_role("button", name="Invite").click()
    expect(invite.locator("[data-invite-result]")).to_contain_text("Nia Nurse (Nurse) is invited")

    sign_in(nurse, "nursevideo", TEST_PASSWORD)
    nurse.goto(f"{nurse.base_url}/workspace/consults/{consult['appointment'].public_id}/")
    expect(nurse.get_by_test_id("chat")).to_have_attribute("data-chat-state", "open")
    expect(nurse.get_by_test_id("end-consult")).to_have_count(0)  # the doctor's to do
    # Everyone sees the two others.
    for page in (nurse, doctor, patient):
        expect(page.get_by_test_id("remote-video")).to_have_count(2)
    nurse.wait_for_function(CONNECTED)
    chat_send(nurse, "Hello, I am the nurse on duty.")
    expect(patient.get_by_test_id("chat-body").last).to_have_text("Hello, I am the nurse on duty.")
    expect(doctor.get_by_test_id("chat-body").last).to_have_text("Hello, I am the nurse on duty.")
