"""What the pharmacy publishes (see hms.core.events)."""

from dataclasses import dataclass

from hms.pharmacy.models import Dispense, DispenseLine


@dataclass(frozen=True)
class MedicationDispensed:
    """A dispense and its lines were recorded against a prescription."""

    actor: object
    dispense: Dispense


@dataclass(frozen=True)
class DispenseReturned:
    """`quantity` units of a dispense line came back to the pharmacy's stock."""

    actor: object
    line: DispenseLine
    quantity: int
    reason: str
