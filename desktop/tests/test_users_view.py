"""The admin's users screen against the live server."""

from __future__ import annotations

from hms_desktop.api import ApiClient
from hms_desktop.views.users import DeactivateDialog, ResetPasswordDialog, UserFormDialog

from .conftest import sign_in, snap, unique, wait_idle

NEW_PASSWORD = "Ward-7-night-shift"


def open_users(qtbot, hms):
    window = sign_in(qtbot, hms, "admin")
    window.resize(1280, 800)
    page = window.open_module("users")
    qtbot.waitUntil(lambda: page.model.rowCount() >= 9, timeout=10_000)
    return window, page


def fill_create(dialog: UserFormDialog, username: str, *, email: str = "") -> None:
    dialog.username.setText(username)
    dialog.password.setText(NEW_PASSWORD)
    dialog.confirm.setText(NEW_PASSWORD)
    dialog.role.setCurrentIndex(dialog.role.findData("pharmacist"))
    dialog.first_name.setText("Petra")
    dialog.last_name.setText("Novak")
    dialog.email.setText(email or f"{username}@hospital.example")


def search_for(qtbot, page, text: str) -> None:
    page.search.setText(text)
    qtbot.waitUntil(
        lambda: (
            not page.model.loading
            and page.model.rowCount() >= 1
            and all(text in u.username for u in page.model.rows)
        ),
        timeout=10_000,
    )


def test_users_are_listed_with_filters(qtbot, hms):
    window, page = open_users(qtbot, hms)
    snap(window, "users")
    page.role_filter.setCurrentIndex(page.role_filter.findData("doctor"))
    qtbot.waitUntil(
        lambda: not page.model.loading and {u.role for u in page.model.rows} == {"doctor"},
        timeout=10_000,
    )
    page.role_filter.setCurrentIndex(0)
    page.status_filter.setCurrentIndex(page.status_filter.findData("true"))
    qtbot.waitUntil(lambda: not page.model.loading and page.model.rowCount() >= 9)
    assert all(u.is_active for u in page.model.rows)


def test_admin_creates_a_staff_account(qtbot, hms, hms_server, api_as):
    # More accounts sort before the new one than the first page holds: it is still shown.
    admin = api_as("admin")
    while admin.users.count(q="aaa-") < 55:
        name = unique("aaa-clerk")
        admin.users.create(
            username=name,
            password=NEW_PASSWORD,
            role="receptionist",
            first_name="Ada",
            last_name="Clerk",
            email=f"{name}@hospital.example",
        )
    _window, page = open_users(qtbot, hms)
    username = unique("pnovak")
    dialog = page.open_create()
    assert isinstance(dialog, UserFormDialog)
    fill_create(dialog, username)
    snap(dialog, "users_create_dialog")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: page.selected_user() is not None, timeout=10_000)
    created = page.selected_user()
    assert created.username == username
    assert created.role == "pharmacist"
    assert page.details.values["role_display"].text() == "Pharmacist"
    assert username in page.banner.message
    # The new account can sign in with the password the admin set.
    ApiClient(hms_server).login(username, NEW_PASSWORD)


def test_duplicate_username_is_shown_next_to_the_field_and_nothing_is_lost(qtbot, hms):
    _window, page = open_users(qtbot, hms)
    dialog = page.open_create()
    fill_create(dialog, "nurse", email="someone@hospital.example")
    dialog.save_button.click()
    box = dialog.errors.fields["username"]
    qtbot.waitUntil(lambda: bool(box.error_text), timeout=10_000)
    assert "already taken" in box.error_text
    assert dialog.isVisible()
    assert dialog.save_button.isEnabled()
    # Everything typed is still there to fix and save again.
    assert dialog.username.text() == "nurse"
    assert dialog.password.text() == NEW_PASSWORD
    assert dialog.email.text() == "someone@hospital.example"
    assert dialog.first_name.text() == "Petra"
    snap(dialog, "users_create_duplicate")
    # Typing in the field clears its error.
    qtbot.keyClicks(dialog.username, "_2")
    assert not box.error_text
    dialog.reject()


def test_server_field_errors_for_weak_password_and_bad_email(qtbot, hms):
    _window, page = open_users(qtbot, hms)
    dialog = page.open_create()
    fill_create(dialog, unique("weak"), email="not-an-email")
    dialog.password.setText("123")
    dialog.confirm.setText("123")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: bool(dialog.errors.fields["email"].error_text), timeout=10_000)
    assert dialog.errors.general.isVisible()
    dialog.reject()


def test_deactivate_and_activate(qtbot, hms, api_as):
    username = unique("leaver")
    api_as("admin").users.create(username=username, password=NEW_PASSWORD, role="nurse")
    window, page = open_users(qtbot, hms)
    search_for(qtbot, page, username)
    page.table.selectRow(0)
    assert page.details.deactivate_button.isEnabled()
    dialog = page.open_deactivate()
    assert isinstance(dialog, DeactivateDialog)
    dialog.reason.setPlainText("Contract ended")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    user = page.model.rows[0]
    assert not user.is_active
    assert page.details.values["status"].text() == "Deactivated"
    assert page.details.activate_button.isVisible()
    assert not page.details.deactivate_button.isVisible()
    snap(window, "users_deactivated")

    page.details.activate_button.click()
    qtbot.waitUntil(lambda: page.model.rows[0].is_active, timeout=10_000)
    assert page.details.values["status"].text() == "Active"


def test_reset_password(qtbot, hms, api_as, hms_server):
    username = unique("forgetful")
    api_as("admin").users.create(username=username, password=NEW_PASSWORD, role="accountant")
    _window, page = open_users(qtbot, hms)
    search_for(qtbot, page, username)
    page.table.selectRow(0)
    dialog = page.open_reset_password()
    assert isinstance(dialog, ResetPasswordDialog)
    dialog.password.setText("short")
    dialog.confirm.setText("short")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: bool(dialog.errors.fields["new_password"].error_text), timeout=10_000)
    dialog.password.setText("Brand-new-pass-42")
    dialog.confirm.setText("Brand-new-pass-42")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    assert "reset" in page.banner.message
    ApiClient(hms_server).login(username, "Brand-new-pass-42")


def test_edit_sends_changes(qtbot, hms, api_as):
    username = unique("renamed")
    api_as("admin").users.create(username=username, password=NEW_PASSWORD, role="nurse")
    _window, page = open_users(qtbot, hms)
    search_for(qtbot, page, username)
    page.table.selectRow(0)
    dialog = page.open_edit()
    dialog.last_name.setText("Okonkwo")
    dialog.role.setCurrentIndex(dialog.role.findData("doctor"))
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    user = page.model.rows[0]
    assert user.last_name == "Okonkwo"
    assert user.role == "doctor"
    wait_idle(qtbot, hms)


def test_admin_creates_a_doctor_with_specialization(qtbot, hms, hms_server):
    _window, page = open_users(qtbot, hms)
    dialog = page.open_create()
    username = unique("drgrey")
    fill_create(dialog, username)
    assert dialog.doctor_box.isHidden()
    dialog.role.setCurrentIndex(dialog.role.findData("doctor"))
    assert not dialog.doctor_box.isHidden()
    dialog.save_button.click()  # specialization is required for doctors
    box = dialog.errors.fields["specialization"]
    qtbot.waitUntil(lambda: bool(box.error_text), timeout=10_000)
    dialog.specialization.setText("Cardiology")
    dialog.department.setText("Internal medicine")
    snap(dialog, "users_create_doctor")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    assert dialog.result_value.specialization == "Cardiology"
    qtbot.waitUntil(lambda: page.selected_user() is not None, timeout=10_000)
    assert page.selected_user().username == username
    assert page.selected_user().role == "doctor"
    doctors = ApiClient(hms_server)
    doctors.login(username, NEW_PASSWORD)
