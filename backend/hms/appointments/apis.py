"""Thin API views for schedules, availability, appointments, the front-desk queue and feeds."""

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.appointments import pdf, selectors, services
from hms.appointments.calendar_feed import (
    FEED_DAYS_BACK,
    FEED_SCOPE,
    CalendarFeedTokenAuthentication,
    calendar_token_for,
    render_calendar,
)
from hms.appointments.models import AppointmentStatus, ExceptionKind, VisitType, Weekday
from hms.core.errors import ApplicationError, ForbiddenError, NotFoundError
from hms.core.pagination import audit_page, paginated_response
from hms.core.query_params import query_params
from hms.core.roles import Role
from hms.core.serializers import ReusableOutput, UserRefSerializer
from hms.patients.access import ChartSection, patient_get_for_user
from hms.patients.serializers import PatientRefSerializer

# --- Serializers shared by several views ---------------------------------------------------


class ChartTextField(serializers.CharField):
    """Clinical free text of an appointment: null when the row carries `reason_withheld`
    (a doctor or nurse sees the row in the desk's queue, but not the patient's chart)."""

    def get_attribute(self, instance):
        if getattr(instance, "reason_withheld", False):
            return None
        return super().get_attribute(instance)


class AppointmentOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    patient = PatientRefSerializer()
    doctor = UserRefSerializer()
    date = serializers.DateField()
    slot = serializers.TimeField(format="%H:%M")
    start_at = serializers.DateTimeField()
    end_at = serializers.DateTimeField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    reason = ChartTextField(allow_null=True)
    visit_type = serializers.CharField()
    visit_type_display = serializers.CharField(source="get_visit_type_display")
    waiting_room = serializers.BooleanField(
        default=False,
        help_text="A teleconsult whose patient is in the waiting room, the consult not started.",
    )
    reason_withheld = serializers.BooleanField(
        default=False,
        help_text="The patient is outside your care: reason and cancel_reason are withheld.",
    )
    booked_by = UserRefSerializer()
    checked_in_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField()
    cancelled_at = serializers.DateTimeField()
    cancel_reason = ChartTextField(allow_null=True)
    encounter_id = serializers.UUIDField(source="encounter.public_id", default=None)
    created_at = serializers.DateTimeField()


# Single appointments are serialized by one reusable instance (see ReusableOutput).
APPOINTMENT_OUTPUT = ReusableOutput(AppointmentOutputSerializer)


class SlotSerializer(serializers.Serializer):
    date = serializers.DateField()
    start = serializers.TimeField(format="%H:%M")
    end = serializers.TimeField(format="%H:%M")
    start_at = serializers.DateTimeField()
    end_at = serializers.DateTimeField()


# --- Schedules -----------------------------------------------------------------------------


class BlockSerializer(serializers.Serializer):
    weekday = serializers.ChoiceField(choices=Weekday.choices)
    start_time = serializers.TimeField()
    end_time = serializers.TimeField()


class DoctorScheduleApi(APIView):
    """A doctor's weekly template: slot length and working blocks (several a day)."""

    permission_resource = "doctor_schedules"
    permission_actions = {"GET": "read", "PUT": "update"}

    class InputSerializer(serializers.Serializer):
        slot_minutes = serializers.IntegerField(min_value=5, max_value=240)
        blocks = BlockSerializer(many=True, allow_empty=True)

    class OutputSerializer(serializers.Serializer):
        doctor = UserRefSerializer()
        slot_minutes = serializers.IntegerField()
        blocks = BlockSerializer(many=True, source="blocks.all")
        updated_at = serializers.DateTimeField()

    @extend_schema(responses=OutputSerializer)
    def get(self, request, doctor_id):
        doctor = selectors.doctor_get(public_id=doctor_id)
        schedule = selectors.schedule_for(doctor=doctor)
        if schedule is None:
            raise NotFoundError("This doctor has no schedule yet.", code="no_schedule")
        return Response(self.OutputSerializer(schedule).data)

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def put(self, request, doctor_id):
        doctor = selectors.doctor_get(public_id=doctor_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.schedule_set(actor=request.user, doctor=doctor, **data.validated_data)
        return Response(self.OutputSerializer(selectors.schedule_for(doctor=doctor)).data)


class ScheduleExceptionOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    doctor = UserRefSerializer(allow_null=True)
    date = serializers.DateField()
    kind = serializers.CharField()
    start_time = serializers.TimeField(format="%H:%M", allow_null=True)
    end_time = serializers.TimeField(format="%H:%M", allow_null=True)
    reason = serializers.CharField()
    affected_appointments = serializers.IntegerField(required=False)


class ScheduleExceptionListCreateApi(APIView):
    """Leave, holidays (clinic-wide when no doctor is given) and extra sessions."""

    permission_resource = "schedule_exceptions"
    permission_actions = {"GET": "list", "POST": "create"}

    class FilterSerializer(serializers.Serializer):
        doctor = serializers.UUIDField(required=False)
        date_from = serializers.DateField(required=False)
        date_to = serializers.DateField(required=False)

    class InputSerializer(serializers.Serializer):
        doctor = serializers.UUIDField(required=False, allow_null=True)
        date = serializers.DateField()
        kind = serializers.ChoiceField(choices=ExceptionKind.choices)
        start_time = serializers.TimeField(required=False, allow_null=True)
        end_time = serializers.TimeField(required=False, allow_null=True)
        reason = serializers.CharField(max_length=255, required=False, allow_blank=True)

    @extend_schema(parameters=[FilterSerializer], responses=ScheduleExceptionOutputSerializer)
    def get(self, request):
        params = query_params(self.FilterSerializer, request)
        doctor = selectors.doctor_get(public_id=params["doctor"]) if "doctor" in params else None
        return paginated_response(
            queryset=selectors.schedule_exception_list(
                doctor=doctor, start=params.get("date_from"), end=params.get("date_to")
            ),
            serializer_class=ScheduleExceptionOutputSerializer,
            request=request,
            view=self,
        )

    @extend_schema(request=InputSerializer, responses={201: ScheduleExceptionOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = dict(data.validated_data)
        doctor_id = params.pop("doctor", None)
        doctor = selectors.doctor_get(public_id=doctor_id) if doctor_id else None
        exception = services.schedule_exception_create(actor=request.user, doctor=doctor, **params)
        return Response(
            ScheduleExceptionOutputSerializer(exception).data, status=status.HTTP_201_CREATED
        )


class ScheduleExceptionRangeCreateApi(APIView):
    """Leave or a holiday (clinic-wide when no doctor is given) over a range of dates, both
    included, at most 92 days: one exception a date, created together or not at all."""

    permission_resource = "schedule_exceptions"
    permission_actions = {"POST": "create"}

    class InputSerializer(serializers.Serializer):
        doctor = serializers.UUIDField(required=False, allow_null=True)
        date_from = serializers.DateField()
        date_to = serializers.DateField()
        kind = serializers.ChoiceField(
            choices=[(ExceptionKind.LEAVE, "Leave"), (ExceptionKind.HOLIDAY, "Holiday")]
        )
        start_time = serializers.TimeField(required=False, allow_null=True)
        end_time = serializers.TimeField(required=False, allow_null=True)
        reason = serializers.CharField(max_length=255, required=False, allow_blank=True)

    class OutputSerializer(serializers.Serializer):
        results = ScheduleExceptionOutputSerializer(many=True)
        affected_appointments = serializers.IntegerField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = dict(data.validated_data)
        doctor_id = params.pop("doctor", None)
        doctor = selectors.doctor_get(public_id=doctor_id) if doctor_id else None
        exceptions = services.schedule_exception_create_range(
            actor=request.user, doctor=doctor, **params
        )
        body = {
            "results": exceptions,
            "affected_appointments": sum(e.affected_appointments for e in exceptions),
        }
        return Response(self.OutputSerializer(body).data, status=status.HTTP_201_CREATED)


class ScheduleExceptionCancelApi(APIView):
    permission_resource = "schedule_exceptions"
    permission_actions = {"POST": "cancel"}

    @extend_schema(request=None, responses=ScheduleExceptionOutputSerializer)
    def post(self, request, public_id):
        exception = selectors.schedule_exception_find(public_id=public_id)
        if exception is None:
            raise NotFoundError("No schedule exception with this id.", code="not_found")
        exception = services.schedule_exception_cancel(actor=request.user, exception=exception)
        return Response(ScheduleExceptionOutputSerializer(exception).data)


# --- Availability --------------------------------------------------------------------------


class DoctorAvailabilityApi(APIView):
    """Free slots in the hospital's time zone for a date (`?date=`) or a range (`?from=&to=`,
    at most 31 days), excluding past slots, exceptions and booked slots."""

    permission_resource = "availability"
    permission_actions = {"GET": "read"}

    class FilterSerializer(serializers.Serializer):
        date = serializers.DateField(required=False)
        # "from" is a Python keyword, hence the explicit source mapping below.
        date_from = serializers.DateField(required=False)
        date_to = serializers.DateField(required=False)

        def to_internal_value(self, data):
            data = data.copy()
            for short, long in (("from", "date_from"), ("to", "date_to")):
                if short in data and long not in data:
                    data[long] = data[short]
            return super().to_internal_value(data)

        def validate(self, attrs):
            if "date" in attrs:
                attrs["date_from"] = attrs["date_to"] = attrs["date"]
            if "date_from" not in attrs:
                raise serializers.ValidationError(
                    {"date": ["Give ?date=YYYY-MM-DD, or ?from=…&to=…"]}
                )
            attrs.setdefault("date_to", attrs["date_from"])
            span = (attrs["date_to"] - attrs["date_from"]).days
            if span < 0:
                raise serializers.ValidationError({"to": ["Must not be before 'from'."]})
            if span >= selectors.MAX_AVAILABILITY_DAYS:
                raise serializers.ValidationError(
                    {"to": [f"At most {selectors.MAX_AVAILABILITY_DAYS} days at a time."]}
                )
            return attrs

    class OutputSerializer(serializers.Serializer):
        doctor = UserRefSerializer()
        time_zone = serializers.CharField()
        date_from = serializers.DateField()
        date_to = serializers.DateField()
        slot_minutes = serializers.IntegerField(allow_null=True)
        slots = SlotSerializer(many=True)

    @extend_schema(parameters=[FilterSerializer], responses=OutputSerializer)
    def get(self, request, doctor_id):
        doctor = selectors.doctor_get(public_id=doctor_id)
        params = query_params(self.FilterSerializer, request)
        start, end = params["date_from"], params["date_to"]
        profile = getattr(doctor, "doctor_profile", None)
        available = doctor.is_active and (profile is None or profile.available)
        schedule = selectors.schedule_for(doctor=doctor)
        slots = (
            selectors.doctor_availability(doctor=doctor, start=start, end=end) if available else []
        )
        return Response(
            self.OutputSerializer(
                {
                    "doctor": doctor,
                    "time_zone": timezone.get_current_timezone_name(),
                    "date_from": start,
                    "date_to": end,
                    "slot_minutes": schedule.slot_minutes if schedule else None,
                    "slots": slots,
                }
            ).data
        )


# --- Appointments --------------------------------------------------------------------------


class AppointmentListCreateApi(APIView):
    """Compatibility routes GET/POST /api/appointments/. Patients see and book their own;
    doctors see theirs; the front desk and nurses see and book for everyone."""

    permission_resource = "appointments"
    permission_actions = {"GET": "list", "POST": "create"}

    class FilterSerializer(serializers.Serializer):
        patient = serializers.UUIDField(required=False)
        doctor = serializers.UUIDField(required=False)
        status = serializers.ChoiceField(choices=AppointmentStatus.choices, required=False)
        date_from = serializers.DateField(required=False)
        date_to = serializers.DateField(required=False)
        upcoming = serializers.BooleanField(required=False, default=False)

    class InputSerializer(serializers.Serializer):
        patient = serializers.UUIDField(
            required=False, help_text="Required for staff; patients book for themselves."
        )
        doctor = serializers.UUIDField()
        date = serializers.DateField()
        slot = serializers.TimeField(help_text="Local start time, e.g. 09:30")
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True)
        visit_type = serializers.ChoiceField(
            choices=VisitType.choices, required=False, default=VisitType.IN_PERSON
        )

    @extend_schema(parameters=[FilterSerializer], responses=AppointmentOutputSerializer(many=True))
    def get(self, request):
        filters = query_params(self.FilterSerializer, request)
        response = paginated_response(
            queryset=selectors.appointment_list(user=request.user, filters=filters),
            serializer_class=AppointmentOutputSerializer,
            request=request,
            view=self,
        )
        if "patient" not in filters:  # one chart's read is audited on opening it
            audit_page(request, response, "appointment_list")
        return response

    @extend_schema(request=InputSerializer, responses={201: AppointmentOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = dict(data.validated_data)
        patient_id = params.pop("patient", None)
        if patient_id is None:
            if request.user.role != Role.PATIENT:
                raise ApplicationError(
                    "Say which patient the appointment is for.",
                    code="validation_error",
                    fields={"patient": ["This field is required."]},
                )
            patient_chart = getattr(request.user, "patient_chart", None)
            if patient_chart is None:
                raise NotFoundError("Your account has no patient chart yet.", code="no_chart")
            patient_id = patient_chart.public_id
        patient = patient_get_for_user(
            user=request.user,
            patient_public_id=patient_id,
            section=ChartSection.APPOINTMENTS,
            purpose="write",
        )
        doctor = selectors.doctor_get(public_id=params.pop("doctor"))
        appointment = services.appointment_book(
            actor=request.user, patient=patient, doctor=doctor, **params
        )
        return Response(APPOINTMENT_OUTPUT.data(appointment), status=status.HTTP_201_CREATED)


class AppointmentPdfApi(APIView):
    """The appointment slip as a PDF to print: doctor, department, date and time in the
    hospital's time zone, location, booking reference, the patient's name, MRN and birth
    date. Audited as an export of the slip."""

    permission_resource = "appointments"
    permission_actions = {"GET": "pdf"}

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request, public_id):
        return pdf.appointment_slip_print(user=request.user, public_id=public_id).response()


class AppointmentDetailApi(APIView):
    """Compatibility routes GET/PUT/DELETE /api/appointments/{id}/ (+ PATCH). PUT/PATCH reschedules
    (date, slot) and/or changes the reason; DELETE cancels with a reason, nothing is removed."""

    permission_resource = "appointments"
    permission_actions = {"GET": "read", "PUT": "update", "PATCH": "update", "DELETE": "cancel"}

    class InputSerializer(serializers.Serializer):
        date = serializers.DateField(required=False)
        slot = serializers.TimeField(required=False)
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True)

        def validate(self, attrs):
            if ("date" in attrs) != ("slot" in attrs):
                missing = "slot" if "date" in attrs else "date"
                raise serializers.ValidationError(
                    {missing: ["Give both date and slot to reschedule."]}
                )
            return attrs

    class CancelSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500)

    def _get(self, request, public_id):
        appointment = selectors.appointment_get_for_user(user=request.user, public_id=public_id)
        # The chart-section rule applies too (and the read is audited there).
        patient_get_for_user(
            user=request.user,
            patient_public_id=appointment.patient.public_id,
            section=ChartSection.APPOINTMENTS,
            purpose="read" if request.method == "GET" else "write",
        )
        return appointment

    @extend_schema(responses=AppointmentOutputSerializer)
    def get(self, request, public_id):
        return Response(APPOINTMENT_OUTPUT.data(self._get(request, public_id)))

    @extend_schema(request=InputSerializer, responses=AppointmentOutputSerializer)
    def patch(self, request, public_id):
        appointment = self._get(request, public_id)
        data = self.InputSerializer(data=request.data, partial=request.method == "PATCH")
        data.is_valid(raise_exception=True)
        params = data.validated_data
        if "date" in params:
            appointment = services.appointment_reschedule(
                actor=request.user,
                appointment=appointment,
                date=params["date"],
                slot=params["slot"],
            )
        if "reason" in params:
            appointment = services.appointment_update_reason(
                actor=request.user, appointment=appointment, reason=params["reason"]
            )
        return Response(APPOINTMENT_OUTPUT.data(appointment))

    @extend_schema(request=InputSerializer, responses=AppointmentOutputSerializer)
    def put(self, request, public_id):
        return self.patch(request, public_id)

    @extend_schema(request=CancelSerializer, responses=AppointmentOutputSerializer)
    def delete(self, request, public_id):
        appointment = self._get(request, public_id)
        body = request.data if request.data else request.query_params
        data = self.CancelSerializer(data=body)
        data.is_valid(raise_exception=True)
        appointment = services.appointment_cancel(
            actor=request.user, appointment=appointment, reason=data.validated_data["reason"]
        )
        return Response(APPOINTMENT_OUTPUT.data(appointment))


def _status_action(action: str, service):
    class StatusActionApi(APIView):
        permission_resource = "appointments"
        permission_actions = {"POST": action}

        @extend_schema(request=None, responses=AppointmentOutputSerializer)
        def post(self, request, public_id):
            appointment = selectors.appointment_get_for_user(user=request.user, public_id=public_id)
            appointment = service(actor=request.user, appointment=appointment)
            return Response(APPOINTMENT_OUTPUT.data(appointment))

    StatusActionApi.__name__ = StatusActionApi.__qualname__ = (
        f"Appointment{action.title().replace('_', '')}Api"
    )
    return StatusActionApi


AppointmentCheckInApi = _status_action("check_in", services.appointment_check_in)
AppointmentNoShowApi = _status_action("no_show", services.appointment_mark_no_show)
AppointmentStartApi = _status_action("start", services.appointment_start)
AppointmentCompleteApi = _status_action("complete", services.appointment_complete)


class AppointmentQueueApi(APIView):
    """Today's queue (or `?date=`) for the whole clinic or one doctor (`?doctor=`), in slot
    order, with counts per status. Doctors see their own queue."""

    permission_resource = "appointment_queue"
    permission_actions = {"GET": "list"}

    class FilterSerializer(serializers.Serializer):
        doctor = serializers.UUIDField(required=False)
        date = serializers.DateField(required=False)

    @extend_schema(parameters=[FilterSerializer], responses=AppointmentOutputSerializer(many=True))
    def get(self, request):
        params = query_params(self.FilterSerializer, request)
        day = params.get("date") or timezone.localdate()
        doctor = selectors.doctor_get(public_id=params["doctor"]) if "doctor" in params else None
        if request.user.role == Role.DOCTOR:
            if doctor is not None and doctor.pk != request.user.pk:
                raise ForbiddenError("Doctors see their own queue.", code="not_your_queue")
            doctor = request.user
        response = paginated_response(
            queryset=selectors.appointment_queue(day=day, doctor=doctor, user=request.user),
            serializer_class=AppointmentOutputSerializer,
            request=request,
            view=self,
        )
        response.data["date"] = day.isoformat()
        response.data["summary"] = selectors.appointment_queue_summary(day=day, doctor=doctor)
        audit_page(request, response, "appointment_list", detail={"queue": day.isoformat()})
        return response


# --- Calendar feed -------------------------------------------------------------------------


class DoctorCalendarFeedApi(APIView):
    """The doctor's appointments as iCalendar. Signed-in doctor (own), front desk and admin;
    or a calendar app with the doctor's signed link (`?token=`)."""

    permission_resource = "calendar"
    permission_actions = {"GET": "read"}

    def get_authenticators(self):
        return [CalendarFeedTokenAuthentication(), *super().get_authenticators()]

    @extend_schema(responses={(200, "text/calendar"): str})
    def get(self, request, doctor_id):
        doctor = selectors.doctor_get(public_id=doctor_id)
        via_token = isinstance(request.auth, dict) and request.auth.get("scope") == FEED_SCOPE
        if (via_token or request.user.role == Role.DOCTOR) and request.user.pk != doctor.pk:
            raise NotFoundError("No doctor with this id.", code="doctor_not_found")
        appointments = selectors.doctor_calendar_appointments(
            doctor=doctor, since=timezone.localdate() - FEED_DAYS_BACK
        )
        body = render_calendar(doctor=doctor, appointments=appointments)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="appointments.ics"'
        response["Cache-Control"] = "private, max-age=300"
        return response


class CalendarLinkApi(APIView):
    """A doctor's private subscription link for their calendar app."""

    permission_resource = "calendar"
    permission_actions = {"GET": "link"}

    class OutputSerializer(serializers.Serializer):
        url = serializers.CharField()

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        token = calendar_token_for(doctor=request.user)
        path = f"/api/doctors/{request.user.public_id}/calendar.ics?token={token}"
        return Response({"url": request.build_absolute_uri(path)})
