"""Sections other modules add to an encounter's printed visit summary.

The visit summary shows the encounter's complaint, vital signs, diagnoses and notes (this
app's records) and, from the modules above it, what was ordered and prescribed. Those modules
register a *section* instead of this app importing them:

    from hms.clinical.visit_summary import SummarySection, register_visit_summary_section

    def lab_orders(encounter, user):
        rows = [[o.test.name, o.get_status_display()] for o in encounter_lab_orders(encounter)]
        return SummarySection(title="Laboratory orders", columns=["Test", "Status"], rows=rows)

    register_visit_summary_section("lab_orders", lab_orders, position=10)

(call it from the app's `AppConfig.ready()`). A section function receives the encounter (its
chart already opened for `user` by the access module, so the read is checked and audited) and
the user (to leave out a part of the chart their role may not read: return None). It returns
a SummarySection, or None to print nothing. Sections print in `position` order.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SummarySection:
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    empty_text: str = "None."


SectionFn = Callable[[Any, Any], SummarySection | None]
_SECTIONS: dict[str, tuple[int, SectionFn]] = {}


def register_visit_summary_section(name: str, fn: SectionFn, *, position: int = 100) -> None:
    """Add (or replace, by name) a section of the printed visit summary."""
    _SECTIONS[name] = (position, fn)


def visit_summary_sections(encounter, user) -> list[SummarySection]:
    """Every registered section for this encounter, in position order (empty ones included:
    a summary states that nothing was ordered)."""
    sections = []
    for _position, fn in sorted(_SECTIONS.values(), key=lambda entry: entry[0]):
        section = fn(encounter, user)
        if section is not None:
            sections.append(section)
    return sections
