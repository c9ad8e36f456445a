import pytest
from django.core.management import call_command

from hms.core.roles import Role
from hms.patients.encryption import keyed_hash
from hms.patients.models import Patient
from hms.patients.mrn import mrn_is_valid
from hms.patients.names import full_name_norm, name_normalise
from hms.patients.services import mrn_allocate

pytestmark = pytest.mark.django_db


def test_generate_patients_makes_searchable_valid_rows(client_for, capsys):
    call_command("generate_patients", 40, seed=7, batch_size=15, national_id_share=1.0)
    patients = list(Patient.objects.all())
    assert len(patients) == 40
    assert len({p.mrn for p in patients}) == 40
    for patient in patients:
        assert mrn_is_valid(patient.mrn)
        assert patient.last_name_norm == name_normalise(patient.last_name)
        assert patient.full_name_norm == full_name_norm(patient.first_name, patient.last_name)
        assert patient.national_id_hash == keyed_hash(patient.national_id)  # decrypts
    # The registration counter moved past the generated block.
    assert mrn_allocate()[0] not in {p.mrn for p in patients}
    someone = patients[0]
    response = client_for(Role.RECEPTIONIST).get(
        "/api/patients/", {"q": f"{someone.first_name} {someone.last_name}"}
    )
    assert str(someone.public_id) in [row["id"] for row in response.data["results"]]
    assert "Generated 40 patients" in capsys.readouterr().out
