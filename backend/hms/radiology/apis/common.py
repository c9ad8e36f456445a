"""Serializers and request helpers shared by the radiology APIs."""

from rest_framework import serializers, status
from rest_framework.response import Response

from hms.clinical.uploads import UploadLimitHandler
from hms.core.errors import ApplicationError
from hms.core.serializers import UserRefSerializer
from hms.patients.serializers import PatientDetailRefSerializer
from hms.radiology import selectors, services
from hms.radiology.models import Modality, OrderStatus, Priority

MAX_FILES_PER_REQUEST = 500


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


def order_detail_data(*, user, order):
    """Attach what the user may see of the order's images and reports, and serialize."""
    order.visible_images = list(selectors.imaging_images_for(user=user, order=order))
    order.visible_reports = selectors.imaging_reports_visible(user=user, order=order)
    return OrderDetailOutputSerializer(order).data


def order_response(*, request, order, code=status.HTTP_200_OK):
    fresh = selectors.imaging_order_get(
        public_id=order.public_id,
        drafts_visible=selectors.works_radiology_worklist(request.user),
    )
    fresh.warnings = getattr(order, "warnings", [])
    return Response(order_detail_data(user=request.user, order=fresh), status=code)


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


def uploaded_files(request) -> list:
    files = request.FILES.getlist("file") + request.FILES.getlist("files")
    if len(files) > MAX_FILES_PER_REQUEST:
        raise ApplicationError(
            f"At most {MAX_FILES_PER_REQUEST} files per request.",
            code="too_many_files",
            fields={"file": [f"At most {MAX_FILES_PER_REQUEST} files."]},
        )
    return files
