"""hms.core.locks: the row locks that keep partial unique rules on MySQL/MariaDB, and locking
get-or-create without InnoDB's creation deadlock. (The real races run with threads in each
app's concurrency tests, on PostgreSQL and on MySQL/MariaDB.)"""

from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import UniqueConstraint
from django.test.utils import CaptureQueriesContext

from hms.core.locks import (
    lock_or_create,
    partial_unique_lock,
    partial_unique_lock_table,
)
from hms.core.models import AuditChainHead
from hms.core.tests.partial_unique import assert_row_locked, assert_table_locked

pytestmark = pytest.mark.django_db

HMS_DIR = Path(__file__).resolve().parents[2]

# Every UniqueConstraint(condition=...) of the project and how its rule is kept where the
# database cannot hold it (MySQL/MariaDB): the row the writers lock, and the test running the
# service that way (fixture without_partial_indexes), or None where the service checks the rule
# under that lock on every database anyway.
GUARDED = {
    "telemedicine.Conversation.conversation_one_chart_per_pair": (
        "the patient",
        "telemedicine/tests/test_services.py::"
        "test_without_partial_indexes_the_pair_still_gets_one_chart_conversation",
    ),
    "accounts.DoctorProfile.doctor_license_unique": (
        "the doctor profile table",
        "accounts/tests/test_apis_doctors.py::TestLicenceWithoutPartialIndexes",
    ),
    "appointments.Appointment.appointment_one_active_per_slot": (
        "the doctor's schedule",
        "appointments/tests/test_booking_api.py::TestWithoutPartialIndexes",
    ),
    "billing.InsuranceClaim.claim_one_live_per_invoice": ("the invoice", None),
    # Only an unbilled charge gets a line, and it turns invoiced in the same transaction.
    "billing.InvoiceLine.invoice_line_one_live_per_charge": ("the charges", None),
    "billing.Tariff.tariff_one_open": (
        "the tariff table, then the code's versions",
        "billing/tests/test_charges.py::"
        "test_without_partial_indexes_price_setters_queue_on_the_table_lock",
    ),
    "clinical.Problem.problem_one_active_per_code": (
        "the patient",
        "clinical/tests/test_services.py::TestProblemsWithoutPartialIndexes",
    ),
    "core.Notification.notification_dedupe": (
        "the recipient",
        "core/tests/test_notifications.py::"
        "test_dedupe_without_partial_indexes_locks_the_recipient_and_finds_the_first",
    ),
    "inpatient.Admission.admission_one_active_per_bed": (
        "the bed",
        "inpatient/tests/test_admissions.py::TestWithoutPartialIndexes",
    ),
    "inpatient.Admission.admission_one_active_per_patient": (
        "the patient",
        "inpatient/tests/test_admissions.py::test_a_second_admission_of_the_patient_is_refused",
    ),
    # A transfer closes the open stay under the admission's lock; admitting opens the first.
    "inpatient.BedStay.stay_one_open_per_admission": ("the admission", None),
    "inpatient.BedStay.stay_one_open_per_bed": (
        "the bed",
        "inpatient/tests/test_admissions.py::test_a_transfer_onto_a_held_bed_is_refused",
    ),
    "inpatient.MedicationAdministration.mar_one_record_per_dose": (
        "the admission",
        "inpatient/tests/test_mar.py::TestMarWithoutPartialIndexes",
    ),
    "laboratory.LabOrder.laborder_filler_number_unique": (
        "the lab order table",
        "laboratory/tests/test_hl7.py::test_filler_number_without_partial_indexes",
    ),
    # Result entry, verification and amendment all run under the order's lock.
    "laboratory.LabResult.labresult_one_current": ("the order", None),
    "laboratory.LabResult.labresult_one_pending": ("the order", None),
    "laboratory.LabVerifierGrant.one_active_grant": ("the technician", None),
    "patients.Allergy.allergy_one_live_per_substance": (
        "the patient",
        "patients/tests/test_apis_records.py::TestAllergiesWithoutPartialIndexes",
    ),
    "patients.CareAssignment.assignment_one_active_per_pair": (
        "the patient",
        "patients/tests/test_apis_doctors.py::test_assignment_without_partial_indexes",
    ),
    "radiology.ImagingReport.imaging_one_report_per_order": ("the order", None),
}


def test_every_partial_unique_constraint_is_kept_without_partial_indexes():
    found = {
        f"{model._meta.label}.{constraint.name}"
        for model in apps.get_models()
        for constraint in model._meta.constraints
        if isinstance(constraint, UniqueConstraint) and constraint.condition is not None
    }
    assert found - set(GUARDED) == set(), (
        "MySQL/MariaDB cannot create these partial unique constraints: make the services that "
        "write them lock a shared row and check the rule (hms.core.locks), test that with the "
        "without_partial_indexes fixture, and list them in GUARDED"
    )
    assert set(GUARDED) - found == set(), "no longer partial unique constraints: remove them"
    for _, test in GUARDED.values():
        if test is not None:
            path, name = test.split("::")
            source = (HMS_DIR / path).read_text()
            assert f"def {name}(" in source or f"class {name}:" in source, test


def test_with_partial_indexes_nothing_is_locked(make_user):
    if not connection.features.supports_partial_indexes:
        pytest.skip(f"{connection.display_name} has no partial indexes")
    user = make_user()
    with CaptureQueriesContext(connection) as ctx:
        assert partial_unique_lock(type(user).objects.filter(pk=user.pk)) is False
        assert partial_unique_lock_table(AuditChainHead) is False
    assert ctx.captured_queries == []


@pytest.mark.usefixtures("without_partial_indexes")
def test_without_partial_indexes_the_rows_or_the_table_are_locked(make_user):
    user = make_user()
    with CaptureQueriesContext(connection) as ctx:
        assert partial_unique_lock(type(user).objects.filter(pk=user.pk)) is True
    assert_row_locked(ctx, "accounts_user")
    with CaptureQueriesContext(connection) as ctx:
        assert partial_unique_lock_table(AuditChainHead) is True
    assert_table_locked(ctx, "auditchainhead")


class TestLockOrCreate:
    def test_it_is_get_or_create(self):
        head, created = lock_or_create(AuditChainHead.objects, id=60, defaults={"last_sequence": 7})
        assert created and head.last_sequence == 7
        again, created = lock_or_create(AuditChainHead.objects, id=60)
        assert not created and again.pk == head.pk

    def test_on_mysql_a_creator_queues_on_the_table_lock_and_looks_again(self, monkeypatch):
        """InnoDB: racing duplicate INSERTs keep shared locks that then deadlock, so on MySQL
        and MariaDB only one creator at a time gets to the INSERT."""
        monkeypatch.setattr(connection, "vendor", "mysql")
        ContentType.objects.get_for_model(AuditChainHead)  # as a running server has it cached
        with CaptureQueriesContext(connection) as ctx:
            head, created = lock_or_create(AuditChainHead.objects, id=61)
        assert created and AuditChainHead.objects.filter(pk=61).count() == 1
        tables = [q["sql"].split(" FROM ")[1].split()[0] for q in ctx.captured_queries[:3]]
        assert tables == [
            connection.ops.quote_name(t)
            for t in ("core_auditchainhead", "django_content_type", "core_auditchainhead")
        ]  # look, queue, look again
        assert_table_locked(ctx, "auditchainhead")
        with CaptureQueriesContext(connection) as ctx:
            again, created = lock_or_create(AuditChainHead.objects, id=61)
        assert not created and again.pk == head.pk
        assert len(ctx.captured_queries) == 1  # an existing row is just locked
