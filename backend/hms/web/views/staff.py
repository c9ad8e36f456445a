"""Pages for staff roles other than doctors (the desktop client is their main tool)."""

from django.shortcuts import render

from hms.core.roles import Role
from hms.web.navigation import (
    PORTAL_ROLES,
    WORKSPACE_ROLES,
)
from hms.web.views.base import (
    headline,
    portal_page,
)

# --- Other staff -------------------------------------------------------------------------------

STAFF_DUTIES = {
    Role.ADMIN: "Create staff accounts, manage roles and review the audit log.",
    Role.NURSE: "Record vitals, run the nursing charts and the ward and ICU.",
    Role.RECEPTIONIST: (
        "Register patients, schedule appointments, check patients in and take payments."
    ),
    Role.PHARMACIST: "Dispense prescriptions and manage stock.",
    Role.LAB_TECHNICIAN: "Work the laboratory worklist and enter results.",
    Role.RADIOLOGIST: "Work the imaging worklist and write reports.",
    Role.ACCOUNTANT: "Invoices, payments and insurance claims.",
}


@portal_page(frozenset(Role) - PORTAL_ROLES - WORKSPACE_ROLES)
def staff(request):
    return render(
        request,
        "web/staff/dashboard.html",
        {
            "headline": headline(request.user),
            "duties": STAFF_DUTIES.get(request.user.role, ""),
            "staff_pages": [],
        },
    )
