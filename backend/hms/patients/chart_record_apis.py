"""One base for the API views of chart records: list/create, read/update/void, void.

A chart record is a row of a patient's chart (a visit note, vitals, a diagnosis, an allergy, an
insurance policy, a nursing observation...). It is never deleted: it is voided with a reason and
stays in the chart, marked; lists hide voided records unless asked.

A view names what it serves; the base does the rest (the order of checks, the 201 on create,
pagination, the OpenAPI description of every method it inherits; a method the view writes itself
is described by its own extend_schema):

    class AllergyListCreateApi(PatientChartRecordApi, ChartRecordListCreateApi):
        permission_resource = "patient_allergies"      # the permission table's resource
        section = ChartSection.ALLERGIES               # (patient charts) the section used
        filter_serializer = ChartRecordFilterSerializer
        input_serializer = PatientAllergyInputSerializer
        output_serializer = PatientAllergyOutputSerializer
        list_selector = staticmethod(selectors.allergy_list)
        create_service = staticmethod(services.allergy_create)

The views, each an APIView with the permission actions its methods usually need:

- ChartRecordListCreateApi: GET lists (`list_selector`), POST creates (`create_service`).
- ChartRecordUpdateApi: PATCH changes some fields (`update_service`).
- ChartRecordDetailApi: GET reads, PATCH changes, DELETE voids (reason in the body or ?reason=).
- ChartRecordVoidApi: POST {reason} voids (`void_service`).

Records are found with `record_selector(**chart, <record_lookup>=<URL kwarg record_id_kwarg>)`
and handed to `update_service`/`void_service` as the keyword `record_name`
(`allergy_update(actor=..., allergy=record, **data)`).

Where the records hang is the one thing every family of views says in code, by implementing
`chart()`: it checks the user may use that chart for `purpose` ("read" or "write"; checked and
audited by the selectors it calls) and returns the keyword arguments naming the chart for the
selectors and services. PatientChartRecordApi serves routes under `patients/<public_id>/` (the
chart section `section`); the clinical record routes (hms.clinical.apis.base), which name the
patient in the query or body, return `{"user": request.user, "purpose": purpose}` and leave the
access check to their selectors. The inpatient charts' family (records hanging on an admission,
hms.inpatient.apis.common.AdmissionChartRecordApi) writes:

    class AdmissionChartRecordApi(ChartRecordApi):
        permission_resource = "inpatient_charts"
        section = ChartSection.CLINICAL
        record_id_kwarg = "entry_id"

        def chart(self, request, purpose, **url_kwargs):
            return {"admission": admission_for(request, url_kwargs["public_id"],
                                               section=self.section, purpose=purpose)}

    class FluidListCreateApi(AdmissionChartRecordApi, ChartRecordListCreateApi):
        permission_actions = {"GET": "read", "POST": "create"}   # when the table differs
        filter_serializer = ChartFilterSerializer
        input_serializer = FluidInputSerializer
        output_serializer = FluidOutputSerializer
        list_selector = staticmethod(selectors.fluid_list)
        create_service = staticmethod(services.fluid_record)

The other hooks have working defaults a family may override: `list_arguments` (default: the
chart and the validated filters as keywords), `create_arguments` (the chart and the validated
body), `update_arguments` (the validated body), `get_record`, `void_reason` (the body's
`reason`, checked by `void_input_serializer`), `void_record`, `void_purpose` ("write"). The
service and selector functions are class attributes, so wrap them in staticmethod(). Checks run
in this order: list: filters, chart; create: chart, body, service; update: chart and record,
voided (409 when `refuse_voided_update`), body, service; void: chart, reason, record, service.
"""

import abc
from collections.abc import Callable
from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.core.errors import ApplicationError
from hms.core.pagination import paginated_response
from hms.core.query_params import query_params
from hms.patients.access import ChartSection, patient_get_for_user


class ChartRecordVoidInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ChartRecordFilterSerializer(serializers.Serializer):
    include_voided = serializers.BooleanField(required=False, default=False)


def _described(method: Callable, **schema) -> Callable:
    """A copy of a base view method with this view's OpenAPI description (extend_schema marks
    the function it decorates, so every view needs its own)."""

    def view_method(self, request, **url_kwargs):
        return method(self, request, **url_kwargs)

    view_method.__name__ = view_method.__qualname__ = method.__name__
    view_method.__doc__ = method.__doc__
    return extend_schema(**schema)(view_method)


class ChartRecordApi(APIView, abc.ABC):
    # What every chart-record view shares; use one of the four views below. (No docstring: it
    # would become the OpenAPI description of the views that have none.)

    output_serializer: ClassVar[type[serializers.Serializer]]
    input_serializer: ClassVar[type[serializers.Serializer] | None] = None
    void_input_serializer: ClassVar[type[serializers.Serializer]] = ChartRecordVoidInputSerializer
    record_selector: ClassVar[Callable[..., Any]]
    record_id_kwarg: ClassVar[str] = "record_id"
    record_lookup: ClassVar[str] = "public_id"
    record_name: ClassVar[str] = "record"
    update_service: ClassVar[Callable[..., Any]]
    void_service: ClassVar[Callable[..., Any]]
    # Refuse (409) to change a voided record in the view; False when the service refuses it.
    refuse_voided_update: ClassVar[bool] = False

    # The OpenAPI description of each method, given this view's serializers.
    schema_of: ClassVar[dict[str, Callable[[type["ChartRecordApi"]], dict]]] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not hasattr(cls, "output_serializer"):
            return
        for method_name, schema in cls.schema_of.items():
            # A method the view writes itself carries its own description (extend_schema).
            if method_name in cls.__dict__:
                continue
            method = getattr(cls, method_name, None)
            if method is not None:
                setattr(cls, method_name, _described(method, **schema(cls)))

    @abc.abstractmethod
    def chart(self, request, purpose: str, **url_kwargs) -> dict[str, Any]:
        """Check the user may use the chart the URL names for `purpose`; return the keyword
        arguments that name it to the selectors and services."""

    def void_purpose(self, request) -> str:
        """The purpose the chart is opened for to void a record."""
        return "write"

    def get_record(self, request, chart: dict[str, Any], **url_kwargs):
        return self.record_selector(
            **chart, **{self.record_lookup: url_kwargs[self.record_id_kwarg]}
        )

    def find_record(self, request, purpose: str, **url_kwargs):
        chart = self.chart(request, purpose, **url_kwargs)
        return self.get_record(request, chart, **url_kwargs)

    def respond(self, record, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(self.output_serializer(record).data, status=status_code)

    # Update

    def update_arguments(self, request, record, data: dict[str, Any]) -> dict[str, Any]:
        return data

    def update(self, request, **url_kwargs):
        record = self.find_record(request, "write", **url_kwargs)
        if self.refuse_voided_update and record.is_voided:
            raise ApplicationError(
                "A voided record cannot be changed.", code="record_voided", status=409
            )
        data = self.input_serializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        record = self.update_service(
            actor=request.user,
            **{self.record_name: record},
            **self.update_arguments(request, record, dict(data.validated_data)),
        )
        return self.respond(record)

    # Void

    def void_reason(self, request) -> str:
        data = self.void_input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data["reason"]

    def void_record(self, request, record, reason: str):
        return self.void_service(actor=request.user, **{self.record_name: record}, reason=reason)

    def void(self, request, **url_kwargs):
        chart = self.chart(request, self.void_purpose(request), **url_kwargs)
        reason = self.void_reason(request)
        record = self.get_record(request, chart, **url_kwargs)
        return self.respond(self.void_record(request, record, reason))


class ChartRecordListCreateApi(ChartRecordApi):
    """GET: the chart's records (`?include_voided=true` to see voided ones). POST: add one."""

    permission_actions = {"GET": "list", "POST": "create"}
    filter_serializer: ClassVar[type[serializers.Serializer]] = ChartRecordFilterSerializer
    list_selector: ClassVar[Callable[..., Any]]
    create_service: ClassVar[Callable[..., Any]]
    schema_of = {
        "get": lambda cls: {
            "parameters": [cls.filter_serializer],
            "responses": cls.output_serializer(many=True),
        },
        "post": lambda cls: {
            "request": cls.input_serializer,
            "responses": {201: cls.output_serializer},
        },
    }

    def list_arguments(self, request, chart: dict[str, Any], filters: dict) -> dict[str, Any]:
        return {**chart, **filters}

    def create_arguments(self, request, chart: dict[str, Any], data: dict) -> dict[str, Any]:
        return {**chart, **data}

    def get(self, request, **url_kwargs):
        filters = query_params(self.filter_serializer, request)
        chart = self.chart(request, "read", **url_kwargs)
        return paginated_response(
            queryset=self.list_selector(**self.list_arguments(request, chart, filters)),
            serializer_class=self.output_serializer,
            request=request,
            view=self,
        )

    def post(self, request, **url_kwargs):
        chart = self.chart(request, "write", **url_kwargs)
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = self.create_service(
            actor=request.user,
            **self.create_arguments(request, chart, dict(data.validated_data)),
        )
        return self.respond(record, status.HTTP_201_CREATED)


class ChartRecordUpdateApi(ChartRecordApi):
    """PATCH: change some fields of one record."""

    permission_actions = {"PATCH": "update"}
    schema_of = {
        "patch": lambda cls: {"request": cls.input_serializer, "responses": cls.output_serializer}
    }

    def patch(self, request, **url_kwargs):
        return self.update(request, **url_kwargs)


class ChartRecordDetailApi(ChartRecordApi):
    """GET: one record. PATCH: change some fields. DELETE: void it (a reason is required)."""

    permission_actions = {"GET": "read", "PATCH": "update", "DELETE": "void"}
    schema_of = {
        "get": lambda cls: {"responses": cls.output_serializer},
        "patch": lambda cls: {"request": cls.input_serializer, "responses": cls.output_serializer},
        "delete": lambda cls: {
            "request": cls.void_input_serializer,
            "responses": cls.output_serializer,
        },
    }

    def get(self, request, **url_kwargs):
        return self.respond(self.find_record(request, "read", **url_kwargs))

    def patch(self, request, **url_kwargs):
        return self.update(request, **url_kwargs)

    def delete(self, request, **url_kwargs):
        return self.void(request, **url_kwargs)


class ChartRecordVoidApi(ChartRecordApi):
    """POST {reason}: void the record (it stays in the chart, marked voided)."""

    permission_actions = {"POST": "void"}
    schema_of = {
        "post": lambda cls: {
            "request": cls.void_input_serializer,
            "responses": cls.output_serializer,
        }
    }

    def post(self, request, **url_kwargs):
        return self.void(request, **url_kwargs)


class PatientChartRecordApi(ChartRecordApi):
    # Records under `patients/<public_id>/`, in one section of the patient's chart. (A comment:
    # a docstring here would become the OpenAPI description of every view using it.)

    section: ClassVar[ChartSection]
    refuse_voided_update = True

    def chart(self, request, purpose: str, **url_kwargs) -> dict[str, Any]:
        patient = patient_get_for_user(
            user=request.user,
            patient_public_id=url_kwargs["public_id"],
            section=self.section,
            purpose=purpose,
        )
        return {"patient": patient}
