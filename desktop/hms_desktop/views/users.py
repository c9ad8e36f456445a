"""Staff accounts (admin): list, create, edit, deactivate/activate, reset password."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPlainTextEdit,
)

from hms_desktop import roles
from hms_desktop.api.dto import Doctor, User
from hms_desktop.formatting import fmt_datetime, fmt_text
from hms_desktop.models.users import UsersModel
from hms_desktop.views.dialogs import FormDialog
from hms_desktop.widgets.forms import combo, line_edit, text_of
from hms_desktop.widgets.list_page import DetailPanel, ListPage
from hms_desktop.widgets.page import Page, button
from hms_desktop.workers import is_busy

STAFF_ROLE_CHOICES = [
    (role, label) for role, label in roles.ROLE_LABELS.items() if role != roles.PATIENT
]


class UserFormDialog(FormDialog):
    """Create a staff account, or edit one (only changed fields are sent)."""

    def __init__(self, page: Page, user: User | None = None) -> None:
        creating = user is None
        super().__init__(
            page,
            "New staff account" if creating else f"Edit {user.username}",
            "New staff account" if creating else f"Edit account · {user.username}",
        )
        self.user = user
        self.username = line_edit("e.g. jsmith", text=user.username if user else "")
        self.username.setObjectName("usernameEdit")
        self.field("username", "Username", self.username, "Letters, digits and @/./+/-/_ only.")
        if creating:
            self.password = line_edit(password=True)
            self.password.setObjectName("passwordEdit")
            self.confirm = line_edit(password=True)
            self.confirm.setObjectName("confirmEdit")
            self.field("password", "Password", self.password, "At least 8 characters.")
            self.field("confirm", "Repeat password", self.confirm)
        self.role = combo(STAFF_ROLE_CHOICES, current=user.role if user else roles.NURSE)
        self.role.setObjectName("roleCombo")
        self.field("role", "Role", self.role)
        self.first_name = line_edit(text=user.first_name if user else "")
        self.last_name = line_edit(text=user.last_name if user else "")
        self.email = line_edit("name@hospital.org", text=user.email if user else "")
        self.email.setObjectName("emailEdit")
        self.phone = line_edit(text=user.phone if user else "")
        self.field("first_name", "First name", self.first_name)
        self.field("last_name", "Last name", self.last_name)
        self.field("email", "Email", self.email)
        self.field("phone", "Phone", self.phone)
        self.doctor_box: QGroupBox | None = None
        if creating:
            self._add_doctor_fields()
        self.save_button.setText("Create account" if creating else "Save changes")
        self.finish_layout()

    def _add_doctor_fields(self) -> None:
        """A doctor's account comes with a directory entry (POST /api/doctors/)."""
        box = QGroupBox("Doctor's directory entry")
        form = QFormLayout(box)
        form.setVerticalSpacing(6)
        form.setHorizontalSpacing(14)
        self.specialization = line_edit("e.g. Cardiology")
        self.specialization.setObjectName("specializationEdit")
        self.department = line_edit("e.g. Internal medicine")
        self.license_number = line_edit("Medical council number")
        self.field("specialization", "Specialization", self.specialization, form=form)
        self.field("department", "Department", self.department, form=form)
        self.field("license_number", "Licence number", self.license_number, form=form)
        self.body.addWidget(box)
        self.doctor_box = box
        self.role.currentIndexChanged.connect(self._role_changed)
        self._role_changed()

    def _role_changed(self, *_args) -> None:
        if self.doctor_box is not None:
            self.doctor_box.setVisible(self.role.currentData() == roles.DOCTOR)
            self.adjustSize()

    def values(self) -> dict[str, str]:
        names = ("username", "role", "first_name", "last_name", "email", "phone")
        return {name: text_of(self.errors.fields[name].editor) for name in names}

    def submit(self) -> None:
        self.errors.clear()
        values = self.values()
        users = self.ctx.api.users
        if self.user is None:
            if self.password.text() != self.confirm.text():
                self.errors.fields["confirm"].set_error("The two passwords differ.")
                return
            # Optional fields left empty are not sent (the server refuses some blanks).
            payload = {k: v for k, v in values.items() if v} | {"password": self.password.text()}
            if payload.get("role") == roles.DOCTOR:
                payload.pop("role")
                for name in ("specialization", "department", "license_number"):
                    if value := text_of(self.errors.fields[name].editor):
                        payload[name] = value
                doctors = self.ctx.api.doctors
                self.call(lambda: doctors.register(**payload))
                return
            self.call(lambda: users.create(**payload))
            return
        changed = {k: v for k, v in values.items() if getattr(self.user, k) != v}
        if not changed:
            self.reject()
            return
        user_id = self.user.id
        self.call(lambda: users.update(user_id, **changed))


class ResetPasswordDialog(FormDialog):
    def __init__(self, page: Page, user: User) -> None:
        super().__init__(page, "Reset password", f"Set a new password for {user.username}")
        self.user = user
        note = QLabel(
            "The user is signed out everywhere and must use the new password from now on. "
            "Give it to them in person."
        )
        self.add_note(note, muted=True)
        self.password = line_edit(password=True)
        self.password.setObjectName("newPasswordEdit")
        self.confirm = line_edit(password=True)
        self.field("new_password", "New password", self.password)
        self.field("confirm", "Repeat password", self.confirm)
        self.errors.alias("password", "new_password")  # the server's validators say "password"
        self.save_button.setText("Reset password")
        self.finish_layout()

    def submit(self) -> None:
        self.errors.clear()
        if self.password.text() != self.confirm.text():
            self.errors.fields["confirm"].set_error("The two passwords differ.")
            return
        user_id, password = self.user.id, self.password.text()
        self.call(lambda: self.ctx.api.users.reset_password(user_id, new_password=password) or True)


class DeactivateDialog(FormDialog):
    def __init__(self, page: Page, user: User) -> None:
        super().__init__(page, "Deactivate account", f"Deactivate {user.display_name}?")
        self.user = user
        note = QLabel(
            f"<b>{user.username}</b> will no longer be able to sign in and is signed out "
            "everywhere. Nothing they recorded is removed; you can activate the account again."
        )
        self.add_note(note)
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText("e.g. left the hospital on 30 June")
        self.reason.setFixedHeight(80)
        self.reason.setObjectName("reasonEdit")
        self.field("reason", "Reason", self.reason)
        self.save_as("Deactivate", danger=True)
        self.finish_layout()

    def submit(self) -> None:
        user_id, reason = self.user.id, self.reason.toPlainText().strip()
        self.call(lambda: self.ctx.api.users.deactivate(user_id, reason=reason))


class UserDetails(DetailPanel):
    """The selected account, with what can be done to it."""

    FIELDS = (
        ("Username", "username"),
        ("Name", "full_name"),
        ("Role", "role_display"),
        ("Email", "email"),
        ("Phone", "phone"),
        ("Status", "status"),
        ("Last sign-in", "last_login"),
        ("Created", "created_at"),
    )

    def __init__(self, parent=None) -> None:
        super().__init__(
            "No account selected", margins=(18, 16), spacing=10, min_width=270, parent=parent
        )
        layout = self.body
        layout.addWidget(self.heading)
        layout.addLayout(self.add_fields(self.FIELDS))
        layout.addSpacing(6)
        self.edit_button = button("Edit details…", name="editUser")
        self.reset_button = button("Reset password…", name="resetPassword")
        self.deactivate_button = button("Deactivate…", danger=True, name="deactivateUser")
        self.activate_button = button("Activate", name="activateUser")
        for widget in (
            self.edit_button,
            self.reset_button,
            self.deactivate_button,
            self.activate_button,
        ):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.show_user(None)

    def show_user(self, user: User | None) -> None:
        actions = (self.edit_button, self.reset_button, self.deactivate_button)
        if user is None:
            self.heading.setText("No account selected")
            self.clear_values()
            for widget in actions:
                widget.setEnabled(False)
            self.activate_button.hide()
            self.deactivate_button.show()
            return
        self.heading.setText(user.display_name)
        data = {
            "username": user.username,
            "full_name": user.full_name,
            "role_display": user.role_display,
            "email": user.email,
            "phone": user.phone,
            "status": "Active" if user.is_active else "Deactivated",
            "last_login": fmt_datetime(user.last_login),
            "created_at": fmt_datetime(user.created_at),
        }
        for key, value in data.items():
            self.values[key].setText(fmt_text(value))
        for widget in actions:
            if not is_busy(widget):
                widget.setEnabled(True)
        self.deactivate_button.setVisible(user.is_active)
        self.activate_button.setVisible(not user.is_active)
        if not is_busy(self.activate_button):
            self.activate_button.setEnabled(True)


class UsersPage(ListPage):
    title = "Users"
    SEARCH_DELAY_MS = 300

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(
            ctx,
            UsersModel(ctx.runner, page_size=50),
            lambda api: api.users.list,
            search="Search name, username or email",
            search_name="userSearch",
            refresh_name="refreshUsers",
            empty_text="No account matches these filters.",
            search_width=280,
            parent=parent,
        )
        self.role_filter = combo([("", "All roles"), *roles.ROLE_LABELS.items()])
        self.role_filter.setObjectName("roleFilter")
        self.status_filter = combo(
            [("", "Any status"), ("true", "Active"), ("false", "Deactivated")]
        )
        self.status_filter.setObjectName("statusFilter")
        self.add_filters(self.role_filter, self.status_filter)
        self.new_button = button("New staff account", primary=True, name="newUser")
        self.add_actions(self.new_button)
        self.bind_shortcuts(new=self.new_button)
        self.set_details(
            UserDetails(),
            beside=True,
            sizes=(780, 280),
            column_widths={0: 130, 1: 150, 2: 120, 3: 230, 4: 110, 5: 100},
        )

        self.new_button.clicked.connect(self.open_create)
        self.details.edit_button.clicked.connect(self.open_edit)
        self.details.reset_button.clicked.connect(self.open_reset_password)
        self.details.deactivate_button.clicked.connect(self.open_deactivate)
        self.details.activate_button.clicked.connect(self.activate_selected)
        self.table.doubleClicked.connect(lambda _i: self.open_edit())

    # --- list ----------------------------------------------------------------------------

    def filters(self) -> dict[str, Any]:
        active = self.status_filter.currentData()
        return {
            "q": self.search.text().strip() or None,
            "role": self.role_filter.currentData() or None,
            "is_active": None if not active else active == "true",
        }

    def selected_user(self) -> User | None:
        return self.table.selected_row()

    def row_selected(self, user: User | None, _previous: User | None) -> None:
        self.details.show_user(user)

    def _updated(self, user: User) -> None:
        self.model.replace_row(user)
        if (selected := self.selected_user()) and selected.id == user.id:
            self.details.show_user(user)

    # --- actions -------------------------------------------------------------------------

    def open_create(self) -> QDialog:
        return self._open(UserFormDialog(self), self._created)

    def _created(self, user: User | Doctor) -> None:
        if isinstance(user, Doctor):
            what = f"{user.display_name} ({user.specialization or 'doctor'})"
            search = user.last_name
        else:
            what = f"{user.username} ({user.role_display})"
            search = user.username
        self.show_success(f"Account {what} created.")
        # Searched for, so the new account shows and is selected however long the list is
        # (a plain reload shows the first page, which it may not be on).
        self.find(user.id, search=search)

    def open_edit(self) -> QDialog | None:
        user = self.selected_user()
        if user is None:
            return None
        return self._open(UserFormDialog(self, user), self._edited)

    def _edited(self, user: User) -> None:
        self.show_success(f"Account {user.username} saved.")
        self._updated(user)

    def open_reset_password(self) -> QDialog | None:
        user = self.selected_user()
        if user is None:
            return None
        return self._open(
            ResetPasswordDialog(self, user),
            lambda _r: self.show_success(f"Password of {user.username} was reset."),
        )

    def open_deactivate(self) -> QDialog | None:
        user = self.selected_user()
        if user is None:
            return None
        return self._open(DeactivateDialog(self, user), self._deactivated)

    def _deactivated(self, user: User) -> None:
        self.show_success(f"Account {user.username} deactivated; it can no longer sign in.")
        self._updated(user)

    def activate_selected(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        self.run(
            lambda: self.ctx.api.users.activate(user.id),
            on_done=self._activated,
            on_error=self.show_error,
            busy=[self.details.activate_button],
        )

    def _activated(self, user: User) -> None:
        self.show_success(f"Account {user.username} activated.")
        self._updated(user)


__all__ = [
    "DeactivateDialog",
    "ResetPasswordDialog",
    "UserFormDialog",
    "UsersPage",
]
