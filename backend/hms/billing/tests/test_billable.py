"""Charges posted by the modules' own services, each exactly once per billable event."""

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest

from hms.accounts.tests.factories import DoctorProfileFactory, UserFactory
from hms.billing import billable, services
from hms.billing.models import Charge, ChargeSource
from hms.billing.tests.factories import TariffFactory
from hms.core.errors import ConflictError
from hms.core.models import Notification
from hms.core.roles import Role
from hms.patients.tests.factories import PatientFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def frozen_instant():
    return NOW


class TestAppointmentCompleted:
    def _completed(self, specialization="Cardiology"):
        from hms.appointments import services as appointments
        from hms.appointments.tests.conftest import give_schedule

        doctor = DoctorProfileFactory(specialization=specialization).user
        give_schedule(
            doctor, blocks=[(0, __import__("datetime").time(9), __import__("datetime").time(17))]
        )
        desk = UserFactory(role=Role.RECEPTIONIST)
        appointment = appointments.appointment_book(
            actor=desk,
            patient=PatientFactory(),
            doctor=doctor,
            date=date(2027, 3, 1),
            slot=__import__("datetime").time(10),
        )
        appointment = appointments.appointment_check_in(actor=desk, appointment=appointment)
        return appointments.appointment_complete(actor=doctor, appointment=appointment)

    def test_consultation_is_charged_by_the_doctors_specialization(self):
        TariffFactory(
            code="CONSULT-CARDIOLOGY", category="consultation", name="Cardiology", price=D("45.00")
        )
        TariffFactory(code="CONSULT-GENERAL", category="consultation", name="GP", price=D("20"))
        appointment = self._completed("Cardiology")
        charge = Charge.objects.get(source_type=ChargeSource.APPOINTMENT)
        assert charge.source_id == str(appointment.public_id)
        assert charge.patient == appointment.patient and charge.unit_price == D("45.00")
        assert charge.code == "CONSULT-CARDIOLOGY" and "Cardiology" in charge.description
        # The event again (a retry): still one charge.
        again = billable.bill_appointment_completed(
            actor=appointment.doctor, appointment=appointment
        )
        assert again == charge and Charge.objects.count() == 1

    def test_falls_back_to_the_general_consultation(self):
        TariffFactory(code="CONSULT-GENERAL", category="consultation", name="GP", price=D("20"))
        self._completed("Dermatology")
        assert Charge.objects.get().code == "CONSULT-GENERAL"

    def test_no_price_still_completes_and_tells_the_accountants(self):
        accountant = UserFactory(role=Role.ACCOUNTANT)
        appointment = self._completed("Neurology")
        assert appointment.status == "completed"
        assert Charge.objects.count() == 0
        note = Notification.objects.get(recipient=accountant)
        assert note.kind == "billing_missing_tariff" and "CONSULT-NEUROLOGY" in note.title


def test_lab_order_verified_is_charged_once():
    from hms.laboratory import services as lab
    from hms.laboratory.catalog import catalog_load_shipped
    from hms.laboratory.models import LabTest

    if not LabTest.objects.exists():
        catalog_load_shipped()
    hgb = LabTest.objects.get(code="HGB")
    TariffFactory(code="LAB-HGB", category="lab_test", name="Haemoglobin", price=D("8.50"))
    doctor = UserFactory(role=Role.DOCTOR)
    tech, verifier = UserFactory(role=Role.LAB_TECHNICIAN), UserFactory(role=Role.LAB_TECHNICIAN)
    patient = PatientFactory(date_of_birth=date(1980, 1, 1))
    (order,) = lab.lab_order_create(actor=doctor, patient=patient, tests=[hgb], priority="routine")
    order = lab.lab_order_collect(actor=tech, order=order)
    order = lab.lab_results_enter(
        actor=tech, order=order, results=[lab.ResultInput(test=hgb, value="13.0", unit="g/dL")]
    )
    assert Charge.objects.count() == 0  # not before verification
    lab.lab_order_verify(actor=verifier, order=order)
    charge = Charge.objects.get()
    assert (charge.source_type, charge.source_id) == ("lab_order", str(order.public_id))
    assert charge.unit_price == D("8.50") and charge.patient == patient


def test_radiology_report_final_is_charged_once():
    from hms.radiology import services as radiology
    from hms.radiology.models import OrderStatus
    from hms.radiology.tests.factories import ImagingOrderFactory, ImagingProcedureFactory

    procedure = ImagingProcedureFactory(code="CT-HEAD", name="CT head")
    TariffFactory(code="RAD-CT-HEAD", category="radiology", name="CT head", price=D("120.00"))
    order = ImagingOrderFactory(procedure=procedure, status=OrderStatus.ACQUIRED)
    radiologist = UserFactory(role=Role.RADIOLOGIST)
    report = radiology.imaging_report_create(
        actor=radiologist, order=order, findings="No bleed.", impression="Normal CT head."
    )
    assert Charge.objects.count() == 0  # a draft is not billed
    report = radiology.imaging_report_finalize(actor=radiologist, report=report)
    radiology.imaging_addendum_create(
        actor=radiologist, report=report, findings="Also: sinuses clear.", finalize=True
    )
    charge = Charge.objects.get()  # the addendum bills nothing more
    assert (charge.source_type, charge.source_id) == ("radiology_report", str(order.public_id))
    assert charge.unit_price == D("120.00")


def test_dispense_is_charged_per_line_at_the_formulary_price():
    from hms.pharmacy import services as pharmacy
    from hms.pharmacy.tests.factories import DrugFactory, add_stock

    drug = DrugFactory(generic_name="Amoxicillin", price=D("0.35"))
    add_stock(drug, 100)
    doctor = UserFactory(role=Role.DOCTOR)
    patient = PatientFactory()
    prescription = pharmacy.prescription_create(
        actor=doctor,
        patient=patient,
        override_reason="Reviewed by the prescriber",
        items=[
            {"drug": drug, "dose": D(500), "frequency": "tds", "duration_days": 5, "quantity": 15}
        ],
    )
    dispense = pharmacy.prescription_dispense(
        actor=UserFactory(role=Role.PHARMACIST), prescription=prescription
    )
    charge = Charge.objects.get()
    assert charge.source_type == ChargeSource.DISPENSE
    assert (charge.quantity, charge.unit_price) == (D(15), D("0.35"))
    assert billable.bill_dispense(actor=doctor, dispense=dispense) == [charge]  # once
    # A DRUG-<id> tariff overrides the formulary price for later dispenses.
    TariffFactory(
        code=f"DRUG-{str(drug.public_id).upper()}", category="drug", name="Amox", price=D("0.30")
    )
    second = pharmacy.prescription_create(
        actor=doctor,
        patient=patient,
        override_reason="Reviewed by the prescriber",
        items=[
            {"drug": drug, "dose": D(500), "frequency": "tds", "duration_days": 1, "quantity": 3}
        ],
    )
    pharmacy.prescription_dispense(actor=UserFactory(role=Role.PHARMACIST), prescription=second)
    assert Charge.objects.order_by("id").last().unit_price == D("0.30")


def test_bed_days_are_charged_once_per_admission_and_day():
    TariffFactory(code="BED-ICU", category="bed_day", name="ICU bed-day", price=D("300"))
    TariffFactory(code="BED-GENERAL", category="bed_day", name="Bed-day", price=D("40"))
    accountant = UserFactory(role=Role.ACCOUNTANT)
    patient = PatientFactory()
    icu = billable.bill_bed_day(
        actor=None, patient=patient, admission_id="adm-1", day=date(2027, 2, 27), ward_type="icu"
    )
    general = billable.bill_bed_day(
        actor=None,
        patient=patient,
        admission_id="adm-1",
        day=date(2027, 2, 28),
        ward_type="surgical",
    )
    again = billable.bill_bed_day(
        actor=accountant,
        patient=patient,
        admission_id="adm-1",
        day=date(2027, 2, 27),
        ward_type="icu",
    )
    assert again == icu and Charge.objects.count() == 2
    assert (icu.unit_price, general.unit_price) == (D("300.00"), D("40.00"))
    assert general.code == "BED-GENERAL"  # no surgical price: the fallback


class TestReturnedMedication:
    """Units handed back to the pharmacy come off the patient's bill."""

    def _dispensed(self, quantity=15, price="0.35"):
        from hms.pharmacy import services as pharmacy
        from hms.pharmacy.models import DispenseLine
        from hms.pharmacy.tests.factories import DrugFactory, add_stock

        drug = DrugFactory(generic_name="Amoxicillin", price=D(price))
        add_stock(drug, 100)
        patient = PatientFactory()
        prescription = pharmacy.prescription_create(
            actor=UserFactory(role=Role.DOCTOR),
            patient=patient,
            override_reason="Reviewed by the prescriber",
            items=[
                {
                    "drug": drug,
                    "dose": D(500),
                    "frequency": "tds",
                    "duration_days": 5,
                    "quantity": quantity,
                }
            ],
        )
        pharmacist = UserFactory(role=Role.PHARMACIST)
        dispense = pharmacy.prescription_dispense(actor=pharmacist, prescription=prescription)
        line = DispenseLine.objects.get(dispense=dispense)

        def give_back(units):
            pharmacy.stock_return(
                actor=pharmacist, dispense_line=line, quantity=units, reason="Unopened box"
            )

        return patient, Charge.objects.get(), give_back

    def test_before_invoicing_the_charge_shrinks_then_is_voided(self):
        patient, charge, give_back = self._dispensed()
        give_back(5)
        charge.refresh_from_db()
        assert (charge.quantity, charge.status) == (D(10), "unbilled")
        give_back(10)
        charge.refresh_from_db()
        assert charge.status == "void" and charge.void_reason == "Returned: Unopened box"
        accountant = UserFactory(role=Role.ACCOUNTANT)
        with pytest.raises(ConflictError):
            services.invoice_create(actor=accountant, patient=patient)  # nothing left to bill

    def test_on_a_draft_the_line_and_totals_follow(self):
        from hms.billing.models import InvoiceLine

        patient, charge, give_back = self._dispensed()
        accountant = UserFactory(role=Role.ACCOUNTANT)
        invoice = services.invoice_create(actor=accountant, patient=patient)
        line = InvoiceLine.objects.get(invoice=invoice)
        services.invoice_line_discount(
            actor=accountant,
            invoice=invoice,
            line_id=line.public_id,
            discount_percent=D(10),
            reason="Staff discount",
        )
        give_back(5)
        invoice.refresh_from_db()
        line.refresh_from_db()
        assert (line.quantity, line.subtotal, line.discount_amount) == (D(10), D("3.50"), D("0.35"))
        assert invoice.total == D("3.15")
        give_back(10)
        invoice.refresh_from_db()
        line.refresh_from_db()
        charge.refresh_from_db()
        assert line.released_at is not None and charge.status == "void"
        assert invoice.total == D("0.00") and invoice.status == "draft"

    def test_after_issue_the_accountants_are_told_what_to_credit(self):
        patient, charge, give_back = self._dispensed()
        accountant = UserFactory(role=Role.ACCOUNTANT)
        invoice = services.invoice_create(actor=accountant, patient=patient)
        invoice = services.invoice_issue(actor=accountant, invoice=invoice)
        give_back(5)
        charge.refresh_from_db()
        invoice.refresh_from_db()
        assert (charge.quantity, charge.status, invoice.total) == (D(15), "invoiced", D("5.25"))
        notice = Notification.objects.get(recipient=accountant, kind="billing_return_after_invoice")
        assert notice.title == f"Credit 1.75 {charge.currency} on {invoice.number}"
        assert patient.mrn in notice.body and "Unopened box" in notice.body

    def test_more_than_charged_is_refused(self):
        _patient, charge, _give_back = self._dispensed()
        with pytest.raises(ConflictError) as refused:
            services.charge_return_units(actor=None, charge=charge, quantity=16, reason="x")
        assert refused.value.code == "return_exceeds_charged"


def test_charged_events_can_be_invoiced_together():
    TariffFactory(code="BED-GENERAL", category="bed_day", name="Bed-day", price=D("40"))
    accountant = UserFactory(role=Role.ACCOUNTANT)
    patient = PatientFactory()
    for day in (26, 27, 28):
        billable.bill_bed_day(
            actor=None,
            patient=patient,
            admission_id="adm-9",
            day=date(2027, 2, day),
            ward_type="general",
        )
    invoice = services.invoice_create(actor=accountant, patient=patient)
    assert invoice.total == D("120.00")


class TestBedDaysFromInpatient:
    """Admission in the medical ward on 1 March 08:00, moved to the ICU on 2 March 15:00,
    discharged 4 March 11:00: nights of 1 March (medical), 2 and 3 March (ICU)."""

    def _admission(self):
        from hms.inpatient import services as inpatient
        from hms.inpatient.models import WardType
        from hms.inpatient.tests.factories import WardFactory, beds_on

        ward = WardFactory(name="Medical Ward A", code="MWA", type=WardType.MEDICAL)
        icu = WardFactory(name="Intensive Care", code="ICU", type=WardType.ICU)
        doctor = DoctorProfileFactory().user
        desk = UserFactory(role=Role.RECEPTIONIST)
        admission = inpatient.admission_admit(
            actor=desk,
            patient=PatientFactory(),
            bed=beds_on(ward, 1)[0],
            attending_doctor=doctor,
            reason="Pneumonia",
            admitted_at=datetime(2027, 3, 1, 8, tzinfo=UTC),
        )
        return inpatient, admission, doctor, desk, beds_on(icu, 1)[0]

    def test_nightly_run_and_discharge_charge_each_bed_day_once(self, frozen_now):
        from hms.billing.tasks import charge_bed_days_of_current_admissions

        TariffFactory(code="BED-MEDICAL", category="bed_day", name="Medical bed-day", price=D(50))
        TariffFactory(code="BED-ICU", category="bed_day", name="ICU bed-day", price=D(300))
        inpatient, admission, doctor, desk, icu_bed = self._admission()
        frozen_now.move_to(datetime(2027, 3, 2, 15, tzinfo=UTC))
        inpatient.admission_transfer(actor=desk, admission=admission, bed=icu_bed, reason="Worse")
        frozen_now.move_to(datetime(2027, 3, 3, 0, 30, tzinfo=UTC))
        assert charge_bed_days_of_current_admissions.delay().get() == 2  # nights of 1 and 2 March
        assert charge_bed_days_of_current_admissions.delay().get() == 2  # a rerun adds nothing
        assert Charge.objects.count() == 2
        frozen_now.move_to(datetime(2027, 3, 4, 11, tzinfo=UTC))
        inpatient.discharge_summary_save(
            actor=doctor,
            admission=admission,
            diagnoses=[{"code": "J18.9"}],
            procedures=[],
            medications_on_discharge=[],
            follow_up="GP in a week",
            finalise=True,
        )
        inpatient.admission_discharge(actor=desk, admission=admission)
        charges = list(Charge.objects.filter(source_type="bed_day").order_by("occurred_at"))
        assert [(c.occurred_at.date().day, c.code, c.unit_price) for c in charges] == [
            (1, "BED-MEDICAL", D(50)),
            (2, "BED-ICU", D(300)),
            (3, "BED-ICU", D(300)),
        ]
        assert {c.source_id.split(":")[0] for c in charges} == {str(admission.public_id)}
