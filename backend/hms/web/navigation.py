"""What each role sees in the portal: its home page and its navigation.

Patients get the patient portal, doctors the doctor workspace, every other staff role a page
that points to the desktop client (plus read-only staff pages as they are added). An entry that
needs a module appears only when that module is installed, so the menu fills as modules land.
"""

from dataclasses import dataclass

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from hms.core.permissions import roles_allowed, rule_for
from hms.core.roles import Role

PORTAL_ROLES = frozenset({Role.PATIENT})
WORKSPACE_ROLES = frozenset({Role.DOCTOR})


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    roles: frozenset[str]
    requires_app: str | None = None
    # "more": listed under the navbar's "More" menu (keeps the bar on one line at 1280 px).
    group: str = ""

    @property
    def url(self) -> str:
        return reverse(self.url_name)


STAFF_ROLES_WITHOUT_WORKSPACE = frozenset(Role) - PORTAL_ROLES - WORKSPACE_ROLES


def table_roles(resource: str, action: str) -> frozenset[str]:
    """The roles the permission table allows `action` on `resource` (hms.core.permissions)."""
    return frozenset(roles_allowed(rule_for(resource, action)))


# Read-only staff pages on the web: for the staff roles the table lets read the same data.
RECEPTION_QUEUE_ROLES = table_roles("appointment_queue", "list") & STAFF_ROLES_WITHOUT_WORKSPACE
BED_BOARD_ROLES = table_roles("beds", "board") & STAFF_ROLES_WITHOUT_WORKSPACE
# Reports and the management dashboard (admins, accountants); the doctor's own dashboard.
REPORT_ROLES = table_roles("reports", "catalogue") & STAFF_ROLES_WITHOUT_WORKSPACE
MANAGEMENT_DASHBOARD_ROLES = (
    table_roles("reports", "management_dashboard") & STAFF_ROLES_WITHOUT_WORKSPACE
)
DOCTOR_DASHBOARD_ROLES = table_roles("reports", "doctor_dashboard") & WORKSPACE_ROLES

NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("Overview", "web:portal", "home", PORTAL_ROLES),
    NavItem(
        "Appointments", "web:portal-appointments", "calendar", PORTAL_ROLES, "hms.appointments"
    ),
    NavItem("Visits", "web:portal-visits", "stethoscope", PORTAL_ROLES, "hms.clinical"),
    NavItem("Results", "web:portal-results", "flask", PORTAL_ROLES, "hms.laboratory"),
    NavItem("Prescriptions", "web:portal-prescriptions", "pill", PORTAL_ROLES, "hms.pharmacy"),
    NavItem("Messages", "web:portal-messages", "message", PORTAL_ROLES, "hms.telemedicine"),
    NavItem("My record", "web:portal-record", "clipboard", PORTAL_ROLES, "hms.patients", "more"),
    NavItem("Documents", "web:portal-documents", "file", PORTAL_ROLES, "hms.clinical", "more"),
    NavItem("Invoices", "web:portal-invoices", "receipt", PORTAL_ROLES, "hms.billing", "more"),
    NavItem("Access log", "web:portal-access", "eye", PORTAL_ROLES, "hms.patients", "more"),
    NavItem("Workspace", "web:workspace", "home", WORKSPACE_ROLES),
    NavItem("Today", "web:workspace-queue", "calendar", WORKSPACE_ROLES, "hms.appointments"),
    NavItem("My patients", "web:workspace-patients", "users", WORKSPACE_ROLES, "hms.patients"),
    NavItem("Results", "web:workspace-results", "flask", WORKSPACE_ROLES, "hms.laboratory"),
    NavItem("Prescriptions", "web:workspace-prescribing", "pill", WORKSPACE_ROLES, "hms.pharmacy"),
    NavItem("Messages", "web:workspace-messages", "message", WORKSPACE_ROLES, "hms.telemedicine"),
    NavItem(
        "My dashboard",
        "web:workspace-dashboard",
        "chart",
        DOCTOR_DASHBOARD_ROLES,
        "hms.reporting",
        "more",
    ),
    NavItem(
        "My schedule",
        "web:workspace-schedule",
        "calendar",
        WORKSPACE_ROLES,
        "hms.appointments",
        "more",
    ),
    NavItem("Overview", "web:staff", "home", STAFF_ROLES_WITHOUT_WORKSPACE),
    NavItem(
        "Reception queue", "web:staff-queue", "list", RECEPTION_QUEUE_ROLES, "hms.appointments"
    ),
    NavItem("Bed board", "web:staff-beds", "bed", BED_BOARD_ROLES, "hms.inpatient"),
    NavItem("Reports", "web:reports", "chart", REPORT_ROLES, "hms.reporting"),
    NavItem(
        "Dashboard",
        "web:reports-dashboard",
        "activity",
        MANAGEMENT_DASHBOARD_ROLES,
        "hms.reporting",
    ),
)


def nav_items_for(user) -> list[NavItem]:
    role = getattr(user, "role", None)
    return [
        item
        for item in NAV_ITEMS
        if role in item.roles
        and (item.requires_app is None or apps.is_installed(item.requires_app))
    ]


def home_url_name_for(user) -> str:
    role = getattr(user, "role", None)
    if role in PORTAL_ROLES:
        return "web:portal"
    if role in WORKSPACE_ROLES:
        return "web:workspace"
    return "web:staff"


@dataclass(frozen=True)
class Section:
    """A dashboard tile. Without a page behind `url_name` yet, it shows as "coming soon"."""

    title: str
    text: str
    icon: str
    url_name: str | None = None

    def as_tile(self) -> dict:
        url = None
        if self.url_name:
            try:
                url = reverse(self.url_name)
            except NoReverseMatch:
                url = None
        return {"title": self.title, "text": self.text, "icon": self.icon, "url": url}


PORTAL_SECTIONS = (
    Section(
        "Appointments", "Book, see and cancel appointments.", "calendar", "web:portal-appointments"
    ),
    Section(
        "My record",
        "Your profile, contact details and allergies.",
        "clipboard",
        "web:portal-record",
    ),
    Section(
        "Visits", "Your visit history with the doctor's notes.", "stethoscope", "web:portal-visits"
    ),
    Section("Documents", "Upload and download your documents.", "file", "web:portal-documents"),
    Section(
        "Who viewed my record", "Every time someone opened your record.", "eye", "web:portal-access"
    ),
    Section("Results", "Laboratory results and radiology reports.", "flask", "web:portal-results"),
    Section(
        "Prescriptions", "Your current and past prescriptions.", "pill", "web:portal-prescriptions"
    ),
    Section(
        "Invoices", "Invoices and payments, with PDF copies.", "receipt", "web:portal-invoices"
    ),
    Section(
        "Messages",
        "Write to your doctors; join a teleconsult from Appointments.",
        "message",
        "web:portal-messages",
    ),
)

WORKSPACE_SECTIONS = (
    Section(
        "My patients",
        "The patients assigned to you, with their charts.",
        "users",
        "web:workspace-patients",
    ),
    Section(
        "Today's queue",
        "Today's appointments and check-in status.",
        "calendar",
        "web:workspace-queue",
    ),
    Section(
        "Results",
        "Results of the tests and imaging you ordered.",
        "flask",
        "web:workspace-results",
    ),
    Section(
        "Prescriptions",
        "What you prescribed, its status and any safety override.",
        "pill",
        "web:workspace-prescribing",
    ),
    Section(
        "My schedule",
        "Your working hours, slot length, leave and holidays.",
        "calendar",
        "web:workspace-schedule",
    ),
    Section(
        "Messages",
        "Conversations with your patients, live.",
        "message",
        "web:workspace-messages",
    ),
    Section(
        "My dashboard",
        "Your patients, results awaiting review and your clinic's no-show rate.",
        "chart",
        "web:workspace-dashboard",
    ),
)


def tiles(sections) -> tuple[list[dict], list[dict]]:
    """(tiles with a page, tiles still to come)."""
    built = [section.as_tile() for section in sections]
    return [t for t in built if t["url"]], [t for t in built if not t["url"]]
