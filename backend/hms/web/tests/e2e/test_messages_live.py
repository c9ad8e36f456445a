"""Messages between a patient and their doctor, live in two browsers: the patient starts the
conversation from /portal/messages/, the doctor opens it from /workspace/messages/, and a
dropped connection loses nothing (what the other side sent meanwhile is replayed, what was
typed offline is sent after the reconnect, each message shown once and in order)."""

import re

import pytest
from playwright.sync_api import expect

from hms.accounts.tests.factories import TEST_PASSWORD, DoctorProfileFactory, UserFactory
from hms.core.roles import Role
from hms.patients.tests.factories import CareAssignmentFactory, PatientFactory
from hms.telemedicine.models import Message

from .test_portal_flows import sign_in

# Holds the page's chat offline: its reconnects do nothing until GO_ONLINE.
GO_OFFLINE = """() => {
  const chat = document.querySelector('[data-chat]').hmsChat;
  chat.realConnect = chat.connect;
  chat.connect = () => {};
  chat.socket.close();
}"""
GO_ONLINE = """() => {
  const chat = document.querySelector('[data-chat]').hmsChat;
  chat.connect = chat.realConnect;
  chat.reconnectNow();
}"""


@pytest.fixture
def people():
    doctor = DoctorProfileFactory(
        user__username="drchat", user__first_name="Chen", user__last_name="Chat"
    ).user
    patient_user = UserFactory(
        role=Role.PATIENT, username="patchat", first_name="Pia", last_name="Park"
    )
    patient = PatientFactory(user=patient_user, first_name="Pia", last_name="Park")
    CareAssignmentFactory(patient=patient, doctor=doctor)
    return {"doctor": doctor, "patient": patient}


def send(page, text: str) -> None:
    page.get_by_test_id("chat-input").fill(text)
    page.get_by_test_id("chat-input").press("Enter")


def bodies(page) -> list[str]:
    return page.get_by_test_id("chat-body").all_inner_texts()


def test_live_messages_survive_a_dropped_connection(call_page, people, shoot):
    patient = call_page(media=False)
    doctor = call_page(media=False)

    sign_in(patient, "patchat", TEST_PASSWORD)
    patient.goto(f"{patient.base_url}/portal/messages/")
    patient.get_by_label("Doctor", exact=True).select_option(label="Dr Chen Chat")
    patient.get_by_role("button", name="Open the conversation").click()
    expect(patient).to_have_url(re.compile(r"/portal/messages/[0-9a-f-]+/$"))
    expect(patient.get_by_test_id("chat")).to_have_attribute("data-chat-state", "open")
    send(patient, "Hello doctor, a question about my tablets.")

    sign_in(doctor, "drchat", TEST_PASSWORD)
    doctor.goto(f"{doctor.base_url}/workspace/messages/")
    conversation = doctor.get_by_test_id("conversation")
    expect(conversation).to_contain_text("Park, Pia")
    expect(conversation.get_by_test_id("unread")).to_contain_text("1")
    conversation.click()
    expect(doctor.get_by_test_id("chat-body")).to_have_text(
        ["Hello doctor, a question about my tablets."]
    )
    send(doctor, "Go ahead.")
    expect(patient.get_by_test_id("chat-body").last).to_have_text("Go ahead.")

    # The patient's connection drops. Meanwhile the doctor writes, and so does the patient.
    patient.evaluate(GO_OFFLINE)
    expect(patient.get_by_test_id("chat")).to_have_attribute("data-chat-state", "closed")
    send(doctor, "Take them with food.")
    send(doctor, "Twice a day.")
    send(patient, "Should I take them with food?")
    expect(patient.get_by_test_id("chat-message").last).to_contain_text("Sending…")

    patient.evaluate(GO_ONLINE)
    expect(patient.get_by_test_id("chat")).to_have_attribute("data-chat-state", "open")
    expected = [
        "Hello doctor, a question about my tablets.",
        "Go ahead.",
        "Take them with food.",
        "Twice a day.",
        "Should I take them with food?",
    ]
    expect(patient.get_by_test_id("chat-body")).to_have_text(expected)
    expect(doctor.get_by_test_id("chat-body")).to_have_text(expected)
    assert (
        list(
            Message.objects.filter(conversation__patient=people["patient"])
            .order_by("seq")
            .values_list("body", flat=True)
        )
        == expected
    )

    # A reload shows the same history, each message once.
    patient.reload()
    expect(patient.get_by_test_id("chat-body")).to_have_text(expected)
    assert bodies(patient) == expected
    shoot(patient, "messages-patient")
    shoot(doctor, "messages-doctor")
