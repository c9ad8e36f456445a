"""Doctor profiles leave the patient registry for accounts (accounts 0002).

State only: the tables `patients_doctorprofile` and `patients_historicaldoctorprofile` stay,
with their rows; accounts.DoctorProfile uses them under the same names.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('patients', '0004_postgres_c_collation_for_search_columns'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='historicaldoctorprofile',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicaldoctorprofile',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='DoctorProfile',
                ),
                migrations.DeleteModel(
                    name='HistoricalDoctorProfile',
                ),
            ],
            database_operations=[],
        ),
    ]
