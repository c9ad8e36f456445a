"""An overdue critical alert about a patient lying on a ward goes to that ward's nurses on duty
(hms.core.escalation): they are at the bedside and can fetch a doctor."""

import uuid

from hms.core.escalation import register_escalation_resolver
from hms.inpatient.models import Admission, AdmissionStatus
from hms.inpatient.selectors import nurses_on_ward_today


@register_escalation_resolver("ward_nurses", order=10, audience="a nurse on the patient's ward")
def _nurses_on_the_patients_ward(notification) -> list:
    try:
        patient_id = uuid.UUID(notification.patient_id)
    except ValueError:  # blank, or not about a registered patient
        return []
    ward_id = (
        Admission.objects.filter(patient__public_id=patient_id, status=AdmissionStatus.ACTIVE)
        .values_list("ward_id", flat=True)
        .first()
    )
    return [] if ward_id is None else list(nurses_on_ward_today(ward_id=ward_id))
