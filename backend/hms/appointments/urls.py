from django.urls import path

from hms.appointments import apis

urlpatterns = [
    path("doctors/<uuid:doctor_id>/schedule/", apis.DoctorScheduleApi.as_view(), name="schedule"),
    path(
        "doctors/<uuid:doctor_id>/availability/",
        apis.DoctorAvailabilityApi.as_view(),
        name="doctor-availability",
    ),
    path(
        "doctors/<uuid:doctor_id>/calendar.ics",
        apis.DoctorCalendarFeedApi.as_view(),
        name="doctor-calendar",
    ),
    path("doctors/me/calendar-link/", apis.CalendarLinkApi.as_view(), name="calendar-link"),
    path(
        "schedule-exceptions/",
        apis.ScheduleExceptionListCreateApi.as_view(),
        name="schedule-exception-list",
    ),
    path(
        "schedule-exceptions/range/",
        apis.ScheduleExceptionRangeCreateApi.as_view(),
        name="schedule-exception-range",
    ),
    path(
        "schedule-exceptions/<uuid:public_id>/cancel/",
        apis.ScheduleExceptionCancelApi.as_view(),
        name="schedule-exception-cancel",
    ),
    path("appointments/", apis.AppointmentListCreateApi.as_view(), name="appointment-list"),
    path("appointments/queue/", apis.AppointmentQueueApi.as_view(), name="appointment-queue"),
    path(
        "appointments/<uuid:public_id>/",
        apis.AppointmentDetailApi.as_view(),
        name="appointment-detail",
    ),
    path(
        "appointments/<uuid:public_id>/pdf/",
        apis.AppointmentPdfApi.as_view(),
        name="appointment-pdf",
    ),
    path(
        "appointments/<uuid:public_id>/check-in/",
        apis.AppointmentCheckInApi.as_view(),
        name="appointment-check-in",
    ),
    path(
        "appointments/<uuid:public_id>/no-show/",
        apis.AppointmentNoShowApi.as_view(),
        name="appointment-no-show",
    ),
    path(
        "appointments/<uuid:public_id>/start/",
        apis.AppointmentStartApi.as_view(),
        name="appointment-start",
    ),
    path(
        "appointments/<uuid:public_id>/complete/",
        apis.AppointmentCompleteApi.as_view(),
        name="appointment-complete",
    ),
]
