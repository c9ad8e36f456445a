"""My account: own name and contact details, and a password change."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QFrame, QHBoxLayout, QLabel, QVBoxLayout

from hms_desktop.api.dto import User
from hms_desktop.formatting import fmt_datetime
from hms_desktop.widgets.forms import FieldBox, FormErrors, add_row, line_edit, text_of
from hms_desktop.widgets.page import Page, button


def _panel(title: str) -> tuple[QFrame, QVBoxLayout]:
    panel = QFrame()
    panel.setObjectName("panel")
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(20, 16, 20, 16)
    layout.setSpacing(10)
    heading = QLabel(title)
    heading.setObjectName("sectionTitle")
    layout.addWidget(heading)
    return panel, layout


class ProfilePage(Page):
    title = "My account"
    intro = "Your name and contact details as colleagues see them, and your password."

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        row = QHBoxLayout()
        row.setSpacing(16)

        details, layout = _panel("Details")
        self.summary = QLabel()
        self.summary.setObjectName("muted")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        form = QFormLayout()
        form.setVerticalSpacing(6)
        # A narrow window puts the labels above their fields instead of cutting them off.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.first_name = line_edit()
        self.last_name = line_edit()
        self.email = line_edit("name@hospital.org")
        self.phone = line_edit("+1 555 0100")
        self.details_errors = FormErrors(QLabel())
        layout.addWidget(self.details_errors.general)
        for name, label, edit in (
            ("first_name", "First name", self.first_name),
            ("last_name", "Last name", self.last_name),
            ("email", "Email", self.email),
            ("phone", "Phone", self.phone),
        ):
            self.details_errors.add(name, add_row(form, label, FieldBox(edit)))
        layout.addLayout(form)
        self.save_button = button("Save details", primary=True, name="saveProfileButton")
        self.save_button.clicked.connect(self.save)
        layout.addLayout(_right(self.save_button))
        layout.addStretch(1)
        row.addWidget(details, 3)

        password, layout = _panel("Change password")
        note = QLabel("Changing your password signs you out on your other devices.")
        note.setObjectName("muted")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.password_errors = FormErrors(QLabel())
        layout.addWidget(self.password_errors.general)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.current_password = line_edit(password=True)
        self.new_password = line_edit(password=True)
        self.confirm_password = line_edit(password=True)
        for name, label, edit in (
            ("current_password", "Current password", self.current_password),
            ("new_password", "New password", self.new_password),
            ("confirm", "Repeat new password", self.confirm_password),
        ):
            self.password_errors.add(name, add_row(form, label, FieldBox(edit)))
        self.password_errors.alias("password", "new_password")
        layout.addLayout(form)
        self.password_button = button("Change password", name="changePasswordButton")
        self.password_button.clicked.connect(self.change_password)
        layout.addLayout(_right(self.password_button))
        layout.addStretch(1)
        row.addWidget(password, 2)
        self.outer.addLayout(row)
        self.outer.addStretch(1)
        self._loaded = False
        self.show_user(ctx.user)

    def activated(self) -> None:
        if not self._loaded:
            self.run(
                self.ctx.api.profile.get,
                on_done=self.show_user,
                on_error=self.show_error,
                busy=[self.save_button],
            )

    def show_user(self, user: User) -> None:
        self._loaded = self._loaded or user is not self.ctx.user
        self.ctx.user = user
        self.summary.setText(
            f"Signed in as <b>{user.username}</b> · {user.role_display} · "
            f"last sign-in {fmt_datetime(user.last_login)}"
        )
        self.first_name.setText(user.first_name)
        self.last_name.setText(user.last_name)
        self.email.setText(user.email)
        self.phone.setText(user.phone)

    def save(self) -> None:
        self.details_errors.clear()
        self.banner.hide()
        fields = {name: text_of(box.editor) for name, box in self.details_errors.fields.items()}
        self.run(
            lambda: self.ctx.api.profile.update(**fields),
            on_done=self._saved,
            on_error=self.details_errors.show,
            busy=[self.save_button],
        )

    def _saved(self, user: User) -> None:
        self.show_user(user)
        self.show_success("Your details were saved.")

    def change_password(self) -> None:
        self.password_errors.clear()
        self.banner.hide()
        current, new = self.current_password.text(), self.new_password.text()
        if new != self.confirm_password.text():
            self.password_errors.fields["confirm"].set_error("The two new passwords differ.")
            return
        self.run(
            lambda: self.ctx.api.profile.change_password(
                current_password=current, new_password=new
            ),
            on_done=self._password_changed,
            on_error=self.password_errors.show,
            busy=[self.password_button],
        )

    def _password_changed(self, _result) -> None:
        for edit in (self.current_password, self.new_password, self.confirm_password):
            edit.clear()
        self.show_success("Your password was changed.")


def _right(widget) -> QHBoxLayout:
    layout = QHBoxLayout()
    layout.addStretch(1)
    layout.addWidget(widget)
    return layout
