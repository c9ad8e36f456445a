"""PostgreSQL: one patient cannot hold two overlapping active appointments.

An exclusion constraint over (patient, [start_at, end_at)) for booked, checked-in and
in-progress appointments, so the database itself refuses a double booking of the patient,
however many requests race. It needs btree_gist (for `patient_id WITH =` in a GiST index),
a trusted extension since PostgreSQL 13 that the database owner may create. Other databases
have no exclusion constraints; there the booking service locks the patient row and checks.
"""

from django.db import migrations

CONSTRAINT = "appointment_patient_no_overlap"


def add_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f'ALTER TABLE "appointments_appointment" ADD CONSTRAINT "{CONSTRAINT}" '
        "EXCLUDE USING gist (patient_id WITH =, tstzrange(start_at, end_at) WITH &&) "
        "WHERE (status IN ('booked', 'checked_in', 'in_progress'))"
    )


def drop_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f'ALTER TABLE "appointments_appointment" DROP CONSTRAINT IF EXISTS "{CONSTRAINT}"'
    )


class Migration(migrations.Migration):
    dependencies = [("appointments", "0001_initial")]

    operations = [migrations.RunPython(add_exclusion, drop_exclusion)]
