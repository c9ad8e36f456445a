"""Query parameters: one way to read them, dates kept within a range arithmetic can handle.

    filters = query_params(self.FilterSerializer, request)

validates `request.query_params` with the view's filter serializer (400 in the one error
shape, naming the parameter, when one is invalid) and returns the validated data. Every date
and date-time parameter must fall within EARLIEST_DATE..LATEST_DATE: a year 9999 date is a
valid ISO date, but the day after it is not, and the selectors that add a day, a week or a
month to a requested date used to fail with OverflowError (a 500) on it. No hospital schedule,
chart or report looks outside this range.
"""

from datetime import date, datetime

from rest_framework import serializers

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)
DATE_RANGE_MESSAGE = f"Must be between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}."


def date_in_range(value: date | datetime | None) -> bool:
    """True for a date or date-time within EARLIEST_DATE..LATEST_DATE (None passes)."""
    if value is None:
        return True
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST_DATE <= day <= LATEST_DATE


def check_date_in_range(value) -> None:
    """A field validator: 400 on the field when the date lies outside the supported range."""
    if not date_in_range(value):
        raise serializers.ValidationError(DATE_RANGE_MESSAGE, code="date_out_of_range")


def bound_dates(serializer: serializers.Serializer) -> serializers.Serializer:
    """Give every date and date-time field of `serializer` the range check (in place)."""
    for field in serializer.fields.values():
        if isinstance(field, serializers.DateField | serializers.DateTimeField):
            field.validators = [*field.validators, check_date_in_range]
    return serializer


def query_params(serializer_class: type[serializers.Serializer], request, **kwargs) -> dict:
    """The request's query parameters validated by `serializer_class` (400 when invalid)."""
    serializer = bound_dates(serializer_class(data=request.query_params, **kwargs))
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
