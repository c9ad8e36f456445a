"""What every screen gets: the API, the task runner, settings and the signed-in user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSettings

from hms_desktop.api import Api, User
from hms_desktop.api.dto import Capabilities
from hms_desktop.workers import TaskRunner


@dataclass
class AppContext:
    api: Api
    runner: TaskRunner
    settings: QSettings
    user: User
    capabilities: Capabilities  # read once at sign-in
    # The live notification centre (hms_desktop.live), set by the main window; None in a
    # screen built on its own (tests), which then reads its notifications without live updates.
    notifications: Any = None

    @property
    def role(self) -> str:
        return self.user.role

    def may(self, resource: str, action: str) -> bool:
        """Does the server's permission table let this user perform `action` on `resource`?"""
        return self.capabilities.may(resource, action)
