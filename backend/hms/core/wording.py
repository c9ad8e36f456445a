"""Small pieces of English for messages built from labels ("an ordered order", not "a ...")."""


def with_article(phrase: str, *, capital: bool = False) -> str:
    """`phrase` with "a" or "an" before it, by its first letter: every label this is used with
    (statuses, tariff categories) is a plain English word, so the vowel rule is right for them.

    with_article("ordered") == "an ordered"; with_article("draft", capital=True) == "A draft".
    """
    article = "an" if phrase[:1].lower() in "aeiou" else "a"
    if capital:
        article = article.capitalize()
    return f"{article} {phrase}"
