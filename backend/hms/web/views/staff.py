"""Pages for staff roles other than doctors (the desktop client is their main tool): their
home page and read-only boards, each for the roles the permission table lets read its data."""

from django.shortcuts import render
from django.utils import timezone

from hms.accounts import selectors as account_selectors
from hms.appointments import selectors as appointment_selectors
from hms.core.roles import Role
from hms.core.services import audit_page_read
from hms.inpatient import selectors as inpatient_selectors
from hms.inpatient.models import BedStatus
from hms.web.forms import QueueFilterForm, WardTypeFilterForm
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
    profiles = list(account_selectors.doctor_list())
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


@portal_page(STAFF_ROLES_WITHOUT_WORKSPACE)
@table_permission("beds", "board")
def staff_beds(request):
    """The bed board, read-only: each ward's beds with their status and who lies in them
    (inpatient's bed_board: three queries whatever the number of beds). Audited with the
    patients shown."""
    form = WardTypeFilterForm(request.GET or None)
    filters = (
        {"type": form.cleaned_data["type"]} if form.is_valid() and form.cleaned_data["type"] else {}
    )
    wards = list(inpatient_selectors.bed_board(filters=filters))
    now = timezone.now()
    board, patients = [], []
    for ward in wards:
        beds = []
        counts = {status: 0 for status in BedStatus.values}
        for bed in ward.board_beds:
            occupant = bed.active_admissions[0] if bed.active_admissions else None
            counts[bed.status] = counts.get(bed.status, 0) + 1
            if occupant is not None:
                patients.append(occupant.patient.public_id)
            beds.append(
                {
                    "bed": bed,
                    "occupant": occupant,
                    "days": inpatient_selectors.days_admitted(occupant.admitted_at, now=now)
                    if occupant is not None
                    else None,
                }
            )
        board.append({"ward": ward, "beds": beds, "counts": counts})
    audit_page_read(
        actor=request.user,
        resource_type="bed_board",
        patient_ids=patients,
        count=len(wards),
        detail={"filters": {k: str(v) for k, v in filters.items()}},
    )
    statuses = [(value, label) for value, label in BedStatus.choices]
    return render(
        request,
        "web/staff/beds.html",
        {"form": form, "board": board, "statuses": statuses},
    )
