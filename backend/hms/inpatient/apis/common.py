"""Serializers and request helpers shared by the inpatient API modules: references to
wards and beds, void fields, opening an admission through the patient's chart, the base of the
views of an admission's chart entries and the `from`/`to` time window of chart and MAR
reads."""

from datetime import datetime, time, timedelta
from typing import Any, ClassVar

from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from hms.accounts.models import User
from hms.accounts.selectors import doctor_user_for_optional_field
from hms.core.errors import ApplicationError
from hms.core.plausible_dates import clock_skew
from hms.core.query_params import DATE_RANGE_MESSAGE, date_in_range
from hms.inpatient import selectors, services
from hms.patients.access import ChartSection, patient_get_for_user
from hms.patients.chart_record_apis import ChartRecordApi
from hms.patients.selectors import patient_in_registry_find


class WardRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    code = serializers.CharField()
    type = serializers.CharField()


class BedRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    label = serializers.CharField()
    room = serializers.CharField(source="room.name")


class VoidFields(serializers.Serializer):
    voided = serializers.BooleanField(source="is_voided")
    void_reason = serializers.CharField()


class VoidInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


def invalid_field(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, code="validation_error", fields={field: [message]})


def doctor_for(public_id) -> User | None:
    """The active doctor a body's `attending_doctor` names (400 on that field if it names
    none); None when the body names no one."""
    return doctor_user_for_optional_field(public_id=public_id, field="attending_doctor")


def registry_patient(request, public_id):
    """A patient the user may find in the registry (for admitting); 400 otherwise."""
    patient = patient_in_registry_find(user=request.user, public_id=public_id)
    if patient is None:
        raise invalid_field("patient", "No patient with this id.")
    return patient


def admission_for(request, public_id, *, section: ChartSection, purpose: str = "read"):
    """The admission, if the user may use that section of the patient's chart (audited)."""
    admission = selectors.admission_get_for_user(user=request.user, public_id=public_id)
    patient_get_for_user(
        user=request.user,
        patient_public_id=admission.patient.public_id,
        section=section,
        purpose=purpose,
    )
    return admission


class AdmissionChartRecordApi(ChartRecordApi):
    # Entries of one section of an admission's chart, under `admissions/<public_id>/`; one is
    # named by the URL's `entry_id` and voided by services.chart_entry_void. (A comment: a
    # docstring here would become the OpenAPI description of every view using it.)

    permission_resource = "inpatient_charts"
    section: ClassVar[ChartSection] = ChartSection.CLINICAL
    entry_model: ClassVar[type[models.Model]]
    record_id_kwarg = "entry_id"
    record_name = "entry"
    void_input_serializer = VoidInputSerializer
    void_service = staticmethod(services.chart_entry_void)

    def chart(self, request, purpose: str, **url_kwargs) -> dict[str, Any]:
        admission = admission_for(
            request, url_kwargs["public_id"], section=self.section, purpose=purpose
        )
        return {"admission": admission}

    def get_record(self, request, chart: dict[str, Any], **url_kwargs):
        return selectors.chart_entry_get(
            model=self.entry_model, **chart, public_id=url_kwargs[self.record_id_kwarg]
        )


def instant_param(value: str | None, field: str, *, end: bool = False) -> datetime | None:
    """ISO date-time, or a date (its local start; with end=True the start of the next day)."""
    if not value:
        return None
    try:
        day = parse_date(value)
        parsed = None if day is not None else parse_datetime(value)
    except ValueError:
        day = parsed = None
    if parsed is None and day is None:
        raise invalid_field(field, "Give an ISO date or date-time.")
    if not date_in_range(parsed or day):
        raise invalid_field(field, DATE_RANGE_MESSAGE)
    if parsed is not None:
        return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
    if end:
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(0)))


WINDOW_PARAMETERS = [
    OpenApiParameter("from", str, description="ISO date-time or date (local midnight)"),
    OpenApiParameter("to", str, description="ISO date-time, or a date (inclusive)"),
]


def requested_window(
    request, *, default: timedelta, maximum_days: int
) -> tuple[datetime, datetime]:
    since = instant_param(request.query_params.get("from"), "from")
    until = instant_param(request.query_params.get("to"), "to", end=True)
    if until is None:
        # Up to now, including entries stamped a few minutes ahead (clock skew is allowed).
        until = timezone.now() + clock_skew() if since is None else since + default
    if since is None:
        since = until - default
    if until <= since:
        raise invalid_field("to", "Must be after from.")
    if until - since > timedelta(days=maximum_days):
        raise invalid_field("to", f"At most {maximum_days} days at a time.")
    return since, until
