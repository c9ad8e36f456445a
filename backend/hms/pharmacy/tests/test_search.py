"""The prescriber's formulary search: word-prefix matching on generic name, brand, strength,
ATC code and form; ranking; limits; stock and dose presets; a constant number of queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hms.core.errors import ApplicationError
from hms.core.models import AuditEvent
from hms.core.roles import Role
from hms.pharmacy import selectors, services
from hms.pharmacy.models import DrugDosePreset, DrugForm
from hms.pharmacy.tests.factories import DrugFactory, add_stock

pytestmark = pytest.mark.django_db


def names(drugs) -> list[str]:
    return [f"{d.generic_name} {d.strength}" for d in drugs]


@pytest.fixture
def formulary():
    return {
        "amox500": DrugFactory(
            generic_name="Amoxicillin", strength="500 mg", strength_amount=500,
            form=DrugForm.CAPSULE, atc_code="J01CA04",
        ),
        "amox250": DrugFactory(
            generic_name="Amoxicillin", strength="250 mg", strength_amount=250,
            form=DrugForm.CAPSULE, atc_code="J01CA04",
        ),
        "coamox": DrugFactory(
            generic_name="Amoxicillin/clavulanic acid", brand_name="Augmentin",
            strength="625 mg", strength_amount=625, atc_code="J01CR02",
        ),
        "ampi": DrugFactory(generic_name="Ampicillin", strength="500 mg", atc_code="J01CA01"),
        "para": DrugFactory(
            generic_name="Paracétamol", brand_name="Panadol", strength="500 mg",
            atc_code="N02BE01",
        ),
        "old": DrugFactory(generic_name="Amoxapine", strength="50 mg", active=False),
    }  # fmt: skip


def test_name_prefix_ranks_first_and_strengths_sort_by_amount(formulary):
    # given the formulary, when a prescriber types the start of a generic name
    found = selectors.drug_search(q="amox")
    # then the matching active products come by name, weakest first; inactive ones never
    assert names(found) == [
        "Amoxicillin 250 mg",
        "Amoxicillin 500 mg",
        "Amoxicillin/clavulanic acid 625 mg",
    ]


def test_brand_atc_code_and_strength_words_match(formulary):
    assert names(selectors.drug_search(q="augm")) == ["Amoxicillin/clavulanic acid 625 mg"]
    assert names(selectors.drug_search(q="J01CA")) == [
        "Amoxicillin 250 mg",
        "Amoxicillin 500 mg",
        "Ampicillin 500 mg",
    ]
    # every word must begin a word of the drug: name and strength together
    assert names(selectors.drug_search(q="amox 500")) == ["Amoxicillin 500 mg"]
    # a word inside another word does not match ("cillin" is not the start of a word)
    assert selectors.drug_search(q="cillin") == []


def test_whole_query_prefix_of_the_name_beats_a_match_on_another_word(formulary):
    # "clav" starts the second word of one drug's name only; "panadol" is a brand
    clavulanic = DrugFactory(generic_name="Clavulanic test product", strength="1 mg")
    found = selectors.drug_search(q="clav")
    assert found[0] == clavulanic
    assert names(found[1:]) == ["Amoxicillin/clavulanic acid 625 mg"]


def test_accents_and_case_do_not_matter(formulary):
    assert names(selectors.drug_search(q="PARACETAMOL")) == ["Paracétamol 500 mg"]
    assert names(selectors.drug_search(q="panad")) == ["Paracétamol 500 mg"]


def test_fewer_than_two_characters_find_nothing(formulary):
    assert selectors.drug_search(q="a") == []
    assert selectors.drug_search(q="  ") == []


def test_results_are_limited(formulary):
    for n in range(30):
        DrugFactory(generic_name=f"Amoxtest {n:02d}")
    assert len(selectors.drug_search(q="amox")) == selectors.DRUG_SEARCH_LIMIT == 20
    assert len(selectors.drug_search(q="amox", limit=5)) == 5


def test_stock_and_active_presets_come_with_each_drug(formulary, make_user):
    drug = formulary["amox500"]
    add_stock(drug, 40)
    add_stock(drug, 7, location="ward")
    pharmacist = make_user(Role.PHARMACIST)
    adult = services.drug_dose_preset_create(
        actor=pharmacist, drug=drug, label="Adult", dose=Decimal(500), frequency="tds",
        duration_days=5,
    )  # fmt: skip
    stopped = services.drug_dose_preset_create(
        actor=pharmacist, drug=drug, label="Old", dose=Decimal(250), frequency="bd", position=1
    )
    services.drug_dose_preset_deactivate(actor=pharmacist, preset=stopped)
    found = {d.pk: d for d in selectors.drug_search(q="amoxicillin 500")}
    assert found[drug.pk].on_hand_pharmacy == 40 and found[drug.pk].on_hand == 47
    assert found[drug.pk].active_presets == [adult]
    assert selectors.drug_dose_presets(drug=drug) == [adult]


def test_search_runs_three_queries_whatever_the_number_of_matches(formulary):
    def queries(q: str) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            found = selectors.drug_search(q=q)
        return len(captured), len(found)

    # ranked ids (LIMIT), the rows with their stock, their presets
    assert queries("augmentin") == (3, 1)
    for n in range(25):
        drug = DrugFactory(generic_name=f"Augmentin test {n:02d}")
        add_stock(drug, 5)
        DrugDosePreset.objects.create(drug=drug, label="Adult", dose=1, frequency="od")
    assert queries("augmentin") == (3, 20)
    # no match: only the ranked ids
    assert queries("zzzz") == (1, 0)


def test_strengths_are_the_same_medicine_in_other_products(formulary):
    assert names(selectors.drug_strengths(drug=formulary["amox500"])) == [
        "Amoxicillin 250 mg",
        "Amoxicillin 500 mg",
    ]


def test_search_words_follow_a_drug_update(formulary, make_user):
    drug = formulary["ampi"]
    services.drug_update(actor=make_user(Role.PHARMACIST), drug=drug, brand_name="Penbritin")
    assert names(selectors.drug_search(q="penbr")) == ["Ampicillin 500 mg"]


def test_a_dose_preset_is_validated_and_audited(formulary, make_user):
    pharmacist = make_user(Role.PHARMACIST)
    drug = formulary["para"]
    with pytest.raises(ApplicationError) as exc:
        services.drug_dose_preset_create(
            actor=pharmacist, drug=drug, label=" ", dose=Decimal(0), frequency="hourly"
        )
    assert set(exc.value.fields) == {"label", "dose", "frequency"}
    preset = services.drug_dose_preset_create(
        actor=pharmacist, drug=drug, label="Adult", dose=Decimal(1000), frequency="qds"
    )
    event = AuditEvent.objects.get(resource_type="drug_dose_preset")
    assert event.object_id == str(preset.public_id) and event.actor == pharmacist
    with pytest.raises(PermissionError):
        preset.delete()
