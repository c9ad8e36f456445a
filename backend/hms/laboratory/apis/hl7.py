"""HL7 v2 ORU^R01 result messages in, an ACK out."""

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import BaseParser
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.core.errors import ApplicationError
from hms.core.parsers import JSONParser
from hms.laboratory import hl7_oru


class Hl7Parser(BaseParser):
    """The body as text: an HL7 v2 message in ER7 (pipe) encoding."""

    media_type = "x-application/hl7-v2+er7"

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        return {"__hl7__": stream.read().decode(encoding, errors="replace")}


class Hl7AltParser(Hl7Parser):
    media_type = "application/hl7-v2"


class PlainTextParser(Hl7Parser):
    media_type = "text/plain"


class LabHl7Api(APIView):
    """Import an HL7 v2 ORU^R01 result message; answers its ACK.

    Send the message as the raw body (Content-Type `x-application/hl7-v2+er7`,
    `application/hl7-v2` or `text/plain`): the answer is the ACK itself (HTTP 200, header
    `X-HL7-Ack-Code`), as HL7 over HTTP expects. Or send JSON `{"message": "MSH|..."}`: AA
    answers 200 `{ack_code, text, control_id, ack, orders, results, duplicate}`; AR (rejected
    message) 400 `hl7_rejected`, AE (content error) 422 `hl7_application_error`, in the usual
    error shape with the ACK in `extra.ack`. Nothing is stored unless AA.
    """

    permission_resource = "lab_hl7"
    permission_actions = {"POST": "import"}
    parser_classes = [JSONParser, Hl7Parser, Hl7AltParser, PlainTextParser]

    class InputSerializer(serializers.Serializer):
        message = serializers.CharField(max_length=1_000_000, trim_whitespace=False)

    class OutputSerializer(serializers.Serializer):
        ack_code = serializers.CharField()
        text = serializers.CharField()
        control_id = serializers.CharField()
        ack = serializers.CharField()
        results = serializers.IntegerField()
        duplicate = serializers.BooleanField()
        orders = serializers.SerializerMethodField()

        def get_orders(self, outcome) -> list[dict]:
            return [
                {"id": str(o.public_id), "placer_number": o.placer_number, "status": o.status}
                for o in outcome.orders
            ]

    @extend_schema(
        request={
            "application/json": InputSerializer,
            "x-application/hl7-v2+er7": str,
        },
        responses={
            200: OutputSerializer,
            400: OpenApiResponse(description="AR: message rejected (ACK in extra.ack)"),
            422: OpenApiResponse(description="AE: content error (ACK in extra.ack)"),
        },
    )
    def post(self, request):
        raw_body = isinstance(request.data, dict) and "__hl7__" in request.data
        if raw_body:
            raw = request.data["__hl7__"]
        else:
            data = self.InputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            raw = data.validated_data["message"]
        outcome = hl7_oru.hl7_oru_import(raw=raw, actor=request.user)
        if raw_body:
            response = HttpResponse(
                outcome.ack, content_type="x-application/hl7-v2+er7; charset=utf-8"
            )
            response["X-HL7-Ack-Code"] = outcome.ack_code
            return response
        if outcome.accepted:
            return Response(self.OutputSerializer(outcome).data)
        rejected = outcome.ack_code == "AR"
        raise ApplicationError(
            outcome.text,
            code="hl7_rejected" if rejected else "hl7_application_error",
            status=400 if rejected else 422,
            extra={
                "ack_code": outcome.ack_code,
                "control_id": outcome.control_id,
                "location": outcome.error_location,
                "ack": outcome.ack,
            },
        )
