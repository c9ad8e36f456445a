"""Typed wrappers over the server's resources: one small class per API area, one module per
area (as `hms_desktop.api.dto`), all reading answers through one converter (`base`)."""

from __future__ import annotations

from hms_desktop.api.client import ApiClient
from hms_desktop.api.resources.appointments import (
    BOOKING_CONFLICTS,
    AppointmentsApi,
    DoctorsApi,
    SchedulesApi,
    booking_conflict,
)
from hms_desktop.api.resources.base import DEFAULT_PAGE_SIZE, Resource
from hms_desktop.api.resources.billing import BillingApi
from hms_desktop.api.resources.common import (
    AUDIT_ACTIONS,
    AUDIT_OUTCOMES,
    AuditApi,
    NotificationsApi,
    ProfileApi,
    UsersApi,
)
from hms_desktop.api.resources.inpatient import InpatientApi
from hms_desktop.api.resources.lab import LabApi
from hms_desktop.api.resources.patients import (
    BLOOD_GROUPS,
    SEXES,
    PatientsApi,
    duplicate_candidates,
)
from hms_desktop.api.resources.pharmacy import PharmacyApi
from hms_desktop.api.resources.radiology import RadiologyApi
from hms_desktop.api.resources.reports import ReportsApi
from hms_desktop.api.resources.telemedicine import TelemedicineApi


class Api:
    """Everything the desktop can ask the server, grouped by area."""

    def __init__(self, client: ApiClient) -> None:
        self.client = client
        self.profile = ProfileApi(client)
        self.users = UsersApi(client)
        self.audit = AuditApi(client)
        self.patients = PatientsApi(client)
        self.doctors = DoctorsApi(client)
        self.appointments = AppointmentsApi(client)
        self.schedules = SchedulesApi(client)
        self.pharmacy = PharmacyApi(client)
        self.lab = LabApi(client)
        self.inpatient = InpatientApi(client)
        self.radiology = RadiologyApi(client)
        self.billing = BillingApi(client)
        self.notifications = NotificationsApi(client)
        self.telemedicine = TelemedicineApi(client)
        self.reports = ReportsApi(client)


__all__ = [
    "AUDIT_ACTIONS",
    "AUDIT_OUTCOMES",
    "BLOOD_GROUPS",
    "BOOKING_CONFLICTS",
    "DEFAULT_PAGE_SIZE",
    "SEXES",
    "Api",
    "AppointmentsApi",
    "AuditApi",
    "BillingApi",
    "DoctorsApi",
    "InpatientApi",
    "LabApi",
    "NotificationsApi",
    "PatientsApi",
    "PharmacyApi",
    "ProfileApi",
    "RadiologyApi",
    "ReportsApi",
    "Resource",
    "SchedulesApi",
    "TelemedicineApi",
    "UsersApi",
    "booking_conflict",
    "duplicate_candidates",
]
