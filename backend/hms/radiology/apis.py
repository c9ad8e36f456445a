"""Thin API views for radiology: the compatibility routes, orders and their status flow, DICOM
images, reports and addenda, and the procedure catalogue."""

from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.clinical.selectors import encounter_for_patient_field
from hms.clinical.uploads import UploadLimitHandler
from hms.core.errors import ApplicationError
from hms.core.pagination import paginated_response
from hms.core.parsers import JSONParser
from hms.core.query_params import query_params
from hms.core.serializers import UserRefSerializer
from hms.core.services import audit_page_read
from hms.patients.selectors import doctor_user_for_field
from hms.patients.serializers import PatientDetailRefSerializer
from hms.radiology import selectors, services
from hms.radiology.models import Laterality, Modality, OrderStatus, Priority

MAX_FILES_PER_REQUEST = 500

# --- Serializers -------------------------------------------------------------------------------


class ProcedureOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    code = serializers.CharField()
    name = serializers.CharField()
    modality = serializers.CharField()
    modality_display = serializers.CharField(source="get_modality_display")
    body_part = serializers.CharField()
    with_contrast = serializers.BooleanField()
    active = serializers.BooleanField()


class ProcedureRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    code = serializers.CharField()
    name = serializers.CharField()
    body_part = serializers.CharField()
    with_contrast = serializers.BooleanField()


class ReportOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    order = serializers.UUIDField(source="order.public_id")
    kind = serializers.CharField()
    amends = serializers.UUIDField(source="amends.public_id", default=None)
    status = serializers.CharField()
    findings = serializers.CharField()
    impression = serializers.CharField()
    critical = serializers.BooleanField()
    author = UserRefSerializer()
    finalized_at = serializers.DateTimeField()
    finalized_by = UserRefSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ImageOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    study_instance_uid = serializers.CharField()
    series_instance_uid = serializers.CharField()
    sop_instance_uid = serializers.CharField()
    modality = serializers.CharField()
    study_date = serializers.DateField()
    body_part = serializers.CharField()
    study_description = serializers.CharField()
    series_description = serializers.CharField()
    series_number = serializers.IntegerField()
    instance_number = serializers.IntegerField()
    rows = serializers.IntegerField()
    columns = serializers.IntegerField()
    number_of_frames = serializers.IntegerField()
    photometric_interpretation = serializers.CharField()
    transfer_syntax_uid = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    window_center = serializers.FloatField()
    window_width = serializers.FloatField()
    window_source = serializers.CharField()
    preview_url = serializers.SerializerMethodField()
    preview_error = serializers.CharField()
    dicom_url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_preview_url(self, image) -> str | None:
        return f"/api/radiology/images/{image.public_id}/preview/" if image.preview else None

    def get_dicom_url(self, image) -> str:
        return f"/api/radiology/images/{image.public_id}/dicom/"


class OrderOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    accession_number = serializers.CharField()
    patient = PatientDetailRefSerializer()
    procedure = ProcedureRefSerializer()
    modality = serializers.CharField()
    modality_display = serializers.CharField(source="get_modality_display")
    priority = serializers.CharField()
    laterality = serializers.CharField()
    clinical_indication = serializers.CharField()
    notes = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    ordering_doctor = UserRefSerializer()
    requested_by = UserRefSerializer()
    encounter = serializers.UUIDField(source="encounter.public_id", default=None)
    scheduled_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField()
    acquired_at = serializers.DateTimeField()
    reported_at = serializers.DateTimeField()
    cancelled_at = serializers.DateTimeField()
    cancel_reason = serializers.CharField()
    image_count = serializers.IntegerField(default=0)
    report_status = serializers.CharField(default=None, allow_null=True)
    created_at = serializers.DateTimeField()


class OrderDetailOutputSerializer(OrderOutputSerializer):
    images = ImageOutputSerializer(many=True, source="visible_images")
    reports = ReportOutputSerializer(many=True, source="visible_reports")
    warnings = serializers.ListField(child=serializers.DictField(), default=list)


def _order_detail(*, user, order):
    """Attach what the user may see of the order's images and reports, and serialize."""
    order.visible_images = list(selectors.imaging_images_for(user=user, order=order))
    order.visible_reports = selectors.imaging_reports_visible(user=user, order=order)
    return OrderDetailOutputSerializer(order).data


def _order_response(*, request, order, code=status.HTTP_200_OK):
    fresh = selectors.imaging_order_get(
        public_id=order.public_id,
        drafts_visible=selectors.works_radiology_worklist(request.user),
    )
    fresh.warnings = getattr(order, "warnings", [])
    return Response(_order_detail(user=request.user, order=fresh), status=code)


def _audit_order_page(request, response, resource_type: str) -> None:
    patient_ids = {row["patient"]["id"] for row in response.data.get("results", [])}
    audit_page_read(
        actor=request.user,
        resource_type=resource_type,
        patient_ids=sorted(patient_ids),
        count=response.data.get("count"),
    )


class StatusListField(serializers.ListField):
    """`?status=ordered,scheduled` or repeated `?status=`."""

    child = serializers.ChoiceField(choices=OrderStatus.choices)

    def to_internal_value(self, data):
        if isinstance(data, list) and len(data) == 1 and isinstance(data[0], str):
            data = [part for part in data[0].split(",") if part]
        return super().to_internal_value(data)

    def get_value(self, dictionary):
        if hasattr(dictionary, "getlist"):
            values = dictionary.getlist(self.field_name)
            return values if values else serializers.empty
        return super().get_value(dictionary)


class OrderFilterSerializer(serializers.Serializer):
    status = StatusListField(required=False)
    modality = serializers.ChoiceField(choices=Modality.choices, required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    patient = serializers.UUIDField(required=False)
    procedure = serializers.UUIDField(required=False)
    ordering_doctor = serializers.UUIDField(required=False)
    date_from = serializers.DateField(required=False, help_text="Ordered on or after")
    date_to = serializers.DateField(required=False, help_text="Ordered on or before")
    scheduled_date = serializers.DateField(required=False)
    q = serializers.CharField(required=False, help_text="Accession number, MRN or name prefix")


class UploadLimitMixin:
    """Refuse a DICOM file over RADIOLOGY_MAX_UPLOAD_MB while it streams in (413)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in ("POST", "PUT", "PATCH"):
            return
        django_request = request._request
        if not getattr(django_request, "_files", None):
            django_request.upload_handlers.insert(
                0, UploadLimitHandler(django_request, limit=services.upload_limit_bytes())
            )


def _uploaded_files(request) -> list:
    files = request.FILES.getlist("file") + request.FILES.getlist("files")
    if len(files) > MAX_FILES_PER_REQUEST:
        raise ApplicationError(
            f"At most {MAX_FILES_PER_REQUEST} files per request.",
            code="too_many_files",
            fields={"file": [f"At most {MAX_FILES_PER_REQUEST} files."]},
        )
    return files


# --- Ordering --------------------------------------------------------------------------------


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


def _create_order(request):
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
    doctor = None
    if doctor_id := params.pop("ordering_doctor", None):
        doctor = doctor_user_for_field(public_id=doctor_id, field="ordering_doctor")
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
    return _order_response(request=request, order=order, code=status.HTTP_201_CREATED)


class RadiologyRequestApi(APIView):
    """Compatibility route POST /api/radiology/request/: request a scan. Doctors order in their own
    name; receptionists and nurses name the ordering doctor. The answer carries `warnings`
    (e.g. a contrast allergy on record for a contrast study)."""

    permission_resource = "imaging_orders"
    permission_actions = {"POST": "create"}

    @extend_schema(request=OrderInputSerializer, responses={201: OrderDetailOutputSerializer})
    def post(self, request):
        return _create_order(request)


class PatientRequestRadiologyApi(RadiologyRequestApi):
    """Compatibility route POST /api/patients/request-radiology/ (= /api/radiology/request/)."""


class RadiologyWorklistApi(APIView):
    """Compatibility route GET /api/radiology/: the radiologist's worklist — open orders (or
    `?status=`), STAT first, then urgent, then routine; filters modality, priority, dates, `q`."""

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
        _audit_order_page(request, response, "radiology_worklist")
        return response


class RadiologyUpdateResultApi(UploadLimitMixin, APIView):
    """Compatibility route PUT /api/radiology/update-result/: upload scan results — DICOM files
    (multipart `file`, repeatable) and/or the report text, optionally signed (`finalize`) —
    in one transaction."""

    permission_resource = "radiology_worklist"
    permission_actions = {"PUT": "update_result"}
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    class InputSerializer(serializers.Serializer):
        order = serializers.UUIDField()
        findings = serializers.CharField(required=False, allow_blank=True)
        impression = serializers.CharField(required=False, allow_blank=True)
        critical = serializers.BooleanField(required=False, allow_null=True, default=None)
        finalize = serializers.BooleanField(required=False, default=False)

    @extend_schema(request=InputSerializer, responses=OrderDetailOutputSerializer)
    def put(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = dict(data.validated_data)
        order = selectors.imaging_order_get_for_user(
            user=request.user, public_id=params.pop("order"), purpose="write"
        )
        order = services.imaging_result_update(
            actor=request.user,
            order=order,
            files=_uploaded_files(request),
            findings=params.get("findings"),
            impression=params.get("impression"),
            critical=params.get("critical"),
            finalize=params["finalize"],
        )
        return _order_response(request=request, order=order)


# --- Orders (resource routes) ----------------------------------------------------------------


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
        _audit_order_page(request, response, "imaging_order_list")
        return response

    @extend_schema(request=OrderInputSerializer, responses={201: OrderDetailOutputSerializer})
    def post(self, request):
        return _create_order(request)


class ImagingOrderDetailApi(APIView):
    """One order with its images and reports (drafts for radiologists only; a patient sees
    images and the report once it is final)."""

    permission_resource = "imaging_orders"
    permission_actions = {"GET": "read"}

    @extend_schema(responses=OrderDetailOutputSerializer)
    def get(self, request, public_id):
        order = selectors.imaging_order_get_for_user(user=request.user, public_id=public_id)
        return Response(_order_detail(user=request.user, order=order))


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
        return _order_response(request=request, order=order)


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
            return _order_response(request=request, order=order)

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
        return _order_response(request=request, order=order)


# --- Images -----------------------------------------------------------------------------------


class ImagingImageListCreateApi(UploadLimitMixin, APIView):
    """The order's DICOM images; POST multipart `file` (repeatable): checked as DICOM, its
    Patient ID against the order's patient MRN and its modality against the order — any
    refusal stores nothing (400)."""

    permission_resource = "imaging_images"
    permission_actions = {"GET": "list", "POST": "create"}
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=ImageOutputSerializer(many=True))
    def get(self, request, public_id):
        order = selectors.imaging_order_get_for_user(user=request.user, public_id=public_id)
        return paginated_response(
            queryset=selectors.imaging_images_for(user=request.user, order=order),
            serializer_class=ImageOutputSerializer,
            request=request,
            view=self,
        )

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
        responses={201: ImageOutputSerializer(many=True)},
    )
    def post(self, request, public_id):
        order = selectors.imaging_order_get_for_user(
            user=request.user, public_id=public_id, purpose="write"
        )
        images = services.imaging_images_upload(
            actor=request.user, order=order, files=_uploaded_files(request)
        )
        return Response(
            ImageOutputSerializer(images, many=True).data, status=status.HTTP_201_CREATED
        )


class ImagingImageDetailApi(APIView):
    permission_resource = "imaging_images"
    permission_actions = {"GET": "read"}

    @extend_schema(responses=ImageOutputSerializer)
    def get(self, request, public_id):
        image = selectors.imaging_image_get_for_user(user=request.user, public_id=public_id)
        return Response(ImageOutputSerializer(image).data)


def _file_response(request, image, *, field, what: str, content_type: str, filename: str):
    handle = selectors.imaging_file_open(field=field, what=what)
    services.imaging_image_access_record(actor=request.user, image=image, what=what)
    response = FileResponse(
        handle,
        as_attachment=what == "dicom",
        filename=filename,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


class ImagingImagePreviewApi(APIView):
    """The PNG preview (windowed), for viewers and the portal. Audited."""

    permission_resource = "imaging_images"
    permission_actions = {"GET": "read"}

    @extend_schema(responses={(200, "image/png"): bytes})
    def get(self, request, public_id):
        image = selectors.imaging_image_get_for_user(user=request.user, public_id=public_id)
        return _file_response(
            request,
            image,
            field=image.preview,
            what="preview",
            content_type="image/png",
            filename=f"{image.public_id}.png",
        )


class ImagingImageDicomApi(APIView):
    """The original DICOM file, as uploaded. Audited."""

    permission_resource = "imaging_images"
    permission_actions = {"GET": "read"}

    @extend_schema(responses={(200, "application/dicom"): bytes})
    def get(self, request, public_id):
        image = selectors.imaging_image_get_for_user(user=request.user, public_id=public_id)
        return _file_response(
            request,
            image,
            field=image.file,
            what="dicom",
            content_type="application/dicom",
            filename=image.original_name,
        )


# --- Reports ----------------------------------------------------------------------------------


class ReportInputSerializer(serializers.Serializer):
    findings = serializers.CharField(required=False, allow_blank=True, default="")
    impression = serializers.CharField(required=False, allow_blank=True, default="")
    critical = serializers.BooleanField(required=False, default=False)


class ImagingReportListCreateApi(APIView):
    """The order's report and addenda; POST starts the report (a draft)."""

    permission_resource = "imaging_reports"
    permission_actions = {"GET": "list", "POST": "create"}

    @extend_schema(responses=ReportOutputSerializer(many=True))
    def get(self, request, public_id):
        order = selectors.imaging_order_get_for_user(user=request.user, public_id=public_id)
        reports = selectors.imaging_reports_visible(user=request.user, order=order)
        return Response(ReportOutputSerializer(reports, many=True).data)

    @extend_schema(request=ReportInputSerializer, responses={201: ReportOutputSerializer})
    def post(self, request, public_id):
        data = ReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = selectors.imaging_order_get_for_user(
            user=request.user, public_id=public_id, purpose="write"
        )
        report = services.imaging_report_create(
            actor=request.user, order=order, **data.validated_data
        )
        return Response(ReportOutputSerializer(report).data, status=status.HTTP_201_CREATED)


class ImagingReportDetailApi(APIView):
    """GET a report; PATCH edits a draft (a final report answers 409 `report_final`)."""

    permission_resource = "imaging_reports"
    permission_actions = {"GET": "read", "PATCH": "update", "PUT": "update"}

    class InputSerializer(serializers.Serializer):
        findings = serializers.CharField(required=False, allow_blank=True)
        impression = serializers.CharField(required=False, allow_blank=True)
        critical = serializers.BooleanField(required=False)

    @extend_schema(responses=ReportOutputSerializer)
    def get(self, request, public_id):
        report = selectors.imaging_report_get_for_user(user=request.user, public_id=public_id)
        return Response(ReportOutputSerializer(report).data)

    @extend_schema(request=InputSerializer, responses=ReportOutputSerializer)
    def patch(self, request, public_id):
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        report = selectors.imaging_report_get_for_user(
            user=request.user, public_id=public_id, purpose="write"
        )
        report = services.imaging_report_update(
            actor=request.user, report=report, **data.validated_data
        )
        return Response(ReportOutputSerializer(report).data)

    put = patch


class ImagingReportFinalizeApi(APIView):
    """Sign the draft: it never changes again. The order becomes reported; the ordering
    doctor (critical findings: a critical notification) and the patient are notified."""

    permission_resource = "imaging_reports"
    permission_actions = {"POST": "finalize"}

    @extend_schema(request=None, responses=ReportOutputSerializer)
    def post(self, request, public_id):
        report = selectors.imaging_report_get_for_user(
            user=request.user, public_id=public_id, purpose="write"
        )
        report = services.imaging_report_finalize(actor=request.user, report=report)
        return Response(ReportOutputSerializer(report).data)


class ImagingReportAddendumApi(APIView):
    """Amend a final report with an addendum (a new row; the report stays as signed).
    `finalize: true` signs the addendum at once."""

    permission_resource = "imaging_reports"
    permission_actions = {"POST": "addendum"}

    class InputSerializer(ReportInputSerializer):
        finalize = serializers.BooleanField(required=False, default=False)

    @extend_schema(request=InputSerializer, responses={201: ReportOutputSerializer})
    def post(self, request, public_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = selectors.imaging_report_get_for_user(
            user=request.user, public_id=public_id, purpose="write"
        )
        addendum = services.imaging_addendum_create(
            actor=request.user, report=report, **data.validated_data
        )
        return Response(ReportOutputSerializer(addendum).data, status=status.HTTP_201_CREATED)


# --- Catalogue --------------------------------------------------------------------------------


class ModalityListApi(APIView):
    permission_resource = "imaging_procedures"
    permission_actions = {"GET": "list"}

    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        name = serializers.CharField()

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request):
        return Response([{"code": value, "name": label} for value, label in Modality.choices])


class ProcedureInputSerializer(serializers.Serializer):
    code = serializers.RegexField(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,31}$", max_length=32)
    name = serializers.CharField(max_length=200)
    modality = serializers.ChoiceField(choices=Modality.choices)
    body_part = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    with_contrast = serializers.BooleanField(required=False, default=False)


class ImagingProcedureListCreateApi(APIView):
    """The procedure catalogue (active ones unless `?include_inactive=true`)."""

    permission_resource = "imaging_procedures"
    permission_actions = {"GET": "list", "POST": "create"}

    class FilterSerializer(serializers.Serializer):
        modality = serializers.ChoiceField(choices=Modality.choices, required=False)
        q = serializers.CharField(required=False)
        include_inactive = serializers.BooleanField(required=False, default=False)

    @extend_schema(parameters=[FilterSerializer], responses=ProcedureOutputSerializer(many=True))
    def get(self, request):
        return paginated_response(
            queryset=selectors.imaging_procedure_list(
                filters=query_params(self.FilterSerializer, request)
            ),
            serializer_class=ProcedureOutputSerializer,
            request=request,
            view=self,
        )

    @extend_schema(request=ProcedureInputSerializer, responses={201: ProcedureOutputSerializer})
    def post(self, request):
        data = ProcedureInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        procedure = services.imaging_procedure_create(actor=request.user, **data.validated_data)
        return Response(ProcedureOutputSerializer(procedure).data, status=status.HTTP_201_CREATED)


class ImagingProcedureDetailApi(APIView):
    """PATCH a procedure's name, body part, contrast or `active` (procedures are never
    deleted: ordered studies refer to them)."""

    permission_resource = "imaging_procedures"
    permission_actions = {"GET": "list", "PATCH": "update"}

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200, required=False)
        body_part = serializers.CharField(max_length=64, required=False, allow_blank=True)
        with_contrast = serializers.BooleanField(required=False)
        active = serializers.BooleanField(required=False)

    @extend_schema(responses=ProcedureOutputSerializer)
    def get(self, request, public_id):
        procedure = selectors.imaging_procedure_get(public_id=public_id)
        return Response(ProcedureOutputSerializer(procedure).data)

    @extend_schema(request=InputSerializer, responses=ProcedureOutputSerializer)
    def patch(self, request, public_id):
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        procedure = selectors.imaging_procedure_get(public_id=public_id)
        procedure = services.imaging_procedure_update(
            actor=request.user, procedure=procedure, **data.validated_data
        )
        return Response(ProcedureOutputSerializer(procedure).data)
