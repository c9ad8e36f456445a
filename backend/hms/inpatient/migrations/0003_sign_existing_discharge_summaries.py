"""Summaries written before drafts existed were final when written: they are signed by their
writer at their last change, so admissions waiting for discharge can still be discharged."""

from django.db import migrations
from django.db.models import F


def sign_existing(apps, schema_editor):
    DischargeSummary = apps.get_model("inpatient", "DischargeSummary")
    DischargeSummary.objects.filter(status="draft", signed_at__isnull=True).update(
        status="final", signed_at=F("updated_at"), signed_by=F("written_by")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inpatient", "0002_discharge_summary_draft_and_signature"),
    ]

    operations = [
        migrations.RunPython(sign_existing, migrations.RunPython.noop),
    ]
