"""The rounding rules of hms.billing.money."""

from decimal import Decimal as D

import pytest

from hms.billing.money import copay_split, line_amounts, money


def test_half_up_not_bankers():
    assert money(D("0.005")) == D("0.01")
    assert money(D("0.015")) == D("0.02")
    assert money(D("2.675")) == D("2.68")
    assert money(D("-0.005")) == D("-0.01")


def test_line_is_rounded_step_by_step():
    # 3 x 3.335 = 10.005 -> 10.01; 10% off -> 1.00 (1.001); tax 16% of 9.01 = 1.4416 -> 1.44
    amounts = line_amounts(
        quantity=D(3), unit_price=D("3.335"), tax_rate=D(16), discount_percent=D(10)
    )
    assert amounts.subtotal == D("10.01")
    assert amounts.discount == D("1.00")
    assert amounts.tax == D("1.44")
    assert amounts.total == D("10.45")


def test_discount_may_not_exceed_the_subtotal():
    with pytest.raises(ValueError):
        line_amounts(quantity=D(1), unit_price=D(5), discount_amount=D("5.01"))
    assert line_amounts(quantity=D(1), unit_price=D(5), discount_amount=D(5)).total == D("0.00")


def test_copay_split_adds_up():
    patient, insurer = copay_split(total=D("33.33"), copay_percent=D(10))
    assert (patient, insurer) == (D("3.33"), D("30.00"))
    assert patient + insurer == D("33.33")
