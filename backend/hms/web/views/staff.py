"""Pages for staff roles other than doctors (the desktop client is their main tool): their
home page and read-only boards, each for the roles the permission table lets read its data."""

from django.shortcuts import render
from django.utils import timezone

from hms.appointments import selectors as appointment_selectors
from hms.core.roles import Role
from hms.core.services import audit_page_read
from hms.patients import selectors as patient_selectors
from hms.web.forms import QueueFilterForm
from hms.web.navigation import STAFF_ROLES_WITHOUT_WORKSPACE, nav_items_for
from hms.web.views.base import headline, portal_page, table_permission

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


@portal_page(STAFF_ROLES_WITHOUT_WORKSPACE)
def staff(request):
    pages = [
        {"title": item.label, "url": item.url, "icon": item.icon}
        for item in nav_items_for(request.user)
        if item.url_name != "web:staff"
    ]
    return render(
        request,
        "web/staff/dashboard.html",
        {
            "headline": headline(request.user),
            "duties": STAFF_DUTIES.get(request.user.role, ""),
            "staff_pages": pages,
        },
    )


@portal_page(STAFF_ROLES_WITHOUT_WORKSPACE)
@table_permission("appointment_queue", "list")
def staff_queue(request):
    """The front desk's queue for one day (read-only: checking in stays in the desktop
    client), every doctor or one."""
    profiles = list(patient_selectors.doctor_list())
    doctors = [
        (str(p.user.public_id), f"Dr {p.user.get_full_name() or p.user.username}") for p in profiles
    ]
    today = timezone.localdate()
    form = QueueFilterForm(request.GET or None, initial={"date": today}, doctors=doctors)
    cleaned = form.cleaned_data if form.is_valid() else {}
    day = cleaned.get("date") or today
    chosen = cleaned.get("doctor") or ""
    doctor = next((p.user for p in profiles if str(p.user.public_id) == chosen), None)
    queue = list(
        appointment_selectors.appointment_queue(day=day, doctor=doctor).select_related(
            "doctor__doctor_profile"
        )
    )
    audit_page_read(
        actor=request.user,
        resource_type="appointment_queue",
        patient_ids=[a.patient.public_id for a in queue],
        count=len(queue),
        detail={"day": day.isoformat(), "doctor": chosen},
    )
    summary = appointment_selectors.appointment_queue_summary(day=day, doctor=doctor)
    context = {"form": form, "queue": queue, "summary": summary, "day": day, "doctor": doctor}
    return render(request, "web/staff/queue.html", context)
