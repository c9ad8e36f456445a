"""Stored prescription analyses: what was asked, which provider answered, and the result."""

from django.conf import settings
from django.db import models

from hms.core.models import TimeStampedModel


class AnalysisSource(models.TextChoices):
    TEXT = "text", "Prescription text"
    PRESCRIPTION = "prescription", "Prescription on record"
    DOCUMENT = "document", "Uploaded document"


class PrescriptionAnalysis(TimeStampedModel):
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="prescription_analyses"
    )
    patient = models.ForeignKey(
        "patients.Patient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="prescription_analyses",
    )
    prescription = models.ForeignKey(
        "pharmacy.Prescription",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="analyses",
    )
    source = models.CharField(max_length=16, choices=AnalysisSource.choices)
    # The clinical text that was analysed, with identifiers already removed.
    clinical_text = models.TextField()
    input_sha256 = models.CharField(max_length=64)
    provider_requested = models.CharField(max_length=32)
    provider = models.CharField(max_length=32, help_text="The provider whose answer was used.")
    model_name = models.CharField(max_length=100, blank=True)
    fallback_reason = models.CharField(max_length=200, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "prescription analyses"
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="analysis_requester"),
            models.Index(fields=["patient", "-created_at"], name="analysis_patient"),
        ]

    def __str__(self) -> str:
        return f"Analysis {self.public_id} by {self.provider}"
