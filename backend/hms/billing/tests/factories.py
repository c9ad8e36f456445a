from datetime import date
from decimal import Decimal

import factory

from hms.billing.models import Tariff, TariffCategory


class TariffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tariff

    code = factory.Sequence(lambda n: f"PROC-T{n:04d}")
    category = TariffCategory.PROCEDURE
    name = factory.Sequence(lambda n: f"Procedure {n}")
    price = Decimal("100.00")
    currency = "USD"
    tax_rate = Decimal("0.00")
    valid_from = date(2020, 1, 1)
