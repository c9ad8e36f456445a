"""The charge interface: idempotent per source event, priced by the tariff valid that day."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hms.billing import services
from hms.billing.models import Charge, ChargeSource, ChargeStatus, Tariff
from hms.billing.tests.factories import TariffFactory
from hms.core.errors import ApplicationError, ConflictError, NotFoundError
from hms.core.models import AuditEvent
from hms.core.tests.partial_unique import assert_table_locked
from hms.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_posting_the_same_event_twice_gives_one_charge(accountant, patient, xray):
    first = services.charge_post(
        actor=accountant,
        patient=patient,
        source_type=ChargeSource.RADIOLOGY_REPORT,
        source_id="report-1",
        tariff_code="RAD-XR-CHEST",
    )
    again = services.charge_post(
        actor=accountant,
        patient=patient,
        source_type=ChargeSource.RADIOLOGY_REPORT,
        source_id="report-1",
        tariff_code="RAD-XR-CHEST",
    )
    assert again.pk == first.pk
    assert Charge.objects.count() == 1
    assert first.unit_price == Decimal("40.00") and first.description == "Chest X-ray"
    assert AuditEvent.objects.filter(resource_type="billing_charge").count() == 1


def test_same_source_event_for_another_patient_is_refused(accountant, patient, xray):
    kwargs = {"source_type": "radiology_report", "source_id": "r-9", "tariff_code": "RAD-XR-CHEST"}
    services.charge_post(actor=accountant, patient=patient, **kwargs)
    with pytest.raises(ConflictError) as error:
        services.charge_post(actor=accountant, patient=PatientFactory(), **kwargs)
    assert error.value.code == "charge_source_reused"


def test_the_database_refuses_a_duplicate_source_event(accountant, patient, xray):
    from django.db import IntegrityError, transaction

    charge = services.charge_post(
        actor=accountant,
        patient=patient,
        source_type="lab_order",
        source_id="o-1",
        tariff_code="RAD-XR-CHEST",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Charge.objects.create(
            patient=patient,
            source_type="lab_order",
            source_id="o-1",
            description="x",
            unit_price=1,
            occurred_at=charge.occurred_at,
        )


class TestTariffVersions:
    def test_a_new_price_closes_the_old_one_and_old_events_keep_the_old_price(
        self, accountant, patient
    ):
        old = services.tariff_set_price(
            actor=accountant,
            code="proc-suture",
            category="procedure",
            name="Suture",
            price=Decimal("30"),
            valid_from=date(2026, 1, 1),
        )
        new = services.tariff_set_price(
            actor=accountant,
            code="PROC-SUTURE",
            category="procedure",
            name="Suture",
            price=Decimal("35.50"),
            valid_from=date(2027, 1, 1),
        )
        old.refresh_from_db()
        assert old.valid_until == date(2026, 12, 31) and new.valid_until is None
        in_2026 = services.charge_post(
            actor=accountant,
            patient=patient,
            source_type="manual",
            source_id="a",
            tariff_code="PROC-SUTURE",
            occurred_at=datetime(2026, 12, 31, 23, tzinfo=UTC),
            reason="Suture of a cut",
        )
        in_2027 = services.charge_post(
            actor=accountant,
            patient=patient,
            source_type="manual",
            source_id="b",
            tariff_code="PROC-SUTURE",
            occurred_at=datetime(2027, 1, 1, 0, 30, tzinfo=UTC),
            reason="Suture of a cut",
        )
        assert (in_2026.unit_price, in_2026.tariff) == (Decimal("30.00"), old)
        assert (in_2027.unit_price, in_2027.tariff) == (Decimal("35.50"), new)

    def test_a_new_version_must_start_after_the_current_one(self, accountant):
        TariffFactory(code="PROC-X", valid_from=date(2027, 1, 1))
        with pytest.raises(ConflictError) as error:
            services.tariff_set_price(
                actor=accountant,
                code="PROC-X",
                category="procedure",
                name="X",
                price=Decimal(1),
                valid_from=date(2027, 1, 1),
            )
        assert error.value.code == "tariff_version_overlap"

    @pytest.mark.usefixtures("require_partial_indexes")
    def test_one_open_version_per_code_in_the_database(self):
        from django.db import IntegrityError, transaction

        TariffFactory(code="PROC-Y", valid_from=date(2027, 1, 1))
        with pytest.raises(IntegrityError), transaction.atomic():
            TariffFactory(code="PROC-Y", valid_from=date(2027, 2, 1))

    @pytest.mark.usefixtures("without_partial_indexes")
    def test_without_partial_indexes_price_setters_queue_on_the_table_lock(self, accountant):
        """MySQL/MariaDB cannot hold one-open-version-per-code, and a code's first version has
        no row to lock: price setters queue on the tariff table's lock, then read the code's
        versions, so each new version still closes the open one."""
        with CaptureQueriesContext(connection) as ctx:
            first = services.tariff_set_price(
                actor=accountant,
                code="PROC-NEW",
                category="procedure",
                name="New procedure",
                price=Decimal("10"),
                valid_from=date(2027, 1, 1),
            )
        assert_table_locked(ctx, "tariff")
        services.tariff_set_price(
            actor=accountant,
            code="PROC-NEW",
            category="procedure",
            name="New procedure",
            price=Decimal("12"),
            valid_from=date(2027, 6, 1),
        )
        first.refresh_from_db()
        assert first.valid_until == date(2027, 5, 31)
        assert Tariff.objects.filter(code="PROC-NEW", valid_until__isnull=True).count() == 1

    def test_no_tariff_that_day_is_404(self, accountant, patient):
        TariffFactory(code="PROC-Z", valid_from=date(2027, 6, 1))
        with pytest.raises(NotFoundError) as error:
            services.charge_post(
                actor=accountant,
                patient=patient,
                source_type="manual",
                source_id="z",
                tariff_code="PROC-Z",
                occurred_at=datetime(2027, 5, 1, tzinfo=UTC),
                reason="too early",
            )
        assert error.value.code == "no_tariff"
        assert Tariff.objects.count() == 1


class TestManualCharges:
    def test_needs_a_reason(self, accountant, patient):
        with pytest.raises(ApplicationError) as error:
            services.charge_post_manual(
                actor=accountant,
                patient=patient,
                reason=" ",
                description="Dressing",
                unit_price=Decimal(5),
            )
        assert error.value.code == "reason_required"

    def test_idempotency_key_makes_a_retry_post_once(self, accountant, patient):
        kwargs = {
            "actor": accountant,
            "patient": patient,
            "reason": "Dressing changed",
            "description": "Dressing",
            "unit_price": Decimal(5),
            "idempotency_key": "k-1",
        }
        assert services.charge_post_manual(**kwargs) == services.charge_post_manual(**kwargs)
        assert Charge.objects.count() == 1

    def test_void_only_when_unbilled(self, accountant, patient, post):
        charge = post(patient)
        services.charge_void(actor=accountant, charge=charge, reason="Posted twice")
        charge.refresh_from_db()
        assert charge.status == ChargeStatus.VOID and charge.void_reason == "Posted twice"
        with pytest.raises(ConflictError):
            services.charge_void(actor=accountant, charge=charge, reason="Again")
