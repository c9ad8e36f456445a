import pytest
from django.core.exceptions import ValidationError

from hms.clinical.icd10 import Icd10Code, icd10_lookup, icd10_normalise, icd10_search


class TestIcd10Lookup:
    @pytest.mark.parametrize(
        ("raw", "code", "title"),
        [
            ("J45.9", "J45.9", "Asthma, unspecified"),
            (" j459 ", "J45.9", "Asthma, unspecified"),
            ("E11", "E11", "Type 2 diabetes mellitus"),
            ("U07.1", "U07.1", "COVID-19, virus identified"),
        ],
    )
    def test_codes_in_the_who_list_are_accepted_with_their_title(self, raw, code, title):
        assert icd10_lookup(raw) == Icd10Code(code=code, title=title)

    @pytest.mark.parametrize("raw", ["ZZZ", "J45.99", "E11.65", "Q99.9X"])
    def test_unknown_codes_are_refused(self, raw):
        with pytest.raises(ValidationError) as error:
            icd10_lookup(raw)
        assert error.value.code in {"icd10_unknown", "icd10_invalid"}

    @pytest.mark.parametrize("raw", ["X", "J40-J47", "", "DROP TABLE", "J4"])
    def test_chapters_blocks_and_garbage_are_not_codes(self, raw):
        with pytest.raises(ValidationError):
            icd10_lookup(raw)

    def test_normalise_adds_the_dot(self):
        assert icd10_normalise("s7200") == "S72.00"


def test_search_by_code_prefix_and_by_words():
    assert icd10_search("J45")[0].code == "J45"
    assert any(item.code == "J45.9" for item in icd10_search("asthma unspecified"))
    assert icd10_search("") == []
