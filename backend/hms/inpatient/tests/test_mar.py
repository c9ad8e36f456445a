"""Medication administration record: schedule generation from pharmacy prescription items,
recording given / held / refused, and the overdue list per ward."""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hms.core.roles import Role
from hms.core.tests.partial_unique import assert_no_insert, assert_row_locked
from hms.inpatient.mar import dose_times
from hms.inpatient.tests.factories import assign_nurse, prescribe

T = lambda day, hour, minute=0: datetime(2027, 3, day, hour, minute, tzinfo=UTC)  # noqa: E731
DAY = (T(1, 0), T(2, 0))  # Monday 1 March 2027 (hospital time zone UTC in tests)


def _item(frequency="tds", *, start=date(2027, 2, 28), days=5, prescribed=None, status="active"):
    return SimpleNamespace(
        pk=1,
        frequency=frequency,
        start_date=start,
        duration_days=days,
        prescription=SimpleNamespace(
            prescribed_at=prescribed or T(1, 0) - timedelta(days=1), status=status
        ),
    )


def _times(item, *, window=DAY, admitted=None, discharged=None):
    return dose_times(
        item=item,
        window_start=window[0],
        window_end=window[1],
        admitted_at=admitted or T(1, 6),
        discharged_at=discharged,
    )


class TestSchedule:
    @pytest.mark.parametrize(
        ("frequency", "hours"),
        [
            ("od", [8]),
            ("mane", [8]),
            ("nocte", [22]),
            ("bd", [8, 20]),
            ("q12h", [8, 20]),
            ("tds", [8, 14, 22]),
            ("q8h", [6, 14, 22]),
            ("qds", [6, 12, 18, 22]),
            ("q6h", [6, 12, 18]),  # 00:00 was before the 06:00 admission
            ("q4h", [6, 10, 14, 18, 22]),
        ],
    )
    def test_drug_round_times(self, frequency, hours):
        assert _times(_item(frequency)) == [T(1, h) for h in hours]

    def test_no_dose_before_the_prescription(self):
        assert _times(_item(prescribed=T(1, 15))) == [T(1, 22)]

    def test_no_dose_before_admission(self):
        assert _times(_item(), admitted=T(1, 15)) == [T(1, 22)]

    def test_the_course_ends_after_its_duration(self):
        item = _item(start=date(2027, 2, 27), days=3)  # 27, 28 Feb, 1 Mar
        assert _times(item, window=(T(1, 0), T(4, 0))) == [T(1, 8), T(1, 14), T(1, 22)]

    def test_open_ended_and_multi_day(self):
        item = _item("bd", days=None)
        assert _times(item, window=(T(1, 0), T(3, 0))) == [T(1, 8), T(1, 20), T(2, 8), T(2, 20)]

    def test_not_started_yet(self):
        assert _times(_item(start=date(2027, 3, 2), prescribed=T(1, 9))) == []

    def test_stat_is_one_dose_when_prescribed_or_at_admission(self):
        assert _times(_item("stat", prescribed=T(1, 11, 30))) == [T(1, 11, 30)]
        assert _times(_item("stat", prescribed=T(1, 2)), admitted=T(1, 6)) == [T(1, 6)]

    def test_prn_has_no_schedule_and_cancelled_none_at_all(self):
        assert _times(_item("prn")) == []
        assert _times(_item(status="cancelled")) == []

    def test_weekly_on_the_start_weekday(self):
        item = _item("weekly", start=date(2027, 2, 22), days=None)
        assert _times(item, window=(T(1, 0), T(8, 0))) == [T(1, 8)]

    def test_discharge_stops_the_schedule(self):
        assert _times(_item(), discharged=T(1, 13)) == [T(1, 8)]


@pytest.mark.django_db
class TestMarApi:
    def test_the_days_doses_with_their_state(self, early_admission, tds_item, ward_nurse):
        body = ward_nurse.get(f"/api/admissions/{early_admission['id']}/mar/").json()
        assert [i["id"] for i in body["items"]] == [str(tds_item.public_id)]
        assert [(d["scheduled_at"], d["state"]) for d in body["doses"]] == [
            ("2027-03-01T08:00:00Z", "overdue"),
            ("2027-03-01T14:00:00Z", "upcoming"),
            ("2027-03-01T22:00:00Z", "upcoming"),
        ]
        assert body["doses"][0]["dose"] == "500 mg"
        tomorrow = ward_nurse.get(
            f"/api/admissions/{early_admission['id']}/mar/", {"date": "2027-03-02"}
        ).json()
        assert len(tomorrow["doses"]) == 3

    def test_recording_given_held_refused(self, early_admission, tds_item, ward_nurse):
        url = f"/api/admissions/{early_admission['id']}/mar/"
        given = ward_nurse.post(
            url,
            {
                "prescription_item": str(tds_item.public_id),
                "scheduled_at": "2027-03-01T08:00:00Z",
                "status": "given",
            },
        )
        assert given.status_code == 201, given.json()
        assert given.json()["dose"] == "500 mg"
        again = ward_nurse.post(
            url,
            {
                "prescription_item": str(tds_item.public_id),
                "scheduled_at": "2027-03-01T08:00:00Z",
                "status": "refused",
                "reason": "Asleep",
            },
        )
        assert again.status_code == 409 and again.json()["code"] == "dose_already_recorded"
        held = {
            "prescription_item": str(tds_item.public_id),
            "scheduled_at": "2027-03-01T14:00:00Z",
            "status": "held",
        }
        assert ward_nurse.post(url, held).status_code == 400  # reason required
        assert ward_nurse.post(url, {**held, "reason": "Nil by mouth"}).status_code == 201
        off_grid = {**held, "scheduled_at": "2027-03-01T15:00:00Z", "reason": "x"}
        response = ward_nurse.post(url, off_grid)
        assert response.status_code == 400 and response.json()["code"] == "not_a_scheduled_dose"
        states = [d["state"] for d in ward_nurse.get(url).json()["doses"]]
        assert states == ["given", "held", "upcoming"]

    def test_a_voided_record_frees_the_dose(self, early_admission, tds_item, ward_nurse):
        url = f"/api/admissions/{early_admission['id']}/mar/"
        dose = {
            "prescription_item": str(tds_item.public_id),
            "scheduled_at": "2027-03-01T08:00:00Z",
            "status": "given",
        }
        record = ward_nurse.post(url, dose).json()
        voided = ward_nurse.post(f"{url}{record['id']}/void/", {"reason": "Wrong chart"})
        assert voided.status_code == 200 and voided.json()["voided"] is True
        assert ward_nurse.post(url, dose).status_code == 201

    def test_prn_doses_are_recorded_without_a_time_slot(
        self, early_admission, ward_nurse, patient, doctor
    ):
        prn = prescribe(patient=patient, doctor=doctor, frequency="prn", duration_days=None)
        url = f"/api/admissions/{early_admission['id']}/mar/"
        response = ward_nurse.post(
            url, {"prescription_item": str(prn.public_id), "status": "given"}
        )
        assert response.status_code == 201
        slotted = ward_nurse.post(
            url,
            {
                "prescription_item": str(prn.public_id),
                "status": "given",
                "scheduled_at": "2027-03-01T08:00:00Z",
            },
        )
        assert slotted.status_code == 400
        assert len(ward_nurse.get(url).json()["prn"]) == 1

    def test_another_patients_prescription_is_refused(self, early_admission, ward_nurse, doctor):
        from hms.patients.tests.factories import PatientFactory

        other = prescribe(patient=PatientFactory(), doctor=doctor)
        response = ward_nurse.post(
            f"/api/admissions/{early_admission['id']}/mar/",
            {
                "prescription_item": str(other.public_id),
                "scheduled_at": "2027-03-01T08:00:00Z",
                "status": "given",
            },
        )
        assert response.status_code == 400 and "prescription_item" in response.json()["fields"]

    def test_cancelled_prescriptions_leave_the_mar(
        self, early_admission, ward_nurse, patient, doctor
    ):
        prescribe(patient=patient, doctor=doctor, status="cancelled")
        body = ward_nurse.get(f"/api/admissions/{early_admission['id']}/mar/").json()
        assert body["items"] == [] and body["doses"] == []

    def test_pharmacists_and_the_front_desk_have_no_mar(
        self, early_admission, client_for, tds_item
    ):
        for role in (Role.PHARMACIST, Role.RECEPTIONIST):
            client = client_for(role)
            assert client.get(f"/api/admissions/{early_admission['id']}/mar/").status_code == 403
            assert client.get("/api/mar/overdue/").status_code == 403


@pytest.mark.django_db
@pytest.mark.usefixtures("without_partial_indexes")
class TestMarWithoutPartialIndexes:
    """MySQL/MariaDB cannot hold one-record-per-scheduled-dose: doses of an admission are
    recorded one at a time under its row lock, and the service refuses a recorded dose."""

    def test_a_recorded_dose_is_refused_under_the_admission_lock(
        self, early_admission, tds_item, ward_nurse, patient, doctor
    ):
        url = f"/api/admissions/{early_admission['id']}/mar/"
        dose = {
            "prescription_item": str(tds_item.public_id),
            "scheduled_at": "2027-03-01T08:00:00Z",
            "status": "given",
        }
        record = ward_nurse.post(url, dose).json()
        with CaptureQueriesContext(connection) as ctx:
            again = ward_nurse.post(url, {**dose, "status": "refused", "reason": "Asleep"})
        assert again.status_code == 409 and again.json()["code"] == "dose_already_recorded"
        assert_no_insert(ctx, "inpatient_medicationadministration")
        assert_row_locked(ctx, "inpatient_admission")
        ward_nurse.post(f"{url}{record['id']}/void/", {"reason": "Wrong chart"})
        assert ward_nurse.post(url, dose).status_code == 201  # a voided record frees the dose
        prn = prescribe(patient=patient, doctor=doctor, frequency="prn", duration_days=None)
        prn_dose = {"prescription_item": str(prn.public_id), "status": "given"}
        assert [ward_nurse.post(url, prn_dose).status_code for _ in range(2)] == [201, 201]


@pytest.mark.django_db
class TestOverdue:
    def test_overdue_doses_listed_per_ward(
        self, early_admission, tds_item, ward_nurse, ward, patient, doctor_client, client_for
    ):
        body = ward_nurse.get("/api/mar/overdue/", {"ward": str(ward.public_id)}).json()
        assert body["count"] == 1
        row = body["results"][0]
        assert row["patient"]["id"] == str(patient.public_id)
        assert row["scheduled_at"] == "2027-03-01T08:00:00Z" and row["minutes_overdue"] == 120
        assert row["ward"]["id"] == str(ward.public_id) and row["bed"]
        # The attending doctor sees their patients' overdue doses; another doctor none.
        assert doctor_client.get("/api/mar/overdue/").json()["count"] == 1
        assert client_for(Role.DOCTOR).get("/api/mar/overdue/").json()["count"] == 0
        # A nurse from another ward: refused for this ward, nothing without a ward filter.
        stranger = client_for(Role.NURSE)
        forbidden = stranger.get("/api/mar/overdue/", {"ward": str(ward.public_id)})
        assert forbidden.status_code == 403 and forbidden.json()["code"] == "not_your_ward"
        assert stranger.get("/api/mar/overdue/").json()["count"] == 0

    def test_recorded_and_recent_doses_are_not_overdue(
        self, early_admission, tds_item, ward_nurse, frozen_now
    ):
        ward_nurse.post(
            f"/api/admissions/{early_admission['id']}/mar/",
            {
                "prescription_item": str(tds_item.public_id),
                "scheduled_at": "2027-03-01T08:00:00Z",
                "status": "given",
            },
        )
        frozen_now.move_to(T(1, 14, 30))  # the 14:00 dose is due but not yet an hour late
        assert ward_nurse.get("/api/mar/overdue/").json()["count"] == 0
        frozen_now.move_to(T(1, 15, 1))
        assert ward_nurse.get("/api/mar/overdue/").json()["count"] == 1

    def test_query_count_does_not_grow_with_patients(
        self, frozen_now, reception, ward, beds, doctor, ward_nurse
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from hms.inpatient import services
        from hms.inpatient.tests.factories import beds_on
        from hms.patients.tests.factories import PatientFactory

        def add(bed):
            patient = PatientFactory()
            services.admission_admit(
                actor=reception.user,
                patient=patient,
                bed=bed,
                attending_doctor=doctor,
                reason="x",
                admitted_at=T(1, 6),
            )
            prescribe(patient=patient, doctor=doctor, prescribed_at=T(1, 0) - timedelta(days=1))

        def count():
            with CaptureQueriesContext(connection) as ctx:
                response = ward_nurse.get("/api/mar/overdue/", {"page_size": 100})
                assert response.status_code == 200
            return len(ctx.captured_queries), response.json()["count"]

        add(beds[0])
        count()  # warm-up
        one, rows = count()
        assert rows == 1
        for bed in beds_on(ward, 20):
            add(bed)
        # Nurse's wards; active admissions (patient, ward, bed, doctor joined); their
        # prescription items (drug, prescription, prescriber joined); recorded doses; audit.
        assert count() == (one, 21)


def test_assignments_in_the_future_give_no_care_yet(db, make_user, ward):
    from hms.inpatient.selectors import wards_of_nurse_today

    nurse = make_user(Role.NURSE)
    assign_nurse(nurse, ward, starts_on=timezone.localdate() + timedelta(days=3))
    assert not wards_of_nurse_today(nurse=nurse).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "utc_time",
    ["00:10", "01:10"],  # 02:10 local twice: summer time, then winter time after 03:00 CEST
)
def test_a_dose_due_in_the_hour_the_clocks_go_back_can_be_recorded(
    settings, frozen_now, admit, patient, ward, beds, doctor, make_user, client_for, utc_time
):
    settings.TIME_ZONE = "Europe/Berlin"  # 25 October 2026: 03:00 CEST becomes 02:00 CET
    due = datetime.fromisoformat(f"2026-10-25T{utc_time}:00+00:00")
    frozen_now.move_to(due - timedelta(hours=1))
    nurse = make_user(Role.NURSE)
    assign_nurse(nurse, ward)
    ward_nurse = client_for(Role.NURSE, user=nurse)
    admission = admit(patient, beds[0]).json()
    item = prescribe(patient=patient, doctor=doctor, frequency="stat", prescribed_at=due)
    frozen_now.move_to(due + timedelta(minutes=5))
    url = f"/api/admissions/{admission['id']}/mar/"
    (dose,) = ward_nurse.get(url).json()["doses"]
    given = ward_nurse.post(
        url,
        {
            "prescription_item": str(item.public_id),
            "scheduled_at": dose["scheduled_at"],
            "status": "given",
        },
    )
    assert given.status_code == 201, given.json()
    assert datetime.fromisoformat(given.json()["scheduled_at"]) == due
