"""Printable PDFs from the portal and the workspace: the same documents, access rules and
audit as the API's `.../pdf/` routes (each module's `*_print` function), shown in the browser.

Doctors print prescriptions, lab reports, visit and discharge summaries from the chart;
patients their own lab reports and appointment slips."""

from collections.abc import Callable

from django.views.decorators.http import require_GET

from hms.appointments.pdf import appointment_slip_print
from hms.clinical.pdf import visit_summary_print
from hms.core.documents import PrintedDocument
from hms.inpatient.pdf import discharge_summary_print
from hms.laboratory.pdf import lab_report_print
from hms.pharmacy.pdf import prescription_print
from hms.web.views.base import chart_errors_as_http, portal_page, table_permission


def _shown(printed: PrintedDocument):
    response = printed.response(inline=True)
    # The PDF opens in the browser's viewer; nothing in it may run or load anything.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _print_view(resource: str, action: str, make: Callable[..., PrintedDocument]):
    @portal_page()
    @table_permission(resource, action)
    @chart_errors_as_http
    @require_GET
    def view(request, record_id):
        return _shown(make(user=request.user, record_id=record_id))

    return view


print_prescription = _print_view(
    "prescriptions",
    "pdf",
    lambda *, user, record_id: prescription_print(user=user, public_id=record_id),
)
print_lab_report = _print_view(
    "lab_orders", "pdf", lambda *, user, record_id: lab_report_print(user=user, public_id=record_id)
)
print_visit_summary = _print_view(
    "encounters",
    "pdf",
    lambda *, user, record_id: visit_summary_print(user=user, encounter_id=record_id),
)
print_discharge_summary = _print_view(
    "discharge_summaries",
    "pdf",
    lambda *, user, record_id: discharge_summary_print(user=user, admission_id=record_id),
)
print_appointment_slip = _print_view(
    "appointments",
    "pdf",
    lambda *, user, record_id: appointment_slip_print(user=user, public_id=record_id),
)
