"""Data migration: fill the search words of the drugs created before the column existed.
Reversing leaves the column as it is (the schema migration before this one drops it)."""

from django.db import migrations


def fill(apps, schema_editor):
    from hms.pharmacy.services.formulary import drug_search_text

    Drug = apps.get_model("pharmacy", "Drug")
    batch = []
    for drug in Drug.objects.order_by("id").iterator(chunk_size=1000):
        drug.search_text = drug_search_text(
            generic_name=drug.generic_name,
            brand_name=drug.brand_name,
            strength=drug.strength,
            atc_code=drug.atc_code,
            form=drug.form,
        )
        batch.append(drug)
        if len(batch) >= 1000:
            Drug.objects.bulk_update(batch, ["search_text"])
            batch = []
    if batch:
        Drug.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [("pharmacy", "0002_drug_search_text_dose_presets")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
