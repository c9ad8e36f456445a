"""Choosing from the ordering pages' type-ahead pickers, as a user does with the keyboard."""

import re

from playwright.sync_api import expect


def choose_medicine(page, drug, *, row: int = 0, words: str | None = None) -> None:
    """Type the start of `drug`'s name in the row's medicine box, then pick `drug` from the
    list with the arrow keys and Enter (which also fires the prescription's safety check)."""
    search = page.locator(f"#id_rx-{row}-drug_search")
    with page.expect_response(re.compile(r"/workspace/medicines/search/")):
        search.press_sequentially(words or drug.generic_name[:5], delay=30)
    options = page.locator(f"#rx-{row}-results [role='option'][data-value]")
    expect(options.first).to_be_visible()
    values = [options.nth(i).get_attribute("data-value") for i in range(options.count())]
    target = values.index(str(drug.public_id))
    for _ in range(target):
        search.press("ArrowDown")
    search.press("Enter")
    expect(page.locator(f"#id_rx-{row}-drug")).to_have_value(str(drug.public_id))
