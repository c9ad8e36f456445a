"""The shared detail panel: labelled values, the actions the user may see."""

from __future__ import annotations

from hms_desktop.widgets.list_page import DetailPanel
from hms_desktop.widgets.page import button


def test_detail_panel_fields_and_allowed_actions(qtbot):
    panel = DetailPanel("Nothing selected")
    qtbot.addWidget(panel)
    edit, remove = button("Edit"), button("Remove", danger=True)
    panel.add_heading(edit, remove)
    panel.body.addLayout(panel.add_fields((("Name", "name"), ("Phone", "phone"))))
    panel.allow({edit: True, remove: False})
    panel.show()
    assert panel.heading.text() == "Nothing selected"
    assert set(panel.values) == {"name", "phone"}
    assert panel.values["name"].text() == "—"
    assert edit.isVisible() and not remove.isVisible()
    panel.values["name"].setText("Ada")
    panel.clear_values()
    assert panel.values["name"].text() == "—"
