"""The application's look: Fusion style plus one stylesheet, with named colours."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPixmap, QPolygonF
from PySide6.QtWidgets import QApplication

PRIMARY = "#0f766e"
PRIMARY_DARK = "#115e59"
PRIMARY_LIGHT = "#ccfbf1"
SIDEBAR = "#0f172a"
SIDEBAR_HOVER = "#1e293b"
BACKGROUND = "#f1f5f9"
SURFACE = "#ffffff"
BORDER = "#e2e8f0"
TEXT = "#0f172a"
MUTED = "#64748b"
DANGER = "#b91c1c"
DANGER_LIGHT = "#fee2e2"
WARNING = "#b45309"
WARNING_LIGHT = "#fef3c7"
SUCCESS = "#15803d"
SUCCESS_LIGHT = "#dcfce7"
INFO = "#0369a1"
INFO_LIGHT = "#e0f2fe"

STYLESHEET = f"""
QWidget {{ color: {TEXT}; }}
QMainWindow, QDialog, #page {{ background: {BACKGROUND}; }}
QToolTip {{ color: {TEXT}; background: {SURFACE}; border: 1px solid {BORDER}; padding: 4px; }}

/* Sidebar */
#sidebar {{ background: {SIDEBAR}; }}
#sidebarBrand {{ color: white; font-size: 17pt; font-weight: 700; padding: 0 4px; }}
#sidebarHospital {{ color: #94a3b8; font-size: 9pt; padding: 0 4px; }}
#sidebarSection {{ color: #64748b; font-size: 8pt; font-weight: 700; padding: 14px 8px 4px 8px; }}
#sidebar QListWidget {{ background: transparent; border: none; outline: none; color: #cbd5e1; }}
#sidebar QListWidget::item {{ padding: 0 10px; border-radius: 6px; margin: 1px 0; }}
#sidebar QListWidget::item:hover {{ background: {SIDEBAR_HOVER}; color: white; }}
#sidebar QListWidget::item:selected {{ background: {PRIMARY}; color: white; }}
#sidebarFooter {{ color: #64748b; font-size: 8pt; }}

/* Header bar */
#headerBar {{ background: {SURFACE}; border-bottom: 1px solid {BORDER}; }}
#headerTitle {{ font-size: 15pt; font-weight: 600; }}
#headerUser {{ font-weight: 600; }}
#roleChip {{ background: {PRIMARY_LIGHT}; color: {PRIMARY_DARK}; border-radius: 10px;
            padding: 2px 10px; font-size: 9pt; font-weight: 600; }}
#serverStatus {{ color: {MUTED}; font-size: 9pt; }}

/* Banner */
#banner[kind="error"] {{ background: {DANGER_LIGHT}; border: 1px solid #fca5a5;
                         border-radius: 6px; }}
#banner[kind="warning"] {{ background: {WARNING_LIGHT}; border: 1px solid #fcd34d;
                           border-radius: 6px; }}
#banner[kind="info"] {{ background: #e0f2fe; border: 1px solid #7dd3fc; border-radius: 6px; }}
#banner[kind="success"] {{ background: {SUCCESS_LIGHT}; border: 1px solid #86efac;
                           border-radius: 6px; }}
#bannerText {{ background: transparent; }}

/* Cards and panels */
#card, #panel {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 8px; }}
#cardTitle {{ color: {MUTED}; font-size: 9pt; font-weight: 600; }}
#cardValue {{ font-size: 24pt; font-weight: 700; }}
#cardCaption {{ color: {MUTED}; font-size: 9pt; }}
#sectionTitle {{ font-size: 12pt; font-weight: 600; }}
#muted, #hint {{ color: {MUTED}; }}
#pageIntro {{ color: {MUTED}; }}

/* Forms */
QLineEdit, QComboBox, QDateTimeEdit, QSpinBox, QDoubleSpinBox, QPlainTextEdit, QTextEdit {{
    background: {SURFACE}; border: 1px solid #cbd5e1; border-radius: 5px; padding: 5px 7px;
    selection-background-color: {PRIMARY};
}}
QLineEdit:focus, QComboBox:focus, QDateTimeEdit:focus, QPlainTextEdit:focus,
QSpinBox:focus, QDoubleSpinBox:focus {{
    border: 1px solid {PRIMARY};
}}
QLineEdit:disabled, QComboBox:disabled {{ background: {BACKGROUND}; color: {MUTED}; }}
QLineEdit[invalid="true"], QComboBox[invalid="true"], QPlainTextEdit[invalid="true"] {{
    border: 1px solid {DANGER}; background: #fff7f7;
}}
QComboBox::drop-down, QDateTimeEdit::drop-down {{ subcontrol-origin: padding;
    subcontrol-position: center right; width: 22px; border: none; }}
QComboBox::down-arrow, QDateTimeEdit::down-arrow {{ image: url("@ARROW@"); width: 10px;
    height: 6px; margin-right: 8px; }}
QSpinBox::up-button, QSpinBox::down-button, QDoubleSpinBox::up-button,
QDoubleSpinBox::down-button {{ subcontrol-origin: border; width: 18px; border: none;
    background: transparent; }}
QSpinBox::up-button, QDoubleSpinBox::up-button {{ subcontrol-position: top right; }}
QSpinBox::down-button, QDoubleSpinBox::down-button {{ subcontrol-position: bottom right; }}
QSpinBox::up-arrow, QDoubleSpinBox::up-arrow {{ image: url("@UP_ARROW@"); width: 8px;
    height: 5px; }}
QSpinBox::down-arrow, QDoubleSpinBox::down-arrow {{ image: url("@ARROW@"); width: 8px;
    height: 5px; }}
QSpinBox::up-arrow:disabled, QSpinBox::up-arrow:off, QDoubleSpinBox::up-arrow:disabled,
QDoubleSpinBox::up-arrow:off {{ image: none; }}
QSpinBox::down-arrow:disabled, QSpinBox::down-arrow:off, QDoubleSpinBox::down-arrow:disabled,
QDoubleSpinBox::down-arrow:off {{ image: none; }}
QComboBox QAbstractItemView {{ background: {SURFACE}; border: 1px solid {BORDER};
    selection-background-color: {PRIMARY_LIGHT}; selection-color: {TEXT}; }}
#fieldError {{ color: {DANGER}; font-size: 9pt; }}
#formError {{ color: {DANGER}; background: {DANGER_LIGHT}; border-radius: 5px; padding: 6px 8px; }}
QLabel#fieldLabel {{ font-weight: 600; }}
QLabel[tone="ok"] {{ color: {SUCCESS}; background: {SUCCESS_LIGHT}; border-radius: 5px;
    padding: 6px 8px; }}
QLabel[tone="warning"] {{ color: {WARNING}; background: {WARNING_LIGHT}; border-radius: 5px;
    padding: 6px 8px; }}

/* Buttons */
QPushButton {{ background: {SURFACE}; border: 1px solid #cbd5e1; border-radius: 5px;
              padding: 6px 14px; }}
QPushButton:hover {{ background: #f8fafc; border-color: #94a3b8; }}
QPushButton:disabled {{ color: #94a3b8; background: #f8fafc; border-color: {BORDER}; }}
QPushButton[primary="true"] {{ background: {PRIMARY}; color: white; border: 1px solid {PRIMARY};
                               font-weight: 600; }}
QPushButton[primary="true"]:hover {{ background: {PRIMARY_DARK}; }}
QPushButton[primary="true"]:disabled {{ background: #99d5cf; border-color: #99d5cf; }}
QPushButton[danger="true"] {{ color: {DANGER}; border-color: #fca5a5; }}
QPushButton[danger="true"]:hover {{ background: {DANGER_LIGHT}; }}
QPushButton[flat="true"] {{ border: none; background: transparent; }}

/* Tables */
QTableView {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 8px;
             gridline-color: transparent; alternate-background-color: #f8fafc;
             selection-background-color: {PRIMARY_LIGHT}; selection-color: {TEXT}; }}
QTableView::item {{ padding: 4px 8px; border-bottom: 1px solid #f1f5f9; }}
QHeaderView::section {{ background: #f8fafc; color: {MUTED}; font-weight: 600; border: none;
                       border-bottom: 1px solid {BORDER}; padding: 7px 8px; }}
#tableFooter {{ color: {MUTED}; font-size: 9pt; }}

/* Scroll bars: thin, no arrows */
QScrollBar:vertical {{ background: transparent; width: 10px; margin: 2px; }}
QScrollBar:horizontal {{ background: transparent; height: 10px; margin: 2px; }}
QScrollBar::handle:vertical {{ background: #cbd5e1; border-radius: 3px; min-height: 28px; }}
QScrollBar::handle:horizontal {{ background: #cbd5e1; border-radius: 3px; min-width: 28px; }}
QScrollBar::handle:hover {{ background: #94a3b8; }}
QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; border: none; }}
QScrollBar::add-page, QScrollBar::sub-page {{ background: none; }}

/* Counts per status across the top of a list */
#countChip {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 8px; }}
#countValue {{ font-size: 16pt; font-weight: 700; background: transparent; }}
#countLabel {{ color: {MUTED}; font-size: 8pt; font-weight: 600; background: transparent; }}

/* Free slots to pick from */
QListWidget#slotGrid {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 6px;
                        padding: 6px; outline: none; }}
QListWidget#slotGrid::item {{ border: 1px solid #99d5cf; border-radius: 5px; color: {PRIMARY_DARK};
                              background: #f0fdfa; margin: 3px; }}
QListWidget#slotGrid::item:hover {{ background: {PRIMARY_LIGHT}; }}
QListWidget#slotGrid::item:selected {{ background: {PRIMARY}; color: white;
                                       border-color: {PRIMARY}; font-weight: 600; }}
QListWidget#pickerResults {{ background: {SURFACE}; border: 1px solid {BORDER};
                             border-radius: 6px; outline: none; }}
QListWidget#pickerResults::item {{ padding: 5px 8px; }}
QListWidget#pickerResults::item:selected {{ background: {PRIMARY_LIGHT}; color: {TEXT}; }}
QListWidget#wardList {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 8px;
                        outline: none; padding: 4px; }}
QListWidget#wardList::item {{ padding: 4px 10px; border-radius: 6px; margin: 1px 0; }}
QListWidget#wardList::item:selected {{ background: {PRIMARY_LIGHT}; color: {TEXT}; }}
QListView#bedGrid {{ background: {BACKGROUND}; border: none; outline: none; }}
QTreeWidget#reportCatalogue {{ background: {SURFACE}; border: 1px solid {BORDER};
                              border-radius: 8px; outline: none; padding: 4px; }}
QTreeWidget#reportCatalogue::item {{ padding: 4px 6px; border-radius: 6px; }}
QTreeWidget#reportCatalogue::item:selected {{ background: {PRIMARY_LIGHT}; color: {TEXT}; }}
QTreeWidget#reportCatalogue::branch, QTreeWidget#reportCatalogue::branch:selected {{
    background: {SURFACE}; border: none; }}
#pickedChip {{ background: {PRIMARY_LIGHT}; color: {PRIMARY_DARK}; border-radius: 6px;
               padding: 6px 10px; font-weight: 600; }}

QTabWidget::pane {{ border: 1px solid {BORDER}; border-radius: 6px; background: {SURFACE}; }}
QTabBar::tab {{ padding: 7px 14px; }}
QTabBar::tab:selected {{ color: {PRIMARY_DARK}; font-weight: 600;
                         border-bottom: 2px solid {PRIMARY}; }}
QGroupBox {{ font-weight: 600; border: 1px solid {BORDER}; border-radius: 6px; margin-top: 12px;
            padding-top: 8px; background: {SURFACE}; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 10px; padding: 0 4px; }}
"""


def apply_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    font = QFont(app.font())
    font.setPointSize(10)
    app.setFont(font)
    palette = app.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor(BACKGROUND))
    palette.setColor(QPalette.ColorRole.Highlight, QColor(PRIMARY))
    palette.setColor(QPalette.ColorRole.Link, QColor(PRIMARY))
    app.setPalette(palette)
    app.setStyleSheet(
        STYLESHEET.replace("@ARROW@", _arrow_image().as_posix()).replace(
            "@UP_ARROW@", _arrow_image(up=True).as_posix()
        )
    )


def _arrow_image(*, up: bool = False) -> Path:
    """A drop-down (or spin-up) arrow, drawn once into a file the stylesheet can point at."""
    name = f"hms-desktop-arrow-{'up-' if up else ''}{MUTED.lstrip('#')}.png"
    path = Path(tempfile.gettempdir()) / name
    if not path.exists():
        pixmap = QPixmap(20, 12)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(MUTED))
        points = (
            [QPointF(1, 11), QPointF(19, 11), QPointF(10, 1)]
            if up
            else [QPointF(1, 1), QPointF(19, 1), QPointF(10, 11)]
        )
        painter.drawPolygon(QPolygonF(points))
        painter.end()
        pixmap.save(str(path))
    return path


def repolish(widget) -> None:
    """Re-apply the stylesheet after a dynamic property used in a selector changed."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()
