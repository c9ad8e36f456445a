"""The left-hand navigation: the hospital's name and the modules this role may use."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QListWidget, QListWidgetItem, QVBoxLayout

from hms_desktop import __version__
from hms_desktop.modules import Module
from hms_desktop.widgets.icons import glyph_icon

KEY_ROLE = Qt.ItemDataRole.UserRole + 1


class Sidebar(QFrame):
    module_selected = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.setFixedWidth(220)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 16, 12, 12)
        layout.setSpacing(2)
        brand = QLabel("✚ HMS")
        brand.setObjectName("sidebarBrand")
        self.hospital = QLabel("Hospital information system")
        self.hospital.setObjectName("sidebarHospital")
        self.hospital.setWordWrap(True)
        layout.addWidget(brand)
        layout.addWidget(self.hospital)
        section = QLabel("MODULES")
        section.setObjectName("sidebarSection")
        layout.addWidget(section)
        self.list = QListWidget()
        self.list.setIconSize(QSize(18, 18))
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.currentItemChanged.connect(self._changed)
        layout.addWidget(self.list, 1)
        footer = QLabel(f"HMS desktop {__version__}")
        footer.setObjectName("sidebarFooter")
        layout.addWidget(footer)

    def set_modules(self, modules: Sequence[Module]) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for module in modules:
            item = QListWidgetItem(glyph_icon(module.glyph), module.title)
            item.setData(KEY_ROLE, module.key)
            item.setToolTip(module.description)
            item.setSizeHint(QSize(0, 40))
            self.list.addItem(item)
        self.list.blockSignals(False)

    def keys(self) -> list[str]:
        return [self.list.item(i).data(KEY_ROLE) for i in range(self.list.count())]

    def titles(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def select(self, key: str) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(KEY_ROLE) == key:
                self.list.setCurrentRow(i)
                return
        raise KeyError(key)

    def current_key(self) -> str | None:
        item = self.list.currentItem()
        return item.data(KEY_ROLE) if item else None

    def _changed(self, current: QListWidgetItem | None, _previous) -> None:
        if current is not None:
            self.module_selected.emit(current.data(KEY_ROLE))
