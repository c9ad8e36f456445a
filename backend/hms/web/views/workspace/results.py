"""Results: one patient's orders, and those a doctor ordered across patients."""

from django.shortcuts import render

from hms.core.permissions import user_may
from hms.core.services import audit_page_read
from hms.laboratory import selectors as lab_selectors
from hms.patients.access import ChartSection, patient_get_for_user
from hms.radiology import selectors as radiology_selectors
from hms.web.navigation import WORKSPACE_ROLES
from hms.web.results import lab_trends, order_results
from hms.web.views.base import chart_errors_as_http, paginate, portal_page, table_permission

LAB_ORDERS_SHOWN = 50
IMAGING_ORDERS_SHOWN = 20


@portal_page(WORKSPACE_ROLES)
@table_permission("lab_orders", "list")
@chart_errors_as_http
def workspace_patient_results(request, patient_id):
    """One patient's laboratory orders with their verified results (abnormal and critical
    flags highlighted, trends of repeated tests) and imaging orders with final reports."""
    user = request.user
    patient = patient_get_for_user(
        user=user, patient_public_id=patient_id, section=ChartSection.ORDERS
    )
    orders = list(
        lab_selectors.lab_orders_for_user(user=user, filters={"patient": patient_id})[
            :LAB_ORDERS_SHOWN
        ]
    )
    imaging = []
    if user_may(user, "imaging_orders", "list"):
        imaging = list(
            radiology_selectors.orders_prefetch_reports(
                radiology_selectors.imaging_order_list(user=user, filters={"patient": patient_id}),
                user=user,
            )[:IMAGING_ORDERS_SHOWN]
        )
    context = {
        "patient": patient,
        "lab": order_results(orders, user),
        "trends": lab_trends(orders, user),
        "imaging": imaging,
        "may_order_lab": user_may(user, "lab_orders", "create"),
        "may_order_imaging": user_may(user, "imaging_orders", "create"),
        "trend_links": True,
    }
    return render(request, "web/workspace/results.html", context)


@portal_page(WORKSPACE_ROLES)
@table_permission("lab_orders", "list")
def workspace_results(request):
    """The results of the tests and imaging this doctor ordered, newest first: verified lab
    results with their flags (the laboratory's visible_results), and imaging reports. One
    audited read per page, naming the patients on it."""
    user = request.user
    page = paginate(request, lab_selectors.lab_orders_for_user(user=user, filters={"mine": True}))
    imaging = []
    if user_may(user, "imaging_orders", "list"):
        imaging = list(
            radiology_selectors.orders_prefetch_reports(
                radiology_selectors.imaging_order_list(
                    user=user, filters={"ordering_doctor": user.public_id}
                ),
                user=user,
            )[:IMAGING_ORDERS_SHOWN]
        )
    audit_page_read(
        actor=user,
        resource_type="lab_order_list",
        patient_ids=sorted(
            {str(o.patient.public_id) for o in page.object_list}
            | {str(o.patient.public_id) for o in imaging}
        ),
        count=page.paginator.count,
        detail={"mine": True},
    )
    context = {
        "page": page,
        "lab": order_results(page.object_list, user),
        "imaging": imaging,
    }
    return render(request, "web/workspace/results_mine.html", context)
