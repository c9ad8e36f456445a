"""Imaging orders: placing them and their status flow (scheduled, started, completed, cancelled)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.accounts.selectors import doctor_user_for_optional_field
from hms.clinical.selectors import encounter_for_patient_field
from hms.core.errors import ApplicationError
from hms.core.pagination import audit_page, paginated_response
from hms.core.query_params import query_params
from hms.radiology import selectors, services
from hms.radiology.apis.common import (
    OrderDetailOutputSerializer,
    OrderFilterSerializer,
    OrderOutputSerializer,
    order_detail_data,
    order_response,
)
from hms.radiology.models import Laterality, Priority


class OrderInputSerializer(serializers.Serializer):
    patient = serializers.UUIDField()
    procedure = serializers.UUIDField(help_text="An active procedure of the catalogue")
    clinical_indication = serializers.CharField(max_length=2000)
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.ROUTINE)
    laterality = serializers.ChoiceField(
        choices=Laterality.choices, required=False, allow_blank=True, default=""
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    ordering_doctor = serializers.UUIDField(
        required=False, help_text="Required unless a doctor orders (in their own name)."
    )
    encounter = serializers.UUIDField(required=False, allow_null=True)


def order_create_response(request):
    data = OrderInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    params = dict(data.validated_data)
    patient = selectors.radiology_patient_for_user(
        user=request.user, patient_public_id=params.pop("patient"), purpose="write"
    )
    procedure = selectors.imaging_procedure_find(public_id=params.pop("procedure"))
    if procedure is None:
        raise ApplicationError(
            "No such imaging procedure.",
            code="validation_error",
            fields={"procedure": ["No such procedure."]},
        )
    doctor = doctor_user_for_optional_field(
        public_id=params.pop("ordering_doctor", None) or None, field="ordering_doctor"
    )
    encounter = encounter_for_patient_field(
        patient=patient, encounter_id=params.pop("encounter", None)
    )
    order = services.imaging_order_create(
        actor=request.user,
        patient=patient,
        procedure=procedure,
        ordering_doctor=doctor,
        encounter=encounter,
        **params,
    )
    return order_response(request=request, order=order, code=status.HTTP_201_CREATED)


class ImagingOrderListCreateApi(APIView):
    """Imaging orders the user may see: radiologists all, patients their own, doctors the ones
    they placed and their patients', nurses their patients'. POST = /api/radiology/request/."""

    permission_resource = "imaging_orders"
    permission_actions = {"GET": "list", "POST": "create"}

    @extend_schema(parameters=[OrderFilterSerializer], responses=OrderOutputSerializer(many=True))
    def get(self, request):
        response = paginated_response(
            queryset=selectors.imaging_order_list(
                user=request.user, filters=query_params(OrderFilterSerializer, request)
            ),
            serializer_class=OrderOutputSerializer,
            request=request,
            view=self,
        )
        audit_page(request, response, "imaging_order_list")
        return response

    @extend_schema(request=OrderInputSerializer, responses={201: OrderDetailOutputSerializer})
    def post(self, request):
        return order_create_response(request)


class RadiologyWorklistApi(APIView):
    """GET /api/radiology/ (named in the product brief): the radiologist's worklist — open
    orders (or `?status=`), STAT first, then urgent, then routine; filters modality, priority,
    dates, `q`."""

    permission_resource = "radiology_worklist"
    permission_actions = {"GET": "list"}

    @extend_schema(parameters=[OrderFilterSerializer], responses=OrderOutputSerializer(many=True))
    def get(self, request):
        response = paginated_response(
            queryset=selectors.radiology_worklist(
                filters=query_params(OrderFilterSerializer, request)
            ),
            serializer_class=OrderOutputSerializer,
            request=request,
            view=self,
        )
        audit_page(request, response, "radiology_worklist")
        return response


class ImagingOrderDetailApi(APIView):
    """One order with its images and reports (drafts for radiologists only; a patient sees
    images and the report once it is final)."""

    permission_resource = "imaging_orders"
    permission_actions = {"GET": "read"}

    @extend_schema(responses=OrderDetailOutputSerializer)
    def get(self, request, public_id):
        order = selectors.imaging_order_get_for_user(user=request.user, public_id=public_id)
        return Response(order_detail_data(user=request.user, order=order))


class ImagingOrderScheduleApi(APIView):
    permission_resource = "imaging_orders"
    permission_actions = {"POST": "schedule"}

    class InputSerializer(serializers.Serializer):
        scheduled_at = serializers.DateTimeField()

    @extend_schema(request=InputSerializer, responses=OrderDetailOutputSerializer)
    def post(self, request, public_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = selectors.imaging_order_get_for_user(
            user=request.user, public_id=public_id, purpose="write"
        )
        order = services.imaging_order_schedule(
            actor=request.user, order=order, scheduled_at=data.validated_data["scheduled_at"]
        )
        return order_response(request=request, order=order)


def _status_action(action: str, service):
    class StatusActionApi(APIView):
        permission_resource = "imaging_orders"
        permission_actions = {"POST": action}

        @extend_schema(request=None, responses=OrderDetailOutputSerializer)
        def post(self, request, public_id):
            order = selectors.imaging_order_get_for_user(
                user=request.user, public_id=public_id, purpose="write"
            )
            order = service(actor=request.user, order=order)
            return order_response(request=request, order=order)

    StatusActionApi.__name__ = StatusActionApi.__qualname__ = f"ImagingOrder{action.title()}Api"
    return StatusActionApi


ImagingOrderStartApi = _status_action("start", services.imaging_order_start)
ImagingOrderCompleteApi = _status_action("complete", services.imaging_order_complete)


class ImagingOrderCancelApi(APIView):
    permission_resource = "imaging_orders"
    permission_actions = {"POST": "cancel"}

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=1000)

    @extend_schema(request=InputSerializer, responses=OrderDetailOutputSerializer)
    def post(self, request, public_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = selectors.imaging_order_get_for_user(
            user=request.user, public_id=public_id, purpose="write"
        )
        order = services.imaging_order_cancel(
            actor=request.user, order=order, reason=data.validated_data["reason"]
        )
        return order_response(request=request, order=order)
