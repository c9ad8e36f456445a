"""Loading the test catalog from its data files (`data/lab_tests.csv`,
`data/lab_reference_ranges.csv`; each names its source in its header).

Used by the data migration (with the migration's historical models) and by
`manage.py load_lab_catalog`. Loading is idempotent: tests are matched by their local code and
updated, a panel's components and a test's reference ranges are replaced by the file's. Results
already given keep the range they were judged by (it is copied onto each result).
"""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from hms.laboratory.models import LabDepartment, LabTest, PanelComponent, ReferenceRange
from hms.laboratory.ranges import parse_age_bound
from hms.patients.names import name_normalise

DATA_DIR = Path(__file__).resolve().parent / "data"
TESTS_FILE = DATA_DIR / "lab_tests.csv"
RANGES_FILE = DATA_DIR / "lab_reference_ranges.csv"

KINDS = {"numeric", "text", "panel"}
SPECIMENS = {"whole_blood", "serum_plasma", "urine"}
SEXES = {"any", "female", "male"}
DEPARTMENTS = set(LabDepartment.values)


def lab_test_search_text(*, code: str, name: str, loinc_code: str) -> str:
    """The normalised words a test is found by on the order page: code, name, LOINC code."""
    parts = (code, name, loinc_code)
    return " ".join(filter(None, (name_normalise(part or "") for part in parts)))[:300]


def _has_field(model, name: str) -> bool:
    return any(field.name == name for field in model._meta.get_fields())


class CatalogError(ValueError):
    pass


def loinc_check_digit_valid(code: str) -> bool:
    """LOINC codes end in a mod-10 check digit (the Luhn algorithm over the digits before
    the hyphen), so a mistyped code is caught when the file is loaded."""
    body, _, check = code.partition("-")
    if not body.isdigit() or not check.isdigit() or len(check) != 1:
        return False
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10 == int(check)


def _rows(path: Path) -> Iterator[tuple[int, dict]]:
    with open(path, newline="", encoding="utf-8") as handle:
        numbered = [(n, line) for n, line in enumerate(handle, 1) if not line.startswith("#")]
    reader = csv.DictReader(line for _, line in numbered)
    for (line_no, _), row in zip(numbered[1:], reader, strict=False):
        yield line_no, {k: (v or "").strip() for k, v in row.items()}


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split("|") if part.strip()]


def _decimal(value: str, *, where: str) -> Decimal | None:
    if not value:
        return None
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise CatalogError(f"{where}: {value!r} is not a number.") from exc


@dataclass
class LoadSummary:
    tests_created: int = 0
    tests_updated: int = 0
    ranges: int = 0

    def __str__(self) -> str:
        return (
            f"{self.tests_created} test(s) created, {self.tests_updated} updated, "
            f"{self.ranges} reference range(s)"
        )


def load_catalog(
    *,
    lab_test_model,
    panel_component_model,
    reference_range_model,
    tests_path: Path = TESTS_FILE,
    ranges_path: Path = RANGES_FILE,
) -> LoadSummary:
    """Load (or reload) the catalog. Models are passed in so the data migration can use its
    historical models. Validates everything before writing anything."""

    tests, panels = [], {}
    codes = set()
    for line, row in _rows(tests_path):
        where = f"{tests_path.name}:{line}"
        code = row["code"].upper()
        if not code or code in codes:
            raise CatalogError(f"{where}: missing or repeated code {code!r}.")
        codes.add(code)
        for loinc in [row["loinc"], *_split(row.get("aliases", ""))]:
            if not loinc_check_digit_valid(loinc):
                raise CatalogError(f"{where}: {loinc!r} is not a valid LOINC code.")
        if row["kind"] not in KINDS or row["specimen"] not in SPECIMENS:
            raise CatalogError(f"{where}: unknown kind or specimen.")
        department = row.get("department") or LabDepartment.OTHER
        if department not in DEPARTMENTS:
            raise CatalogError(f"{where}: unknown department {department!r}.")
        alt_units = {}
        for pair in _split(row.get("alt_units", "")):
            unit, _, factor = pair.partition("=")
            if _decimal(factor, where=where) is None:
                raise CatalogError(f"{where}: alternative unit {pair!r} needs =factor.")
            alt_units[unit.strip()] = factor.strip()
        tests.append(
            {
                "code": code,
                "defaults": {
                    "loinc_code": row["loinc"],
                    "name": row["name"],
                    "specimen_type": row["specimen"],
                    "kind": row["kind"],
                    "unit": row["unit"],
                    "decimals": int(row["decimals"] or 0),
                    "alt_units": alt_units,
                    "allowed_values": _split(row.get("allowed", "")),
                    "normal_values": _split(row.get("normal", "")),
                    "alias_codes": _split(row.get("aliases", "")),
                    "active": True,
                    "department": department,
                    "search_text": lab_test_search_text(
                        code=code, name=row["name"], loinc_code=row["loinc"]
                    ),
                },
            }
        )
        if row["kind"] == "panel":
            panels[code] = [c.upper() for c in _split(row["components"])]
    for panel, members in panels.items():
        unknown = [m for m in members if m not in codes or m in panels]
        if not members or unknown:
            raise CatalogError(f"Panel {panel}: unknown or nested components {unknown}.")

    ranges = []
    for line, row in _rows(ranges_path):
        where = f"{ranges_path.name}:{line}"
        code = row["test"].upper()
        if code not in codes or code in panels:
            raise CatalogError(f"{where}: unknown test {code!r}.")
        if row["sex"] not in SEXES:
            raise CatalogError(f"{where}: sex must be any, female or male.")
        try:
            parse_age_bound(row["age_from"])
            parse_age_bound(row["age_to"])
        except ValueError as exc:
            raise CatalogError(f"{where}: {exc}") from exc
        values = {
            key: _decimal(row[key], where=where)
            for key in ("low", "high", "critical_low", "critical_high")
        }
        low, high = values["low"], values["high"]
        if low is not None and high is not None and low > high:
            raise CatalogError(f"{where}: low is above high.")
        ranges.append(
            {"code": code, "sex": row["sex"], "age_from": row["age_from"], "age_to": row["age_to"]}
            | values
        )

    # The starter-catalog data migration runs with the model as it was before tests had a
    # department and search words; those are filled by a later migration.
    later_fields = [f for f in ("department", "search_text") if not _has_field(lab_test_model, f)]
    for spec in tests:
        for name in later_fields:
            spec["defaults"].pop(name)

    summary = LoadSummary()
    by_code = {}
    for spec in tests:
        test, created = lab_test_model.objects.update_or_create(
            code=spec["code"], defaults=spec["defaults"]
        )
        by_code[spec["code"]] = test
        if created:
            summary.tests_created += 1
        else:
            summary.tests_updated += 1
    for panel, members in panels.items():
        panel_component_model.objects.filter(panel=by_code[panel]).delete()
        panel_component_model.objects.bulk_create(
            panel_component_model(panel=by_code[panel], test=by_code[m], position=i)
            for i, m in enumerate(members)
        )
    reference_range_model.objects.filter(
        test__in=[by_code[c] for c in {r["code"] for r in ranges}]
    ).delete()
    reference_range_model.objects.bulk_create(
        reference_range_model(test=by_code[r.pop("code")], **r) for r in ranges
    )
    summary.ranges = len(ranges)
    return summary


def catalog_load_shipped() -> LoadSummary:
    """Load the shipped files with the current models (the command and tests use this)."""

    return load_catalog(
        lab_test_model=LabTest,
        panel_component_model=PanelComponent,
        reference_range_model=ReferenceRange,
    )
