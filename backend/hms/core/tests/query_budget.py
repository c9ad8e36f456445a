"""Query costs other apps' query-count tests build on, so they change in one place."""

from django.db import connection

# One audit event on PostgreSQL: advance the chain head (UPDATE ... RETURNING, which locks it),
# then INSERT the event and UPDATE the head in one statement. Elsewhere: SELECT the head FOR
# UPDATE, INSERT the event, UPDATE the head.
# (audit_record uses no savepoint, so inside a test's transaction there is nothing more.)
AUDIT_WRITE = 2 if connection.vendor == "postgresql" else 3
