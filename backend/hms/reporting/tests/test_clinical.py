"""The diagnoses report, against hand-counted numbers.

Now is Wednesday 10 March 2027, 12:00 in the hospital's time zone (UTC in the test settings);
the period is 1-9 March.
"""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hms.accounts.tests.factories import DoctorProfileFactory
from hms.clinical.tests.factories import DiagnosisFactory, EncounterFactory
from hms.patients.models import Sex
from hms.patients.tests.factories import PatientFactory
from hms.reporting.models import DiagnosisDailyFact, SummaryDirtyDay
from hms.reporting.registry import ReportFilters
from hms.reporting.reports.clinical import age_band, diagnoses
from hms.reporting.summaries import plan, refresh

NOW = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
PERIOD = {"date_from": date(2027, 3, 1), "date_to": date(2027, 3, 9)}

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen_instant():
    return NOW


@pytest.fixture(autouse=True)
def _clock(frozen_now):
    return frozen_now


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2027, 3, day, hour, tzinfo=UTC)


def diagnose(patient, code, *, doctor, when):
    encounter = EncounterFactory(patient=patient, attending_doctor=doctor, started_at=when)
    return DiagnosisFactory(encounter=encounter, code=code, diagnosed_at=when, diagnosed_by=doctor)


@pytest.fixture
def doctors():
    medicine = DoctorProfileFactory(department="Medicine").user
    surgery = DoctorProfileFactory(department="Surgery").user
    return medicine, surgery


@pytest.fixture
def activity(doctors):
    """Six diagnoses in the period:
    - a girl born 1 June 2024 (2 at the encounter): J45.9 by Medicine on 2 March;
    - a man born 3 March 1960 (66 on 2 and 3 March): I10 by Medicine on 2 March, E11.9 by
      Surgery on 3 March;
    - a woman born 5 March 2002 (24 on 4 March, 25 on her birthday): J45.9 by Surgery on
      4 March, J06.9 by Medicine on 5 March;
    - a patient of unknown sex born 1 January 1990 (37): I10 by Medicine on 6 March.
    Not counted: a voided J45.9 on 6 March, a J45.9 on 28 February and one today."""
    medicine, surgery = doctors
    girl = PatientFactory(sex=Sex.FEMALE, date_of_birth=date(2024, 6, 1))
    man = PatientFactory(sex=Sex.MALE, date_of_birth=date(1960, 3, 3))
    woman = PatientFactory(sex=Sex.FEMALE, date_of_birth=date(2002, 3, 5))
    unknown = PatientFactory(sex=Sex.UNKNOWN, date_of_birth=date(1990, 1, 1))
    diagnose(girl, "J45.9", doctor=medicine, when=at(2))
    diagnose(man, "I10", doctor=medicine, when=at(2))
    diagnose(man, "E11.9", doctor=surgery, when=at(3))
    diagnose(woman, "J45.9", doctor=surgery, when=at(4))
    diagnose(woman, "J06.9", doctor=medicine, when=at(5))
    diagnose(unknown, "I10", doctor=medicine, when=at(6))
    voided = diagnose(unknown, "J45.9", doctor=medicine, when=at(6))
    type(voided).all_objects.filter(pk=voided.pk).update(
        voided_at=at(7), voided_by=medicine, void_reason="Wrong patient"
    )
    diagnose(girl, "J45.9", doctor=medicine, when=datetime(2027, 2, 28, 9, tzinfo=UTC))
    diagnose(girl, "J45.9", doctor=medicine, when=at(10, 8))


def test_age_bands_turn_on_the_birthday():
    assert age_band(date(2002, 3, 5), date(2027, 3, 4)) == "15-24"
    assert age_band(date(2002, 3, 5), date(2027, 3, 5)) == "25-44"
    assert age_band(date(2022, 3, 5), date(2027, 3, 4)) == "0-4"
    assert age_band(date(2022, 3, 5), date(2027, 3, 5)) == "5-14"
    assert age_band(None, date(2027, 3, 5)) == "Unknown"


def test_diagnoses_by_chapter_code_age_and_sex(activity):
    result = diagnoses(ReportFilters(**PERIOD), None)

    figures = {f.key: f.value for f in result.figures}
    # J45.9 x2, I10 x2, E11.9, J06.9: 6 diagnoses, 4 codes, chapters IV, IX and X.
    assert figures == {"diagnoses": 6, "codes": 4, "chapters": 3}
    by_chapter, top_codes, by_age_sex = result.sections
    # In WHO order: IV (E11.9) 1, IX (I10 x2) 2, X (J45.9 x2 + J06.9) 3.
    assert [(r["chapter"], r["diagnoses"]) for r in by_chapter.rows] == [
        ("IV", 1),
        ("IX", 2),
        ("X", 3),
    ]
    assert by_chapter.rows[2]["title"] == "Diseases of the respiratory system"
    assert [(r["code"], r["diagnoses"]) for r in top_codes.rows] == [
        ("I10", 2),
        ("J45.9", 2),
        ("E11.9", 1),
        ("J06.9", 1),
    ]
    assert top_codes.rows[0]["title"] == "Essential (primary) hypertension"
    bands = {r["age_band"]: r for r in by_age_sex.rows}
    assert bands["0-4"] == {
        "age_band": "0-4",
        "female": 1,
        "male": 0,
        "other": 0,
        "unknown": 0,
        "total": 1,
    }
    # The woman: 15-24 on 4 March, 25-44 on 5 March (with the patient of unknown sex).
    assert (bands["15-24"]["female"], bands["15-24"]["total"]) == (1, 1)
    assert (bands["25-44"]["female"], bands["25-44"]["unknown"], bands["25-44"]["total"]) == (
        1,
        1,
        2,
    )
    assert (bands["65+"]["male"], bands["65+"]["total"]) == (2, 2)
    assert bands["5-14"]["total"] == bands["45-64"]["total"] == 0
    assert "Unknown" not in bands  # every patient's birth date is known
    # No row names a patient.
    for section in result.sections:
        assert {c.key for c in section.columns}.isdisjoint({"patient", "mrn", "name"})


def test_doctor_and_department_filters(activity, doctors):
    medicine, _ = doctors

    mine = diagnoses(ReportFilters(**PERIOD, doctor=medicine), None)
    surgical = diagnoses(ReportFilters(**PERIOD, department="Surgery"), None)

    # Medicine: J45.9 (girl), I10 (man), J06.9 (woman), I10 (unknown) = 4.
    assert {f.key: f.value for f in mine.figures}["diagnoses"] == 4
    # Surgery: E11.9 (man), J45.9 (woman) = 2.
    assert [(r["code"], r["diagnoses"]) for r in surgical.sections[1].rows] == [
        ("E11.9", 1),
        ("J45.9", 1),
    ]


def numbers(result):
    return (
        [(f.key, f.value) for f in result.figures],
        [(s.id, s.rows) for s in result.sections],
    )


def test_summaries_give_the_numbers_of_the_live_rows(activity, doctors):
    medicine, _ = doctors
    ranges = [
        ReportFilters(**PERIOD),
        ReportFilters(**PERIOD, doctor=medicine),
        ReportFilters(date_from=date(2027, 2, 1), date_to=date(2027, 3, 10), department="Surgery"),
        ReportFilters(**PERIOD, department="medicine"),  # any case
    ]
    live = [numbers(diagnoses(filters, None)) for filters in ranges]

    refresh(["clinical_diagnoses"])

    # Up to 5 March from fact rows; 6 March live (its J45.9 was voided on 7 March, which
    # marked it dirty when 7 March was summarised), and today.
    assert plan("clinical_diagnoses", date(2027, 2, 1), date(2027, 3, 10)).summary == (
        date(2027, 2, 1),
        date(2027, 3, 5),
    )
    assert DiagnosisDailyFact.objects.exists()
    assert [numbers(diagnoses(filters, None)) for filters in ranges] == live


def test_a_diagnosis_backdated_or_voided_later_reaches_the_summarised_days(
    activity, doctors, frozen_now
):
    medicine, _ = doctors
    refresh(["clinical_diagnoses"])
    # On 11 March: an I10 is recorded for 2 March, and the 4 March J45.9 is voided.
    frozen_now.move_to(datetime(2027, 3, 11, 10, tzinfo=UTC))
    late = PatientFactory(sex=Sex.MALE, date_of_birth=date(1950, 1, 1))
    diagnose(late, "I10", doctor=medicine, when=at(2))
    wrong = DiagnosisFactory._meta.model.objects.get(code="J45.9", diagnosed_at=at(4))
    type(wrong).all_objects.filter(pk=wrong.pk).update(
        voided_at=datetime(2027, 3, 11, 11, tzinfo=UTC), voided_by=medicine, void_reason="Error"
    )

    # When the night of the 11th is summarised (on the 12th)
    frozen_now.move_to(datetime(2027, 3, 12, 2, tzinfo=UTC))
    refresh(["clinical_diagnoses"])

    # Then 2 and 4 March are served from the live rows: 6 + 1 - 1 = 6 diagnoses, I10 now 3.
    dirty = SummaryDirtyDay.objects.filter(name="clinical_diagnoses").values_list("day", flat=True)
    assert {date(2027, 3, 2), date(2027, 3, 4)} <= set(dirty)
    result = diagnoses(ReportFilters(**PERIOD), None)
    assert {f.key: f.value for f in result.figures}["diagnoses"] == 6
    assert [(r["code"], r["diagnoses"]) for r in result.sections[1].rows][:2] == [
        ("I10", 3),
        ("E11.9", 1),
    ]
    # And the days rebuilt by the next refresh give the same numbers.
    refresh(["clinical_diagnoses"])
    assert numbers(diagnoses(ReportFilters(**PERIOD), None)) == numbers(result)


def test_the_query_count_does_not_grow_with_the_range(activity, doctors):
    medicine, _ = doctors
    # An I10 on each of 10-21 January as well, so the longer range has more fact rows.
    patient = PatientFactory(sex=Sex.MALE, date_of_birth=date(1980, 1, 1))
    for day in range(10, 22):
        diagnose(patient, "I10", doctor=medicine, when=datetime(2027, 1, day, 9, tzinfo=UTC))
    refresh(["clinical_diagnoses"])

    def read(date_from, **filters):
        with CaptureQueriesContext(connection) as captured:
            result = diagnoses(
                ReportFilters(date_from=date_from, date_to=date(2027, 3, 5), **filters), None
            )
        return len(captured), {f.key: f.value for f in result.figures}["diagnoses"]

    # 3-5 March (3 days) against 1 January - 5 March (64 days), both summarised.
    short, long = read(date(2027, 3, 3)), read(date(2027, 1, 1))
    # 3-5 March: E11.9, J45.9, J06.9 = 3. From 1 January: + the 12 January I10s + the
    # 28 February J45.9 + the J45.9 and I10 of 2 March = 3 + 12 + 1 + 2 = 18.
    assert (short[1], long[1]) == (3, 18)
    assert short[0] == long[0]
    for filters in ({"doctor": medicine}, {"department": "Medicine"}):
        # Medicine: 5 March J06.9 = 1; from 1 January: + 12 I10 + 28 February J45.9 + 2 March
        # J45.9 and I10 = 1 + 12 + 1 + 2 = 16.
        short, long = read(date(2027, 3, 3), **filters), read(date(2027, 1, 1), **filters)
        assert (short[1], long[1]) == (1, 16)
        assert short[0] == long[0]
