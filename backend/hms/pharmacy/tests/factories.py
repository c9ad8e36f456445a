"""Factories for the formulary and stock. Stock is created with its ledger row, so the
ledger balances in every test (as the services keep it)."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from hms.pharmacy.models import Drug, DrugForm, MovementKind, StockBatch, StockMovement
from hms.pharmacy.services import drug_set_derived


class DrugFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Drug

    generic_name = factory.Sequence(lambda n: f"Testdrug{n}")
    form = DrugForm.TABLET
    strength = "500 mg"
    unit = "tablet"
    dose_unit = "mg"
    strength_amount = Decimal("500")
    usual_dose_min = Decimal("250")
    usual_dose_max = Decimal("1000")
    max_daily_dose = Decimal("4000")
    reorder_level = 10
    price = Decimal("0.10")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        drug = model_class(*args, **kwargs)
        drug_set_derived(drug)
        drug.save()
        return drug


def add_stock(
    drug: Drug,
    quantity: int,
    *,
    expiry: date | None = None,
    lot: str | None = None,
    location: str = "pharmacy",
) -> StockBatch:
    """A batch with its receipt in the ledger (expired batches allowed, unlike the service)."""
    batch = StockBatch.objects.create(
        drug=drug,
        lot_number=lot or f"LOT-{uuid.uuid4().hex[:8]}",
        expiry_date=expiry or timezone.localdate() + timedelta(days=365),
        location=location,
        quantity=quantity,
        unit_cost=Decimal("0.05"),
        received_at=timezone.now(),
    )
    if quantity:
        StockMovement.objects.create(
            batch=batch,
            drug=drug,
            kind=MovementKind.RECEIPT,
            quantity=quantity,
            balance_after=quantity,
            occurred_at=timezone.now(),
        )
    return batch
