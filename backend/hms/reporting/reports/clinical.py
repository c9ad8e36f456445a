"""Clinical: the diagnoses made, by ICD-10 chapter and code, age band and sex.

Counts only: no row names or identifies a patient. A diagnosis counts on the local day it was
made (voided ones do not count); the patient's age is taken at the date of the encounter it
was made in. The doctor is the one who made the diagnosis, the department that doctor's.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Min
from django.utils.timezone import localdate

from hms.clinical.icd10 import icd10_chapter, icd10_title
from hms.clinical.models import Diagnosis
from hms.patients.models import Sex
from hms.reporting.facts import DayFacts, FactTable, daily_fact_summary, facts_for_range
from hms.reporting.models import DiagnosisDailyFact
from hms.reporting.periods import day_bounds
from hms.reporting.registry import (
    Chart,
    Column,
    Figure,
    ReportFilters,
    ReportResult,
    Section,
    Series,
    report,
)

# [lower, upper) in whole years at the encounter date.
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-4", 0, 5),
    ("5-14", 5, 15),
    ("15-24", 15, 25),
    ("25-44", 25, 45),
    ("45-64", 45, 65),
    ("65+", 65, None),
)
UNKNOWN_AGE = "Unknown"
TOP_CODES = 20
ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}


def age_in_years(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_band(born: date | None, on: date) -> str:
    if born is None or born > on:
        return UNKNOWN_AGE
    age = age_in_years(born, on)
    for label, lower, upper in AGE_BANDS:
        if age >= lower and (upper is None or age < upper):
            return label
    return UNKNOWN_AGE


def diagnosis_day_facts(date_from: date, date_to: date) -> DayFacts:
    """{(day, code, doctor_id, age_band, sex): {"diagnoses"}} from the live rows."""
    start, end = day_bounds(date_from, date_to)
    facts = DayFacts(counts=("diagnoses",))
    rows = Diagnosis.objects.filter(diagnosed_at__gte=start, diagnosed_at__lt=end).values_list(
        "diagnosed_at",
        "code",
        "diagnosed_by_id",
        "patient__date_of_birth",
        "patient__sex",
        "encounter__started_at",
    )
    for diagnosed_at, code, doctor_id, born, sex, encounter_start in rows.order_by().iterator():
        band = age_band(born, localdate(encounter_start))
        facts.add((localdate(diagnosed_at), code, doctor_id, band, sex), diagnoses=1)
    return facts


def _first_diagnosis_day() -> date | None:
    first = Diagnosis.objects.aggregate(first=Min("diagnosed_at"))["first"]
    return localdate(first) if first is not None else None


daily_fact_summary(
    "clinical_diagnoses",
    table=FactTable(
        DiagnosisDailyFact,
        ("code", "doctor_id", "age_band", "sex"),
        ("diagnoses",),
        minutes=False,
    ),
    live=diagnosis_day_facts,
    first_day=_first_diagnosis_day,
)


def _chapter_order(number: str) -> int:
    """WHO order of a chapter numeral (unclassified codes last)."""
    if not number:
        return 1000
    values = [ROMAN[c] for c in number]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def _doctor_ids_of(department: str) -> set[int]:
    return set(
        get_user_model()
        .objects.filter(doctor_profile__department__iexact=department)
        .values_list("pk", flat=True)
    )


def _filtered(facts: DayFacts, filters: ReportFilters) -> DayFacts:
    if filters.doctor is not None:
        facts = facts.only(lambda key: key[2] == filters.doctor.pk)
    if filters.department:
        doctors = _doctor_ids_of(filters.department)
        facts = facts.only(lambda key: key[2] in doctors)
    return facts


SEX_COLUMNS = (
    (Sex.FEMALE, "female", "Female"),
    (Sex.MALE, "male", "Male"),
    (Sex.OTHER, "other", "Other"),
    (Sex.UNKNOWN, "unknown", "Unknown"),
)


@report(
    slug="diagnoses",
    title="Diagnoses by ICD-10 chapter, code, age and sex",
    family="clinical",
    description="Diagnoses made in the period by ICD-10 chapter and code, and by age band and "
    "sex of the patients. Counts only.",
    filters=("date_from", "date_to", "department", "doctor"),
)
def diagnoses(filters: ReportFilters, user) -> ReportResult:
    facts, as_of = facts_for_range("clinical_diagnoses", diagnosis_day_facts, filters, by_day=False)
    facts = _filtered(facts, filters)
    by_code = facts.totals_by(lambda key: key[1])
    chapters: dict[str, dict] = {}
    for code, total in by_code.items():
        chapter = icd10_chapter(code)
        row = chapters.setdefault(
            chapter.number,
            {"chapter": chapter.number or "-", "title": chapter.title, "diagnoses": 0},
        )
        row["diagnoses"] += total["diagnoses"]
    chapter_rows = [chapters[n] for n in sorted(chapters, key=_chapter_order)]
    code_rows = [
        {
            "code": code,
            "title": icd10_title(code),
            "chapter": icd10_chapter(code).number or "-",
            "diagnoses": total["diagnoses"],
        }
        for code, total in sorted(
            by_code.items(), key=lambda item: (-item[1]["diagnoses"], item[0])
        )
    ][:TOP_CODES]
    by_band_sex = facts.totals_by(lambda key: (key[3], key[4]))
    band_rows = []
    for band in [label for label, _, _ in AGE_BANDS] + [UNKNOWN_AGE]:
        row: dict = {"age_band": band}
        for sex, key, _label in SEX_COLUMNS:
            row[key] = (by_band_sex.get((band, sex)) or facts.empty())["diagnoses"]
        row["total"] = sum(row[key] for _, key, _ in SEX_COLUMNS)
        if band != UNKNOWN_AGE or row["total"]:
            band_rows.append(row)
    total = facts.grand_total()["diagnoses"]
    return ReportResult(
        slug="diagnoses",
        title="Diagnoses by ICD-10 chapter, code, age and sex",
        filters=filters,
        as_of=as_of,
        figures=[
            Figure("diagnoses", "Diagnoses", total),
            Figure("codes", "Different codes", len(by_code)),
            Figure("chapters", "ICD-10 chapters", len(chapters)),
        ],
        sections=[
            Section(
                id="by_chapter",
                title="By ICD-10 chapter",
                columns=(
                    Column("chapter", "Chapter", "text"),
                    Column("title", "Title", "text"),
                    Column("diagnoses", "Diagnoses"),
                ),
                rows=chapter_rows,
                chart=Chart(
                    kind="bar",
                    title="Diagnoses by ICD-10 chapter",
                    x="chapter",
                    series=(Series("diagnoses", "Diagnoses"),),
                    y_label="Diagnoses",
                ),
            ),
            Section(
                id="top_codes",
                title=f"The {TOP_CODES} most frequent codes",
                columns=(
                    Column("code", "Code", "text"),
                    Column("title", "Title", "text"),
                    Column("chapter", "Chapter", "text"),
                    Column("diagnoses", "Diagnoses"),
                ),
                rows=code_rows,
                chart=Chart(
                    kind="bar",
                    title="Most frequent diagnoses",
                    x="code",
                    series=(Series("diagnoses", "Diagnoses"),),
                    y_label="Diagnoses",
                ),
            ),
            Section(
                id="by_age_sex",
                title="By age band and sex",
                columns=(
                    Column("age_band", "Age (years)", "text"),
                    *(Column(key, label) for _, key, label in SEX_COLUMNS),
                    Column("total", "Total"),
                ),
                rows=band_rows,
                chart=Chart(
                    kind="stacked_bar",
                    title="Diagnoses by age band and sex",
                    x="age_band",
                    series=tuple(Series(key, label) for _, key, label in SEX_COLUMNS),
                    y_label="Diagnoses",
                ),
                note="Age in whole years at the date of the encounter.",
            ),
        ],
    )
