"""The discharge summary of an admission."""

from hms.core.errors import NotFoundError
from hms.inpatient.models import Admission, DischargeSummary


def discharge_summary_of(*, admission: Admission):
    summary = (
        DischargeSummary.objects.select_related("written_by", "signed_by", "admission")
        .filter(admission=admission)
        .first()
    )
    if summary is None:
        raise NotFoundError(
            "No discharge summary has been written yet.", code="discharge_summary_not_found"
        )
    return summary
