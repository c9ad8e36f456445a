"""Output serializers shared by the pharmacy's API modules."""

from rest_framework import serializers

from hms.core.serializers import UserRefSerializer
from hms.patients.serializers import PatientRefSerializer
from hms.pharmacy import selectors


class DrugRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    generic_name = serializers.CharField()
    brand_name = serializers.CharField()
    strength = serializers.CharField()
    form = serializers.CharField()
    unit = serializers.CharField()


class DrugOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    generic_name = serializers.CharField()
    brand_name = serializers.CharField()
    form = serializers.CharField()
    strength = serializers.CharField()
    route = serializers.CharField()
    atc_code = serializers.CharField()
    drug_class = serializers.CharField()
    unit = serializers.CharField()
    dose_unit = serializers.CharField()
    strength_amount = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    usual_dose_min = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    usual_dose_max = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    max_daily_dose = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    reorder_level = serializers.IntegerField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    active = serializers.BooleanField()
    on_hand = serializers.IntegerField(
        default=None, help_text="Non-expired units at every location."
    )
    on_hand_pharmacy = serializers.IntegerField(
        default=None, help_text="Non-expired units at the dispensing counter."
    )
    low_stock = serializers.SerializerMethodField()

    def get_low_stock(self, drug) -> bool | None:
        on_hand = getattr(drug, "on_hand", None)
        return None if on_hand is None else on_hand < drug.reorder_level


class BatchOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    drug = DrugRefSerializer()
    lot_number = serializers.CharField()
    expiry_date = serializers.DateField()
    location = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_cost = serializers.DecimalField(max_digits=12, decimal_places=4)
    supplier = serializers.CharField()
    received_at = serializers.DateTimeField()


class MovementOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    kind = serializers.CharField()
    quantity = serializers.IntegerField()
    balance_after = serializers.IntegerField()
    reason = serializers.CharField()
    reference = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    batch = serializers.UUIDField(source="batch.public_id")
    lot_number = serializers.CharField(source="batch.lot_number")
    location = serializers.CharField(source="batch.location")
    drug = serializers.UUIDField(source="drug.public_id")
    drug_name = serializers.CharField(source="drug.generic_name")
    dispense = serializers.UUIDField(source="dispense.public_id", default=None)
    actor = UserRefSerializer(allow_null=True)


class ItemOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    drug = DrugRefSerializer()
    dose = serializers.DecimalField(max_digits=12, decimal_places=4, normalize_output=True)
    dose_unit = serializers.CharField()
    route = serializers.CharField()
    frequency = serializers.CharField()
    frequency_display = serializers.CharField(source="get_frequency_display")
    duration_days = serializers.IntegerField(allow_null=True)
    quantity = serializers.IntegerField()
    quantity_dispensed = serializers.IntegerField()
    remaining = serializers.IntegerField()
    instructions = serializers.CharField()
    start_date = serializers.DateField()
    stopped_at = serializers.DateTimeField(
        allow_null=True, help_text="Stopped from the chart: nothing more is dispensed."
    )
    stop_reason = serializers.CharField()
    on_hand = serializers.IntegerField(
        default=None, help_text="Units of this drug the pharmacy can dispense now."
    )


class PrescriptionOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    patient = PatientRefSerializer()
    prescriber = UserRefSerializer()
    encounter_id = serializers.UUIDField(source="encounter.public_id", default=None)
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    prescribed_at = serializers.DateTimeField()
    note = serializers.CharField()
    safety_warnings = serializers.JSONField()
    override_reason = serializers.CharField()
    cancelled_at = serializers.DateTimeField()
    cancel_reason = serializers.CharField()
    items = ItemOutputSerializer(many=True, source="items.all")


class DispenseLineOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    item = serializers.UUIDField(source="item.public_id")
    drug = serializers.CharField(source="item.drug.generic_name")
    batch = serializers.UUIDField(source="batch.public_id")
    lot_number = serializers.CharField(source="batch.lot_number")
    expiry_date = serializers.DateField(source="batch.expiry_date")
    quantity = serializers.IntegerField()
    returned_quantity = serializers.IntegerField()


class DispenseOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    dispensed_at = serializers.DateTimeField()
    dispensed_by = UserRefSerializer()
    note = serializers.CharField()
    lines = DispenseLineOutputSerializer(many=True, source="lines.all")


class PrescriptionDetailOutputSerializer(PrescriptionOutputSerializer):
    dispenses = serializers.SerializerMethodField()

    def get_dispenses(self, prescription) -> list[dict]:
        dispenses = selectors.prescription_dispenses(prescription=prescription)
        return DispenseOutputSerializer(dispenses, many=True).data


class DrugDosePresetOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    label = serializers.CharField()
    dose = serializers.DecimalField(max_digits=12, decimal_places=4)
    dose_unit = serializers.CharField(help_text="Empty: the drug's")
    route = serializers.CharField(help_text="Empty: the drug's")
    frequency = serializers.CharField()
    duration_days = serializers.IntegerField(allow_null=True)
    instructions = serializers.CharField()
    position = serializers.IntegerField()


class DrugSearchOutputSerializer(DrugOutputSerializer):
    presets = DrugDosePresetOutputSerializer(many=True, source="active_presets")
