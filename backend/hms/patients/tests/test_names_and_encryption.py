import pytest
from django.db import connection

from hms.patients.encryption import decrypt, encrypt, keyed_hash
from hms.patients.names import full_name_norm, name_normalise, phone_digits
from hms.patients.tests.factories import InsurancePolicyFactory, PatientFactory


def test_name_normalise_strips_accents_case_and_punctuation():
    assert name_normalise("  José-María  O'Neil ") == "jose maria oneil"
    assert name_normalise("ÉLODIE") == "elodie"
    assert name_normalise("Müller") == "muller"
    assert name_normalise("Straße") == "strasse"
    assert name_normalise("Nguyễn") == "nguyen"
    assert full_name_norm("Zoë", "Saldaña") == "zoe saldana"


def test_phone_digits():
    assert phone_digits("+1 (555) 010-0199") == "15550100199"
    assert phone_digits("") == ""


def test_encrypt_round_trip_and_keyed_hash():
    token = encrypt("AB 123 456")
    assert "AB 123 456" not in token and "123 456" not in token
    assert decrypt(token) == "AB 123 456"
    assert encrypt("same") != encrypt("same")  # randomised: equal values do not look equal
    assert keyed_hash("ab123456") == keyed_hash(" AB 123 456 ")
    assert keyed_hash("") == ""


def test_a_rotated_key_still_decrypts_old_values(settings):
    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = old
    token = encrypt("X-1")
    settings.FIELD_ENCRYPTION_KEY = f"{new},{old}"
    assert decrypt(token) == "X-1"


def _raw(table: str, column: str, pk: int, pk_column: str = "id") -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {pk_column} = %s", [pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_national_id_and_policy_number_are_not_stored_in_plaintext():
    patient = PatientFactory(national_id="NAT-99887766")
    policy = InsurancePolicyFactory(patient=patient, policy_number="POLICY-5550001")

    raw_national_id = _raw("patients_patient", "national_id", patient.pk)
    raw_policy = _raw("patients_insurancepolicy", "policy_number", policy.pk)
    assert "99887766" not in raw_national_id
    assert "5550001" not in raw_policy
    assert decrypt(raw_national_id) == "NAT-99887766"

    patient.refresh_from_db()
    assert patient.national_id == "NAT-99887766"
    assert patient.national_id_hash == keyed_hash("NAT-99887766")
    # The history table is encrypted too.
    raw_history = _raw(
        "patients_historicalpatient",
        "national_id",
        patient.history.latest().history_id,
        pk_column="history_id",
    )
    assert "99887766" not in raw_history
