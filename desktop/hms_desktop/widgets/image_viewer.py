"""A DICOM preview viewer: thumbnails of a study's images and the selected one, large.

Previews are PNGs the server renders (windowed); the viewer only shows pixmaps handed to it
(fetched by the page through the task runner), so it never touches the network.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.api.dto import ImagingImage

ID_ROLE = Qt.ItemDataRole.UserRole + 1


class ImageViewer(QWidget):
    image_selected = Signal(object)  # ImagingImage | None

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.view = QLabel("No images yet")
        self.view.setObjectName("imageView")
        self.view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.view.setMinimumSize(240, 160)
        # Ignored: the pixmap is scaled to the label, never the label to the pixmap.
        self.view.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.view.setStyleSheet(
            "QLabel#imageView { background: #020617; color: #94a3b8; border-radius: 8px; }"
        )
        layout.addWidget(self.view, 1)
        self.caption = QLabel()
        self.caption.setObjectName("muted")
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        self.strip = QListWidget()
        self.strip.setObjectName("thumbnails")
        self.strip.setViewMode(QListView.ViewMode.IconMode)
        self.strip.setFlow(QListView.Flow.LeftToRight)
        self.strip.setWrapping(False)
        self.strip.setIconSize(QSize(60, 60))
        self.strip.setFixedHeight(92)
        self.strip.setMovement(QListView.Movement.Static)
        self.strip.currentItemChanged.connect(lambda *_: self._selected())
        layout.addWidget(self.strip)
        self.images: list[ImagingImage] = []
        self.pixmaps: dict[str, QPixmap] = {}

    def set_images(self, images: Sequence[ImagingImage]) -> None:
        keep = self.current().id if self.current() else None
        self.images = list(images)
        self.pixmaps = {k: v for k, v in self.pixmaps.items() if any(i.id == k for i in images)}
        self.strip.blockSignals(True)
        self.strip.clear()
        for image in self.images:
            item = QListWidgetItem(image.caption or "Image")
            item.setData(ID_ROLE, image.id)
            item.setToolTip(image.series_description or image.study_description or image.caption)
            if image.id in self.pixmaps:
                item.setIcon(QIcon(self.pixmaps[image.id]))
            self.strip.addItem(item)
        self.strip.blockSignals(False)
        if not self.images:
            self.view.setPixmap(QPixmap())
            self.view.setText("No images yet")
            self.caption.setText("")
            self.image_selected.emit(None)
            return
        index = next((i for i, img in enumerate(self.images) if img.id == keep), 0)
        self.strip.setCurrentRow(index)
        self._selected()

    def set_preview(self, image_id: str, data: bytes) -> bool:
        pixmap = QPixmap()
        if not pixmap.loadFromData(data, "PNG"):
            return False
        self.pixmaps[image_id] = pixmap
        for row in range(self.strip.count()):
            item = self.strip.item(row)
            if item.data(ID_ROLE) == image_id:
                item.setIcon(QIcon(pixmap))
        current = self.current()
        if current is not None and current.id == image_id:
            self._show(current)
        return True

    def current(self) -> ImagingImage | None:
        item = self.strip.currentItem()
        if item is None:
            return None
        return next((i for i in self.images if i.id == item.data(ID_ROLE)), None)

    def _selected(self) -> None:
        image = self.current()
        if image is not None:
            self._show(image)
        self.image_selected.emit(image)

    def _show(self, image: ImagingImage) -> None:
        pixmap = self.pixmaps.get(image.id)
        if pixmap is None:
            self.view.setPixmap(QPixmap())
            self.view.setText(image.preview_error or "Loading the preview…")
        else:
            self.view.setPixmap(
                pixmap.scaled(
                    self.view.size(),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        size = f"{image.columns} x {image.rows}" if image.rows and image.columns else ""
        window = ""
        if image.window_center is not None and image.window_width is not None:
            window = f"window C {image.window_center:g} / W {image.window_width:g}"
        parts = [
            image.caption,
            image.series_description or image.study_description,
            image.body_part,
            size,
            window,
            image.study_date.isoformat() if image.study_date else "",
        ]
        self.caption.setText(" · ".join(p for p in parts if p))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        image = self.current()
        if image is not None and image.id in self.pixmaps:
            self._show(image)
