from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hms.accounts.tests.factories import UserFactory
from hms.core.models import AuditAction, AuditChainHead, AuditEvent
from hms.core.selectors import audit_chain_verify
from hms.core.services import audit_record
from hms.core.tests.query_budget import AUDIT_WRITE

pytestmark = pytest.mark.django_db


def record_events(n, actor=None):
    actor = actor or UserFactory()
    return [
        audit_record(
            actor=actor,
            action=AuditAction.READ,
            resource_type="patient",
            object_id=f"obj-{i}",
            patient_id=f"p-{i % 3}",
            detail={"i": i, "note": "ünïcode ok"},
        )
        for i in range(n)
    ]


def verify_output() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


class TestChain:
    def test_events_chain_by_hash(self):
        events = record_events(3)
        assert [e.sequence for e in events] == [1, 2, 3]
        assert events[1].prev_hash == events[0].hash
        assert events[2].prev_hash == events[1].hash
        assert len({e.hash for e in events}) == 3
        head = AuditChainHead.objects.get()
        assert (head.last_sequence, head.last_hash) == (3, events[2].hash)

    def test_a_recorded_event_reads_back_exactly_as_written(self):
        # given an event with every kind of value: actor, JSON detail, timestamps, ids
        actor = UserFactory()
        event = audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            resource_type="patient",
            object_id="obj-1",
            patient_id="p-1",
            detail={"nested": {"list": [1, 2.5, None]}, "note": "ünïcode ok"},
        )
        # when it is read back through the ORM
        stored = AuditEvent.objects.get(pk=event.pk)
        # then every column is what the returned event says, and it is not a new object
        for field in AuditEvent._meta.concrete_fields:
            assert getattr(stored, field.attname) == getattr(event, field.attname), field.name
        assert stored.actor == actor and stored.detail["note"] == "ünïcode ok"
        assert event._state.adding is False

    def test_verify_passes_on_an_intact_chain(self):
        record_events(5)
        assert audit_chain_verify().ok
        assert "intact: 5 events" in verify_output()

    def test_verify_reports_the_first_edited_row(self):
        record_events(5)
        # Tamper the way an attacker with database access would: raw SQL, bypassing the ORM.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE core_auditevent SET object_id = %s WHERE sequence = %s", ["forged", 3]
            )
        report = audit_chain_verify()
        assert not report.ok and report.broken_sequence == 3 and report.checked == 2
        with pytest.raises(CommandError, match=r"chain 1 broken at event #3: content does not"):
            verify_output()

    def test_verify_reports_a_deleted_row(self):
        record_events(4)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditevent WHERE sequence = 2")
        report = audit_chain_verify()
        assert not report.ok and report.broken_sequence == 2
        assert "missing" in report.reason

    def test_verify_reports_a_truncated_tail(self):
        record_events(4)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditevent WHERE sequence = 4")
        report = audit_chain_verify()
        assert not report.ok and report.broken_sequence == 4

    def test_verify_reports_a_rehashed_row_whose_successor_no_longer_links(self):
        events = record_events(3)
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditevent SET hash = %s WHERE sequence = 2", ["f" * 64])
        report = audit_chain_verify()
        assert not report.ok and report.broken_sequence == 2
        assert events[0].hash  # first still verified

    def test_orm_refuses_updates_and_deletes(self):
        event = record_events(1)[0]
        with pytest.raises(PermissionError):
            event.save()
        with pytest.raises(PermissionError):
            event.delete()
        with pytest.raises(PermissionError):
            AuditEvent.objects.all().update(object_id="x")
        with pytest.raises(PermissionError):
            AuditEvent.objects.all().delete()

    def test_rolled_back_write_leaves_no_event_and_no_gap(self):
        from django.db import transaction

        record_events(1)
        with pytest.raises(RuntimeError), transaction.atomic():
            record_events(1)
            raise RuntimeError("the write failed")
        record_events(1)
        assert list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True)) == [
            1,
            2,
        ]
        assert audit_chain_verify().ok


class TestShardedChains:
    """Events spread over several chains; each chain is complete and verified on its own."""

    @pytest.fixture(autouse=True)
    def _four_chains(self, settings):
        settings.AUDIT_CHAIN_SHARDS = 4

    def test_events_spread_over_chains_each_gapless(self):
        record_events(60)
        per_chain = {}
        for chain, sequence in AuditEvent.objects.values_list("chain", "sequence"):
            per_chain.setdefault(chain, []).append(sequence)
        assert len(per_chain) > 1
        for sequences in per_chain.values():
            assert sorted(sequences) == list(range(1, len(sequences) + 1))
        report = audit_chain_verify()
        assert report.ok and report.checked == 60

    def test_tampering_in_any_chain_is_found(self):
        record_events(40)
        victim = AuditEvent.objects.filter(sequence=2).order_by("-chain").first()
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE core_auditevent SET outcome = 'denied' WHERE id = %s", [victim.id]
            )
        report = audit_chain_verify()
        assert not report.ok
        assert (report.broken_chain, report.broken_sequence) == (victim.chain, 2)


class TestAuditApi:
    def test_admin_lists_with_filters(self, admin_client):
        actor = UserFactory(username="reader")
        record_events(4, actor=actor)
        body = admin_client.get("/api/audit/", {"actor": "reader"}).json()
        assert body["count"] == 4
        assert body["results"][0]["sequence"] == 4  # newest first
        assert admin_client.get("/api/audit/", {"patient_id": "p-0"}).json()["count"] == 2
        assert admin_client.get("/api/audit/", {"resource_type": "nope"}).json()["count"] == 0
        assert (
            admin_client.get("/api/audit/", {"actor_id": str(actor.public_id)}).json()["count"] == 4
        )

    def test_time_range_filter_and_bad_range(self, admin_client):
        events = record_events(2)
        since = events[1].occurred_at.isoformat()
        assert admin_client.get("/api/audit/", {"since": since}).json()["count"] == 1
        bad = admin_client.get("/api/audit/", {"since": since, "until": since})
        assert bad.status_code == 400 and "until" in bad.json()["fields"]
        assert admin_client.get("/api/audit/", {"since": "yesterday"}).status_code == 400

    def test_query_count_does_not_grow_with_rows(self, admin_client):
        def count():
            with CaptureQueriesContext(connection) as ctx:
                assert admin_client.get("/api/audit/", {"page_size": 100}).status_code == 200
            return len(ctx.captured_queries)

        record_events(1)
        count()  # warm up: the first read's audit event may create its chain's head row
        one = count()
        record_events(50, actor=UserFactory())
        # COUNT(*), the page with actors joined, then the read's own audit event.
        assert count() == one == 2 + AUDIT_WRITE

    def test_no_write_methods(self, admin_client):
        record_events(1)
        assert admin_client.post("/api/audit/", {}).status_code == 405
        assert admin_client.delete("/api/audit/").status_code == 405
        assert AuditEvent.objects.count() == 1

    def test_events_carry_request_id_and_ip(self, admin_client):
        admin_client.post(
            "/api/users/",
            {"username": "x1", "password": "a-long-password-1", "role": "nurse"},
            HTTP_X_REQUEST_ID="req-abc-123",
            REMOTE_ADDR="10.1.2.3",
        )
        event = AuditEvent.objects.get(action="create")
        assert event.request_id == "req-abc-123"
        assert event.ip == "10.1.2.3"
        assert event.actor_role == "admin"
