"""Every inpatient list costs the same number of queries for 1 row and for 50.

(The admission list, the bed board, the observation chart and the overdue MAR list have their
own tests beside their features.)"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hms.core.roles import Role
from hms.inpatient import services
from hms.inpatient.tests.factories import RoomFactory, WardFactory, assign_nurse, beds_on
from hms.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _flat(client, url, add, *, expected_rows=50):
    """`add(n)` creates n more rows; the count of queries for 1 row and for 50 is equal."""

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, {"page_size": 100})
            assert response.status_code == 200, response.json()
        return len(ctx.captured_queries), response.json()["count"]

    add(1)
    count()  # warm-up: the first audit event creates its chain head
    one, rows = count()
    assert rows == 1
    add(expected_rows - 1)
    assert count() == (one, expected_rows)


def test_ward_list(admin_client):
    _flat(admin_client, "/api/wards/", lambda n: [beds_on(WardFactory(), 2) for _ in range(n)])


def test_bed_list(admin_client):
    ward = WardFactory()
    # COUNT, the page with ward and room joined.
    _flat(admin_client, "/api/beds/", lambda n: beds_on(ward, n, room=RoomFactory(ward=ward)))


def test_room_list(admin_client):
    ward = WardFactory()
    _flat(
        admin_client,
        f"/api/wards/{ward.public_id}/rooms/",
        lambda n: [beds_on(ward, 1, room=RoomFactory(ward=ward)) for _ in range(n)],
    )


def test_nurse_assignment_list(admin_client, make_user):
    ward = WardFactory()
    _flat(
        admin_client,
        f"/api/wards/{ward.public_id}/nurses/",
        lambda n: [assign_nurse(make_user(Role.NURSE), ward) for _ in range(n)],
    )


def test_icu_list(client_for, icu, doctor):
    reception = client_for(Role.RECEPTIONIST)
    nurse = client_for(Role.NURSE)
    assign_nurse(nurse.user, icu)

    def add(n):
        for bed in beds_on(icu, n, room=RoomFactory(ward=icu)):
            admission = services.admission_admit(
                actor=reception.user,
                patient=PatientFactory(),
                bed=bed,
                attending_doctor=doctor,
                reason="x",
            )
            services.gcs_record(actor=nurse.user, admission=admission, eye=4, verbal=5, motor=6)

    # COUNT, the page (relations joined, latest NEWS2 / GCS / ICU stay as subqueries), audit.
    _flat(reception, "/api/icu/", add)


@pytest.mark.parametrize(
    ("path", "record"),
    [
        (
            "fluids",
            lambda s, u, a: s.fluid_record(
                actor=u, admission=a, direction="in", kind="iv", volume_ml=100
            ),
        ),
        ("gcs", lambda s, u, a: s.gcs_record(actor=u, admission=a, eye=4, verbal=5, motor=6)),
        ("nursing-notes", lambda s, u, a: s.nursing_note_create(actor=u, admission=a, text="ok")),
    ],
)
def test_chart_lists(admitted, ward_nurse, path, record):
    from hms.inpatient.models import Admission

    admission = Admission.objects.get(public_id=admitted["id"])
    _flat(
        ward_nurse,
        f"/api/admissions/{admitted['id']}/{path}/",
        lambda n: [record(services, ward_nurse.user, admission) for _ in range(n)],
    )
