"""One laboratory analyte of one patient over time, opened from the results page."""

from django.shortcuts import render

from hms.laboratory import selectors as lab_selectors
from hms.web.navigation import WORKSPACE_ROLES
from hms.web.results import analyte_trend
from hms.web.views.base import chart_errors_as_http, portal_page, table_permission


@portal_page(WORKSPACE_ROLES)
@table_permission("lab_orders", "list")
@chart_errors_as_http
def workspace_analyte_trend(request, patient_id, test_code):
    """One analyte of one patient over time (opened from its name on the results page): a
    chart with the reference interval shaded and critical values marked, and every verified
    result in a table with its flag. The chart's orders section is opened (scoped, audited)."""
    patient, test, results = lab_selectors.analyte_history_for_user(
        user=request.user, patient_id=patient_id, test_ref=test_code
    )
    context = {"patient": patient, **analyte_trend(test, results)}
    return render(request, "web/workspace/analyte_trend.html", context)
