"""The doctor's calendar feed (iCalendar) and the signed link a calendar app can subscribe to.

Calendar apps cannot send an Authorization header, so the feed also accepts a signed token in
the URL, issued to the doctor, bound to them, and revoked by rotating SECRET_KEY.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from icalendar import Calendar, Event, vText
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from hms.accounts.models import User

TOKEN_SALT = "hms.appointments.calendar-feed"
FEED_SCOPE = "calendar-feed"


def calendar_token_for(*, doctor: User) -> str:
    return signing.dumps({"doctor": str(doctor.public_id)}, salt=TOKEN_SALT)


class CalendarFeedTokenAuthentication(BaseAuthentication):
    """Authenticates `?token=` on the feed only; request.auth tells the view it was used."""

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'

    def authenticate(self, request):
        token = request.query_params.get("token")
        if not token:
            return None
        try:
            data = signing.loads(token, salt=TOKEN_SALT)
        except signing.BadSignature:
            raise AuthenticationFailed("The calendar link is invalid.") from None
        doctor = User.objects.filter(public_id=data.get("doctor"), is_active=True).first()
        if doctor is None:
            raise AuthenticationFailed("The calendar link is no longer valid.")
        return doctor, {"scope": FEED_SCOPE, "doctor": str(doctor.public_id)}


def render_calendar(*, doctor: User, appointments) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//HMS//Appointments//EN")
    calendar.add("version", "2.0")
    # An X- property is written as given unless typed: vText escapes line breaks in a name.
    calendar.add("x-wr-calname", vText(f"{settings.HOSPITAL_NAME}: {doctor.get_full_name()}"))
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now()
    for appointment in appointments:
        event = Event()
        event.add("uid", f"{appointment.public_id}@hms")
        event.add("dtstamp", stamp)
        event.add("dtstart", appointment.start_at)
        event.add("dtend", appointment.end_at)
        # Initials and MRN only: calendar apps sync to phones and clouds.
        patient = appointment.patient
        event.add(
            "summary",
            f"Appointment: {patient.first_name[:1]}. {patient.last_name[:1]}. ({patient.mrn})",
        )
        event.add("status", "CONFIRMED")
        if appointment.status in ("completed", "no_show"):
            event.add("description", f"Status: {appointment.get_status_display()}")
        calendar.add_component(event)
    return calendar.to_ical()


FEED_DAYS_BACK = timedelta(days=30)


class CalendarFeedTokenScheme(OpenApiAuthenticationExtension):
    target_class = CalendarFeedTokenAuthentication
    name = "calendarFeedToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "query", "name": "token"}
