"""The daily summaries' bookkeeping: what a refresh builds, dirty days from domain events, the
Celery tasks, the management command and the demo loader."""

from datetime import date
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from hms.inpatient import services as inpatient_services
from hms.reporting.demo import load_demo_reporting
from hms.reporting.models import InpatientDailyFact, SummaryDirtyDay, SummaryState
from hms.reporting.summaries import plan, refresh, summary_names
from hms.reporting.tests.conftest import DISCHARGE_SUMMARY, at, clinic_days, hospital_week

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(ward, medical_beds, icu_beds):
    return hospital_week(ward, medical_beds, icu_beds)


def med_census(day: date) -> int:
    return InpatientDailyFact.objects.get(day=day, ward__code="MED").occupied


class TestRefresh:
    def test_a_first_refresh_starts_at_the_first_data_day(self, week):
        stats = refresh(["inpatient_daily"])
        # 5 to 9 March (today, the 10th, is never summarised); no earlier day has data but
        # the safety window reaches back 7 days: 3 to 9 March.
        assert stats.days_built == {"inpatient_daily": 7}
        assert SummaryState.objects.get(name="inpatient_daily").complete_through == date(2027, 3, 9)

    def test_an_explicit_range_never_builds_today(self, week):
        stats = refresh(["inpatient_daily"], date_from=date(2027, 3, 8), date_to=date(2027, 3, 12))
        assert stats.days_built == {"inpatient_daily": 2}  # 8 and 9 March
        # Days before the 8th are not built, so nothing is complete yet.
        assert stats.complete_through == {"inpatient_daily": None}
        assert plan("inpatient_daily", date(2027, 3, 8), date(2027, 3, 9)).summary is None

    def test_an_explicit_range_from_the_first_day_completes_the_run(self, week):
        stats = refresh(["inpatient_daily"], date_from=date(2027, 3, 5), date_to=date(2027, 3, 8))
        assert stats.complete_through == {"inpatient_daily": date(2027, 3, 8)}

    def test_the_next_refresh_builds_the_new_day_and_the_safety_window(self, week, clock):
        refresh(["inpatient_daily"])
        clock.move_to(at(11, 3))
        stats = refresh(["inpatient_daily"])
        # 10 March is new; the window is the 7 days 4 to 10 March.
        assert stats.days_built == {"inpatient_daily": 7}
        assert stats.complete_through == {"inpatient_daily": date(2027, 3, 10)}


class TestEvents:
    def test_a_discharge_marks_its_stay_dirty_and_refreshes_it_after_commit(
        self, week, nurse, doctor, django_capture_on_commit_callbacks
    ):
        refresh(["inpatient_daily"])
        assert med_census(date(2027, 3, 9)) == 1  # C
        c = week["C"]
        inpatient_services.discharge_summary_save(
            actor=doctor, admission=c, finalise=True, **DISCHARGE_SUMMARY
        )
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            # Recorded now, for 23:00 last night: the 9 March census loses C.
            inpatient_services.admission_discharge(
                actor=nurse, admission=c, discharged_at=at(9, 23)
            )
        # C's stay, now 9 March only, is dirty: reports serve the 9th live meanwhile.
        assert list(SummaryDirtyDay.objects.values_list("day", flat=True)) == [date(2027, 3, 9)]
        assert plan("inpatient_daily", date(2027, 3, 5), date(2027, 3, 9)).summary == (
            date(2027, 3, 5),
            date(2027, 3, 8),
        )
        assert len(callbacks) == 1
        callbacks[0]()  # the queued refresh (Celery runs eagerly in tests)
        assert med_census(date(2027, 3, 9)) == 0
        assert not SummaryDirtyDay.objects.exists()
        assert plan("inpatient_daily", date(2027, 3, 5), date(2027, 3, 9)).summary == (
            date(2027, 3, 5),
            date(2027, 3, 9),
        )

    def test_a_completed_visit_marks_its_day(self, clinic, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            clinic_days(clinic)
        # The visits on 8, 9 and 10 March were completed; the 8th and 9th were rebuilt.
        assert list(SummaryDirtyDay.objects.values_list("name", "day")) == [
            ("outpatient_daily", date(2027, 3, 10))
        ]


class TestOperations:
    def test_the_command_prints_progress(self, week):
        out = StringIO()
        call_command(
            "refresh_report_summaries",
            "--from",
            "2027-03-05",
            "--to",
            "2027-03-09",
            "--summary",
            "inpatient_daily",
            "-v",
            "2",
            stdout=out,
        )
        lines = out.getvalue().splitlines()
        assert lines[0] == "inpatient_daily: 1/5 days (2027-03-05)"
        assert lines[4] == "inpatient_daily: 5/5 days (2027-03-09)"
        assert lines[5] == ("inpatient_daily: 5 days rebuilt; complete through 2027-03-09.")

    def test_the_command_refuses_a_reversed_range(self, clock):
        from django.core.management.base import CommandError

        with pytest.raises(CommandError):
            call_command("refresh_report_summaries", "--from", "2027-03-05", "--to", "2027-03-01")

    def test_the_nightly_refresh_is_scheduled(self):
        entry = settings.CELERY_BEAT_SCHEDULE["report-summaries-nightly"]
        assert entry["task"] == "hms.reporting.tasks.refresh_report_summaries_nightly"

    def test_the_demo_loader_summarises_what_exists(self, week):
        # Every summary builds the safety window 3..9 March (7 days): the week's admissions
        # start inside it, and the other summaries have no earlier data.
        assert load_demo_reporting().startswith(f"{7 * len(summary_names())} summary days built")
