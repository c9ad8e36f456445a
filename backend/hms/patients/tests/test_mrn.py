import threading

import pytest
from django.db import connection

from hms.patients.models import Patient
from hms.patients.mrn import luhn_check_digit, mrn_format, mrn_is_valid, mrn_normalise
from hms.patients.services import mrn_allocate
from hms.patients.tests.factories import PatientFactory


def test_check_digit_is_luhn():
    # 7992739871 is the textbook Luhn example: its check digit is 3.
    assert luhn_check_digit("7992739871") == 3
    assert mrn_format(1) == "H000000018"
    assert mrn_is_valid(mrn_format(123456))


def test_every_single_digit_typo_is_caught():
    mrn = mrn_format(4711)
    digits = mrn[1:]
    for position in range(len(digits)):
        for replacement in "0123456789":
            if replacement == digits[position]:
                continue
            typo = "H" + digits[:position] + replacement + digits[position + 1 :]
            assert mrn_normalise(typo) is None, typo


def test_adjacent_swaps_are_caught():
    mrn = mrn_format(12345678)
    digits = mrn[1:]
    for i in range(len(digits) - 1):
        if digits[i] == digits[i + 1] or {digits[i], digits[i + 1]} == {"0", "9"}:
            continue  # Luhn's one blind spot is 09 <-> 90
        swapped = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
        assert mrn_normalise("H" + swapped) is None


def test_normalise_accepts_what_people_type():
    mrn = mrn_format(42)
    assert mrn_normalise(mrn.lower()) == mrn
    assert mrn_normalise(mrn[1:]) == mrn  # without the prefix
    assert mrn_normalise(f" {mrn[:5]} {mrn[5:]} ") == mrn
    assert mrn_normalise("smith") is None


@pytest.mark.django_db
def test_allocation_is_sequential_and_unique():
    first = mrn_allocate(count=3)
    second = mrn_allocate(count=1)
    assert len(set(first + second)) == 4
    assert [mrn_normalise(m) for m in first + second] == first + second
    patients = PatientFactory.create_batch(5)
    assert len({p.mrn for p in patients}) == 5
    assert all(mrn_is_valid(p.mrn) for p in patients)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("require_row_locks")
def test_concurrent_allocations_never_share_a_number():
    results: list[str] = []
    errors: list[BaseException] = []

    def register():
        try:
            for _ in range(5):
                results.append(PatientFactory().mrn)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=register) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(results) == 30
    assert len(set(results)) == 30
    assert Patient.objects.count() == 30
