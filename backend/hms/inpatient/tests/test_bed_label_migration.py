"""Before bed labels became unique per ward, two rooms of one ward could hold the same label
(the demo's "MED-A-Bay1" in Bay 1 and Bay 2). The data migration gives the later bed its
room's name, so the constraint can be added to an existing database."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("inpatient", "0003_sign_existing_discharge_summaries")]
AFTER = [("inpatient", "0005_bed_unique_label_in_ward")]


@pytest.fixture
def back_to_latest_afterwards():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest_afterwards")
def test_duplicate_labels_in_a_ward_are_relabelled_before_the_constraint():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Ward = apps.get_model("inpatient", "Ward")
    Room = apps.get_model("inpatient", "Room")
    Bed = apps.get_model("inpatient", "Bed")
    ward = Ward.objects.create(name="Medical Ward A", code="MED-A", type="medical")
    bay_1 = Room.objects.create(ward=ward, name="Bay 1")
    bay_2 = Room.objects.create(ward=ward, name="Bay 2")
    first = Bed.objects.create(ward=ward, room=bay_1, label="MED-A-Bay1")
    second = Bed.objects.create(ward=ward, room=bay_2, label="MED-A-Bay1")
    other = Bed.objects.create(ward=ward, room=bay_2, label="MED-A-Bay2")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    apps = executor.loader.project_state(AFTER).apps
    Bed = apps.get_model("inpatient", "Bed")
    labels = dict(Bed.objects.values_list("pk", "label"))
    assert labels == {
        first.pk: "MED-A-Bay1",
        second.pk: "MED-A-Bay1 Bay 2",
        other.pk: "MED-A-Bay2",
    }
