"""?q= search: MRN exact, phone prefix, name prefixes; case- and accent-insensitive; ranked."""

import pytest

from hms.core.roles import Role
from hms.patients.mrn import mrn_format
from hms.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "jonas": PatientFactory(first_name="Jonas", last_name="Johnson"),
        "ann": PatientFactory(first_name="Ann", last_name="Johnston"),
        "johnny": PatientFactory(first_name="Johnny", last_name="Appleseed"),
        "john": PatientFactory(first_name="John", last_name="Smith", phone="+44 20 7946 0958"),
        "elodie": PatientFactory(first_name="Élodie", last_name="Dupré"),
        "jose": PatientFactory(first_name="José", middle_name="María", last_name="García López"),
    }


@pytest.fixture
def search(client_for):
    client = client_for(Role.RECEPTIONIST)

    def run(q: str) -> list[str]:
        response = client.get("/api/patients/", {"q": q})
        assert response.status_code == 200, response.data
        return [row["id"] for row in response.data["results"]]

    return run


def ids(*patients) -> list[str]:
    return [str(p.public_id) for p in patients]


def test_ranking_last_name_prefix_before_first_name_prefix(people, search):
    p = people
    # Johnson, Johnston (last names, by last name) before the first-name matches, which are
    # ordered by first name: John, Johnny, José.
    assert search("jo") == ids(p["jonas"], p["ann"], p["john"], p["johnny"], p["jose"])
    assert search("john") == ids(p["jonas"], p["ann"], p["john"], p["johnny"])


def test_full_name_prefix_in_every_order(people, search):
    p = people
    assert search("john smi") == ids(p["john"])
    assert search("Smith, Jo") == ids(p["john"])
    assert search("smith j") == ids(p["john"])
    assert search("ann johnst") == ids(p["ann"])


def test_first_last_matches_rank_above_last_first_matches(search):
    # "de la" starts De Lacroix's "first last" and De la Cruz's "last first".
    rosa = PatientFactory(first_name="De", last_name="Lacroix")
    luis = PatientFactory(first_name="Luis", last_name="De la Cruz")
    PatientFactory(first_name="Delacroix", last_name="Other")
    assert search("de la") == ids(rosa, luis)


def test_an_mrn_search_looks_at_mrns_only(search):
    target = PatientFactory(first_name="Z", last_name="W")
    PatientFactory(first_name="Other", last_name=target.mrn)  # absurd, but never matched
    assert search(target.mrn) == ids(target)


def test_pages_run_across_tiers(client_for):
    last = [PatientFactory(first_name=f"A{i}", last_name=f"Kim{i:02d}") for i in range(3)]
    first = [PatientFactory(first_name=f"Kim{i:02d}", last_name=f"Z{i}") for i in range(4)]
    client = client_for(Role.RECEPTIONIST)
    pages = [
        client.get("/api/patients/", {"q": "kim", "page_size": 2, "page": page}).data
        for page in (1, 2, 3, 4)
    ]
    assert [page["count"] for page in pages] == [7, 7, 7, 7]
    found = [row["id"] for page in pages for row in page["results"]]
    assert found == ids(*last, *first)
    assert pages[3]["next"] is None


def test_accent_and_case_insensitive(people, search):
    p = people
    assert search("ELODIE") == ids(p["elodie"])
    assert search("dupre") == ids(p["elodie"])
    assert search("Dupré, Élo") == ids(p["elodie"])
    assert search("jose garcia") == ids(p["jose"])
    assert search("garcía lóp") == ids(p["jose"])


def test_mrn_exact_with_check_digit(people, search):
    john = people["john"]
    assert search(john.mrn) == ids(john)
    assert search(john.mrn.lower()) == ids(john)
    assert search(john.mrn[1:]) == ids(john)  # without the prefix
    wrong = john.mrn[:-1] + str((int(john.mrn[-1]) + 1) % 10)
    assert search(wrong) == []
    assert search(mrn_format(99_999_999)) == []


def test_phone_digits(people, search):
    assert search("+44 20 7946 0958") == ids(people["john"])
    assert search("4420 7946") == ids(people["john"])
    assert search("99999999") == []


def test_too_short_or_unmatched_queries_find_nobody(people, search):
    assert search("j") == []
    assert search("zz") == []
    assert search("!!") == []


def test_search_is_audited_with_the_patients_shown(people, client_for, last_audit):
    client = client_for(Role.RECEPTIONIST)
    client.get("/api/patients/", {"q": "dupre"})
    event = last_audit(resource_type="patient_list")
    assert event.actor == client.user
    assert event.detail["q"] == "dupre"
    assert event.detail["patients"] == ids(people["elodie"])


@pytest.mark.postgres
def test_similar_names_when_no_prefix_matches(people, search):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("trigram search needs PostgreSQL with pg_trgm")
    assert search("jhon smith") == ids(people["john"])
    assert search("Dupret, Elodie") == ids(people["elodie"])
    # A prefix match wins: no fuzzy results are mixed in.
    assert search("smith") == ids(people["john"])
    assert search("qqqq zzzz") == []
