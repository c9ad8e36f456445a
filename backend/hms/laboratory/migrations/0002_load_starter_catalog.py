"""Data migration: load the shipped starter catalog (data/lab_tests.csv and
data/lab_reference_ranges.csv, which name their sources). Reversing removes the tests the
files define, unless orders already use them (then it fails: catalog entries in use stay)."""

from django.db import migrations


def load(apps, schema_editor):
    from hms.laboratory.catalog import load_catalog

    load_catalog(
        lab_test_model=apps.get_model("laboratory", "LabTest"),
        panel_component_model=apps.get_model("laboratory", "PanelComponent"),
        reference_range_model=apps.get_model("laboratory", "ReferenceRange"),
    )


def unload(apps, schema_editor):
    from hms.laboratory.catalog import TESTS_FILE, _rows

    LabTest = apps.get_model("laboratory", "LabTest")
    PanelComponent = apps.get_model("laboratory", "PanelComponent")
    codes = [row["code"].upper() for _, row in _rows(TESTS_FILE)]
    PanelComponent.objects.filter(panel__code__in=codes).delete()
    LabTest.objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("laboratory", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
