"""Inpatient reports on the hospital week (see conftest.hospital_week), checked by hand, and
the same numbers from the daily summary as from the live rows."""

from datetime import date

import pytest

from hms.accounts.models import User
from hms.reporting import selectors
from hms.reporting.models import InpatientDailyFact
from hms.reporting.summaries import mark_dirty, plan, refresh
from hms.reporting.tests.conftest import hospital_week

pytestmark = pytest.mark.django_db

WEEK = {"date_from": "2027-03-05", "date_to": "2027-03-10"}
SLUGS = ["inpatient-movements", "bed-occupancy", "length-of-stay", "icu-days", "readmissions"]


@pytest.fixture
def week(ward, medical_beds, icu_beds):
    return hospital_week(ward, medical_beds, icu_beds)


@pytest.fixture
def admin(make_user):
    return make_user("admin")


def compute(admin: User, slug: str, **params) -> dict:
    return selectors.report_result_json(
        selectors.report_compute_for(admin, slug, {**WEEK, **params})
    )


def figures(body: dict) -> dict:
    return {f["key"]: f["value"] for f in body["figures"]}


def section(body: dict, section_id: str) -> list[dict]:
    return next(s["rows"] for s in body["sections"] if s["id"] == section_id)


# Midnight census (patients in a bed at the midnight ending each day):
#   5 Mar: A (MED)            -> MED 1, ICU 0
#   6 Mar: A, B (MED)         -> MED 2, ICU 0
#   7 Mar: A (MED), B (ICU)   -> MED 1, ICU 1
#   8 Mar: B (ICU)            -> MED 0, ICU 1
#   9 Mar: C (MED), E (ICU)   -> MED 1, ICU 1
#  10 Mar: C, D (MED), E (ICU)-> MED 2, ICU 1
# Beds in service: MED 4 + ICU 2 = 6 a day, 36 bed-days over the six days.


class TestHandChecked:
    def test_bed_occupancy(self, admin, week):
        body = compute(admin, "bed-occupancy")
        # 1+2+2+1+2+3 = 11 occupied of 36 -> 30.56 %
        assert figures(body) == {"occupancy": "30.6", "bed_days": 11, "beds": "6.00"}
        per_day = section(body, "per_day")
        assert [row["occupied"] for row in per_day] == [1, 2, 2, 1, 2, 3]
        # 1/6, 2/6, 2/6, 1/6, 2/6, 3/6
        assert [row["occupancy"] for row in per_day] == [
            "16.7",
            "33.3",
            "33.3",
            "16.7",
            "33.3",
            "50.0",
        ]
        assert section(body, "by_ward") == [
            # ICU 0+0+1+1+1+1 = 4 of 12; MED 1+2+1+0+1+2 = 7 of 24.
            {
                "ward": "Intensive Care",
                "ward_type": "Intensive care (ICU)",
                "bed_days": 4,
                "beds": "2.00",
                "occupancy": "33.3",
            },
            {
                "ward": "Medical Ward",
                "ward_type": "Medical",
                "bed_days": 7,
                "beds": "4.00",
                "occupancy": "29.2",
            },
        ]

    def test_length_of_stay_and_turnover(self, admin, week):
        body = compute(admin, "length-of-stay")
        # (71 h + 65 h) / 2 = 68 h = 2.83 days; 2 discharges / 6 beds = 0.33.
        assert figures(body) == {"discharges": 2, "average_stay": "2.8", "bed_turnover": "0.33"}
        assert section(body, "by_ward") == [
            # B left from ICU: 65 h = 2.71 days, 1 discharge / 2 beds.
            {
                "ward": "Intensive Care",
                "discharges": 1,
                "average_stay": "2.7",
                "beds": "2.00",
                "bed_turnover": "0.50",
            },
            # A left from MED: 71 h = 2.96 days, 1 discharge / 4 beds.
            {
                "ward": "Medical Ward",
                "discharges": 1,
                "average_stay": "3.0",
                "beds": "4.00",
                "bed_turnover": "0.25",
            },
        ]

    def test_icu_days(self, admin, week):
        body = compute(admin, "icu-days")
        # ICU census 0, 0, 1, 1, 1, 1 = 4 days of 2 beds x 6 days = 33.3 %.
        assert figures(body) == {"icu_days": 4, "icu_occupancy": "33.3"}
        assert [row["icu_days"] for row in section(body, "per_day")] == [0, 0, 1, 1, 1, 1]
        assert section(body, "by_ward") == [{"ward": "Intensive Care", "icu_days": 4}]

    def test_readmissions(self, admin, week):
        body = compute(admin, "readmissions")
        # E (9 Mar) readmits A's patient, discharged 8 Mar: 1 of 5 admissions = 20 %.
        assert figures(body) == {"admissions": 5, "readmissions": 1, "readmission_rate": "20.0"}
        assert [row["readmissions"] for row in section(body, "per_day")] == [0, 0, 0, 0, 1, 0]

    def test_ward_filter(self, admin, week, medical):
        body = compute(admin, "bed-occupancy", ward=str(medical.public_id))
        # MED only: 7 of 24 bed-days.
        assert figures(body) == {"occupancy": "29.2", "bed_days": 7, "beds": "4.00"}

    def test_a_range_with_nothing_has_no_rates(self, admin, clock):
        body = compute(admin, "length-of-stay")
        assert figures(body) == {"discharges": 0, "average_stay": None, "bed_turnover": None}


class TestSummaryPath:
    @pytest.mark.parametrize("slug", SLUGS)
    def test_summary_and_live_give_the_same_report(self, admin, week, medical, slug):
        live = compute(admin, slug)
        live_ward = compute(admin, slug, ward=str(medical.public_id))
        assert plan("inpatient_daily", date(2027, 3, 5), date(2027, 3, 10)).summary is None

        stats = refresh(["inpatient_daily"])

        # Built from the first bed stay (5 Mar) through yesterday (9 Mar).
        assert stats.complete_through["inpatient_daily"] == date(2027, 3, 9)
        steps = plan("inpatient_daily", date(2027, 3, 5), date(2027, 3, 10))
        assert steps.summary == (date(2027, 3, 5), date(2027, 3, 9))
        assert steps.live == (date(2027, 3, 10), date(2027, 3, 10))
        summarised = compute(admin, slug)
        assert summarised["as_of"] == "2027-03-10T12:00:00Z"
        for body in (live, summarised):
            body.pop("as_of")
        assert summarised == live
        summarised_ward = compute(admin, slug, ward=str(medical.public_id))
        live_ward.pop("as_of"), summarised_ward.pop("as_of")
        assert summarised_ward == live_ward

    def test_the_facts_are_read_not_the_live_rows(self, admin, week):
        refresh(["inpatient_daily"])
        # Rewrite one fact: the report over summarised days shows it.
        InpatientDailyFact.objects.filter(day=date(2027, 3, 6), ward__code="MED").update(
            admissions=40
        )
        body = compute(admin, "inpatient-movements", date_to="2027-03-09")
        assert figures(body)["admissions"] == 43  # A + 40 on 6 Mar + C + E

    def test_a_dirty_day_is_served_live_until_rebuilt(self, admin, week):
        refresh(["inpatient_daily"])
        InpatientDailyFact.objects.filter(day=date(2027, 3, 7)).update(admissions=99)
        mark_dirty("inpatient_daily", date(2027, 3, 7))
        steps = plan("inpatient_daily", date(2027, 3, 5), date(2027, 3, 10))
        assert steps.summary == (date(2027, 3, 5), date(2027, 3, 6))
        assert figures(compute(admin, "inpatient-movements"))["admissions"] == 5
        refresh(["inpatient_daily"])
        assert plan("inpatient_daily", date(2027, 3, 5), date(2027, 3, 10)).summary == (
            date(2027, 3, 5),
            date(2027, 3, 9),
        )
        assert figures(compute(admin, "inpatient-movements"))["admissions"] == 5

    def test_refresh_is_idempotent(self, week):
        refresh(["inpatient_daily"])
        first = list(InpatientDailyFact.objects.values_list("day", "ward_id", "occupied"))
        refresh(["inpatient_daily"], date_from=date(2027, 3, 5), date_to=date(2027, 3, 9))
        assert list(InpatientDailyFact.objects.values_list("day", "ward_id", "occupied")) == first


class TestQueryCost:
    @pytest.mark.parametrize("slug", SLUGS)
    def test_summarised_ranges_cost_the_same_queries_whatever_their_length(self, admin, week, slug):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        refresh(["inpatient_daily"])
        counts = []
        for date_from in ("2027-03-05", "2026-03-10"):  # five days, then a year
            with CaptureQueriesContext(connection) as queries:
                compute(admin, slug, date_from=date_from, date_to="2027-03-09")
            counts.append(len(queries))
        # Per grouping: the summary state, its first dirty day, the summed facts (and the
        # ward names for a by-ward section) - the same for a week as for a year.
        assert counts[0] == counts[1]
