"""What the laboratory publishes (see hms.core.events)."""

from dataclasses import dataclass
from datetime import datetime

from hms.laboratory.models import LabOrder


@dataclass(frozen=True)
class LabOrderVerified:
    """An order's results were verified for the first time (amendments publish nothing)."""

    actor: object
    order: LabOrder
    verified_at: datetime
