"""The appointment slip as a PDF: doctor, department, date and time in the hospital's time
zone, where to come, the booking reference; the patient on the page (hms.core.documents)."""

from django.conf import settings
from django.utils import timezone
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from hms.appointments import selectors
from hms.appointments.models import Appointment
from hms.core.documents import (
    PrintedDocument,
    build_pdf,
    document_printed,
    hospital_header,
    paragraph,
    patient_block,
    pdf_filename,
    person_name,
    styles,
)
from hms.patients.access import ChartSection, patient_get_for_user


def booking_reference(appointment: Appointment) -> str:
    """The short reference printed on the slip and read out at the desk."""
    return str(appointment.public_id).split("-")[0].upper()


def doctor_department(doctor) -> str:
    profile = getattr(doctor, "doctor_profile", None)
    if profile is None:
        return ""
    return profile.department or profile.specialization


def appointment_slip_pdf(appointment: Appointment) -> bytes:
    """`appointment` as loaded by selectors.appointment_get_for_user (patient and doctor
    selected; the doctor's profile is read here)."""
    style = styles()
    start = timezone.localtime(appointment.start_at)
    end = timezone.localtime(appointment.end_at)
    department = doctor_department(appointment.doctor)
    location = ", ".join(
        part
        for part in (
            f"{department} clinic" if department else "",
            settings.HOSPITAL_ADDRESS or settings.HOSPITAL_NAME,
        )
        if part
    )
    story = hospital_header("Appointment slip", booking_reference(appointment))
    story += [*patient_block(appointment.patient), Spacer(1, 4 * mm)]
    rows = [
        ["Booking reference", booking_reference(appointment)],
        ["Date", f"{start:%A %d %B %Y}"],
        ["Time", f"{start:%H:%M} - {end:%H:%M} ({timezone.get_current_timezone_name()})"],
        ["Doctor", person_name(appointment.doctor)],
        ["Department", department or "-"],
        ["Location", location],
        ["Status", appointment.get_status_display()],
    ]
    if appointment.reason:
        rows.append(["Reason", paragraph(appointment.reason)])
    story.append(
        Table(
            rows,
            colWidths=[34 * mm, 82 * mm],
            hAlign="LEFT",
            style=TableStyle(
                [
                    ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"),
                    ("FONTSIZE", (0, 0), (-1, -1), 10),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            ),
        )
    )
    story += [
        Spacer(1, 6 * mm),
        paragraph(
            "Please arrive 15 minutes early and bring this slip. To cancel or change the "
            "appointment, contact the front desk or use the patient portal.",
            style.small,
        ),
    ]
    return build_pdf(story, title="Appointment slip", patient=appointment.patient, pagesize=A5)


def appointment_slip_print(*, user, public_id) -> PrintedDocument:
    """The slip printed for `user` (their own appointment, or the chart's appointments
    section: 404/403 otherwise), audited."""
    appointment = selectors.appointment_get_for_user(user=user, public_id=public_id)
    patient_get_for_user(
        user=user,
        patient_public_id=appointment.patient.public_id,
        section=ChartSection.APPOINTMENTS,
    )
    return document_printed(
        appointment_slip_pdf(appointment),
        actor=user,
        document="appointment_slip",
        record=appointment,
        patient=appointment.patient,
        filename=pdf_filename("appointment", booking_reference(appointment)),
    )
