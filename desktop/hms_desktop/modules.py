"""Which screens exist and who may open them.

A module is listed for the signed-in user when the server lets them perform the module's main
action (`resource`, `action`), as the capabilities read at sign-in say; a module without one
(the dashboard) is open to everyone signed in. A module whose server API does not exist yet is
simply not in this list.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from hms_desktop.api.dto import Capabilities
    from hms_desktop.context import AppContext


@dataclass(frozen=True)
class Module:
    key: str
    title: str
    glyph: str
    view: str  # "package.module:Class", imported when the screen is first opened
    description: str = ""
    resource: str | None = None  # the server permission this module needs
    action: str | None = None

    def open_to(self, capabilities: Capabilities) -> bool:
        if self.resource is None or self.action is None:
            return True
        return capabilities.may(self.resource, self.action)

    def create(self, ctx: AppContext) -> QWidget:
        module_name, _, class_name = self.view.partition(":")
        factory: Callable[[AppContext], QWidget] = getattr(
            importlib.import_module(module_name), class_name
        )
        return factory(ctx)


MODULES: tuple[Module, ...] = (
    Module(
        key="dashboard",
        title="Dashboard",
        glyph="⌂",
        view="hms_desktop.views.dashboard:DashboardPage",
        description="Today at a glance",
    ),
    Module(
        key="management",
        title="Management",
        glyph="◩",
        view="hms_desktop.views.management:ManagementDashboardPage",
        description="The management dashboard: key figures and trends for a period; save as PDF",
        resource="reports",
        action="management_dashboard",
    ),
    Module(
        key="patients",
        title="Patients",
        glyph="⚕",
        view="hms_desktop.views.patients.page:PatientsPage",
        description="Find, register and update patients",
        resource="patients",
        action="list",
    ),
    Module(
        key="appointments",
        title="Appointments",
        glyph="◷",
        view="hms_desktop.views.appointments.page:AppointmentsPage",
        description="Today's queue, check-in, booking from free slots, rescheduling",
        resource="appointment_queue",
        action="list",
    ),
    Module(
        key="consults",
        title="My consults",
        glyph="☏",
        view="hms_desktop.views.consults:ConsultsPage",
        description="Teleconsults you run or were invited to; open the call page",
        resource="conversations",
        action="list",
    ),
    Module(
        key="schedules",
        title="Schedules",
        glyph="▤",
        view="hms_desktop.views.schedules:SchedulesPage",
        description="Doctors' working hours, slot length, leave and the hospital's holidays",
        resource="doctor_schedules",
        action="update",
    ),
    Module(
        key="beds",
        title="Wards & beds",
        glyph="▥",
        view="hms_desktop.views.beds.page:BedBoardPage",
        description="The bed board; admit, transfer and discharge patients",
        resource="beds",
        action="board",
    ),
    Module(
        key="wards",
        title="Ward setup",
        glyph="▦",
        view="hms_desktop.views.wards:WardsPage",
        description="Wards, rooms and beds; which nurses work where",
        resource="wards",
        action="create",
    ),
    Module(
        key="icu",
        title="Intensive care",
        glyph="♥",
        view="hms_desktop.views.icu:IcuPage",
        description="Patients in the ICU with NEWS2 and GCS; vitals entry",
        resource="icu",
        action="list",
    ),
    Module(
        key="mar",
        title="Medication round",
        glyph="℞",
        view="hms_desktop.views.mar:MarPage",
        description="Today's doses of each admitted patient; given, held or refused",
        resource="mar",
        action="read",
    ),
    Module(
        key="lab",
        title="Laboratory",
        glyph="⚗",
        view="hms_desktop.views.lab.page:LabWorklistPage",
        description="The worklist, STAT first: specimens, results with live flags, verification",
        resource="lab_worklist",
        action="list",
    ),
    Module(
        key="radiology",
        title="Radiology",
        glyph="☢",
        view="hms_desktop.views.radiology.page:RadiologyPage",
        description="The worklist, DICOM images and the report editor",
        resource="radiology_worklist",
        action="list",
    ),
    Module(
        key="dispensing",
        title="Dispensing",
        glyph="℞",
        view="hms_desktop.views.dispensing:DispensingPage",
        description="Prescriptions to fill, oldest first; dispense earliest expiry first",
        resource="pharmacy_worklist",
        action="list",
    ),
    Module(
        key="stock",
        title="Stock",
        glyph="▦",
        view="hms_desktop.views.stock:StockPage",
        description="Formulary, batches and the stock ledger; receive and adjust stock",
        resource="pharmacy_stock",
        action="list",
    ),
    Module(
        key="stock_alerts",
        title="Stock alerts",
        glyph="⚠",
        view="hms_desktop.views.stock_alerts:StockAlertsPage",
        description="Low stock and expiring batches",
        resource="pharmacy_alerts",
        action="list",
    ),
    Module(
        key="billing",
        title="Billing",
        glyph="¤",
        view="hms_desktop.views.billing.page:BillingPage",
        description="Invoices from unbilled charges, payments, receipts and PDFs",
        resource="billing_invoices",
        action="list",
    ),
    Module(
        key="tariffs",
        title="Tariffs",
        glyph="≡",
        view="hms_desktop.views.tariffs:TariffsPage",
        description="The price list, versioned by date",
        resource="billing_tariffs",
        action="create",
    ),
    Module(
        key="reports",
        title="Reports",
        glyph="▧",
        view="hms_desktop.views.reports:ReportsPage",
        description="Activity, clinical, pharmacy and finance reports with charts; CSV and Excel",
        resource="reports",
        action="catalogue",
    ),
    Module(
        key="users",
        title="Users",
        glyph="☺",
        view="hms_desktop.views.users:UsersPage",
        description="Staff accounts: create, deactivate, reset passwords",
        resource="users",
        action="list",
    ),
    Module(
        key="audit",
        title="Audit log",
        glyph="☰",
        view="hms_desktop.views.audit:AuditPage",
        description="Who did what, when: the tamper-evident audit trail",
        resource="audit",
        action="list",
    ),
    Module(
        key="profile",
        title="My account",
        glyph="⚙",
        view="hms_desktop.views.profile:ProfilePage",
        description="Your name, contact details and password",
        resource="profile",
        action="read",
    ),
)


def modules_for(capabilities: Capabilities) -> list[Module]:
    return [module for module in MODULES if module.open_to(capabilities)]


def module(key: str) -> Module:
    for candidate in MODULES:
        if candidate.key == key:
            return candidate
    raise KeyError(key)
