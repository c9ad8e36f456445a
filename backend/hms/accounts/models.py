import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q

from hms.core.history import HistoricalRecords
from hms.core.models import TimeStampedModel
from hms.core.roles import STAFF_ROLES, Role


class HmsUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # `manage.py createsuperuser` must give an administrator, never a patient.
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """Every person who signs in: staff of every role, and patients using the portal."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    role = models.CharField(max_length=32, choices=Role.choices, db_index=True)
    phone = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    # Password hashes and login times are not history worth keeping copies of.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = HmsUserManager()

    class Meta:
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=[role.value for role in Role]), name="user_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.username} ({self.role})"

    @property
    def is_staff_member(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_active_doctor(self) -> bool:
        """May be named as the doctor of an order, encounter, admission or assignment."""
        return self.role == Role.DOCTOR and self.is_active

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class LoginThrottle(models.Model):
    """Failed-login counter per username (lowercased), whether or not the account exists."""

    username = models.CharField(max_length=150, unique=True)
    failed_count = models.PositiveIntegerField(default=0)
    last_failed_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return f"{self.username}: {self.failed_count} failed"


class DoctorProfile(TimeStampedModel):
    """What the doctor directory shows of a user with the doctor role."""

    user = models.OneToOneField(
        User,
        on_delete=models.PROTECT,
        related_name="doctor_profile",
        limit_choices_to={"role": "doctor"},
    )
    specialization = models.CharField(max_length=100, db_index=True)
    department = models.CharField(max_length=100, blank=True, db_index=True)
    bio = models.TextField(blank=True)
    available = models.BooleanField(default=True, db_index=True)
    license_number = models.CharField(max_length=64, blank=True)

    # The tables keep the names they had when doctors lived in the patient registry.
    history = HistoricalRecords(table_name="patients_historicaldoctorprofile")

    class Meta:
        db_table = "patients_doctorprofile"
        ordering = ["user__last_name", "user__first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["license_number"],
                condition=~Q(license_number=""),
                name="doctor_license_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"Dr {self.user.get_full_name() or self.user.username} ({self.specialization})"
