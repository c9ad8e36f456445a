"""Data migration: give the catalogue's tests their department (from the shipped file, by
local code; tests not in it stay "other") and their search words. Reversing leaves the
columns as they are (the schema migration before this one drops them)."""

from django.db import migrations


def fill(apps, schema_editor):
    from hms.laboratory.catalog import TESTS_FILE, _rows, lab_test_search_text

    departments = {row["code"].upper(): row.get("department") or "other" for _, row in _rows(TESTS_FILE)}
    LabTest = apps.get_model("laboratory", "LabTest")
    tests = list(LabTest.objects.order_by("id"))
    for test in tests:
        test.department = departments.get(test.code.upper(), test.department or "other")
        test.search_text = lab_test_search_text(
            code=test.code, name=test.name, loinc_code=test.loinc_code
        )
    LabTest.objects.bulk_update(tests, ["department", "search_text"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("laboratory", "0003_labtest_department_search_text")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
