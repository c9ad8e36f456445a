"""What the inpatient app publishes (see hms.core.events)."""

from dataclasses import dataclass

from hms.inpatient.models import Admission


@dataclass(frozen=True)
class AdmissionDischarged:
    """The patient left; every bed-day of the admission is now accrued."""

    actor: object
    admission: Admission
