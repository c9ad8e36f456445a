"""Start the desktop client: splash → login → main window, and back to login on logout.

python -m hms_desktop --server http://127.0.0.1:8000
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import QApplication

from hms_desktop import __version__
from hms_desktop.api import Api, ApiClient, LoginResult
from hms_desktop.api.client import DEFAULT_TIMEOUT, normalise_server_url
from hms_desktop.api.errors import SessionExpired
from hms_desktop.context import AppContext
from hms_desktop.theme import apply_theme
from hms_desktop.views.login import LoginDialog, remembered_server
from hms_desktop.views.main_window import MainWindow
from hms_desktop.views.splash import SplashScreen
from hms_desktop.workers import TaskRunner

ORGANIZATION = "HMS"
APPLICATION = "HMS Desktop"
logger = logging.getLogger("hms_desktop")


class HmsApp(QObject):
    """Owns the client, the task runner and whichever window is showing."""

    main_window_shown = Signal(object)
    login_shown = Signal(object)
    quit_requested = Signal()

    def __init__(
        self,
        *,
        settings: QSettings | None = None,
        server_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        splash_ms: int = 900,
        health_interval_ms: int | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings or QSettings(ORGANIZATION, APPLICATION)
        self.client = ApiClient(remembered_server(self.settings, server_url), timeout=timeout)
        self.api = Api(self.client)
        self.runner = TaskRunner(self)
        self.runner.session_expired.connect(self._session_expired)
        self.splash_ms = splash_ms
        self.health_interval_ms = health_interval_ms
        self.splash: SplashScreen | None = None
        self.login_dialog: LoginDialog | None = None
        self.main_window: MainWindow | None = None
        self.context: AppContext | None = None

    # --- start ---------------------------------------------------------------------------

    def start(self) -> None:
        self.splash = SplashScreen()
        self.splash.show()
        self.splash.say(f"Connecting to {self.client.base_url}…")
        # A quick look at the server while the splash is up: the login screen can then say
        # at once when the remembered address does not answer.
        self.runner.run(
            self.client.health,
            on_done=lambda _h: self.splash and self.splash.say("Server found."),
            on_error=lambda _e: None,
            on_unreachable=lambda _e: None,
            owner=self,
        )
        QTimer.singleShot(self.splash_ms, self.show_login)

    def show_login(self, message: str = "") -> LoginDialog:
        if self.login_dialog is not None:
            return self.login_dialog
        self.runner.forget_retries()
        dialog = LoginDialog(self.client, self.runner, self.settings, message=message)
        dialog.signed_in.connect(self._signed_in)
        dialog.rejected.connect(self._login_cancelled)
        self.login_dialog = dialog
        dialog.show()
        if self.splash is not None:
            self.splash.finish(dialog)
            self.splash = None
        self.login_shown.emit(dialog)
        return dialog

    def _login_cancelled(self) -> None:
        self.login_dialog = None
        self.quit_requested.emit()

    def _signed_in(self, result: LoginResult) -> None:
        dialog, self.login_dialog = self.login_dialog, None
        if dialog is not None:
            dialog.rejected.disconnect(self._login_cancelled)
            dialog.deleteLater()
        self.context = AppContext(
            api=self.api,
            runner=self.runner,
            settings=self.settings,
            user=result.user,
            capabilities=self.client.capabilities,
        )
        kwargs = {}
        if self.health_interval_ms is not None:
            kwargs["health_interval_ms"] = self.health_interval_ms
        window = MainWindow(self.context, **kwargs)
        window.logout_requested.connect(self.logout)
        window.close_requested.connect(self.quit)
        self.main_window = window
        window.show()
        self.main_window_shown.emit(window)

    # --- leaving -------------------------------------------------------------------------

    def _close_main_window(self) -> None:
        window, self.main_window = self.main_window, None
        self.context = None
        if window is not None:
            window.close_for_real()
            window.deleteLater()

    def logout(self) -> None:
        """Revoke the refresh token on the server, then go back to the login screen."""
        window = self.main_window
        if window is not None:
            window.header.logout_button.setEnabled(False)

        def done(_result=None) -> None:
            self._close_main_window()
            self.show_login("You have signed out.")

        def failed(exc: Exception) -> None:
            # The tokens are forgotten locally whatever happened; say that the server may
            # still hold the refresh token until it expires.
            self._close_main_window()
            self.show_login(
                "You have signed out on this computer, but the server could not be told "
                f"({getattr(exc, 'message', exc)})."
            )

        self.runner.run(
            self.client.logout, on_done=done, on_error=failed, on_unreachable=failed, owner=self
        )

    def quit(self) -> None:
        """Sign out (revoking the refresh token) and leave."""
        if self.client.is_authenticated:
            self.runner.run(
                self.client.logout,
                on_done=lambda _r: self._quit_now(),
                on_error=lambda _e: self._quit_now(),
                on_unreachable=lambda _e: self._quit_now(),
                owner=self,
            )
        else:
            self._quit_now()

    def _quit_now(self) -> None:
        self._close_main_window()
        self.quit_requested.emit()

    def _session_expired(self, exc: SessionExpired) -> None:
        if self.main_window is None:
            return
        username = self.main_window.ctx.user.username
        self.client.clear_tokens()
        self._close_main_window()
        self.settings.setValue("login/last_username", username)
        self.show_login(exc.message)

    def shutdown(self, wait_ms: int = 3000) -> None:
        self.runner.wait_for_done(wait_ms)
        self.client.close()


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="hms_desktop", description="HMS staff desktop client")
    parser.add_argument(
        "--server",
        help="server address, e.g. http://127.0.0.1:8000 (remembered; default: the last one)",
    )
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds to wait for an answer"
    )
    parser.add_argument("--version", action="version", version=f"HMS desktop {__version__}")
    return parser.parse_args(list(argv))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.server:
        try:
            args.server = normalise_server_url(args.server)
        except ValueError as exc:
            print(f"hms_desktop: {exc}", file=sys.stderr)  # noqa: T201 - command-line error
            return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    qt_app = QApplication.instance() or QApplication([sys.argv[0]])
    qt_app.setOrganizationName(ORGANIZATION)
    qt_app.setApplicationName(APPLICATION)
    qt_app.setApplicationVersion(__version__)
    qt_app.setQuitOnLastWindowClosed(False)
    apply_theme(qt_app)
    hms = HmsApp(server_url=args.server, timeout=args.timeout)
    hms.quit_requested.connect(qt_app.quit)
    hms.start()
    code = qt_app.exec()
    hms.shutdown()
    return code
