"""Doctor profiles move from the patient registry to accounts, where staff live.

Only Django's state moves: the tables (and their history table) keep the names they had in
`patients`, with their rows, indexes and constraints. The state leaves `patients` first
(patients 0005), then arrives here.
"""

import django.db.models.deletion
import simple_history.models
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('patients', '0005_doctor_profile_moves_to_accounts'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalDoctorProfile',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('public_id', models.UUIDField(db_index=True, default=uuid.uuid4, editable=False)),
                        ('created_at', models.DateTimeField(blank=True, db_index=True, editable=False)),
                        ('updated_at', models.DateTimeField(blank=True, editable=False)),
                        ('specialization', models.CharField(db_index=True, max_length=100)),
                        ('department', models.CharField(blank=True, db_index=True, max_length=100)),
                        ('bio', models.TextField(blank=True)),
                        ('available', models.BooleanField(db_index=True, default=True)),
                        ('license_number', models.CharField(blank=True, max_length=64)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('user', models.ForeignKey(blank=True, db_constraint=False, limit_choices_to={'role': 'doctor'}, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical doctor profile',
                        'verbose_name_plural': 'historical doctor profiles',
                        'db_table': 'patients_historicaldoctorprofile',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='DoctorProfile',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('specialization', models.CharField(db_index=True, max_length=100)),
                        ('department', models.CharField(blank=True, db_index=True, max_length=100)),
                        ('bio', models.TextField(blank=True)),
                        ('available', models.BooleanField(db_index=True, default=True)),
                        ('license_number', models.CharField(blank=True, max_length=64)),
                        ('user', models.OneToOneField(limit_choices_to={'role': 'doctor'}, on_delete=django.db.models.deletion.PROTECT, related_name='doctor_profile', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'patients_doctorprofile',
                        'ordering': ['user__last_name', 'user__first_name', 'id'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('license_number', ''), _negated=True), fields=('license_number',), name='doctor_license_unique')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
