"""Tariff codes and price lookup by validity date.

Each billable thing has a code built from what it prices, so the modules never need a tariff
id: a consultation with a cardiologist is `CONSULT-CARDIOLOGY` (`TELECONSULT-CARDIOLOGY` by
video), a haemoglobin test (local test
code HGB) is `LAB-HGB`, a CT head (procedure code CT-HEAD) is `RAD-CT-HEAD`, a general-ward
bed-day `BED-GENERAL`. When a specific code has no price, the category's fallback code is used
(`CONSULT-GENERAL`, ...).
"""

import re
from datetime import date

from hms.billing.models import Tariff, TariffCategory

CODE_PREFIX = {
    TariffCategory.CONSULTATION: "CONSULT",
    TariffCategory.TELECONSULT: "TELECONSULT",
    TariffCategory.LAB_TEST: "LAB",
    TariffCategory.RADIOLOGY: "RAD",
    TariffCategory.DRUG: "DRUG",
    TariffCategory.BED_DAY: "BED",
    TariffCategory.PROCEDURE: "PROC",
    TariffCategory.OTHER: "OTHER",
}
FALLBACK_REFERENCE = "GENERAL"


def code_part(value: str) -> str:
    """`Internal medicine` -> `INTERNAL-MEDICINE`; keeps letters, digits, dots and dashes."""
    return re.sub(r"[^A-Z0-9.]+", "-", str(value).upper()).strip("-") or FALLBACK_REFERENCE


def tariff_code(category: TariffCategory | str, reference: str) -> str:
    return f"{CODE_PREFIX[TariffCategory(category)]}-{code_part(reference)}"


def fallback_code(category: TariffCategory | str) -> str:
    return tariff_code(category, FALLBACK_REFERENCE)


def tariff_valid_on(*, code: str, on: date) -> Tariff | None:
    """The version of `code` whose validity covers `on` (inclusive), if any."""
    return (
        Tariff.objects.filter(code=code, valid_from__lte=on)
        .exclude(valid_until__lt=on)
        .order_by("-valid_from")
        .first()
    )


def tariff_for(*, category: TariffCategory | str, reference: str, on: date) -> Tariff | None:
    """The specific tariff for `reference`, else the category's fallback, valid on `on`."""
    return tariff_valid_on(code=tariff_code(category, reference), on=on) or tariff_valid_on(
        code=fallback_code(category), on=on
    )
