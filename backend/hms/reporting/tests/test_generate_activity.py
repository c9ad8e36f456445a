"""The activity generator at a tiny scale: the counts asked for, and the rules the database and
the services keep (slots, beds, ledgers, invoice totals) hold for what it wrote."""

import itertools
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Q, Sum
from django.utils import timezone

from hms.appointments.models import Appointment
from hms.billing.models import Charge, InsuranceClaim, Invoice, InvoiceLine, Payment
from hms.clinical.models import Diagnosis, Encounter
from hms.core.models import AuditEvent, Notification
from hms.inpatient.models import Admission, Bed, BedStay
from hms.laboratory.models import LabOrder, LabResult
from hms.pharmacy.models import Dispense, StockBatch, StockMovement
from hms.radiology.models import ImagingOrder, ImagingReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated(capsys, monkeypatch):
    # Small deliveries, so drugs run through several batches.
    monkeypatch.setattr("hms.reporting.management.commands.generate_activity.BATCH_UNITS", 60)
    call_command("generate_patients", 150, seed=3)
    date_to = timezone.localdate() - timedelta(days=10)
    date_from = date_to - timedelta(days=13)  # 14 days
    audit_before = AuditEvent.objects.count()
    call_command(
        "generate_activity",
        encounters=400,
        admissions=20,
        lab_results=300,
        imaging_orders=40,
        dispenses=80,
        invoices=60,
        seed=11,
        date_from=date_from,
        date_to=date_to,
    )
    return {
        "from": date_from,
        "to": date_to,
        "out": capsys.readouterr().out,
        "audit_before": audit_before,
    }


def test_counts_and_links(generated):
    # 400 encounters asked: 20 admissions (each opens an inpatient encounter) + 380 others.
    admissions = Admission.objects.count()
    assert 15 <= admissions <= 20  # an admission finding no free patient/bed is skipped
    assert Encounter.objects.filter(type="inpatient").count() == admissions
    assert Encounter.objects.exclude(type="inpatient").count() == 380
    # Every outpatient and teleconsult encounter comes from one completed appointment.
    completed = Appointment.objects.filter(status="completed")
    visits = Encounter.objects.filter(type__in=["outpatient", "teleconsult"])
    assert completed.count() == visits.count()
    assert not completed.filter(encounter__isnull=True).exists()
    assert Appointment.objects.filter(status="cancelled").exists()
    assert Appointment.objects.filter(status="no_show").exists()
    assert (
        not Appointment.objects.filter(status="completed", visit_type="teleconsult")
        .exclude(encounter__type="teleconsult")
        .exists()
    )
    # About the asked numbers (drawn per encounter): 300 lab results, 40 imaging orders,
    # 80 dispenses, 60 invoices, within a wide margin at this scale.
    assert 150 <= LabResult.objects.count() <= 450
    assert 15 <= ImagingOrder.objects.count() <= 70
    assert 40 <= Dispense.objects.count() <= 130
    assert 25 <= Invoice.objects.count() <= 100
    assert Diagnosis.objects.count() >= 300
    assert (
        ImagingReport.objects.filter(status="final").count()
        == ImagingOrder.objects.filter(status="reported").count()
    )
    # All inside the range (local days); nothing happens after the range but follow-ups.
    first = Encounter.objects.order_by("started_at").first().started_at
    last = Encounter.objects.order_by("-started_at").first().started_at
    assert timezone.localtime(first).date() >= generated["from"]
    assert timezone.localtime(last).date() <= generated["to"]
    assert "Generated" in generated["out"] and "rows/s" in generated["out"]


def test_database_rules_hold(generated):
    # One active appointment per doctor slot.
    taken = (
        Appointment.objects.exclude(status="cancelled")
        .values("doctor", "date", "slot")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not taken.exists()
    # One patient per bed at a time: a bed's stays never overlap.
    stays = defaultdict(list)
    for stay in BedStay.objects.order_by("started_at"):
        stays[stay.bed_id].append(stay)
    for bed_stays in stays.values():
        for before, after in itertools.pairwise(bed_stays):
            assert before.ended_at is not None and before.ended_at <= after.started_at
    # A patient is in at most one admission at a time.
    by_patient = defaultdict(list)
    for admission in Admission.objects.order_by("admitted_at"):
        by_patient[admission.patient_id].append(admission)
    for stays_of in by_patient.values():
        for before, after in itertools.pairwise(stays_of):
            assert before.discharged_at is not None and before.discharged_at <= after.admitted_at
    assert (
        Bed.objects.filter(status="occupied").count()
        == Admission.objects.filter(status="active").count()
    )
    # A dead patient is not admitted again.
    for death in Admission.objects.filter(discharge_disposition="deceased"):
        assert not Admission.objects.filter(
            patient=death.patient, admitted_at__gt=death.admitted_at
        ).exists()


def test_results_ledgers_and_bills_add_up(generated):
    # Verified orders have verified results and a turnaround; criticals notify the doctor.
    for order in LabOrder.objects.filter(status="verified"):
        assert order.turnaround == order.verified_at - order.ordered_at
    assert not LabResult.objects.filter(order__status="verified", verified_at__isnull=True).exists()
    critical = LabResult.objects.filter(flag__in=["critical_low", "critical_high"])
    assert (
        Notification.objects.filter(kind="lab_critical_result").count()
        == critical.filter(verified_at__isnull=False).count()
    )
    # Each batch holds what its ledger says (drugs went through several batches).
    assert StockBatch.objects.count() > len(set(StockBatch.objects.values_list("drug", flat=True)))
    for batch in StockBatch.objects.all():
        ledger = StockMovement.objects.filter(batch=batch).aggregate(s=Sum("quantity"))["s"]
        assert batch.quantity == ledger
    # Invoices: lines add up to the total, payments to the amount paid.
    for invoice in Invoice.objects.exclude(status="void"):
        lines = InvoiceLine.objects.filter(invoice=invoice, released_at__isnull=True)
        assert lines.aggregate(s=Sum("total"))["s"] == invoice.total
        paid = Payment.objects.filter(invoice=invoice).aggregate(s=Sum("amount"))["s"]
        assert (paid or Decimal("0.00")) == invoice.amount_paid
    assert not Charge.objects.filter(
        Q(status="invoiced") & ~Q(invoice_lines__released_at__isnull=True)
    ).exists()
    for claim in InsuranceClaim.objects.filter(status="paid"):
        assert Payment.objects.get(claim=claim).amount == claim.approved_amount
    # Synthetic data: no history rows, no audit events.
    assert Encounter.history.count() == 0
    assert AuditEvent.objects.count() == generated["audit_before"]


def test_receivables_report_sums_what_the_billing_ageing_lists(generated):
    # The finance report sums in the database what hms.billing's ageing report adds up
    # invoice by invoice in Python: the same buckets on generated books (open invoices, some
    # with a submitted or partly approved claim), on several days.
    from hms.billing.reports import ar_ageing_report
    from hms.reporting.reports.finance import receivables_ageing

    for offset in (0, 20, 45, 100):
        as_of = generated["to"] + timedelta(days=offset)
        expected = ar_ageing_report(as_of=as_of)
        got = receivables_ageing(as_of)
        assert got["buckets"] == expected["buckets"]
        assert got["invoices"] == expected["invoices"] > 0
        assert got["total_balance"] == expected["total_balance"]
