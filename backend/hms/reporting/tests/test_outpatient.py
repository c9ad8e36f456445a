"""Outpatient reports on the clinic days (see conftest.clinic_days), checked by hand, and the
same numbers from the daily summary (with its wait histograms) as from the live rows."""

from collections import Counter
from datetime import date

import pytest

from hms.reporting import selectors
from hms.reporting.histograms import percentile
from hms.reporting.models import OutpatientWaitFact
from hms.reporting.summaries import plan, refresh
from hms.reporting.tests.conftest import clinic_days

pytestmark = pytest.mark.django_db

DAYS = {"date_from": "2027-03-08", "date_to": "2027-03-10"}
SLUGS = ["outpatient-appointments", "outpatient-waiting-times", "teleconsults"]


@pytest.fixture
def days(clinic):
    return clinic_days(clinic)


@pytest.fixture
def admin(make_user):
    return make_user("admin")


def compute(admin, slug: str, **params) -> dict:
    return selectors.report_result_json(
        selectors.report_compute_for(admin, slug, {**DAYS, **params})
    )


def figures(body: dict) -> dict:
    return {f["key"]: f["value"] for f in body["figures"]}


def section(body: dict, section_id: str) -> list[dict]:
    return next(s["rows"] for s in body["sections"] if s["id"] == section_id)


class TestPercentiles:
    def test_nearest_rank(self):
        assert percentile(Counter({1: 1, 2: 1, 3: 1, 4: 1}), 50) == 2  # rank ceil(2.0) = 2
        assert percentile(Counter({1: 1, 2: 1, 3: 1, 4: 1}), 90) == 4  # rank ceil(3.6) = 4
        assert percentile(Counter({7: 30}), 90) == 7
        # 10 values 0..9: p90 rank ceil(9.0) = 9 -> the 9th value, 8 (no float rounding up).
        assert percentile(Counter(dict.fromkeys(range(10), 1)), 90) == 8
        assert percentile(Counter(), 50) is None


class TestHandChecked:
    def test_appointments_by_status(self, admin, days):
        body = compute(admin, "outpatient-appointments")
        # 9 booked; seen o1, o2, o5, m1, d1; cancelled o4; no-shows o3, m2: 2 of 8 expected.
        assert figures(body) == {
            "appointments": 9,
            "completed": 5,
            "cancelled": 1,
            "no_show": 2,
            "no_show_rate": "25.0",
        }
        assert section(body, "by_department") == [
            # Okafor 5 + Mensah 2 booked; 2 no-shows of 6 expected.
            {
                "department": "Medicine",
                "appointments": 7,
                "completed": 4,
                "cancelled": 1,
                "no_show": 2,
                "no_show_rate": "33.3",
            },
            {
                "department": "Surgery",
                "appointments": 2,
                "completed": 1,
                "cancelled": 0,
                "no_show": 0,
                "no_show_rate": "0.0",
            },
        ]
        by_doctor = {row["doctor"]: row for row in section(body, "by_doctor")}
        assert list(by_doctor) == ["Awa Diallo", "Kofi Mensah", "Grace Okafor"]
        assert by_doctor["Grace Okafor"]["no_show_rate"] == "25.0"  # 1 of 4 expected
        assert by_doctor["Kofi Mensah"]["no_show_rate"] == "50.0"  # 1 of 2
        assert [row["appointments"] for row in section(body, "per_day")] == [4, 3, 2]

    def test_waiting_times(self, admin, days):
        body = compute(admin, "outpatient-waiting-times")
        # Waits 15, 3, 40, 10, 5 -> sorted 3, 5, 10, 15, 40: median rank 3 = 10; p90 rank
        # ceil(4.5) = 5 = 40.
        assert figures(body) == {"seen": 5, "median": "10.0", "p90": "40.0"}
        assert section(body, "by_department") == [
            # 3, 10, 15, 40: median rank 2 = 10; p90 rank ceil(3.6) = 4 = 40.
            {"department": "Medicine", "seen": 4, "median": "10.0", "p90": "40.0"},
            {"department": "Surgery", "seen": 1, "median": "5.0", "p90": "5.0"},
        ]
        by_doctor = {row["doctor"]: row for row in section(body, "by_doctor")}
        # Okafor 3, 15, 40: median rank 2 = 15, p90 rank ceil(2.7) = 3 = 40.
        assert (by_doctor["Grace Okafor"]["median"], by_doctor["Grace Okafor"]["p90"]) == (
            "15.0",
            "40.0",
        )
        # 8 Mar: 3, 15 -> median 3; 9 Mar: 10, 40 -> median 10; 10 Mar: 5.
        assert [row["median"] for row in section(body, "per_day")] == ["3.0", "10.0", "5.0"]

    def test_teleconsults(self, admin, days):
        body = compute(admin, "teleconsults")
        # o2 is the one teleconsult, completed: 1 of 5 completed visits = 20 %.
        assert figures(body) == {"teleconsults": 1, "teleconsults_completed": 1, "share": "20.0"}
        assert section(body, "by_doctor") == [
            {
                "doctor": "Grace Okafor",
                "teleconsults": 1,
                "teleconsults_completed": 1,
                "in_person_completed": 2,
                "share": "33.3",
            }
        ]

    def test_department_and_doctor_filters(self, admin, days):
        surgery = compute(admin, "outpatient-appointments", department="Surgery")
        assert figures(surgery)["appointments"] == 2
        mensah = compute(admin, "outpatient-waiting-times", doctor=str(days["mensah"].public_id))
        assert figures(mensah) == {"seen": 1, "median": "10.0", "p90": "10.0"}

    def test_an_unknown_doctor_is_a_400_on_the_field(self, client_for, days):
        response = client_for("admin").get(
            "/api/reports/outpatient-appointments/",
            {"doctor": "00000000-0000-0000-0000-0000deadbeef"},
        )
        assert response.status_code == 400 and "doctor" in response.json()["fields"]


class TestSummaryPath:
    @pytest.mark.parametrize("slug", SLUGS)
    def test_summary_and_live_give_the_same_report(self, admin, days, slug):
        params = [{}, {"department": "Medicine"}, {"doctor": str(days["okafor"].public_id)}]
        live = [compute(admin, slug, **p) for p in params]

        refresh(["outpatient_daily"])

        steps = plan("outpatient_daily", date(2027, 3, 8), date(2027, 3, 10))
        assert steps.summary == (date(2027, 3, 8), date(2027, 3, 9))
        summarised = [compute(admin, slug, **p) for p in params]
        for body in (*live, *summarised):
            body.pop("as_of")
        assert summarised == live

    def test_the_waits_are_kept_as_minute_buckets(self, days):
        refresh(["outpatient_daily"])
        buckets = sorted(OutpatientWaitFact.objects.values_list("day", "minutes", "visits"))
        assert buckets == [
            (date(2027, 3, 8), 3, 1),
            (date(2027, 3, 8), 15, 1),
            (date(2027, 3, 9), 10, 1),
            (date(2027, 3, 9), 40, 1),
        ]
