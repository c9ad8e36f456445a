"""What radiology publishes (see hms.core.events)."""

from dataclasses import dataclass
from datetime import datetime

from hms.radiology.models import ImagingOrder


@dataclass(frozen=True)
class RadiologyReportFinalised:
    """An order's report (not an addendum) became final; the order is now reported."""

    actor: object
    order: ImagingOrder
    finalised_at: datetime
