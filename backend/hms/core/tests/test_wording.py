import pytest

from hms.core.wording import with_article


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("ordered", "an ordered"),
        ("in progress", "an in progress"),
        ("issued", "an issued"),
        ("approved", "an approved"),
        ("draft", "a draft"),
        ("cancelled", "a cancelled"),
        ("laboratory test", "a laboratory test"),
    ],
)
def test_the_article_follows_the_first_sound(phrase, expected):
    assert with_article(phrase) == expected


def test_a_sentence_starts_with_a_capital():
    assert with_article("ordered", capital=True) == "An ordered"
    assert with_article("paid", capital=True) == "A paid"
