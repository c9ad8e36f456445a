"""Thin API views: formulary, stock and its ledger, prescriptions, dispensing, alerts."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.core.errors import ApplicationError
from hms.core.pagination import StandardPagination, paginated_response
from hms.core.query_params import query_params
from hms.core.serializers import UserRefSerializer
from hms.core.services import audit_page_read
from hms.patients.serializers import PatientRefSerializer
from hms.pharmacy import safety, selectors, services
from hms.pharmacy.models import (
    DrugForm,
    Frequency,
    MovementKind,
    PrescriptionStatus,
    Route,
)

# --- Shared serializers --------------------------------------------------------------------


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


def _audit_prescription_page(request, response, resource_type="prescription_list") -> None:
    patient_ids = {row["patient"]["id"] for row in response.data.get("results", [])}
    audit_page_read(
        actor=request.user,
        resource_type=resource_type,
        patient_ids=sorted(patient_ids),
        count=response.data.get("count"),
    )


# --- Formulary -------------------------------------------------------------------------------


class DrugInputSerializer(serializers.Serializer):
    generic_name = serializers.CharField(max_length=200)
    brand_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    form = serializers.ChoiceField(choices=DrugForm.choices)
    strength = serializers.CharField(max_length=64)
    route = serializers.ChoiceField(choices=Route.choices, required=False)
    atc_code = serializers.RegexField(
        r"^[A-Za-z](\d{2}([A-Za-z]([A-Za-z](\d{2})?)?)?)?$",
        max_length=7,
        required=False,
        allow_blank=True,
        error_messages={"invalid": "Not an ATC code (e.g. J01CA04)."},
    )
    drug_class = serializers.CharField(max_length=100, required=False, allow_blank=True)
    unit = serializers.CharField(max_length=32, required=False)
    dose_unit = serializers.CharField(max_length=16, required=False)
    strength_amount = serializers.DecimalField(
        max_digits=12, decimal_places=4, min_value=Decimal(0), required=False, allow_null=True
    )
    usual_dose_min = serializers.DecimalField(
        max_digits=12, decimal_places=4, min_value=Decimal(0), required=False, allow_null=True
    )
    usual_dose_max = serializers.DecimalField(
        max_digits=12, decimal_places=4, min_value=Decimal(0), required=False, allow_null=True
    )
    max_daily_dose = serializers.DecimalField(
        max_digits=12, decimal_places=4, min_value=Decimal(0), required=False, allow_null=True
    )
    reorder_level = serializers.IntegerField(min_value=0, max_value=10_000_000, required=False)
    price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal(0), required=False
    )
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False)


class DrugListCreateApi(APIView):
    """The formulary. `?q=` searches generic name, brand and ATC code by prefix."""

    permission_resource = "pharmacy_drugs"
    permission_actions = {"GET": "list", "POST": "create"}

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, allow_blank=True, max_length=100)
        drug_class = serializers.CharField(required=False, max_length=100)
        atc = serializers.CharField(required=False, max_length=7)
        low_stock = serializers.BooleanField(required=False, default=False)
        include_inactive = serializers.BooleanField(required=False, default=False)

    @extend_schema(parameters=[FilterSerializer], responses=DrugOutputSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        return paginated_response(
            queryset=selectors.drug_list(filters=filters),
            serializer_class=DrugOutputSerializer,
            request=request,
            view=self,
        )

    @extend_schema(request=DrugInputSerializer, responses={201: DrugOutputSerializer})
    def post(self, request):
        data = DrugInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        drug = services.drug_create(actor=request.user, **data.validated_data)
        return Response(
            DrugOutputSerializer(selectors.drug_get(public_id=drug.public_id)).data,
            status=status.HTTP_201_CREATED,
        )


class DrugDetailApi(APIView):
    permission_resource = "pharmacy_drugs"
    permission_actions = {"GET": "read", "PATCH": "update"}

    class UpdateSerializer(DrugInputSerializer):
        active = serializers.BooleanField(required=False)

    @extend_schema(responses=DrugOutputSerializer)
    def get(self, request, public_id):
        return Response(DrugOutputSerializer(selectors.drug_get(public_id=public_id)).data)

    @extend_schema(request=UpdateSerializer, responses=DrugOutputSerializer)
    def patch(self, request, public_id):
        drug = selectors.drug_get(public_id=public_id)
        data = self.UpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.drug_update(actor=request.user, drug=drug, **data.validated_data)
        return Response(DrugOutputSerializer(selectors.drug_get(public_id=public_id)).data)


# --- Stock -----------------------------------------------------------------------------------


class ReceiveSerializer(serializers.Serializer):
    drug = serializers.UUIDField()
    lot_number = serializers.CharField(max_length=64)
    expiry_date = serializers.DateField()
    quantity = serializers.IntegerField(min_value=1, max_value=10_000_000)
    unit_cost = serializers.DecimalField(
        max_digits=12, decimal_places=4, min_value=Decimal(0), required=False
    )
    supplier = serializers.CharField(max_length=200, required=False, allow_blank=True)
    location = serializers.CharField(max_length=64, required=False)


def _receive(request, params: dict):
    drug = selectors.drug_get(public_id=params.pop("drug"), include_inactive=False)
    return services.stock_receive(actor=request.user, drug=drug, **params)


class BatchListCreateApi(APIView):
    """Stock batches (FEFO order). POST receives a delivery (a new lot or more of a lot)."""

    permission_resource = "pharmacy_stock"
    permission_actions = {"GET": "list", "POST": "receive"}

    class FilterSerializer(serializers.Serializer):
        drug = serializers.UUIDField(required=False)
        location = serializers.CharField(required=False, max_length=64)
        expiring_within = serializers.IntegerField(required=False, min_value=0, max_value=3650)
        include_empty = serializers.BooleanField(required=False, default=False)

    @extend_schema(parameters=[FilterSerializer], responses=BatchOutputSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        return paginated_response(
            queryset=selectors.batch_list(filters=filters),
            serializer_class=BatchOutputSerializer,
            request=request,
            view=self,
        )

    @extend_schema(request=ReceiveSerializer, responses={201: MovementOutputSerializer})
    def post(self, request):
        data = ReceiveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        movement = _receive(request, dict(data.validated_data))
        return Response(MovementOutputSerializer(movement).data, status=status.HTTP_201_CREATED)


class BatchDetailApi(APIView):
    permission_resource = "pharmacy_stock"
    permission_actions = {"GET": "read"}

    @extend_schema(responses=BatchOutputSerializer)
    def get(self, request, public_id):
        return Response(BatchOutputSerializer(selectors.batch_get(public_id=public_id)).data)


class AdjustSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(
        min_value=-10_000_000, max_value=10_000_000, help_text="Signed change, e.g. -3."
    )
    reason = serializers.CharField(max_length=500)


class WriteOffSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(
        min_value=1, required=False, help_text="Default: everything left in the batch."
    )
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class TransferSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=10_000_000)
    to_location = serializers.CharField(max_length=64)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class BatchAdjustApi(APIView):
    """Correct a batch's quantity (stock-take, damage, loss); a reason is required."""

    permission_resource = "pharmacy_stock"
    permission_actions = {"POST": "adjust"}

    @extend_schema(request=AdjustSerializer, responses={201: MovementOutputSerializer})
    def post(self, request, public_id):
        batch = selectors.batch_get(public_id=public_id)
        data = AdjustSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        movement = services.stock_adjust(actor=request.user, batch=batch, **data.validated_data)
        return Response(MovementOutputSerializer(movement).data, status=status.HTTP_201_CREATED)


class BatchWriteOffApi(APIView):
    """Write off an expired batch (everything left, or `quantity`)."""

    permission_resource = "pharmacy_stock"
    permission_actions = {"POST": "write_off"}

    @extend_schema(request=WriteOffSerializer, responses={201: MovementOutputSerializer})
    def post(self, request, public_id):
        batch = selectors.batch_get(public_id=public_id)
        data = WriteOffSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        movement = services.stock_write_off_expired(
            actor=request.user, batch=batch, **data.validated_data
        )
        return Response(MovementOutputSerializer(movement).data, status=status.HTTP_201_CREATED)


class BatchTransferApi(APIView):
    """Move units of a lot to another location (e.g. a ward's stock)."""

    permission_resource = "pharmacy_stock"
    permission_actions = {"POST": "transfer"}

    @extend_schema(request=TransferSerializer, responses={201: MovementOutputSerializer(many=True)})
    def post(self, request, public_id):
        batch = selectors.batch_get(public_id=public_id)
        data = TransferSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        movements = services.stock_transfer(actor=request.user, batch=batch, **data.validated_data)
        return Response(
            MovementOutputSerializer(movements, many=True).data, status=status.HTTP_201_CREATED
        )


class ReturnSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=10_000_000)
    reason = serializers.CharField(max_length=500)


class DispenseLineReturnApi(APIView):
    """Unused dispensed units handed back: into the batch they came from."""

    permission_resource = "pharmacy_stock"
    permission_actions = {"POST": "return"}

    @extend_schema(request=ReturnSerializer, responses={201: MovementOutputSerializer})
    def post(self, request, public_id):
        line = selectors.dispense_line_get(public_id=public_id)
        data = ReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        movement = services.stock_return(
            actor=request.user, dispense_line=line, **data.validated_data
        )
        return Response(MovementOutputSerializer(movement).data, status=status.HTTP_201_CREATED)


class StockMovementListApi(APIView):
    """The stock ledger, newest first (append-only)."""

    permission_resource = "pharmacy_stock"
    permission_actions = {"GET": "ledger"}

    class FilterSerializer(serializers.Serializer):
        drug = serializers.UUIDField(required=False)
        batch = serializers.UUIDField(required=False)
        kind = serializers.ChoiceField(choices=MovementKind.choices, required=False)
        since = serializers.DateTimeField(required=False)
        until = serializers.DateTimeField(required=False)

    @extend_schema(parameters=[FilterSerializer], responses=MovementOutputSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        return paginated_response(
            queryset=selectors.movement_list(filters=filters),
            serializer_class=MovementOutputSerializer,
            request=request,
            view=self,
        )


class UpdateStockApi(APIView):
    """Compatibility route PUT /api/pharmacy/update-stock/: one stock change of any kind.

    - `receipt`: `drug`, `lot_number`, `expiry_date`, `quantity`, optional `unit_cost`,
      `supplier`, `location`;
    - `adjustment`: `batch`, signed `quantity`, `reason`;
    - `expiry_write_off`: `batch`, optional `quantity`, `reason`;
    - `transfer`: `batch`, `quantity`, `to_location`;
    - `return`: `dispense_line`, `quantity`, `reason`.
    """

    permission_resource = "pharmacy_stock"
    permission_actions = {"PUT": "update"}

    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(
            choices=[k for k in MovementKind.choices if k[0] != MovementKind.DISPENSE]
        )
        drug = serializers.UUIDField(required=False)
        batch = serializers.UUIDField(required=False)
        dispense_line = serializers.UUIDField(required=False)
        lot_number = serializers.CharField(max_length=64, required=False)
        expiry_date = serializers.DateField(required=False)
        quantity = serializers.IntegerField(
            min_value=-10_000_000, max_value=10_000_000, required=False
        )
        unit_cost = serializers.DecimalField(
            max_digits=12, decimal_places=4, min_value=Decimal(0), required=False
        )
        supplier = serializers.CharField(max_length=200, required=False, allow_blank=True)
        location = serializers.CharField(max_length=64, required=False)
        to_location = serializers.CharField(max_length=64, required=False)
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True)

    REQUIRED = {
        MovementKind.RECEIPT: ("drug", "lot_number", "expiry_date", "quantity"),
        MovementKind.ADJUSTMENT: ("batch", "quantity", "reason"),
        MovementKind.EXPIRY_WRITE_OFF: ("batch",),
        MovementKind.TRANSFER: ("batch", "quantity", "to_location"),
        MovementKind.RETURN: ("dispense_line", "quantity", "reason"),
    }

    @extend_schema(request=InputSerializer, responses=MovementOutputSerializer(many=True))
    def put(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = dict(data.validated_data)
        kind = params.pop("kind")
        missing = [name for name in self.REQUIRED[kind] if params.get(name) in (None, "")]
        if missing:
            raise ApplicationError(
                f"A {kind.replace('_', ' ')} needs: {', '.join(missing)}.",
                code="validation_error",
                fields={name: ["This field is required for this kind."] for name in missing},
            )
        user = request.user
        if kind == MovementKind.RECEIPT:
            receipt = {
                k: params[k]
                for k in (
                    "drug",
                    "lot_number",
                    "expiry_date",
                    "quantity",
                    "unit_cost",
                    "supplier",
                    "location",
                )
                if k in params
            }
            movements = [_receive(request, receipt)]
        elif kind == MovementKind.RETURN:
            line = selectors.dispense_line_get(public_id=params["dispense_line"])
            movements = [
                services.stock_return(
                    actor=user,
                    dispense_line=line,
                    quantity=params["quantity"],
                    reason=params["reason"],
                )
            ]
        else:
            batch = selectors.batch_get(public_id=params["batch"])
            if kind == MovementKind.ADJUSTMENT:
                movements = [
                    services.stock_adjust(
                        actor=user,
                        batch=batch,
                        quantity=params["quantity"],
                        reason=params["reason"],
                    )
                ]
            elif kind == MovementKind.EXPIRY_WRITE_OFF:
                movements = [
                    services.stock_write_off_expired(
                        actor=user,
                        batch=batch,
                        quantity=params.get("quantity"),
                        reason=params.get("reason", ""),
                    )
                ]
            else:
                movements = list(
                    services.stock_transfer(
                        actor=user,
                        batch=batch,
                        quantity=params["quantity"],
                        to_location=params["to_location"],
                        reason=params.get("reason", ""),
                    )
                )
        return Response(MovementOutputSerializer(movements, many=True).data)


# --- Prescriptions ---------------------------------------------------------------------------


class ItemInputSerializer(serializers.Serializer):
    drug = serializers.UUIDField()
    dose = serializers.DecimalField(
        max_digits=12, decimal_places=4, min_value=Decimal("0.0001"), max_value=Decimal(10**7)
    )
    dose_unit = serializers.CharField(
        max_length=16, required=False, allow_blank=True, help_text="Default: the drug's."
    )
    route = serializers.ChoiceField(choices=Route.choices, required=False)
    frequency = serializers.ChoiceField(choices=Frequency.choices)
    duration_days = serializers.IntegerField(
        min_value=1, max_value=3650, required=False, allow_null=True
    )
    quantity = serializers.IntegerField(
        min_value=1,
        max_value=100_000,
        required=False,
        allow_null=True,
        help_text="Units to supply; worked out from dose, frequency and duration if omitted.",
    )
    instructions = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    start_date = serializers.DateField(required=False)


class PrescriptionInputSerializer(serializers.Serializer):
    patient = serializers.UUIDField()
    encounter = serializers.UUIDField(required=False, allow_null=True)
    items = ItemInputSerializer(many=True, allow_empty=False, max_length=30)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    override_reason = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        help_text="Required (at least 10 characters) to prescribe despite severe warnings.",
    )


def _resolve_items(items: list[dict]) -> list[dict]:
    """Swap each item's drug id for the Drug (one query)."""
    ids = {item["drug"] for item in items}
    drugs = selectors.drugs_by_public_id(public_ids=ids)
    resolved, errors = [], {}
    for index, item in enumerate(items):
        drug = drugs.get(item["drug"])
        if drug is None:
            errors[index] = {"drug": ["No drug with this id in the formulary."]}
            continue
        resolved.append({**item, "drug": drug})
    if errors:
        raise ApplicationError("Unknown drug.", code="validation_error", fields={"items": errors})
    return resolved


def _resolve_encounter(*, encounter_id, patient):
    from hms.clinical.selectors import encounter_for_patient_field

    return encounter_for_patient_field(patient=patient, encounter_id=encounter_id)


def _create_prescription(request) -> Response:
    data = PrescriptionInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    params = dict(data.validated_data)
    patient = selectors.medications_patient_for_user(
        user=request.user, patient_public_id=params.pop("patient"), purpose="write"
    )
    items = _resolve_items(params.pop("items"))
    encounter = _resolve_encounter(encounter_id=params.pop("encounter", None), patient=patient)
    prescription = services.prescription_create(
        actor=request.user, patient=patient, items=items, encounter=encounter, **params
    )
    prescription = selectors.prescription_get_for_user(
        user=request.user, public_id=prescription.public_id
    )
    return Response(PrescriptionOutputSerializer(prescription).data, status=status.HTTP_201_CREATED)


class PrescriptionSeedCreateApi(APIView):
    """Compatibility route POST /api/pharmacy/prescription/: a doctor prescribes (sent to the
    pharmacy).
    Severe safety warnings answer 409 `safety_override_required` with `extra.warnings` unless
    `override_reason` is given."""

    permission_resource = "prescriptions"
    permission_actions = {"POST": "create"}

    @extend_schema(
        request=PrescriptionInputSerializer, responses={201: PrescriptionOutputSerializer}
    )
    def post(self, request):
        return _create_prescription(request)


class PrescriptionListCreateApi(APIView):
    """Prescriptions scoped to the user (patients: their own; doctors and nurses: written by
    them or of patients in their care; pharmacists: all). `?patient=` opens one chart's."""

    permission_resource = "prescriptions"
    permission_actions = {"GET": "list", "POST": "create"}

    class FilterSerializer(serializers.Serializer):
        patient = serializers.UUIDField(required=False)
        status = serializers.ChoiceField(choices=PrescriptionStatus.choices, required=False)
        mine = serializers.BooleanField(required=False, default=False)
        since = serializers.DateTimeField(required=False)
        until = serializers.DateTimeField(required=False)

    @extend_schema(parameters=[FilterSerializer], responses=PrescriptionOutputSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        params = dict(filters)
        if "patient" in params:
            params["patient_obj"] = selectors.medications_patient_for_user(
                user=request.user, patient_public_id=params.pop("patient")
            )
        response = paginated_response(
            queryset=selectors.prescription_list(user=request.user, filters=params),
            serializer_class=PrescriptionOutputSerializer,
            request=request,
            view=self,
        )
        _audit_prescription_page(request, response)
        return response

    @extend_schema(
        request=PrescriptionInputSerializer, responses={201: PrescriptionOutputSerializer}
    )
    def post(self, request):
        return _create_prescription(request)


class PrescriptionCheckApi(APIView):
    """The safety warnings a prescription would raise, without writing it."""

    permission_resource = "prescriptions"
    permission_actions = {"POST": "check"}

    class OutputSerializer(serializers.Serializer):
        warnings = serializers.JSONField()
        blocked = serializers.BooleanField()

    @extend_schema(request=PrescriptionInputSerializer, responses=OutputSerializer)
    def post(self, request):
        data = PrescriptionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        patient = selectors.medications_patient_for_user(
            user=request.user, patient_public_id=params["patient"], purpose="write"
        )
        items = _resolve_items(params["items"])
        warnings = safety.prescription_safety_warnings(patient=patient, items=items)
        return Response(
            {
                "warnings": [w.as_dict() for w in warnings],
                "blocked": any(w.severity == "severe" for w in warnings),
            }
        )


class PrescriptionDetailApi(APIView):
    permission_resource = "prescriptions"
    permission_actions = {"GET": "read"}

    @extend_schema(responses=PrescriptionDetailOutputSerializer)
    def get(self, request, public_id):
        prescription = selectors.prescription_get_for_user(user=request.user, public_id=public_id)
        return Response(PrescriptionDetailOutputSerializer(prescription).data)


class PrescriptionCancelApi(APIView):
    """Cancel (stop) a prescription with a reason; nothing is removed."""

    permission_resource = "prescriptions"
    permission_actions = {"POST": "cancel"}

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500)

    @extend_schema(request=InputSerializer, responses=PrescriptionOutputSerializer)
    def post(self, request, public_id):
        prescription = selectors.prescription_get_for_user(
            user=request.user, public_id=public_id, purpose="write"
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.prescription_cancel(
            actor=request.user, prescription=prescription, reason=data.validated_data["reason"]
        )
        prescription = selectors.prescription_get_for_user(user=request.user, public_id=public_id)
        return Response(PrescriptionOutputSerializer(prescription).data)


class PrescriptionDispenseApi(APIView):
    """Dispense first-expiry-first-out from non-expired stock: everything left, or
    `items: [{item, quantity}]`. Short stock dispenses what there is (`shortfalls`)."""

    permission_resource = "prescriptions"
    permission_actions = {"POST": "dispense"}

    class LineSerializer(serializers.Serializer):
        item = serializers.UUIDField()
        quantity = serializers.IntegerField(min_value=0, max_value=100_000)

    class InputSerializer(serializers.Serializer):
        items = serializers.ListField(required=False, max_length=30)
        note = serializers.CharField(max_length=1000, required=False, allow_blank=True)

        def validate_items(self, value):
            lines = PrescriptionDispenseApi.LineSerializer(data=value, many=True)
            lines.is_valid(raise_exception=True)
            return lines.validated_data

    class OutputSerializer(serializers.Serializer):
        dispense = DispenseOutputSerializer()
        shortfalls = serializers.JSONField()
        prescription = PrescriptionOutputSerializer()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request, public_id):
        prescription = selectors.prescription_get_for_user(user=request.user, public_id=public_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lines = data.validated_data.get("items")
        quantities = None
        if lines is not None:
            quantities = {}
            for line in lines:
                key = str(line["item"])
                quantities[key] = quantities.get(key, 0) + line["quantity"]
        result = services.prescription_dispense(
            actor=request.user,
            prescription=prescription,
            quantities=quantities,
            note=data.validated_data.get("note", ""),
        )
        dispense = selectors.prescription_dispense_get(prescription=prescription, pk=result.pk)
        prescription = selectors.prescription_get_for_user(user=request.user, public_id=public_id)
        return Response(
            {
                "dispense": DispenseOutputSerializer(dispense).data,
                "shortfalls": result.shortfalls,
                "prescription": PrescriptionOutputSerializer(prescription).data,
            },
            status=status.HTTP_201_CREATED,
        )


class PharmacyWorklistApi(APIView):
    """Compatibility route GET /api/pharmacy/: the pharmacist's worklist of prescriptions to fill,
    oldest first, each item with the units in stock now."""

    permission_resource = "pharmacy_worklist"
    permission_actions = {"GET": "list"}

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(
            choices=[PrescriptionStatus.ACTIVE, PrescriptionStatus.PARTIALLY_DISPENSED],
            required=False,
        )
        patient = serializers.UUIDField(required=False)
        prescriber = serializers.UUIDField(required=False)

    @extend_schema(parameters=[FilterSerializer], responses=PrescriptionOutputSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        response = paginated_response(
            queryset=selectors.pharmacy_worklist(filters=filters),
            serializer_class=PrescriptionOutputSerializer,
            request=request,
            view=self,
        )
        response.data["summary"] = selectors.prescription_status_counts()
        _audit_prescription_page(request, response, resource_type="pharmacy_worklist")
        return response


class PatientMedicationsApi(APIView):
    """The patient's current medications (prescriptions not cancelled, within their
    duration): what the medication administration record starts from."""

    permission_resource = "patient_medications"
    permission_actions = {"GET": "list"}

    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField(source="public_id")
        prescription = serializers.UUIDField(source="prescription.public_id")
        prescription_status = serializers.CharField(source="prescription.status")
        prescriber = UserRefSerializer(source="prescription.prescriber")
        drug = DrugRefSerializer()
        dose = serializers.DecimalField(max_digits=12, decimal_places=4, normalize_output=True)
        dose_unit = serializers.CharField()
        route = serializers.CharField()
        frequency = serializers.CharField()
        frequency_display = serializers.CharField(source="get_frequency_display")
        duration_days = serializers.IntegerField(allow_null=True)
        start_date = serializers.DateField()
        end_date = serializers.DateField(allow_null=True)
        instructions = serializers.CharField()

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request, public_id):
        patient = selectors.medications_patient_for_user(
            user=request.user, patient_public_id=public_id
        )
        items = selectors.active_prescription_items_for_patient(patient)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(items, request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)


class PharmacyAlertsApi(APIView):
    """Low-stock drugs and batches expiring within 90 days (or expired with stock left):
    what the daily task notifies pharmacists of."""

    permission_resource = "pharmacy_alerts"
    permission_actions = {"GET": "list"}

    class FilterSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=["low_stock", "expiring", "expired"], required=False)
        days = serializers.IntegerField(min_value=1, max_value=730, required=False)

    class OutputSerializer(serializers.Serializer):
        kind = serializers.CharField()
        severity = serializers.CharField()
        title = serializers.CharField()
        message = serializers.CharField()
        drug = DrugRefSerializer()
        batch = serializers.SerializerMethodField()
        on_hand = serializers.IntegerField()
        reorder_level = serializers.IntegerField()
        days_to_expiry = serializers.IntegerField(allow_null=True)

        def get_batch(self, alert) -> dict | None:
            batch = alert["batch"]
            if batch is None:
                return None
            return {
                "id": str(batch.public_id),
                "lot_number": batch.lot_number,
                "expiry_date": batch.expiry_date.isoformat(),
                "location": batch.location,
                "quantity": batch.quantity,
            }

    @extend_schema(parameters=[FilterSerializer], responses=OutputSerializer(many=True))
    def get(self, request):
        params = query_params(self.FilterSerializer, request)
        alerts = selectors.stock_alerts(days=params.get("days", selectors.EXPIRY_ALERT_DAYS))
        summary = {"low_stock": 0, "expiring": 0, "expired": 0}
        for alert in alerts:
            summary[alert["kind"]] += 1
        if kind := params.get("kind"):
            alerts = [a for a in alerts if a["kind"] == kind]
        paginator = StandardPagination()
        page = paginator.paginate_queryset(alerts, request, view=self)
        response = paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)
        response.data["summary"] = summary
        return response
