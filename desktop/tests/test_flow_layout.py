"""The wrapping layout toolbars and the dashboard's module buttons use."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QVBoxLayout, QWidget

from hms_desktop.widgets.flow import FlowLayout

from .layout_checks import problems


def toolbar(qtbot, width: int):
    """A search box, two filters, then Refresh and an action on the right, `width` wide."""
    root = QWidget()
    qtbot.addWidget(root)
    column = QVBoxLayout(root)
    bar = QWidget()
    flow = FlowLayout(bar, spacing=8)
    flow.setContentsMargins(0, 0, 0, 0)
    search = QLineEdit()
    search.setMinimumWidth(240)
    filters = [QPushButton("All categories of tariff"), QPushButton("Today's prices only")]
    refresh, new = QPushButton("Refresh"), QPushButton("New price for it…")
    flow.addWidget(search)
    flow.addStretch(1)
    flow.addWidget(refresh)
    flow.addWidget(new, 0, Qt.AlignmentFlag.AlignRight)  # a box layout's call works too
    for i, widget in enumerate(filters):
        flow.insertWidget(1 + i, widget)  # filters go after the search box, as in a box
    column.addWidget(bar)
    column.addStretch(1)
    root.resize(width, 300)
    root.show()
    qtbot.waitExposed(root)
    QApplication.processEvents()
    return root, bar, [search, *filters], [refresh, new]


def test_one_row_when_it_fits_with_the_actions_on_the_right(qtbot):
    root, bar, left, right = toolbar(qtbot, 1200)
    tops = {w.geometry().top() for w in [*left, *right]}
    assert len(tops) == 1
    assert [w.x() for w in left] == sorted(w.x() for w in left)
    assert left[0].x() == 0
    assert right[-1].geometry().right() == bar.width() - 1  # flush right
    assert not problems(root)


def test_wraps_rather_than_squeeze_and_keeps_the_actions_right(qtbot):
    root, bar, left, right = toolbar(qtbot, 520)
    assert not problems(root)  # nothing clipped, nothing on top of anything else
    rows = sorted({w.geometry().top() for w in [*left, *right]})
    assert len(rows) >= 2
    assert len({w.geometry().top() for w in right}) == 1  # the actions stay together
    assert right[-1].geometry().right() == bar.width() - 1
    assert bar.height() >= right[-1].geometry().bottom()  # the bar grew to hold its rows
    for widget in [*left, *right]:
        assert widget.width() >= widget.sizeHint().width() or widget.width() == bar.width()


def test_hidden_widgets_take_no_room(qtbot):
    root, _bar, left, _right = toolbar(qtbot, 1200)
    left[1].hide()
    QApplication.processEvents()
    assert left[2].x() < left[1].x() + left[1].width()
    assert not problems(root)


def test_height_grows_with_the_rows(qtbot):
    _root, bar, _left, right = toolbar(qtbot, 1200)
    flow = bar.layout()
    assert flow.heightForWidth(300) > flow.heightForWidth(1200)
    assert flow.minimumSize().width() <= 300
    assert flow.indexOf(right[0]) == 4  # search, two filters, the stretch, Refresh


def test_the_actions_move_down_together_rather_than_split(qtbot):
    root, bar, left, right = toolbar(qtbot, 420)
    for widget in left[1:]:
        widget.hide()  # the search box alone on the left
    QApplication.processEvents()
    refresh, new = right
    assert left[0].x() + left[0].width() + 8 + refresh.width() <= bar.width()  # Refresh would fit
    assert refresh.geometry().top() == new.geometry().top() > left[0].geometry().top()
    assert new.geometry().right() == bar.width() - 1
    assert not problems(root)
