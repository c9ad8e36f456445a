"""Days summarised before the totals and department tables existed get their rows from the
per-doctor facts already built (data only; the tables come from 0006 and 0007)."""

from django.db import migrations


def totals_and_departments_from_doctor_facts(apps, schema_editor):
    doctor = apps.get_model("reporting", "DiagnosisDailyFact")._meta.db_table
    totals = apps.get_model("reporting", "DiagnosisDailyTotal")._meta.db_table
    department = apps.get_model("reporting", "DiagnosisDepartmentDailyFact")._meta.db_table
    profile = apps.get_model("accounts", "DoctorProfile")._meta.db_table
    schema_editor.execute(
        f"INSERT INTO {totals} (day, code, age_band, sex, diagnoses) "  # noqa: S608
        f"SELECT day, code, age_band, sex, SUM(diagnoses) FROM {doctor} "
        f"GROUP BY day, code, age_band, sex"
    )
    schema_editor.execute(
        f"INSERT INTO {department} (department, day, code, age_band, sex, diagnoses) "  # noqa: S608
        f"SELECT LOWER(p.department), f.day, f.code, f.age_band, f.sex, SUM(f.diagnoses) "
        f"FROM {doctor} f INNER JOIN {profile} p ON p.user_id = f.doctor_id "
        f"WHERE p.department <> '' "
        f"GROUP BY LOWER(p.department), f.day, f.code, f.age_band, f.sex"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0007_diagnosis_department_facts"),
        ("accounts", "0002_doctor_profile_moves_from_patients"),
    ]

    operations = [
        migrations.RunPython(totals_and_departments_from_doctor_facts, migrations.RunPython.noop),
    ]
