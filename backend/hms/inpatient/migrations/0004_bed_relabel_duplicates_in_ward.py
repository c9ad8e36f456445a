"""Before bed labels become unique per ward: a bed whose label another bed of the same ward
already carries (in another room) gets its room's name added, and if that is still taken, its
own number. The bed with the lowest id keeps the label."""

from django.db import migrations


def relabel_duplicates(apps, schema_editor):
    Bed = apps.get_model("inpatient", "Bed")
    taken: dict[int, set[str]] = {}
    for bed in Bed.objects.select_related("room").order_by("ward_id", "id"):
        labels = taken.setdefault(bed.ward_id, set())
        if bed.label in labels:
            label = f"{bed.label} {bed.room.name}"[:32]
            if label in labels:
                label = f"{bed.label[:20]}-{bed.pk}"[:32]
            bed.label = label
            bed.save(update_fields=["label"])
        labels.add(bed.label)


class Migration(migrations.Migration):
    dependencies = [("inpatient", "0003_sign_existing_discharge_summaries")]

    operations = [
        # Reversing keeps the new labels: they are valid under the older rule too.
        migrations.RunPython(relabel_duplicates, migrations.RunPython.noop),
    ]
