"""Bed-days and ICU days (the selector billing reads) and the timeline source."""

from datetime import UTC, datetime, timedelta

import pytest

from hms.core.roles import Role
from hms.inpatient import selectors, services
from hms.inpatient.models import Admission
from hms.inpatient.tests.conftest import SUMMARY

pytestmark = pytest.mark.django_db


def at(day, hour):
    return datetime(2027, 3, day, hour, tzinfo=UTC)


@pytest.fixture
def journey(frozen_now, reception, doctor_client, patient, beds, icu_beds, doctor):
    """Admitted Mon 1 Mar 10:00 to the ward, to ICU Tue 2 Mar 14:00, back to the ward
    Thu 4 Mar 09:00, discharged Fri 5 Mar 11:00."""
    admission = services.admission_admit(
        actor=reception.user, patient=patient, bed=beds[0], attending_doctor=doctor, reason="x"
    )
    frozen_now.move_to(at(2, 14))
    services.icu_admit(actor=reception.user, patient=patient, bed=icu_beds[0], reason="Sepsis")
    frozen_now.move_to(at(4, 9))
    admission.refresh_from_db()
    services.icu_discharge(actor=reception.user, admission=admission, bed=beds[1])
    frozen_now.move_to(at(5, 11))
    doctor_client.put(
        f"/api/admissions/{admission.public_id}/discharge-summary/", SUMMARY, format="json"
    )
    services.admission_discharge(actor=reception.user, admission=admission)
    return Admission.objects.get(pk=admission.pk)


class TestBedDays:
    def test_midnight_census_with_icu_days(self, journey):
        days = selectors.admission_bed_days(journey)
        # Midnights: 2 Mar (ward), 3 and 4 Mar (ICU), 5 Mar (ward).
        assert days.bed_days == 4 and days.icu_days == 2
        assert days.by_ward_type == {"medical": 2, "icu": 2}
        assert [s.days for s in days.stays] == [1, 2, 1]
        assert days.icu_hours == 43.0  # Tue 14:00 to Thu 09:00
        assert days.ongoing is False

    def test_a_same_day_stay_counts_one_day(self, frozen_now, reception, patient, beds, doctor):
        admission = services.admission_admit(
            actor=reception.user, patient=patient, bed=beds[0], attending_doctor=doctor, reason="x"
        )
        frozen_now.shift(timedelta(hours=5))
        days = selectors.admission_bed_days(admission)
        assert (days.bed_days, days.icu_days, days.ongoing) == (1, 0, True)

    def test_many_admissions_in_one_query(self, journey, django_assert_num_queries):
        with django_assert_num_queries(1):
            result = selectors.bed_days_for_admissions([journey])
        assert result[journey.pk].bed_days == 4

    def test_the_billing_desk_reads_them(self, journey, client_for):
        response = client_for(Role.ACCOUNTANT).get(f"/api/admissions/{journey.public_id}/bed-days/")
        assert response.status_code == 200
        body = response.json()
        assert (body["bed_days"], body["icu_days"]) == (4, 2)
        assert [s["ward_type"] for s in body["stays"]] == ["medical", "icu", "medical"]
        assert (
            client_for(Role.PHARMACIST)
            .get(f"/api/admissions/{journey.public_id}/bed-days/")
            .status_code
            == 403
        )


class TestTimeline:
    def test_admission_transfers_and_discharge_on_the_timeline(self, journey, doctor_client):
        response = doctor_client.get(f"/api/patients/{journey.patient.public_id}/timeline/")
        assert response.status_code == 200, response.json()
        body = response.json()
        rows = body["results"] if isinstance(body, dict) else body
        mine = [r for r in rows if r["type"] in {"admission", "transfer", "discharge"}]
        assert [r["type"] for r in mine] == ["discharge", "transfer", "transfer", "admission"]
        assert mine[0]["detail"]["disposition"] == "home"
        assert "J18.9" in mine[0]["summary"]
        assert mine[1]["title"] == "Discharge from ICU: Medical Ward A"
        assert mine[2]["title"] == "Admission to ICU: Intensive Care"
        assert mine[3]["title"] == "Admitted to Medical Ward A"

    def test_window_bounds(self, journey):
        from hms.inpatient.timeline_sources import admission_entries

        entries = list(admission_entries(journey.patient, None, at(2, 0), at(5, 0)))
        assert [e.type for e in entries] == ["transfer", "transfer"]
