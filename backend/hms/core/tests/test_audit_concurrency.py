"""Real threads (PostgreSQL, MySQL/MariaDB): concurrent writers append to one unbroken audit
chain (no forks, no gaps)."""

import threading

import pytest
from django.db import connections

from hms.accounts.tests.factories import UserFactory
from hms.core.models import AuditAction, AuditEvent
from hms.core.selectors import audit_chain_verify
from hms.core.services import audit_record

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("require_row_locks"),
]


@pytest.mark.parametrize("shards", [1, 4])
def test_parallel_audit_writes_form_unbroken_chains(settings, shards):
    settings.AUDIT_CHAIN_SHARDS = shards
    actor = UserFactory()
    threads_count = 16
    barrier = threading.Barrier(threads_count)
    errors = []

    def write(i):
        try:
            barrier.wait(timeout=10)
            audit_record(actor=actor, action=AuditAction.READ, resource_type="patient", object_id=i)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors
    per_chain = {}
    for chain, sequence in AuditEvent.objects.values_list("chain", "sequence"):
        per_chain.setdefault(chain, []).append(sequence)
    for sequences in per_chain.values():
        assert sorted(sequences) == list(range(1, len(sequences) + 1))
    report = audit_chain_verify()
    assert report.ok and report.checked == threads_count
