"""Results for the portal's tests, made through the laboratory's and radiology's own services
(so what the pages show is what those modules release: verified results, final reports)."""

from datetime import datetime
from decimal import Decimal

import time_machine

from hms.accounts.tests.factories import UserFactory
from hms.billing import services as billing_services
from hms.core.roles import Role
from hms.laboratory import services as lab_services
from hms.laboratory.catalog import catalog_load_shipped
from hms.laboratory.models import LabTest
from hms.radiology import services as radiology_services
from hms.radiology.models import OrderStatus
from hms.radiology.tests.factories import ImagingOrderFactory, ImagingProcedureFactory


def lab_catalog() -> None:
    """The shipped catalogue (loaded by a data migration; a transactional test flushes it)."""
    if not LabTest.objects.exists():
        catalog_load_shipped()


class Lab:
    """A laboratory with two technicians: one enters, the other verifies."""

    def __init__(self):
        lab_catalog()
        self.tech = UserFactory(role=Role.LAB_TECHNICIAN)
        self.verifier = UserFactory(role=Role.LAB_TECHNICIAN)

    def verified(self, *, doctor, patient, code: str, values: dict, when: datetime | None = None):
        """Order `code` (a test or panel), collect, enter `values` {analyte code: value} and
        verify; at `when` if given."""
        if when is None:
            return self._verified(doctor=doctor, patient=patient, code=code, values=values)
        with time_machine.travel(when, tick=False):
            return self._verified(doctor=doctor, patient=patient, code=code, values=values)

    def ordered(self, *, doctor, patient, code: str):
        (order,) = lab_services.lab_order_create(
            actor=doctor, patient=patient, tests=[LabTest.objects.get(code=code)]
        )
        return order

    def _verified(self, *, doctor, patient, code, values):
        order = self.ordered(doctor=doctor, patient=patient, code=code)
        order = lab_services.lab_order_collect(actor=self.tech, order=order)
        order = lab_services.lab_results_enter(
            actor=self.tech,
            order=order,
            results=[
                lab_services.ResultInput(test=LabTest.objects.get(code=c), value=v)
                for c, v in values.items()
            ],
        )
        return lab_services.lab_order_verify(actor=self.verifier, order=order)


def imaging_report(*, patient, doctor, impression: str, final: bool = True, critical=False):
    """A performed CT with a report by a radiologist (final unless told otherwise)."""
    radiologist = UserFactory(role=Role.RADIOLOGIST)
    order = ImagingOrderFactory(
        patient=patient,
        ordering_doctor=doctor,
        procedure=ImagingProcedureFactory(code="CT-HEAD-WEB", name="CT head without contrast"),
        status=OrderStatus.IN_PROGRESS,
    )
    report = radiology_services.imaging_report_create(
        actor=radiologist,
        order=order,
        findings="No acute intracranial abnormality.",
        impression=impression,
        critical=critical,
    )
    if final:
        radiology_services.imaging_report_finalize(actor=radiologist, report=report)
    return order


def issued_invoice(*, patient, prices=("100.00", "50.00"), draft: bool = False):
    """An invoice of manual charges made by an accountant, issued unless `draft`."""
    accountant = UserFactory(role=Role.ACCOUNTANT)
    charges = [
        billing_services.charge_post_manual(
            actor=accountant,
            patient=patient,
            reason="Wound dressing at the clinic",
            description="Dressing",
            unit_price=Decimal(price),
            quantity=Decimal(1),
            tax_rate=Decimal(0),
        )
        for price in prices
    ]
    invoice = billing_services.invoice_create(
        actor=accountant, patient=patient, charge_ids=[c.public_id for c in charges]
    )
    if draft:
        return invoice
    return billing_services.invoice_issue(actor=accountant, invoice=invoice)
