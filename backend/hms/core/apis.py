from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.core.errors import NotFoundError
from hms.core.models import AuditAction, AuditOutcome
from hms.core.pagination import paginated_response
from hms.core.query_params import query_params
from hms.core.selectors import (
    audit_event_list,
    notification_counts,
    notification_get_for_user,
    notification_list,
)
from hms.core.serializers import NOTIFICATION_OUTPUT, NotificationOutputSerializer
from hms.core.services import audit_log_read, notification_acknowledge, notification_mark_read


class AuditEventListApi(APIView):
    """The audit log, newest first (admin only). There is no write route: it is append-only.
    Every read of it is itself audited (`audit_read`)."""

    permission_resource = "audit"
    permission_actions = {"GET": "list"}

    class FilterSerializer(serializers.Serializer):
        actor = serializers.CharField(required=False, max_length=150, help_text="Username")
        actor_id = serializers.UUIDField(required=False)
        patient_id = serializers.CharField(required=False, max_length=64)
        resource_type = serializers.CharField(required=False, max_length=64)
        object_id = serializers.CharField(required=False, max_length=64)
        action = serializers.ChoiceField(choices=AuditAction.choices, required=False)
        outcome = serializers.ChoiceField(choices=AuditOutcome.choices, required=False)
        since = serializers.DateTimeField(required=False)
        until = serializers.DateTimeField(required=False)

        def validate(self, attrs):
            if attrs.get("since") and attrs.get("until") and attrs["since"] >= attrs["until"]:
                raise serializers.ValidationError({"until": ["Must be after 'since'."]})
            return attrs

    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField(source="public_id")
        chain = serializers.IntegerField()
        sequence = serializers.IntegerField()
        occurred_at = serializers.DateTimeField()
        actor_id = serializers.UUIDField(source="actor.public_id", allow_null=True, default=None)
        actor_username = serializers.CharField()
        actor_role = serializers.CharField()
        action = serializers.CharField()
        resource_type = serializers.CharField()
        object_id = serializers.CharField()
        patient_id = serializers.CharField()
        ip = serializers.CharField(allow_null=True)
        request_id = serializers.CharField()
        outcome = serializers.CharField()
        detail = serializers.JSONField()
        hash = serializers.CharField()

    @extend_schema(parameters=[FilterSerializer], responses=OutputSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        response = paginated_response(
            queryset=audit_event_list(filters=filters),
            serializer_class=self.OutputSerializer,
            request=request,
            view=self,
        )
        # After the page is read: the page never shows its own read.
        audit_log_read(
            actor=request.user,
            resource_type="audit_log",
            filters=filters,
            count=response.data.get("count"),
        )
        return response


class NotificationListApi(APIView):
    """The signed-in user's notifications, newest first, with the bell's counts: `unread`, and
    `attention` (critical ones not yet acknowledged). `attention=true` lists only those."""

    permission_resource = "notifications"
    permission_actions = {"GET": "list"}

    class FilterSerializer(serializers.Serializer):
        unread = serializers.BooleanField(required=False, default=False)
        attention = serializers.BooleanField(required=False, default=False)

    @extend_schema(parameters=[FilterSerializer], responses=NotificationOutputSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        response = paginated_response(
            queryset=notification_list(
                user=request.user,
                unread_only=filters["unread"],
                attention_only=filters["attention"],
            ),
            serializer_class=NotificationOutputSerializer,
            request=request,
            view=self,
        )
        response.data.update(notification_counts(user=request.user))
        return response


class NotificationAcknowledgeApi(APIView):
    """Acknowledge one of your notifications: it leaves the "needs attention" strip (and, for
    an escalated alert, every copy of it does). Recorded with who and when, and audited."""

    permission_resource = "notifications"
    permission_actions = {"POST": "acknowledge"}

    @extend_schema(request=None, responses=NotificationOutputSerializer)
    def post(self, request, public_id):
        notification = notification_get_for_user(user=request.user, public_id=public_id)
        if notification is None:
            raise NotFoundError("No such notification.", code="notification_not_found")
        notification = notification_acknowledge(actor=request.user, notification=notification)
        return Response(
            {
                **NOTIFICATION_OUTPUT.data(notification),
                **notification_counts(user=request.user),
            }
        )


class NotificationMarkReadApi(APIView):
    """Mark some (`ids`) or all of the signed-in user's notifications as read."""

    permission_resource = "notifications"
    permission_actions = {"POST": "mark_read"}

    class InputSerializer(serializers.Serializer):
        ids = serializers.ListField(
            child=serializers.UUIDField(), required=False, allow_empty=False, max_length=500
        )

    @extend_schema(request=InputSerializer, responses={200: None})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        marked = notification_mark_read(
            user=request.user, notification_ids=data.validated_data.get("ids")
        )
        return Response({"marked": marked})
