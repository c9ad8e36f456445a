"""The order page's catalogue search: panels first, then tests grouped by department;
word-prefix matching on code, name and LOINC code; limits; a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hms.laboratory import selectors
from hms.laboratory.catalog import catalog_load_shipped
from hms.laboratory.models import LabDepartment, LabTest

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    if not LabTest.objects.exists():  # loaded by a data migration; a flush removes it
        catalog_load_shipped()


def codes(tests) -> list[str]:
    return [t.code for t in tests]


def shape(result) -> list[tuple[str, list[str]]]:
    return [("panels", codes(result.panels))] + [
        (group.department, codes(group.tests)) for group in result.groups
    ]


def test_the_shipped_catalogue_has_departments_and_search_words(catalogue):
    hgb = LabTest.objects.get(code="HGB")
    assert hgb.department == LabDepartment.HAEMATOLOGY
    assert hgb.search_text == "hgb hemoglobin 718 7"
    assert LabTest.objects.get(code="HBA1C").department == LabDepartment.BIOCHEMISTRY
    assert LabTest.objects.get(code="UA").department == LabDepartment.URINALYSIS
    assert not LabTest.objects.filter(search_text="").exists()


def test_panels_first_then_tests_by_department(catalogue):
    # "hemoglobin" is in three departments' tests, no panel's name
    result = selectors.lab_test_search(q="hemoglobin")
    assert shape(result) == [
        ("panels", []),
        ("biochemistry", ["HBA1C"]),
        ("haematology", ["HGB", "MCH", "MCHC"]),
        ("urinalysis", ["UBLD"]),
    ]
    assert [g.label for g in result.groups] == ["Biochemistry", "Haematology", "Urinalysis"]
    result = selectors.lab_test_search(q="lipid")
    assert shape(result) == [("panels", ["LIPID"])]
    assert [link.test.code for link in result.panels[0].component_links.all()] == [
        "CHOL", "TRIG", "HDL", "LDL",
    ]  # fmt: skip


def test_code_and_loinc_code_match(catalogue):
    assert codes(selectors.lab_test_search(q="cbc").tests) == ["CBC"]
    assert codes(selectors.lab_test_search(q="718-7").tests) == ["HGB"]
    # every word must begin a word of the test
    assert codes(selectors.lab_test_search(q="urine glucose").tests) == ["UGLU"]


def test_the_best_matches_are_kept_when_there_are_more_than_the_limit(catalogue):
    # "glu" is the code of Glucose (exact code first), and begins words of other tests
    result = selectors.lab_test_search(q="glu", limit=1)
    assert codes(result.tests) == ["GLU"] and result.truncated
    result = selectors.lab_test_search(q="glu")
    assert sorted(codes(result.tests)) == ["GLU", "UGLU"] and not result.truncated


def test_without_words_the_catalogue_is_browsed_in_order(catalogue):
    result = selectors.lab_test_search(q="")
    assert codes(result.panels) == ["CBC", "LYTES", "HEPATIC", "LIPID", "UA"]  # by name
    assert [g.department for g in result.groups] == ["biochemistry", "haematology", "urinalysis"]
    assert len(result) == LabTest.objects.count() and not result.truncated


def test_chosen_tests_are_left_out(catalogue):
    chosen = [str(LabTest.objects.get(code="HGB").public_id), "not-a-uuid"]
    assert "HGB" not in codes(selectors.lab_test_search(q="hemoglobin", exclude=chosen).tests)


def test_search_runs_two_queries_whatever_the_catalogue_size(catalogue):
    def queries(q: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            selectors.lab_test_search(q=q)
        return len(captured)

    # the ranked tests (LIMIT), the panels' components
    before = queries("chol"), queries("")
    LabTest.objects.bulk_create(
        LabTest(
            code=f"X{n}", loinc_code=f"9{n}-0", name=f"Cholinesterase {n}", kind="numeric",
            specimen_type="serum_plasma", department="biochemistry",
            search_text=f"x{n} cholinesterase {n} 9{n} 0",
        )
        for n in range(100)
    )  # fmt: skip
    assert (queries("chol"), queries("")) == before == (2, 2)


def test_tests_named_by_id_are_resolved_in_one_go(catalogue):
    wanted = [str(LabTest.objects.get(code=c).public_id) for c in ("GLU", "CBC")]
    with CaptureQueriesContext(connection) as captured:
        found = selectors.lab_tests_by_public_ids([*wanted, "nonsense", ""])
        [list(t.component_links.all()) for t in found.values()]
    assert sorted(t.code for t in found.values()) == ["CBC", "GLU"]
    assert len(captured) == 2
