"""Form helpers, without a server."""

from decimal import Decimal

import pytest

from hms_desktop.widgets.forms import FieldBox, amount_in, line_edit


@pytest.mark.parametrize(
    ("typed", "positive", "amount", "error"),
    [
        ("25", True, Decimal("25"), ""),
        (" 1,250.50 ", True, Decimal("1250.50"), ""),
        ("0", False, Decimal("0"), ""),
        ("0", True, None, "The amount must be more than zero."),
        ("-5", False, None, "It cannot be negative."),
        ("-5", True, None, "The amount must be more than zero."),
        ("twelve", True, None, "Enter an amount, e.g. 25.00"),
        ("", False, None, "Enter an amount, e.g. 25.00"),
        ("NaN", False, None, "Enter an amount, e.g. 25.00"),
        ("Infinity", True, None, "Enter an amount, e.g. 25.00"),
    ],
)
def test_amount_in_reads_money_or_says_why_not(qtbot, typed, positive, amount, error):
    editor = line_edit(text=typed)
    box = FieldBox(editor)
    qtbot.addWidget(box)
    box.show()
    assert amount_in(editor, box, example="25.00", positive=positive) == amount
    assert box.error_text == error


def test_amount_in_names_what_it_asks_for(qtbot):
    editor = line_edit(text="free")
    box = FieldBox(editor)
    qtbot.addWidget(box)
    box.show()
    assert amount_in(editor, box, example="12.50", what="a price", positive=False) is None
    assert box.error_text == "Enter a price, e.g. 12.50"
