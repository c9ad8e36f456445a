"""What billing charges for: the clinical events it subscribes to (see hms.core.events).

Each handler runs inside the publishing service's transaction, so a charge commits or rolls
back with the clinical write, and is idempotent per source event (see hms.billing.billable).
"""

from hms.appointments.events import AppointmentCompleted
from hms.billing.billable import (
    bill_admission_bed_days,
    bill_appointment_completed,
    bill_dispense,
    bill_lab_test,
    bill_radiology_procedure,
    credit_dispense_return,
)
from hms.core.events import subscribe
from hms.inpatient.events import AdmissionDischarged
from hms.laboratory.events import LabOrderVerified
from hms.pharmacy.events import DispenseReturned, MedicationDispensed
from hms.radiology.events import RadiologyReportFinalised


def charge_consultation(event: AppointmentCompleted):
    """The consultation fee, once."""
    return bill_appointment_completed(actor=event.actor, appointment=event.appointment)


def charge_lab_test(event: LabOrderVerified):
    """The ordered test, once."""
    order = event.order
    return bill_lab_test(
        actor=event.actor,
        patient=order.patient,
        source_id=order.public_id,
        test_code=order.test.code,
        test_name=order.test.name,
        occurred_at=event.verified_at,
    )


def charge_radiology_procedure(event: RadiologyReportFinalised):
    """The study, once."""
    order = event.order
    return bill_radiology_procedure(
        actor=event.actor,
        patient=order.patient,
        source_id=order.public_id,
        procedure_code=order.procedure.code,
        procedure_name=order.procedure.name,
        occurred_at=event.finalised_at,
    )


def charge_dispense(event: MedicationDispensed):
    """Each line at the formulary price, once."""
    return bill_dispense(actor=event.actor, dispense=event.dispense)


def credit_return(event: DispenseReturned):
    """The returned units off the patient's bill."""
    return credit_dispense_return(
        actor=event.actor, line=event.line, quantity=event.quantity, reason=event.reason
    )


def charge_bed_days_at_discharge(event: AdmissionDischarged):
    """Every bed-day of the admission not yet charged by the nightly run."""
    return bill_admission_bed_days(actor=event.actor, admission=event.admission)


def subscribe_billing() -> None:
    subscribe(AppointmentCompleted, charge_consultation)
    subscribe(LabOrderVerified, charge_lab_test)
    subscribe(RadiologyReportFinalised, charge_radiology_procedure)
    subscribe(MedicationDispensed, charge_dispense)
    subscribe(DispenseReturned, credit_return)
    subscribe(AdmissionDischarged, charge_bed_days_at_discharge)
