"""DICOM images of an order: upload, metadata, preview and the original file."""

from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.core.pagination import paginated_response
from hms.radiology import selectors, services
from hms.radiology.apis.common import ImageOutputSerializer, UploadLimitMixin, uploaded_files


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
            actor=request.user, order=order, files=uploaded_files(request)
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
