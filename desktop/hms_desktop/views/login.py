"""Sign in: server address (remembered), username, password."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from hms_desktop import __version__, roles
from hms_desktop.api import ApiClient, ApiError, LoginResult, ServerUnreachable
from hms_desktop.api.client import normalise_server_url
from hms_desktop.widgets.banner import Banner
from hms_desktop.widgets.forms import FieldBox, FormErrors, add_row, line_edit
from hms_desktop.widgets.page import button
from hms_desktop.workers import TaskRunner

SERVER_KEY = "server/url"
USERNAME_KEY = "login/last_username"
DEFAULT_SERVER = "http://127.0.0.1:8000"

STAFF_ONLY = (
    "This application is for hospital staff. Patients can use the web portal to see their "
    "appointments, results and invoices."
)


class LoginDialog(QDialog):
    signed_in = Signal(object)  # LoginResult

    def __init__(
        self,
        client: ApiClient,
        runner: TaskRunner,
        settings: QSettings,
        *,
        message: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.runner = runner
        self.settings = settings
        self.result_login: LoginResult | None = None
        self.setWindowTitle("HMS — Sign in")
        self.setObjectName("loginDialog")
        self.resize(820, 480)

        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self._brand_panel())

        right = QWidget()
        form_side = QVBoxLayout(right)
        form_side.setContentsMargins(40, 36, 40, 28)
        form_side.setSpacing(10)
        heading = QLabel("Sign in")
        heading.setStyleSheet("font-size: 20pt; font-weight: 700;")
        sub = QLabel("Use the account your hospital administrator gave you.")
        sub.setObjectName("muted")
        form_side.addWidget(heading)
        form_side.addWidget(sub)

        self.banner = Banner()
        self.banner.retry_clicked.connect(self.submit)
        form_side.addWidget(self.banner)
        general = QLabel()
        form_side.addWidget(general)

        form = QFormLayout()
        form.setVerticalSpacing(8)
        form.setHorizontalSpacing(14)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.server = line_edit("http://hospital-server:8000", text=client.base_url)
        self.server.setObjectName("serverEdit")
        self.username = line_edit("e.g. rdesai", text=str(settings.value(USERNAME_KEY, "") or ""))
        self.username.setObjectName("usernameEdit")
        self.password = line_edit("Password", password=True)
        self.password.setObjectName("passwordEdit")
        self.errors = FormErrors(general)
        self.errors.add("username", add_row(form, "Username", FieldBox(self.username)))
        self.errors.add("password", add_row(form, "Password", FieldBox(self.password)))
        self.errors.add(
            "server",
            add_row(
                form,
                "Server",
                FieldBox(self.server, hint="The address of your hospital's HMS server."),
            ),
        )
        form_side.addLayout(form)
        form_side.addStretch(1)

        self.sign_in_button = button("Sign in", primary=True, name="signInButton")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.setMinimumWidth(140)
        self.sign_in_button.clicked.connect(self.submit)
        self.cancel_button = button("Quit")
        self.cancel_button.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.sign_in_button)
        form_side.addLayout(row)
        outer.addWidget(right, 1)

        self.inputs = [self.server, self.username, self.password]
        if message:
            self.banner.show_message(message, kind="info")
        (self.password if self.username.text() else self.username).setFocus()

    def _brand_panel(self) -> QFrame:
        panel = QFrame()
        panel.setFixedWidth(300)
        panel.setStyleSheet(
            "QFrame { background: qlineargradient(x1:0, y1:0, x2:1, y2:1,"
            " stop:0 #115e59, stop:1 #0f172a); } QLabel { color: white; background: transparent; }"
        )
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(32, 40, 28, 28)
        brand = QLabel("✚ HMS")
        brand.setStyleSheet("font-size: 30pt; font-weight: 700;")
        tagline = QLabel("Hospital information system")
        tagline.setStyleSheet("font-size: 12pt;")
        blurb = QLabel(
            "Registration, wards, laboratory, radiology, pharmacy and billing for the "
            "whole hospital team — one record per patient."
        )
        blurb.setWordWrap(True)
        blurb.setStyleSheet("color: #99f6e4; font-size: 10pt;")
        version = QLabel(f"Staff desktop {__version__}")
        version.setStyleSheet("color: #94a3b8; font-size: 9pt;")
        layout.addWidget(brand)
        layout.addWidget(tagline)
        layout.addSpacing(18)
        layout.addWidget(blurb)
        layout.addStretch(1)
        layout.addWidget(version)
        return panel

    # --- actions -------------------------------------------------------------------------

    def submit(self) -> None:
        self.errors.clear()
        self.banner.hide()
        try:
            server = normalise_server_url(self.server.text())
        except ValueError as exc:
            self.errors.fields["server"].set_error(str(exc))
            return
        username, password = self.username.text().strip(), self.password.text()
        missing = False
        if not username:
            self.errors.fields["username"].set_error("Enter your username.")
            missing = True
        if not password:
            self.errors.fields["password"].set_error("Enter your password.")
            missing = True
        if missing:
            return
        self.server.setText(server)
        self.client.base_url = server
        self.runner.run(
            lambda: self.client.sign_in(username, password),
            on_done=self._signed_in,
            on_error=self._failed,
            on_unreachable=self._unreachable,
            busy=[self.sign_in_button, *self.inputs],
            owner=self,
        )

    def _signed_in(self, result: LoginResult) -> None:
        self.settings.setValue(SERVER_KEY, self.client.base_url)
        self.settings.setValue(USERNAME_KEY, result.user.username)
        self.settings.sync()
        if result.user.role == roles.PATIENT:
            # Revoke the tokens just issued: this client has nothing for patients.
            self.runner.run(self.client.logout, on_error=lambda _e: None, owner=self)
            self.errors.show_message(STAFF_ONLY)
            return
        self.result_login = result
        self.signed_in.emit(result)
        self.accept()

    def _failed(self, exc: Exception) -> None:
        if isinstance(exc, ApiError) and exc.code == "account_locked":
            wait = exc.extra.get("retry_after_seconds")
            minutes = f" Try again in {max(1, round(wait / 60))} minute(s)." if wait else ""
            self.errors.show_message(f"{exc.message}{minutes}")
        else:
            self.errors.show(exc)
        self.password.setFocus()
        self.password.selectAll()

    def _unreachable(self, exc: ServerUnreachable) -> None:
        self.banner.show_message(
            f"{exc.message}\nCheck the server address, or that the server is running.",
            kind="error",
            retry=True,
        )
        self.server.setFocus()


def remembered_server(settings: QSettings, override: str | None = None) -> str:
    if override:
        return override
    return str(settings.value(SERVER_KEY, DEFAULT_SERVER) or DEFAULT_SERVER)
