"""Real threads (PostgreSQL, MySQL/MariaDB): concurrent writers append to one unbroken audit
chain (no forks, no gaps)."""

import pytest

from hms.accounts.tests.factories import UserFactory
from hms.core.models import AuditAction, AuditEvent
from hms.core.selectors import audit_chain_verify
from hms.core.services import audit_record
from hms.core.tests.threads import run_at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("require_row_locks"),
]


@pytest.mark.parametrize("shards", [1, 4])
def test_parallel_audit_writes_form_unbroken_chains(settings, shards):
    settings.AUDIT_CHAIN_SHARDS = shards
    actor = UserFactory()
    threads_count = 16

    def write(i):
        audit_record(actor=actor, action=AuditAction.READ, resource_type="patient", object_id=i)

    results = run_at_once(threads_count, write, timeout=30)
    assert not [r for r in results if isinstance(r, Exception)], results
    per_chain = {}
    for chain, sequence in AuditEvent.objects.values_list("chain", "sequence"):
        per_chain.setdefault(chain, []).append(sequence)
    for sequences in per_chain.values():
        assert sorted(sequences) == list(range(1, len(sequences) + 1))
    report = audit_chain_verify()
    assert report.ok and report.checked == threads_count
