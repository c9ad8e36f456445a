"""One function per billable event, each idempotent per source event. The clinical apps do not
call them: they publish what happened (hms.core.events) and hms.billing.subscriptions calls
these inside the publishing service's transaction:

    appointments  AppointmentCompleted      -> bill_appointment_completed(actor=, appointment=)
    laboratory    LabOrderVerified          -> bill_lab_test(actor=, patient=, source_id=, ...)
    radiology     RadiologyReportFinalised  -> bill_radiology_procedure(actor=, patient=, ...)
    pharmacy      MedicationDispensed       -> bill_dispense(actor=, dispense=)
    pharmacy      DispenseReturned          -> credit_dispense_return(actor=, line=, ...)
    inpatient     AdmissionDischarged       -> bill_admission_bed_days(actor=, admission=)
    (nightly task, current admissions)      -> bill_current_admissions_bed_days()

Prices come from the tariff valid on the day of the event (specific code, else the category's
fallback code, see hms.billing.tariffs); drugs use their formulary price unless a DRUG-<id>
tariff overrides it. When no price exists the clinical action still goes ahead: no charge is
posted, and the accountants are notified (once per code and day) to add the tariff and post a
manual charge. Nothing here ever blocks care.
"""

import logging
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from hms.appointments.models import VisitType
from hms.billing.models import Charge, ChargeSource, TariffCategory
from hms.billing.services import charge_post, charge_return_units
from hms.billing.tariffs import tariff_code, tariff_for, tariff_valid_on
from hms.core.roles import Role
from hms.core.services import notification_create_for_role
from hms.core.wording import with_article
from hms.inpatient.models import Admission, AdmissionStatus
from hms.inpatient.selectors import admission_bed_days, bed_days_for_admissions
from hms.pharmacy.models import DispenseLine

logger = logging.getLogger("hms.billing")


def _missing_price(*, category: TariffCategory, reference: str, on: date, patient) -> None:
    code = tariff_code(category, reference)
    logger.warning("billing: no tariff %s valid on %s; no charge posted", code, on)
    notification_create_for_role(
        role=Role.ACCOUNTANT,
        kind="billing_missing_tariff",
        title=f"No price for {code}",
        body=(
            f"{with_article(category.label.lower(), capital=True)} on {on} could not be charged: "
            f"no tariff {code} "
            f"(nor the fallback) is valid that day. Add the price and post a manual charge "
            f"for patient {patient.mrn}."
        ),
        severity="warning",
        link="/api/billing/tariffs/",
        dedupe_key=f"billing_missing_tariff:{code}:{on.isoformat()}",
    )


def _post_by_tariff(
    *,
    actor,
    patient,
    category: TariffCategory,
    reference: str,
    source_type: ChargeSource,
    source_id,
    occurred_at: datetime,
    quantity=1,
    description: str | None = None,
) -> Charge | None:
    existing = Charge.objects.filter(source_type=source_type, source_id=str(source_id)).first()
    if existing is not None:
        return existing
    on = timezone.localtime(occurred_at).date()
    tariff = tariff_for(category=category, reference=reference, on=on)
    if tariff is None:
        _missing_price(category=category, reference=reference, on=on, patient=patient)
        return None
    return charge_post(
        actor=actor,
        patient=patient,
        source_type=source_type,
        source_id=source_id,
        tariff_code=tariff.code,
        description=description,
        quantity=quantity,
        occurred_at=occurred_at,
    )


def bill_appointment_completed(*, actor, appointment) -> Charge | None:
    """The consultation fee, by the doctor's specialization: CONSULT-<SPECIALIZATION> for a
    visit in person, TELECONSULT-<SPECIALIZATION> for a video consultation (each falling back
    to its -GENERAL code)."""
    profile = getattr(appointment.doctor, "doctor_profile", None)
    specialization = (profile.specialization if profile else "") or "General"
    doctor_name = appointment.doctor.get_full_name() or appointment.doctor.username
    if appointment.visit_type == VisitType.TELECONSULT:
        category, label = TariffCategory.TELECONSULT, "Teleconsultation"
    else:
        category, label = TariffCategory.CONSULTATION, "Consultation"
    return _post_by_tariff(
        actor=actor,
        patient=appointment.patient,
        category=category,
        reference=specialization,
        source_type=ChargeSource.APPOINTMENT,
        source_id=appointment.public_id,
        occurred_at=appointment.completed_at or timezone.now(),
        description=f"{label}, {specialization} (Dr {doctor_name})",
    )


def bill_lab_test(
    *, actor, patient, source_id, test_code: str, test_name: str, occurred_at: datetime
) -> Charge | None:
    """One verified laboratory test (LAB-<test code>); `source_id`: the order or order item's
    public id."""
    return _post_by_tariff(
        actor=actor,
        patient=patient,
        category=TariffCategory.LAB_TEST,
        reference=test_code,
        source_type=ChargeSource.LAB_ORDER,
        source_id=source_id,
        occurred_at=occurred_at,
        description=f"Laboratory: {test_name}",
    )


def bill_radiology_procedure(
    *, actor, patient, source_id, procedure_code: str, procedure_name: str, occurred_at: datetime
) -> Charge | None:
    """One imaging procedure whose report became final (RAD-<procedure code>)."""
    return _post_by_tariff(
        actor=actor,
        patient=patient,
        category=TariffCategory.RADIOLOGY,
        reference=procedure_code,
        source_type=ChargeSource.RADIOLOGY_REPORT,
        source_id=source_id,
        occurred_at=occurred_at,
        description=f"Imaging: {procedure_name}",
    )


def bill_dispense(*, actor, dispense) -> list[Charge]:
    """Each line of a pharmacy dispense: the quantity at the drug's formulary price (or its
    DRUG-<drug id> tariff). Idempotent per dispense line."""
    lines = DispenseLine.objects.filter(dispense=dispense).select_related(
        "item__drug", "dispense__prescription__patient"
    )
    charges = []
    for line in lines:
        existing = Charge.objects.filter(
            source_type=ChargeSource.DISPENSE, source_id=str(line.public_id)
        ).first()
        if existing is not None:
            charges.append(existing)
            continue
        drug = line.item.drug
        patient = line.dispense.prescription.patient
        occurred_at = line.dispense.dispensed_at
        override = tariff_valid_on(
            code=tariff_code(TariffCategory.DRUG, str(drug.public_id)),
            on=timezone.localtime(occurred_at).date(),
        )
        common = {
            "actor": actor,
            "patient": patient,
            "source_type": ChargeSource.DISPENSE,
            "source_id": line.public_id,
            "quantity": line.quantity,
            "occurred_at": occurred_at,
            "description": f"{drug.display_name} x {line.quantity} {drug.unit}",
        }
        if override is not None:
            charges.append(charge_post(tariff_code=override.code, **common))
        else:
            charges.append(charge_post(unit_price=drug.price, **common))
    return charges


def credit_dispense_return(*, actor, line, quantity: int, reason: str) -> Charge | None:
    """Units of a dispense line returned to the pharmacy come off the patient's bill (see
    charge_return_units); None when the line was never charged (it had no price)."""
    charge = Charge.objects.filter(
        source_type=ChargeSource.DISPENSE, source_id=str(line.public_id)
    ).first()
    if charge is None:
        return None
    return charge_return_units(actor=actor, charge=charge, quantity=quantity, reason=reason)


def bed_day_source_id(*, admission_id, day: date) -> str:
    return f"{admission_id}:{day.isoformat()}"


def bill_bed_day(
    *, actor, patient, admission_id, day: date, ward_type: str, ward_name: str = ""
) -> Charge | None:
    """One bed-day of an admission (BED-<WARD TYPE>), once per admission and calendar day
    whoever posts it first: the nightly task for current admissions, or the discharge."""
    occurred_at = timezone.make_aware(datetime.combine(day, time(23, 59)))
    where = f" ({ward_name})" if ward_name else ""
    return _post_by_tariff(
        actor=actor,
        patient=patient,
        category=TariffCategory.BED_DAY,
        reference=ward_type,
        source_type=ChargeSource.BED_DAY,
        source_id=bed_day_source_id(admission_id=admission_id, day=day),
        occurred_at=occurred_at,
        description=f"Bed-day {day.isoformat()}, {ward_type.replace('_', ' ')} ward{where}",
    )


def bed_day_dates(bed_days) -> list[tuple[date, object]]:
    """(date, stay) for every bed-day of an admission, from hms.inpatient's BedDays (the
    midnight census): a stay with n midnights is charged the n nights starting on its first
    local day; a same-day admission's single day is dated the day it happened."""
    dates = []
    for stay in bed_days.stays:
        first = timezone.localtime(stay.started_at).date()
        dates += [(first + timedelta(days=offset), stay) for offset in range(stay.days)]
    return dates


def bill_admission_bed_days(*, actor, admission, bed_days=None) -> list[Charge]:
    """Every bed-day of an admission counted so far (at discharge: all of them; for a current
    admission: the nights already spent), each charged once at its ward type's tariff."""
    bed_days = bed_days or admission_bed_days(admission)
    charges = []
    for day, stay in bed_day_dates(bed_days):
        charge = bill_bed_day(
            actor=actor,
            patient=admission.patient,
            admission_id=admission.public_id,
            day=day,
            ward_type=stay.ward_type,
            ward_name=stay.ward_name,
        )
        if charge is not None:
            charges.append(charge)
    return charges


def bill_current_admissions_bed_days() -> int:
    """The nightly run: bed-days of every current admission up to last night. Returns how
    many charges exist for them afterwards (posting is idempotent, so reruns are harmless)."""
    admissions = list(
        Admission.objects.filter(status=AdmissionStatus.ACTIVE).select_related("patient")
    )
    counted = bed_days_for_admissions(admissions)
    total = 0
    for admission in admissions:
        total += len(
            bill_admission_bed_days(actor=None, admission=admission, bed_days=counted[admission.pk])
        )
    return total
