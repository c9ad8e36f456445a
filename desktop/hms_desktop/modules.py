"""Which screens exist and which roles may open them.

This table mirrors the server's permission table (`hms.core.permissions.PERMISSIONS`): a module
is listed for a role only when the server lets that role perform the module's main action
(`resource`, `action`). The desktop tests check the mirror against the server's table. A module
whose server API does not exist yet is simply not in this list.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hms_desktop import roles

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from hms_desktop.context import AppContext


@dataclass(frozen=True)
class Module:
    key: str
    title: str
    glyph: str
    view: str  # "package.module:Class", imported when the screen is first opened
    roles: frozenset[str]
    description: str = ""
    resource: str | None = None  # the server permission this module needs
    action: str | None = None

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
        roles=roles.STAFF_ROLES,
        description="Today at a glance",
    ),
    Module(
        key="patients",
        title="Patients",
        glyph="⚕",
        view="hms_desktop.views.patients:PatientsPage",
        roles=roles.STAFF_ROLES,
        description="Find, register and update patients",
        resource="patients",
        action="list",
    ),
    Module(
        key="appointments",
        title="Appointments",
        glyph="◷",
        view="hms_desktop.views.appointments:AppointmentsPage",
        roles=frozenset({roles.RECEPTIONIST, roles.NURSE, roles.DOCTOR}),
        description="Today's queue, check-in, booking from free slots, rescheduling",
        resource="appointment_queue",
        action="list",
    ),
    Module(
        key="beds",
        title="Wards & beds",
        glyph="▥",
        view="hms_desktop.views.beds:BedBoardPage",
        roles=frozenset({roles.ADMIN, roles.RECEPTIONIST, roles.NURSE, roles.DOCTOR}),
        description="The bed board; admit, transfer and discharge patients",
        resource="beds",
        action="board",
    ),
    Module(
        key="wards",
        title="Ward setup",
        glyph="▦",
        view="hms_desktop.views.wards:WardsPage",
        roles=frozenset({roles.ADMIN}),
        description="Wards, rooms and beds; which nurses work where",
        resource="wards",
        action="create",
    ),
    Module(
        key="icu",
        title="Intensive care",
        glyph="♥",
        view="hms_desktop.views.icu:IcuPage",
        roles=frozenset({roles.RECEPTIONIST, roles.NURSE, roles.DOCTOR}),
        description="Patients in the ICU with NEWS2 and GCS; vitals entry",
        resource="icu",
        action="list",
    ),
    Module(
        key="mar",
        title="Medication round",
        glyph="℞",
        view="hms_desktop.views.mar:MarPage",
        roles=frozenset({roles.NURSE, roles.DOCTOR}),
        description="Today's doses of each admitted patient; given, held or refused",
        resource="mar",
        action="read",
    ),
    Module(
        key="lab",
        title="Laboratory",
        glyph="⚗",
        view="hms_desktop.views.lab:LabWorklistPage",
        roles=frozenset({roles.LAB_TECHNICIAN}),
        description="The worklist, STAT first: specimens, results with live flags, verification",
        resource="lab_worklist",
        action="list",
    ),
    Module(
        key="radiology",
        title="Radiology",
        glyph="☢",
        view="hms_desktop.views.radiology:RadiologyPage",
        roles=frozenset({roles.RADIOLOGIST}),
        description="The worklist, DICOM images and the report editor",
        resource="radiology_worklist",
        action="list",
    ),
    Module(
        key="dispensing",
        title="Dispensing",
        glyph="℞",
        view="hms_desktop.views.dispensing:DispensingPage",
        roles=frozenset({roles.PHARMACIST}),
        description="Prescriptions to fill, oldest first; dispense earliest expiry first",
        resource="pharmacy_worklist",
        action="list",
    ),
    Module(
        key="stock",
        title="Stock",
        glyph="▦",
        view="hms_desktop.views.stock:StockPage",
        roles=frozenset({roles.ADMIN, roles.PHARMACIST}),
        description="Formulary, batches and the stock ledger; receive and adjust stock",
        resource="pharmacy_stock",
        action="list",
    ),
    Module(
        key="stock_alerts",
        title="Stock alerts",
        glyph="⚠",
        view="hms_desktop.views.stock_alerts:StockAlertsPage",
        roles=frozenset({roles.ADMIN, roles.PHARMACIST}),
        description="Low stock and expiring batches",
        resource="pharmacy_alerts",
        action="list",
    ),
    Module(
        key="billing",
        title="Billing",
        glyph="¤",
        view="hms_desktop.views.billing:BillingPage",
        roles=frozenset({roles.ACCOUNTANT, roles.RECEPTIONIST}),
        description="Invoices from unbilled charges, payments, receipts and PDFs",
        resource="billing_invoices",
        action="list",
    ),
    Module(
        key="tariffs",
        title="Tariffs",
        glyph="≡",
        view="hms_desktop.views.tariffs:TariffsPage",
        roles=frozenset({roles.ADMIN, roles.ACCOUNTANT}),
        description="The price list, versioned by date",
        resource="billing_tariffs",
        action="create",
    ),
    Module(
        key="users",
        title="Users",
        glyph="☺",
        view="hms_desktop.views.users:UsersPage",
        roles=frozenset({roles.ADMIN}),
        description="Staff accounts: create, deactivate, reset passwords",
        resource="users",
        action="list",
    ),
    Module(
        key="audit",
        title="Audit log",
        glyph="☰",
        view="hms_desktop.views.audit:AuditPage",
        roles=frozenset({roles.ADMIN}),
        description="Who did what, when: the tamper-evident audit trail",
        resource="audit",
        action="list",
    ),
    Module(
        key="profile",
        title="My account",
        glyph="⚙",
        view="hms_desktop.views.profile:ProfilePage",
        roles=roles.STAFF_ROLES,
        description="Your name, contact details and password",
        resource="profile",
        action="read",
    ),
)


def modules_for(role: str) -> list[Module]:
    return [module for module in MODULES if role in module.roles]


def module(key: str) -> Module:
    for candidate in MODULES:
        if candidate.key == key:
            return candidate
    raise KeyError(key)
