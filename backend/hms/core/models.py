import uuid

from django.conf import settings
from django.db import models

from hms.core.roles import Role


class TimeStampedModel(models.Model):
    """Base for domain models: a public UUID for URLs (never the integer key) and timestamps."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class VoidableQuerySet(models.QuerySet):
    def not_voided(self):
        return self.filter(voided_at__isnull=True)


class NotVoidedManager(models.Manager.from_queryset(VoidableQuerySet)):
    """The default manager of voidable records: voided rows are hidden."""

    def get_queryset(self):
        return super().get_queryset().filter(voided_at__isnull=True)


class VoidableModel(TimeStampedModel):
    """Voided instead of deleted: the row stays, with who voided it, when and why.

    The default manager hides voided rows; `all_objects` (also the base manager, so relations
    still reach them) shows them, for charts and timelines that display them marked voided.
    """

    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    void_reason = models.TextField(blank=True)

    objects = NotVoidedManager()
    all_objects = models.Manager.from_queryset(VoidableQuerySet)()

    class Meta:
        abstract = True
        base_manager_name = "all_objects"

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None

    def delete(self, *args, **kwargs):
        raise PermissionError("Void this record with a reason instead of deleting it.")


def voided_consistent_constraint(name: str) -> models.CheckConstraint:
    """voided_at, voided_by and a reason come together, or not at all."""
    return models.CheckConstraint(
        condition=(
            models.Q(voided_at__isnull=True, voided_by__isnull=True, void_reason="")
            | (
                models.Q(voided_at__isnull=False, voided_by__isnull=False)
                & ~models.Q(void_reason="")
            )
        ),
        name=name,
    )


class AuditAction(models.TextChoices):
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    VOID = "void", "Void"
    READ = "read", "Read"
    LOGIN = "login", "Login"
    LOGIN_FAILED = "login_failed", "Login failed"
    LOGOUT = "logout", "Logout"
    EMERGENCY_ACCESS = "emergency_access", "Emergency (break-the-glass) access"
    EXPORT = "export", "Export"
    AUDIT_READ = "audit_read", "Audit log read"


class AuditOutcome(models.TextChoices):
    SUCCESS = "success", "Success"
    FAILURE = "failure", "Failure"
    DENIED = "denied", "Denied"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit events are append-only.")

    def delete(self):
        raise PermissionError("Audit events are append-only.")


class AuditEvent(models.Model):
    """One audited action. Append-only; each row's hash chains it to the previous one.

    Events are spread over a few independent chains (settings.AUDIT_CHAIN_SHARDS) so that
    concurrent writers do not all queue on one lock; each chain is gapless and verified on its
    own, so an edited or removed event still breaks its chain.
    """

    chain = models.PositiveSmallIntegerField(default=1)
    sequence = models.PositiveBigIntegerField()
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    occurred_at = models.DateTimeField(db_index=True)
    # Every write inserts an event, so the table carries no index a query does not use: the
    # (actor, occurred_at) and (patient_id, occurred_at) indexes below also serve lookups by
    # actor or patient alone.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
        db_index=False,
    )
    # Kept as text too, so the record reads the same even if the account changes later.
    actor_username = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=32, choices=Role.choices, blank=True)
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    resource_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    patient_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(
        max_length=16, choices=AuditOutcome.choices, default=AuditOutcome.SUCCESS
    )
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "sequence"], name="audit_chain_sequence")
        ]
        indexes = [
            models.Index(fields=["actor", "occurred_at"]),
            models.Index(fields=["resource_type", "occurred_at"]),
            models.Index(fields=["patient_id", "occurred_at"]),
            models.Index(fields=["action", "occurred_at"]),
        ]

    def __str__(self) -> str:
        actor = self.actor_username or "-"
        return f"{self.chain}#{self.sequence} {self.action} {self.resource_type} by {actor}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only.")


class AuditChainHead(models.Model):
    """One row per chain holding its last sequence and hash (the row's id is the chain).

    Writers lock it (SELECT ... FOR UPDATE) so concurrent events of one chain line up instead
    of forking; the lock is held only until the writer's transaction commits.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(id__gte=1, id__lte=64), name="audit_head_chain_range"
            )
        ]

    def __str__(self) -> str:
        return f"audit chain {self.id} at #{self.last_sequence}"


class NotificationSeverity(models.TextChoices):
    INFO = "info", "Information"
    WARNING = "warning", "Warning"
    CRITICAL = "critical", "Critical"


class Notification(TimeStampedModel):
    """A message for one user: a critical lab result, a deteriorating patient, low stock...

    Written by the modules' services through hms.core.services.notification_create; read and
    acknowledged by the recipient through /api/notifications/.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications"
    )
    kind = models.CharField(max_length=64, help_text="e.g. lab_critical_result, news2_alert")
    severity = models.CharField(
        max_length=16, choices=NotificationSeverity.choices, default=NotificationSeverity.INFO
    )
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    # Where a client should take the user: an API path or a portal URL.
    link = models.CharField(max_length=300, blank=True)
    patient_id = models.CharField(max_length=64, blank=True)
    # Same key twice → one notification (e.g. one alert per batch per day).
    dedupe_key = models.CharField(max_length=200, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # A critical notification stays in the recipient's "needs attention" strip until someone
    # acknowledges it: the recipient, or a colleague it was escalated to (the acknowledgement
    # then closes the original and every escalation of it).
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Set on a critical notification left unacknowledged past CRITICAL_ALERT_ESCALATION_MINUTES,
    # when copies went to the people who can act (escalation_of points back to it).
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalation_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="escalations"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"]),
            # The escalation sweep: critical, unacknowledged, not yet escalated, oldest first.
            # (Not a partial index: MySQL/MariaDB have none.)
            models.Index(
                fields=["severity", "acknowledged_at", "escalated_at", "created_at"],
                name="notification_unescalated",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notification_dedupe",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}: {self.title}"

    @property
    def needs_attention(self) -> bool:
        """Critical and not yet acknowledged: shown in the "needs attention" strip."""
        return self.severity == NotificationSeverity.CRITICAL and self.acknowledged_at is None


class RateLimitWindow(models.Model):
    """One client's attempts at one rate-limited action (sign-in, sign-up) in its current
    window, counted in the database so every worker and app server shares one budget
    (hms.core.throttling)."""

    key = models.CharField(max_length=255, unique=True)
    opened_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key}: {self.attempts} since {self.opened_at:%Y-%m-%d %H:%M:%S}"
