"""Query costs other apps' query-count tests build on, so they change in one place."""

# One audit event: SELECT the chain head FOR UPDATE, INSERT the event, UPDATE the head.
# (audit_record uses no savepoint, so inside a test's transaction there is nothing more.)
AUDIT_WRITE = 3
