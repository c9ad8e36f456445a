"""The shipped catalog, reference range selection by sex and age, flags and units."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command

from hms.core.roles import Role
from hms.laboratory import catalog, ranges, units
from hms.laboratory.models import LabTest, LabTestKind, PanelComponent, ReferenceRange
from hms.laboratory.tests.conftest import catalog as by_code

pytestmark = pytest.mark.django_db


def band(sex="any", age_from="", age_to="", low=None, high=None, cl=None, ch=None):
    d = lambda v: None if v is None else Decimal(str(v))  # noqa: E731
    return SimpleNamespace(
        sex=sex,
        age_from=age_from,
        age_to=age_to,
        low=d(low),
        high=d(high),
        critical_low=d(cl),
        critical_high=d(ch),
    )


class TestShippedCatalog:
    def test_the_data_migration_loaded_the_starter_catalog(self):
        # CBC components, electrolytes, glucose, creatinine, liver panel, lipids, HbA1c, TSH,
        # urinalysis: given by their real LOINC codes.
        expected = {
            "CBC": "58410-2",
            "HGB": "718-7",
            "WBC": "6690-2",
            "PLT": "777-3",
            "LYTES": "24326-1",
            "NA": "2951-2",
            "K": "2823-3",
            "GLU": "2345-7",
            "CREA": "2160-0",
            "HEPATIC": "24325-3",
            "ALT": "1742-6",
            "LIPID": "24331-1",
            "CHOL": "2093-3",
            "HBA1C": "4548-4",
            "TSH": "3016-3",
            "UA": "24357-6",
            "UPRO": "20454-5",
        }
        found = dict(LabTest.objects.filter(code__in=expected).values_list("code", "loinc_code"))
        assert found == expected
        cbc = [link.test.code for link in by_code("CBC").component_links.all()]
        assert cbc == ["WBC", "RBC", "HGB", "HCT", "MCV", "MCH", "MCHC", "RDW", "PLT"]
        assert ReferenceRange.objects.filter(test__code="HGB").count() >= 7

    def test_every_code_has_a_valid_loinc_check_digit(self):
        for code in LabTest.objects.values_list("loinc_code", flat=True):
            assert catalog.loinc_check_digit_valid(code), code
        assert not catalog.loinc_check_digit_valid("718-6")
        assert not catalog.loinc_check_digit_valid("71a-7")

    def test_numeric_tests_have_units_and_text_tests_their_answers(self):
        for test in LabTest.objects.filter(kind=LabTestKind.TEXT).exclude(code="UCOL"):
            assert test.allowed_values and set(test.normal_values) <= set(test.allowed_values)
        unitless = set(
            LabTest.objects.filter(kind=LabTestKind.NUMERIC, unit="").values_list("code", flat=True)
        )
        assert unitless == {"USG"}  # specific gravity is a ratio

    def test_reloading_is_idempotent(self):
        before = (LabTest.objects.count(), PanelComponent.objects.count())
        ranges_before = ReferenceRange.objects.count()
        call_command("load_lab_catalog", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert (LabTest.objects.count(), PanelComponent.objects.count()) == before
        assert ReferenceRange.objects.count() == ranges_before

    def test_a_mistyped_loinc_code_is_refused_and_nothing_changes(self, tmp_path):
        bad = tmp_path / "tests.csv"
        bad.write_text(
            "code,loinc,name,specimen,kind,unit,decimals,alt_units,allowed,normal,aliases,"
            "components\nHGB,718-6,Hemoglobin,whole_blood,numeric,g/dL,1,,,,,\n"
        )
        with pytest.raises(CommandError, match="718-6"):
            call_command("load_lab_catalog", tests=bad)
        assert by_code("HGB").loinc_code == "718-7"


class TestAgeBands:
    def test_birthday_is_the_first_day_of_the_next_band(self):
        birth = date(2009, 3, 1)
        assert not ranges.in_band(birth=birth, on=date(2027, 2, 28), age_from="18y", age_to="")
        assert ranges.in_band(birth=birth, on=date(2027, 3, 1), age_from="18y", age_to="")

    def test_days_and_months(self):
        birth = date(2027, 1, 31)
        # Thirty days after 31 January 2027 is 2 March.
        assert ranges.in_band(birth=birth, on=date(2027, 3, 1), age_from="", age_to="30d")
        assert not ranges.in_band(birth=birth, on=date(2027, 3, 2), age_from="", age_to="30d")
        # One calendar month after 31 January is 28 February.
        assert ranges.date_reached(birth, "1m") == date(2027, 2, 28)

    def test_leap_day_birthdays(self):
        assert ranges.date_reached(date(2008, 2, 29), "1y") == date(2009, 2, 28)

    def test_bad_bounds_are_refused(self):
        with pytest.raises(ValueError):
            ranges.parse_age_bound("18 years")


class TestRangeSelection:
    HGB = [
        band("any", "", "30d", 14, 22, 9.5, 24),
        band("any", "2y", "12y", 11.5, 14.5, 7, 20),
        band("female", "18y", "", 12.0, 15.5, 7, 20),
        band("male", "18y", "", 13.5, 17.5, 7, 20),
    ]

    def pick(self, sex, birth, on=date(2027, 3, 1)):
        return ranges.select_range(self.HGB, sex=sex, birth=birth, on=on)

    def test_sex_specific_adult_ranges(self):
        assert self.pick("female", date(1980, 1, 1)).low == Decimal("12.0")
        assert self.pick("male", date(1980, 1, 1)).low == Decimal("13.5")

    def test_child_and_neonate_bands(self):
        assert self.pick("male", date(2020, 1, 1)).low == Decimal("11.5")
        newborn = self.pick("female", date(2027, 2, 20))
        assert (newborn.low, newborn.critical_low) == (Decimal(14), Decimal("9.5"))

    def test_age_is_taken_on_the_collection_date(self):
        # 17 on collection day, 18 the next day: the child's band has no range for 12-18 here.
        birth = date(2009, 3, 2)
        assert self.pick("female", birth, on=date(2027, 3, 1)) is None
        assert self.pick("female", birth, on=date(2027, 3, 2)).low == Decimal("12.0")

    def test_unknown_sex_combines_both_ranges_safely(self):
        combined = self.pick("unknown", date(1980, 1, 1))
        # No false "abnormal": the wider interval...
        assert (combined.low, combined.high) == (Decimal("12.0"), Decimal("17.5"))
        # ...but no missed critical value: the narrower limits.
        assert (combined.critical_low, combined.critical_high) == (Decimal(7), Decimal(20))
        assert "combined" in combined.basis

    def test_unknown_birth_date_assumes_an_adult_and_says_so(self):
        applied = self.pick("male", None)
        assert applied.low == Decimal("13.5") and "date of birth unknown" in applied.basis

    def test_the_shipped_ranges(self):
        hgb = list(by_code("HGB").reference_ranges.all())
        woman = ranges.select_range(hgb, sex="female", birth=date(1986, 6, 15), on=date(2027, 3, 1))
        man = ranges.select_range(hgb, sex="male", birth=date(1986, 6, 15), on=date(2027, 3, 1))
        assert woman.text == "12-15.5" and man.text == "13.5-17.5"
        assert woman.basis == "female, age ≥ 18y"


class TestFlags:
    applied = ranges.AppliedRange(
        low=Decimal("3.5"),
        high=Decimal("5.1"),
        critical_low=Decimal("2.8"),
        critical_high=Decimal("6.2"),
        basis="any",
    )

    @pytest.mark.parametrize(
        ("value", "flag"),
        [
            ("2.7", "critical_low"),
            ("2.8", "low"),  # critical limits are exclusive thresholds
            ("3.4", "low"),
            ("3.5", "normal"),
            ("5.1", "normal"),
            ("5.2", "high"),
            ("6.2", "high"),
            ("6.3", "critical_high"),
        ],
    )
    def test_numeric(self, value, flag):
        assert ranges.flag_numeric(Decimal(value), self.applied) == flag

    def test_one_sided_and_missing_ranges(self):
        hdl = ranges.AppliedRange(Decimal(40), None, None, None, "male")
        assert ranges.flag_numeric(Decimal(39), hdl) == "low"
        assert ranges.flag_numeric(Decimal(90), hdl) == "normal"
        assert ranges.flag_numeric(Decimal(90), None) == ""

    def test_text(self):
        assert ranges.flag_text("Negative", ["negative"]) == "normal"
        assert ranges.flag_text("2+", ["negative"]) == "abnormal"
        assert ranges.flag_text("amber", []) == ""


class TestUnits:
    def test_spelling_variants_are_the_same_unit(self):
        assert units.units_equal("10^9/L", "10*9/L")
        assert units.units_equal("x10E9/L", "10*9/l")
        assert units.units_equal("µmol/L", "umol/L")
        assert not units.units_equal("mmol/L", "mg/dL")

    def test_accepted_other_units_are_converted(self):
        glucose, creatinine, wbc = by_code("GLU"), by_code("CREA"), by_code("WBC")
        assert units.to_test_unit(glucose, Decimal("5.5"), "mmol/L") == Decimal(99)
        assert units.to_test_unit(creatinine, Decimal(88), "µmol/L") == Decimal("1.00")
        assert units.to_test_unit(wbc, Decimal("7.2"), "10^9/L") == Decimal("7.2")

    def test_a_unit_the_test_does_not_accept_is_refused(self):
        with pytest.raises(units.UnitError, match="not accepted"):
            units.to_test_unit(by_code("K"), Decimal("4.1"), "mg/dL")

    @pytest.mark.parametrize("raw", ["", "abc", "1e5", "-3", "NaN", "1.2.3", True])
    def test_values_that_are_not_numbers(self, raw):
        with pytest.raises(units.UnitError):
            units.parse_number(raw)

    def test_comparators(self):
        parsed = units.parse_number("< 0.01")
        assert (parsed.comparator, parsed.value) == ("<", Decimal("0.01"))


def test_the_flag_rules_are_published_to_clients(client_for):
    rules = client_for(Role.LAB_TECHNICIAN).get("/api/profile/capabilities/").json()
    lab_flags = rules["clinical_rules"]["lab_flags"]
    assert lab_flags == ranges.lab_flag_rules()
    assert lab_flags["assumed_adult_years"] == ranges.ASSUMED_ADULT_YEARS
    assert lab_flags["combined_sexes"] == {
        "low": "min",
        "high": "max",
        "critical_low": "max",
        "critical_high": "min",
    }
