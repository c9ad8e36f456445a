"""Clinical: the diagnoses made, by ICD-10 chapter and code, age band and sex.

Counts only: no row names or identifies a patient. A diagnosis counts on the local day it was
made (voided ones do not count); the patient's age is taken at that day: a diagnosis is made
at the visit, so this is the age at the visit (read from the diagnosis itself, without going
through its encounter). The doctor is the one who made the diagnosis, the department that
doctor's. A diagnosis recorded with an earlier date, or voided, marks its day dirty when the
day it was recorded is summarised (the nightly refresh), so the summary catches up with it.

The summary keeps three fact tables built from the same day's facts: `DiagnosisDailyTotal`
(per day, code, age band and sex) for the report without filters,
`DiagnosisDepartmentDailyFact` (the same per department) for the department filter, and
`DiagnosisDailyFact` (per doctor, indexed by doctor and day) for the doctor filter. The
database adds the summarised days up to what the report shows (per code, per age band and
sex); only the days not summarised (today, dirty days) are added up here from the live rows.
A summarised day counts a doctor in the department the doctor had when the day was
summarised (the night after it, normally); a live day, in the doctor's department now.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import Min, Q, Sum
from django.utils.timezone import localdate

from hms.clinical.icd10 import icd10_chapter, icd10_title
from hms.clinical.models import Diagnosis
from hms.patients.models import Sex
from hms.reporting.facts import DayFacts
from hms.reporting.models import (
    DiagnosisDailyFact,
    DiagnosisDailyTotal,
    DiagnosisDepartmentDailyFact,
)
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
from hms.reporting.summaries import mark_dirty, plan, summary

SUMMARY = "clinical_diagnoses"
# [lower, upper) in whole years at the day of the diagnosis (the visit).
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
    """{(day, code, doctor_id, age_band, sex): {"diagnoses"}} from the live rows (the age
    band at the day of the diagnosis)."""
    start, end = day_bounds(date_from, date_to)
    facts = DayFacts(counts=("diagnoses",))
    rows = Diagnosis.objects.filter(diagnosed_at__gte=start, diagnosed_at__lt=end).values_list(
        "diagnosed_at", "code", "diagnosed_by_id", "patient__date_of_birth", "patient__sex"
    )
    for diagnosed_at, code, doctor_id, born, sex in rows.order_by().iterator():
        day = localdate(diagnosed_at)
        facts.add((day, code, doctor_id, age_band(born, day), sex), diagnoses=1)
    return facts


def _first_diagnosis_day() -> date | None:
    first = Diagnosis.objects.aggregate(first=Min("diagnosed_at"))["first"]
    return localdate(first) if first is not None else None


def _late_diagnosis_days(day: date) -> set[date]:
    """Days of diagnoses recorded on `day` with an earlier date, or voided on `day`."""
    start, end = day_bounds(day, day)
    recorded = Q(created_at__gte=start, created_at__lt=end) | Q(
        voided_at__gte=start, voided_at__lt=end
    )
    moments = Diagnosis.all_objects.filter(recorded).values_list("diagnosed_at", flat=True)
    return {localdate(moment) for moment in moments.order_by().iterator()}


@summary(SUMMARY, first_day=_first_diagnosis_day)
def build_diagnoses_day(day: date) -> None:
    """Rewrite `day`'s rows of the three fact tables from the live rows; mark dirty the
    earlier days that diagnoses backdated or voided on `day` changed."""
    DiagnosisDailyFact.objects.filter(day=day).delete()
    DiagnosisDepartmentDailyFact.objects.filter(day=day).delete()
    DiagnosisDailyTotal.objects.filter(day=day).delete()
    facts = diagnosis_day_facts(day, day)
    departments = dict(
        get_user_model()
        .objects.filter(pk__in={key[2] for key in facts.rows}, doctor_profile__isnull=False)
        .exclude(doctor_profile__department="")
        .values_list("pk", "doctor_profile__department")
    )
    totals: Counter[tuple] = Counter()
    per_department: Counter[tuple] = Counter()
    per_doctor = []
    for (fact_day, code, doctor_id, band, sex), values in facts.rows.items():
        count = values["diagnoses"]
        per_doctor.append(
            DiagnosisDailyFact(
                day=fact_day,
                code=code,
                doctor_id=doctor_id,
                age_band=band,
                sex=sex,
                diagnoses=count,
            )
        )
        totals[(fact_day, code, band, sex)] += count
        if doctor_id in departments:
            per_department[(departments[doctor_id].lower(), fact_day, code, band, sex)] += count
    DiagnosisDailyFact.objects.bulk_create(per_doctor, batch_size=1000)
    DiagnosisDepartmentDailyFact.objects.bulk_create(
        [
            DiagnosisDepartmentDailyFact(
                department=department,
                day=fact_day,
                code=code,
                age_band=band,
                sex=sex,
                diagnoses=count,
            )
            for (department, fact_day, code, band, sex), count in per_department.items()
        ],
        batch_size=1000,
    )
    DiagnosisDailyTotal.objects.bulk_create(
        [
            DiagnosisDailyTotal(day=fact_day, code=code, age_band=band, sex=sex, diagnoses=count)
            for (fact_day, code, band, sex), count in totals.items()
        ],
        batch_size=1000,
    )
    for earlier in sorted(_late_diagnosis_days(day)):
        if earlier < day:
            mark_dirty(SUMMARY, earlier)


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


def _stored_rows(filters: ReportFilters, date_from: date, date_to: date):
    """The summarised fact rows of the days and filters (not read yet)."""
    days = {"day__gte": date_from, "day__lte": date_to}
    if filters.doctor is not None:
        rows = DiagnosisDailyFact.objects.filter(doctor_id=filters.doctor.pk, **days)
        if filters.department:
            rows = rows.filter(
                doctor_id__in=get_user_model()
                .objects.filter(doctor_profile__department__iexact=filters.department)
                .values("pk")
            )
        return rows
    if filters.department:
        return DiagnosisDepartmentDailyFact.objects.filter(
            department=filters.department.lower(), **days
        )
    return DiagnosisDailyTotal.objects.filter(**days)


def diagnosis_counts(
    filters: ReportFilters,
) -> tuple[Counter[str], Counter[tuple[str, str]], datetime]:
    """Diagnoses per code and per (age band, sex) in the filters' range, and the time they
    are valid at: the summarised days added up by the database (two grouped queries,
    whatever the range), the others from the live rows."""
    by_code: Counter[str] = Counter()
    by_band_sex: Counter[tuple[str, str]] = Counter()
    range_plan = plan(SUMMARY, filters.date_from, filters.date_to)
    if range_plan.summary is not None:
        rows = _stored_rows(filters, *range_plan.summary).order_by()
        for code, count in (
            rows.values("code").annotate(n=Sum("diagnoses")).values_list("code", "n")
        ):
            by_code[code] += count
        grouped = rows.values("age_band", "sex").annotate(n=Sum("diagnoses"))
        for band, sex, count in grouped.values_list("age_band", "sex", "n"):
            by_band_sex[(band, sex)] += count
    if range_plan.live is not None:
        facts = _filtered(diagnosis_day_facts(*range_plan.live), filters)
        for (_day, code, _doctor, band, sex), values in facts.rows.items():
            by_code[code] += values["diagnoses"]
            by_band_sex[(band, sex)] += values["diagnoses"]
    return +by_code, +by_band_sex, range_plan.as_of


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
    by_code, by_band_sex, as_of = diagnosis_counts(filters)
    chapters: dict[str, dict] = {}
    for code, count in by_code.items():
        chapter = icd10_chapter(code)
        row = chapters.setdefault(
            chapter.number,
            {"chapter": chapter.number or "-", "title": chapter.title, "diagnoses": 0},
        )
        row["diagnoses"] += count
    chapter_rows = [chapters[n] for n in sorted(chapters, key=_chapter_order)]
    code_rows = [
        {
            "code": code,
            "title": icd10_title(code),
            "chapter": icd10_chapter(code).number or "-",
            "diagnoses": count,
        }
        for code, count in sorted(by_code.items(), key=lambda item: (-item[1], item[0]))
    ][:TOP_CODES]
    band_rows = []
    for band in [label for label, _, _ in AGE_BANDS] + [UNKNOWN_AGE]:
        row: dict = {"age_band": band}
        for sex, key, _label in SEX_COLUMNS:
            row[key] = by_band_sex[(band, sex)]
        row["total"] = sum(row[key] for _, key, _ in SEX_COLUMNS)
        if band != UNKNOWN_AGE or row["total"]:
            band_rows.append(row)
    total = sum(by_code.values())
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
                note="Age in whole years on the day of the diagnosis (the visit).",
            ),
        ],
    )
