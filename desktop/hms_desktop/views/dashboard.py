"""The per-role dashboard: a grid of cards, each loaded by its own background call.

Modules add cards by appending a `DashboardCard` to `CARDS` with who sees it (a server
permission, from the capabilities read at sign-in) and a loader (a function of the Api, run off
the UI thread). Stat cards show one number; bar cards show a list of (label, value).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from hms_desktop import roles
from hms_desktop.api import Api
from hms_desktop.api.dto import Capabilities, DailyCash
from hms_desktop.api.errors import ApiError
from hms_desktop.formatting import fmt_datetime, fmt_money
from hms_desktop.modules import modules_for
from hms_desktop.views.notifications import AttentionStrip
from hms_desktop.widgets.cards import BarChartCard, Card, StatCard
from hms_desktop.widgets.icons import glyph_icon
from hms_desktop.widgets.page import Page, button

STAT, BAR = "stat", "bar"


@dataclass(frozen=True)
class DashboardCard:
    key: str
    title: str
    shown_to: Callable[[Capabilities], bool]
    load: Callable[[Api], Any]
    kind: str = STAT
    caption: str = ""
    format: Callable[[Any], tuple[str, str | None]] = lambda value: (f"{value:,}", None)


def granted(resource: str, action: str) -> Callable[[Capabilities], bool]:
    """A card shown to whoever the server lets perform `action` on `resource`."""
    return lambda capabilities: capabilities.may(resource, action)


def _start_of_today() -> str:
    now = datetime.now().astimezone()
    return now.replace(hour=0, minute=0, second=0, microsecond=0).isoformat()


def _day_ago() -> str:
    return (datetime.now(UTC) - timedelta(hours=24)).isoformat()


SHORT_ROLE_LABELS = {roles.ADMIN: "Admin", roles.LAB_TECHNICIAN: "Lab tech"}


def _accounts_per_role(api: Api) -> list[tuple[str, int]]:
    return [
        (SHORT_ROLE_LABELS.get(role, roles.role_label(role)), api.users.count(role=role))
        for role in roles.ROLE_LABELS
    ]


def _own_account(api: Api) -> Any:
    return api.profile.get()


def _format_account(user: Any) -> tuple[str, str | None]:
    return user.role_display, f"Last sign-in {fmt_datetime(user.last_login)}"


def _server(api: Api) -> Any:
    return api.client.health()


def _format_server(health: Any) -> tuple[str, str | None]:
    if health.ok:
        return "Online", "Database, cache and task queue answer."
    return "Degraded", "Not answering: " + (", ".join(health.failing) or health.status)


ADMIN = granted("users", "list")
# Staff other than administrators see their own account and the server instead.


def NOT_ADMIN(capabilities: Capabilities) -> bool:
    return not ADMIN(capabilities)


# Who sees the day's queue on the server; doctors their own.
FRONT_DESK = granted("appointment_queue", "list")
QUEUE_STATUSES = (
    ("booked", "Booked"),
    ("checked_in", "Checked in"),
    ("in_progress", "In progress"),
    ("completed", "Completed"),
    ("no_show", "No-show"),
    ("cancelled", "Cancelled"),
)


def _appointments_today(api: Api) -> dict[str, int]:
    return api.appointments.summary()


def _format_appointments_today(summary: dict[str, int]) -> tuple[str, str | None]:
    active = sum(n for status, n in summary.items() if status != "cancelled")
    done = summary.get("completed", 0)
    return f"{active:,}", f"{done} completed · {summary.get('no_show', 0)} no-show"


def _format_waiting(summary: dict[str, int]) -> tuple[str, str | None]:
    return f"{summary.get('checked_in', 0):,}", f"{summary.get('booked', 0)} still to arrive"


def _appointments_by_status(api: Api) -> list[tuple[str, int]]:
    summary = api.appointments.summary()
    return [(label, summary.get(status, 0)) for status, label in QUEUE_STATUSES]


PHARMACY = granted("pharmacy_worklist", "list")
STOCK_READERS = granted("pharmacy_alerts", "list")


def _prescriptions_to_fill(api: Api) -> dict[str, int]:
    return api.pharmacy.worklist(page_size=1).summary


def _format_to_fill(summary: dict[str, int]) -> tuple[str, str | None]:
    total = summary.get("active", 0) + summary.get("partially_dispensed", 0)
    return f"{total:,}", f"{summary.get('partially_dispensed', 0)} partially dispensed"


def _stock_alerts(api: Api) -> dict[str, int]:
    return api.pharmacy.alerts(page_size=1).summary


def _format_low_stock(summary: dict[str, int]) -> tuple[str, str | None]:
    return f"{summary.get('low_stock', 0):,}", "Medicines below their reorder level"


def _format_expiring(summary: dict[str, int]) -> tuple[str, str | None]:
    expired = summary.get("expired", 0)
    caption = f"{expired} expired with units left" if expired else "Within 90 days"
    return f"{summary.get('expiring', 0) + expired:,}", caption


LAB = granted("lab_worklist", "list")


def _lab_open(api: Api) -> dict[str, int]:
    return {
        "open": api.lab.count(open=True),
        "stat": api.lab.count(open=True, priority="stat"),
    }


def _format_lab_open(counts: dict[str, int]) -> tuple[str, str | None]:
    return f"{counts['open']:,}", f"{counts['stat']} STAT"


BED_BOARD = granted("beds", "board")
ICU = granted("icu", "list")


def _bed_totals(api: Api) -> dict[str, int]:
    totals: dict[str, int] = {}
    for ward in api.inpatient.board():
        for status, count in ward.counts.items():
            totals[status] = totals.get(status, 0) + count
    return totals


def _format_occupancy(totals: dict[str, int]) -> tuple[str, str | None]:
    total, occupied = totals.get("total", 0), totals.get("occupied", 0)
    if not total:
        return "—", "No beds set up yet"
    free = totals.get("available", 0)
    return f"{round(100 * occupied / total)}%", f"{occupied} of {total} beds occupied · {free} free"


def _occupancy_by_ward(api: Api) -> list[tuple[str, int]]:
    return [(ward.code or ward.name, ward.occupied) for ward in api.inpatient.board()]


RADIOLOGY = granted("radiology_worklist", "list")


def _imaging_open(api: Api) -> dict[str, int]:
    return {"open": api.radiology.count(), "stat": api.radiology.count(priority="stat")}


BILLING = granted("billing_invoices", "list")


def _takings(api: Api) -> DailyCash:
    return api.billing.daily_cash()


def _format_takings(report: DailyCash) -> tuple[str, str | None]:
    caption = (
        f"{fmt_money(report.total_refunded, report.currency)} refunded"
        if report.total_refunded
        else "Cash, card, mobile money and transfers"
    )
    return fmt_money(report.total_net, report.currency), caption


CARDS: tuple[DashboardCard, ...] = (
    DashboardCard(
        "active_staff",
        "Active accounts",
        ADMIN,
        lambda api: api.users.count(is_active=True),
        caption="People who can sign in",
    ),
    DashboardCard(
        "deactivated",
        "Deactivated accounts",
        ADMIN,
        lambda api: api.users.count(is_active=False),
        caption="Kept for the record; cannot sign in",
    ),
    DashboardCard(
        "audit_today",
        "Audit events today",
        ADMIN,
        lambda api: api.audit.count(since=_start_of_today()),
        caption="Every read of patient data and every change",
    ),
    DashboardCard(
        "failed_logins",
        "Failed sign-ins (24 h)",
        ADMIN,
        lambda api: api.audit.count(action="login_failed", since=_day_ago()),
        caption="Five in a row lock an account for 15 minutes",
    ),
    DashboardCard(
        "appointments_today",
        "Appointments today",
        FRONT_DESK,
        _appointments_today,
        caption="Booked for today, cancellations left out",
        format=_format_appointments_today,
    ),
    DashboardCard(
        "waiting",
        "Waiting to be seen",
        FRONT_DESK,
        _appointments_today,
        caption="Checked in, not yet with the doctor",
        format=_format_waiting,
    ),
    DashboardCard(
        "prescriptions_to_fill",
        "Prescriptions to fill",
        PHARMACY,
        _prescriptions_to_fill,
        format=_format_to_fill,
    ),
    DashboardCard(
        "low_stock",
        "Low-stock alerts",
        STOCK_READERS,
        _stock_alerts,
        format=_format_low_stock,
    ),
    DashboardCard(
        "expiring_stock",
        "Expiring batches",
        STOCK_READERS,
        _stock_alerts,
        format=_format_expiring,
    ),
    DashboardCard(
        "lab_open",
        "Pending lab orders",
        LAB,
        _lab_open,
        format=_format_lab_open,
    ),
    DashboardCard(
        "lab_to_verify",
        "Results to verify",
        LAB,
        lambda api: api.lab.count(status="resulted"),
        caption="Entered, waiting for a second person",
    ),
    DashboardCard(
        "lab_critical",
        "Critical results open",
        LAB,
        lambda api: api.lab.count(open=True, critical=True),
        caption="The ordering doctor must be told",
    ),
    DashboardCard(
        "bed_occupancy",
        "Bed occupancy",
        BED_BOARD,
        _bed_totals,
        format=_format_occupancy,
    ),
    DashboardCard(
        "in_icu",
        "In intensive care",
        ICU,
        lambda api: api.inpatient.icu(page_size=1).count,
        caption="Patients in ICU beds now",
    ),
    DashboardCard(
        "imaging_open",
        "Pending imaging orders",
        RADIOLOGY,
        _imaging_open,
        format=_format_lab_open,
    ),
    DashboardCard(
        "imaging_to_report",
        "Studies to report",
        RADIOLOGY,
        lambda api: api.radiology.count(status="acquired"),
        caption="Images acquired, no signed report yet",
    ),
    DashboardCard(
        "takings_today",
        "Takings today",
        BILLING,
        _takings,
        format=_format_takings,
    ),
    DashboardCard(
        "outstanding_invoices",
        "Unpaid invoices",
        BILLING,
        lambda api: api.billing.invoices(page_size=1, outstanding=True).count,
        caption="Issued and not yet fully paid",
    ),
    DashboardCard(
        "my_account",
        "Signed in as",
        NOT_ADMIN,
        _own_account,
        format=_format_account,
    ),
    DashboardCard(
        "server",
        "Server",
        NOT_ADMIN,
        _server,
        format=_format_server,
    ),
    DashboardCard("accounts_per_role", "Accounts per role", ADMIN, _accounts_per_role, kind=BAR),
    DashboardCard(
        "occupancy_by_ward",
        "Occupied beds per ward",
        BED_BOARD,
        _occupancy_by_ward,
        kind=BAR,
    ),
    DashboardCard(
        "appointments_by_status",
        "Today's appointments by status",
        FRONT_DESK,
        _appointments_by_status,
        kind=BAR,
    ),
)


def cards_for(capabilities: Capabilities) -> list[DashboardCard]:
    return [card for card in CARDS if card.shown_to(capabilities)]


class DashboardPage(Page):
    title = "Dashboard"
    STAT_COLUMNS = 4

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        top = QHBoxLayout()
        greeting = QVBoxLayout()
        self.greeting = QLabel()
        self.greeting.setStyleSheet("font-size: 17pt; font-weight: 600;")
        self.date = QLabel(datetime.now().strftime("%A %d %B %Y"))
        self.date.setObjectName("muted")
        greeting.addWidget(self.greeting)
        greeting.addWidget(self.date)
        top.addLayout(greeting)
        top.addStretch(1)
        self.refresh_button = button("Refresh", name="refreshDashboard")
        self.refresh_button.clicked.connect(self.refresh)
        top.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignBottom)
        self.outer.insertLayout(0, top)
        self.attention = AttentionStrip(ctx)
        self.outer.addWidget(self.attention)

        self.grid = QGridLayout()
        self.grid.setSpacing(14)
        self.outer.addLayout(self.grid)
        self.cards: dict[str, Card] = {}
        self.specs = cards_for(ctx.capabilities)
        stats = [spec for spec in self.specs if spec.kind == STAT]
        charts = [spec for spec in self.specs if spec.kind == BAR]
        for i, spec in enumerate(stats):
            card = StatCard(spec.title, spec.caption)
            self.cards[spec.key] = card
            self.grid.addWidget(card, i // self.STAT_COLUMNS, i % self.STAT_COLUMNS)
        row = (len(stats) + self.STAT_COLUMNS - 1) // self.STAT_COLUMNS
        half = self.STAT_COLUMNS // 2
        for j, spec in enumerate(charts):
            card = BarChartCard(spec.title)
            self.cards[spec.key] = card
            # Charts side by side, two to a row (a lone chart takes the whole row).
            alone = len(charts) % 2 == 1 and j == len(charts) - 1
            self.grid.addWidget(
                card,
                row + j // 2,
                0 if alone else (j % 2) * half,
                1,
                self.STAT_COLUMNS if alone else half,
            )

        self.outer.addWidget(self._shortcuts())
        self.outer.addStretch(1)
        self._loaded = False
        self._update_greeting()

    def _update_greeting(self) -> None:
        hour = datetime.now().hour
        part = "morning" if hour < 12 else "afternoon" if hour < 18 else "evening"
        name = self.ctx.user.first_name or self.ctx.user.username
        self.greeting.setText(f"Good {part}, {name}")

    def _shortcuts(self) -> Card:
        card = Card("Your modules")
        row = QHBoxLayout()
        row.setSpacing(10)
        self.shortcut_buttons: dict[str, QPushButton] = {}
        for module in modules_for(self.ctx.capabilities):
            if module.key == "dashboard":
                continue
            title = module.title.replace("&", "&&")  # not a keyboard mnemonic
            shortcut = QPushButton(glyph_icon(module.glyph, "#0f766e"), f"  {title}")
            shortcut.setToolTip(module.description)
            shortcut.setMinimumHeight(40)
            shortcut.clicked.connect(lambda _=False, key=module.key: self._open_module(key))
            self.shortcut_buttons[module.key] = shortcut
            row.addWidget(shortcut)
        row.addStretch(1)
        card.layout_.addLayout(row)
        return card

    def _open_module(self, key: str) -> None:
        window = self.window()
        if hasattr(window, "open_module"):
            window.open_module(key)

    def activated(self) -> None:
        if not self._loaded:
            self.refresh()

    def refresh(self) -> None:
        self._loaded = True
        self.attention.refresh()
        api = self.ctx.api
        for spec in self.specs:
            card = self.cards[spec.key]
            self.run(
                lambda spec=spec: spec.load(api),
                on_done=lambda value, spec=spec, card=card: self._show(spec, card, value),
                on_error=lambda exc, card=card: card.set_failed(_message(exc)),
                on_unreachable=lambda exc, card=card: card.set_failed("Server unreachable"),
                busy=[self.refresh_button],
                retry_key=f"dashboard-{spec.key}",
            )

    def _show(self, spec: DashboardCard, card: Card, value: Any) -> None:
        if isinstance(card, BarChartCard):
            card.set_data(value)
        elif isinstance(card, StatCard):
            text, caption = spec.format(value)
            card.set_value(text, caption)

    def card(self, key: str) -> Card:
        return self.cards[key]


def _message(exc: Exception) -> str:
    return exc.message if isinstance(exc, ApiError) else str(exc)
